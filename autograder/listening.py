"""Which TCP ports listen on this machine, and how many connections wait to be accepted.

The grader looks before every check whether the server still listens, and
the stage-4 checks open their clients one at a time, each after the server
has accepted the one before (see wire.open_many). Linux only (netlink's
sock_diag, /proc/net/tcp as the fallback); elsewhere the answers are None
or empty and the callers do without.

Netlink asks the kernel for listening sockets only. /proc/net/tcp lists
every socket, and after a batch has graded a few hundred servers the
thousands of connections in TIME_WAIT make each read take tens of
milliseconds.
"""

from __future__ import annotations

import socket
import struct

_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST_DUMP = 0x1 | 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_TCP_LISTEN = 10


def listening_ports(inodes: set[str] | None = None) -> set[int]:
    """TCP ports in LISTEN state on this machine, or only those of these socket inodes."""
    return {port for port, inode, _ in _listening_sockets() if inodes is None or inode in inodes}


def accept_queue(port: int) -> int | None:
    """How many connections wait for accept() on the socket(s) listening on `port`; None if unknown."""
    waiting = [queued for found_port, _, queued in _listening_sockets() if found_port == port]
    return max(waiting) if waiting else None


def _listening_sockets() -> set[tuple[int, str, int]]:
    """(port, inode, connections waiting for accept()) of every listening TCP socket."""
    try:
        return _listening_sockets_netlink()
    except (OSError, AttributeError):  # no netlink (not Linux, or not allowed)
        return _listening_sockets_proc()


def _listening_sockets_netlink() -> set[tuple[int, str, int]]:
    found = set()
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4) as diag:  # 4 = NETLINK_SOCK_DIAG
        diag.settimeout(2)
        for family in (socket.AF_INET, socket.AF_INET6):
            request = struct.pack("=BBBxI", family, socket.IPPROTO_TCP, 0, 1 << _TCP_LISTEN) + bytes(48)
            header = struct.pack("=IHHII", 16 + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST_DUMP, 1, 0)
            diag.send(header + request)
            found |= _read_diag_dump(diag)
    return found


def _read_diag_dump(diag: socket.socket) -> set[tuple[int, str, int]]:
    found = set()
    while True:
        data = diag.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if kind in (_NLMSG_DONE, _NLMSG_ERROR) or length < 16:
                return found
            # struct inet_diag_msg: source port at +4; for a listening socket idiag_rqueue
            # (+56) is the accept queue's length; the inode at +68.
            message = offset + 16
            port = struct.unpack_from(">H", data, message + 4)[0]
            queued = struct.unpack_from("=I", data, message + 56)[0]
            inode = struct.unpack_from("=I", data, message + 68)[0]
            found.add((port, str(inode), queued))
            offset += (length + 3) & ~3


def _listening_sockets_proc() -> set[tuple[int, str, int]]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if fields[3] == "0A":  # 0A = LISTEN; rx_queue is then the accept queue's length
                        queued = int(fields[4].split(":")[1], 16)
                        found.add((int(fields[1].rsplit(":", 1)[1], 16), fields[9], queued))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return found
