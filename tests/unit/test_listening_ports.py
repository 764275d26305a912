"""How the grader sees which ports listen: netlink, with /proc as the fallback."""

import os
import socket

import pytest

from autograder.sandbox import _listening_sockets_netlink, _listening_sockets_proc, listening_ports

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="Linux only")


def test_a_listening_socket_is_seen_by_both_ways_with_its_inode():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        inode = str(os.fstat(listener.fileno()).st_ino)
        assert (port, inode) in _listening_sockets_netlink()
        assert (port, inode) in _listening_sockets_proc()
        assert port in listening_ports({inode})
        assert port not in listening_ports({"0"})


def test_a_connected_socket_is_not_listening():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            client_port = client.getsockname()[1]
            assert client_port not in listening_ports()
        port = listener.getsockname()[1]
    assert port not in listening_ports()
