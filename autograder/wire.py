"""Talking to a submission: a raw-socket client that sends exact bytes.

Everything here is I/O; what the bytes mean is decided by http_response.py.
The client behaves like a browser in one important way: it never half-closes
its side of the connection, so a server that reads "until the client closes"
waits forever (and the checks say so) instead of passing by luck.
"""

from __future__ import annotations

import os
import selectors
import socket
import time
from dataclasses import dataclass

from autograder.http_response import HEAD_LIMIT, announced_length, head_without_length
from autograder.listening import accept_queue
from autograder.timing import bounded, stretched

HOST = "127.0.0.1"
DEFAULT_TIMEOUT = 3.0  # seconds to wait for a whole response
DEFAULT_CAP = 4 * 1024 * 1024  # bytes kept from one response
CLOSE_GRACE = 0.3  # after a complete response, how long to wait for the close (stretched under load)
ABANDON_POLL = 0.1  # how often a wait asks whether it is hopeless
ACCEPT_WAIT = 0.2  # opening many clients: how long to wait for the server to accept each (stretched under load)
SILENCE_WITHOUT_LENGTH = 0.5  # a head without Content-Length, then this long without a byte: the answer is over


@dataclass
class Exchange:
    """One request and what came back, with how the conversation ended."""

    sent: bytes = b""
    received: bytes = b""
    connected: bool = False
    connect_error: str = ""
    closed_by_server: bool = False  # the server closed (EOF) after the response
    reset: bool = False  # the connection was reset
    timed_out: bool = False  # the deadline passed before the response ended
    capped: bool = False  # more bytes came than we keep
    elapsed: float = 0.0  # seconds from the first byte sent to the end
    abandoned: bool = False  # the wait ended early: the answer could no longer come (see read_response)

    @property
    def got_nothing(self) -> bool:
        return not self.received


class Connection:
    """A client connection with deadline-bounded reads. Use as a context manager."""

    def __init__(self, port: int, connect_timeout: float = 2.0, receive_buffer: int | None = None):
        self.port = port
        self.sock: socket.socket | None = None
        self.exchange = Exchange()
        self._connect(connect_timeout, receive_buffer)

    def _connect(self, timeout: float, receive_buffer: int | None) -> None:
        try:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if receive_buffer:
                # A small window, like a slow client's: the server's data waits in
                # its own send buffer, and a single send() cannot hand over it all.
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            self.sock.settimeout(timeout)
            self.sock.connect((HOST, self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.exchange.connected = True
        except OSError as error:
            self.exchange.connect_error = f"{type(error).__name__}: {error}"
            if self.sock is not None:
                self.sock.close()
            self.sock = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def abort(self) -> None:
        """Close with a reset (RST), like a client that vanishes."""
        if self.sock is not None:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            self.close()

    def send(self, data: bytes) -> bool:
        """Send every byte; False when the server has already gone."""
        self.exchange.sent += data
        if self.sock is None:
            return False
        try:
            self.sock.settimeout(DEFAULT_TIMEOUT)
            self.sock.sendall(data)
            return True
        except OSError:
            self.exchange.reset = True
            return False

    def send_pieces(self, pieces: list[bytes], pause: float) -> bool:
        for number, piece in enumerate(pieces):
            if number:
                time.sleep(pause)
            if not self.send(piece):
                return False
        return True

    def read_response(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        cap: int = DEFAULT_CAP,
        grace: float = CLOSE_GRACE,
        stretch: bool = True,
        hopeless=None,
    ) -> Exchange:
        """Read until the server closes, the deadline passes or `cap` bytes came.

        `hopeless`, when given, is asked every ABANDON_POLL seconds while
        nothing comes: True ends the wait at once (the thread that was to
        answer has died, say), as if the deadline had passed.

        `stretch=False` keeps `timeout` exact even on a busy machine: for the
        windows that measure concurrency, where more time could let a server
        that serves one client at a time pass.

        When the bytes so far make a complete response (headers plus
        Content-Length bytes), wait only `grace` seconds more: long enough to
        see the close or stray extra bytes, short enough to keep grading fast.
        """
        exchange = self.exchange
        if self.sock is None:
            return exchange
        started = time.monotonic()
        deadline = started + (stretched(timeout) if stretch else bounded(timeout))
        buffer = bytearray(exchange.received)
        waiting_for_close = False
        announced = None  # the size the head announces, found once
        last_byte = started
        while True:
            now = time.monotonic()
            if announced is None:
                announced = announced_length(bytes(buffer[:HEAD_LIMIT]))
            if not waiting_for_close and announced is not None and len(buffer) >= announced:
                waiting_for_close = True
                deadline = min(deadline, now + stretched(grace))
            if announced is None and not waiting_for_close and head_without_length(bytes(buffer[:HEAD_LIMIT])):
                # Nothing says where the body ends and the server has not closed: stop
                # once it falls silent, instead of waiting out the whole deadline
                # on every request (a server that never closes would run out the
                # grading's time, and which checks ran would depend on speed).
                silent_deadline = last_byte + stretched(SILENCE_WITHOUT_LENGTH)
                if now >= silent_deadline:
                    exchange.timed_out = True
                    break
                remaining_silence = silent_deadline - now
            else:
                remaining_silence = None
            remaining = deadline - now
            if remaining <= 0:
                exchange.timed_out = not waiting_for_close
                break
            wait = remaining if remaining_silence is None else min(remaining, remaining_silence)
            polled = hopeless is not None and wait > ABANDON_POLL
            self.sock.settimeout(ABANDON_POLL if polled else wait)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                if polled:
                    if hopeless():
                        exchange.timed_out = not waiting_for_close
                        exchange.abandoned = True
                        break
                    continue
                if remaining_silence is not None and remaining_silence < remaining:
                    continue  # silent for long enough: decided at the top of the loop
                exchange.timed_out = not waiting_for_close
                break
            except OSError:
                exchange.reset = True
                break
            if not chunk:
                exchange.closed_by_server = True
                break
            buffer += chunk
            last_byte = time.monotonic()
            if len(buffer) > cap:
                del buffer[cap:]
                exchange.capped = True
                break
        exchange.received = bytes(buffer)
        exchange.elapsed += time.monotonic() - started
        return exchange


def exchange(
    port: int,
    request: bytes | list[bytes],
    pause: float = 0.0,
    timeout: float = DEFAULT_TIMEOUT,
    cap: int = DEFAULT_CAP,
    grace: float = CLOSE_GRACE,
    receive_buffer: int | None = None,
    stretch: bool = True,
    hopeless=None,
) -> Exchange:
    """Connect, send `request` (one piece or several with pauses), read the answer."""
    with Connection(port, receive_buffer=receive_buffer) as connection:
        if not connection.exchange.connected:
            return connection.exchange
        pieces = request if isinstance(request, list) else [request]
        started = time.monotonic()
        connection.send_pieces(pieces, pause)
        result = connection.read_response(timeout=timeout, cap=cap, grace=grace, stretch=stretch, hopeless=hopeless)
        result.elapsed = time.monotonic() - started
        return result


def open_many(port: int, count: int, timeout: float = 3.0) -> list[Connection]:
    """Open `count` connections at once, all within one deadline.

    Connecting one by one with a timeout each would take minutes against a
    server whose listen backlog is full (the kernel drops further SYNs and the
    client retries after a second); here every connect shares one deadline.
    """
    connections = []
    pending = {}
    for _ in range(count):
        connection = Connection.__new__(Connection)
        connection.port, connection.exchange = port, Exchange()
        connection.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        connection.sock.setblocking(False)
        connection.sock.connect_ex((HOST, port))
        pending[connection.sock] = connection
        connections.append(connection)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        with selectors.DefaultSelector() as selector:
            for sock in pending:
                selector.register(sock, selectors.EVENT_WRITE)
            for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                connection = pending.pop(key.fileobj)
                error = connection.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    connection.exchange.connect_error = os.strerror(error)
                    connection.close()
                else:
                    connection.exchange.connected = True
                    connection.sock.setblocking(True)
                    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for connection in pending.values():
        connection.exchange.connect_error = f"not accepted within {timeout:.0f} s"
        connection.close()
    return connections


def open_one_by_one(port: int, count: int, timeout: float = 3.0) -> list[Connection]:
    """Open `count` connections, one after the other, all within one deadline; all stay open.

    For many clients at once (32). One after the other, each once the server
    has accepted the one before (or a moment has passed): the kernel queues
    connections the server has not accepted yet, only as many as its listen()
    backlog allows, and drops or resets the rest, so a burst of 32 connects would fail a correct
    threaded server that called listen(1), the textbook's number. The queue's
    size is not the concurrency a check is after. The one shared deadline
    keeps it short against a server that accepts nothing (the kernel drops
    further SYNs and the client would retry each after a second).
    """
    connections = []
    deadline = time.monotonic() + timeout
    accepting = True  # until the server leaves a connection waiting: then it is busy with another
    for _ in range(count):
        # Past the deadline a connect times out at once: a server that accepts nothing costs no more.
        connection = Connection(port, connect_timeout=max(0.001, deadline - time.monotonic()))
        if connection.sock is None and "timed out" in (connection.exchange.connect_error or ""):
            connection.exchange.connect_error = f"not accepted within {timeout:.0f} s"
        elif connection.sock is not None and accepting:
            accepting = _wait_until_accepted(port, min(stretched(ACCEPT_WAIT), max(0.0, deadline - time.monotonic())))
        connections.append(connection)
    return connections


def _wait_until_accepted(port: int, limit: float) -> bool:
    """Wait until no connection waits in the server's accept queue, for `limit` seconds at most.

    False when one still waits then. Where the queue cannot be seen (not
    Linux), a short pause does the same, mostly.
    """
    give_up = time.monotonic() + limit
    while True:
        waiting = accept_queue(port)
        if waiting is None:
            time.sleep(min(0.005, limit))
            return True
        if waiting == 0:
            return True
        if time.monotonic() >= give_up:
            return False
        time.sleep(0.001)


def read_many(connections: list[Connection], timeout: float, cap: int = DEFAULT_CAP) -> None:
    """Read responses on many connections at once, until each is done or the deadline.

    Done means closed by the server, or complete and quiet for CLOSE_GRACE.
    """
    selector = selectors.DefaultSelector()
    buffers: dict[Connection, bytearray] = {}
    announced: dict[Connection, int] = {}  # the size each head announces, found once
    completed_at: dict[Connection, float] = {}
    for connection in connections:
        if connection.sock is not None:
            connection.sock.setblocking(False)
            selector.register(connection.sock, selectors.EVENT_READ, connection)
            buffers[connection] = bytearray()
    deadline = time.monotonic() + bounded(timeout)
    started = time.monotonic()
    while buffers:
        now = time.monotonic()
        for connection, when in list(completed_at.items()):
            if connection in buffers and now - when > CLOSE_GRACE:
                _finish(selector, connection, buffers, started)
        if not buffers or now >= deadline:
            break
        for key, _ in selector.select(timeout=min(0.1, deadline - now)):
            connection = key.data
            try:
                chunk = connection.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                connection.exchange.reset = True
                chunk = b""
            if not chunk:
                connection.exchange.closed_by_server = not connection.exchange.reset
                _finish(selector, connection, buffers, started)
                continue
            buffers[connection] += chunk
            if len(buffers[connection]) > cap:
                connection.exchange.capped = True
                _finish(selector, connection, buffers, started)
                continue
            if connection not in announced:
                size = announced_length(bytes(buffers[connection][:HEAD_LIMIT]))
                if size is not None:
                    announced[connection] = size
            if connection in announced and len(buffers[connection]) >= announced[connection]:
                completed_at.setdefault(connection, time.monotonic())
    for connection in list(buffers):
        connection.exchange.timed_out = connection not in completed_at
        _finish(selector, connection, buffers, started)
    selector.close()


def _finish(selector, connection: Connection, buffers: dict, started: float) -> None:
    connection.exchange.received = bytes(buffers.pop(connection))
    connection.exchange.elapsed = time.monotonic() - started
    try:
        selector.unregister(connection.sock)
    except (KeyError, ValueError):
        pass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
