"""Stage 8: the grader plays the server, and runs the student's client against it.

    with FakeServer([head, 0.2, body], after="keep-open") as server:
        run = run_client(sandbox, entry, server.port, "/page.html", limit=5)
    server.request   # the exact bytes the client sent
    run.stdout       # what it wrote to standard output, bytes

The fake server listens on 127.0.0.1 (a free port of its own), accepts one
connection, reads the request until the blank line (or a short deadline),
then plays its script: bytes are sent as they are (sendall), a number is a
pause in seconds. Afterwards it closes the connection, or keeps it open until
the check ends (a client must then stop at Content-Length; a client that
shuts down its sending side still meets an open connection), or says
nothing at all (a silent server). I/O only: the checks judge.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import Sandbox
from autograder.wire import HOST

REQUEST_SECONDS = 3.0  # how long the fake server waits for the request's blank line
HEAD_ENDS = (b"\r\n\r\n", b"\n\n")
OUTPUT_CAP = 8 * 1024**2


class FakeServer:
    """One scripted answer on a listening socket of its own, in a thread."""

    def __init__(self, script=(), after: str = "close"):
        if after not in ("close", "keep-open"):
            raise ValueError(after)
        self.script = list(script)
        self.after = after
        self.request = b""
        self.connected = False
        self.client_closed = False  # the client hung up while the connection was kept open
        self._stop = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((HOST, 0))
        self.listener.listen(5)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name=f"fake-server-{self.port}", daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()

    @property
    def sent(self) -> bytes:
        """Every byte of the script, in order: what the client was answered."""
        return b"".join(item for item in self.script if isinstance(item, bytes))

    def _serve(self) -> None:
        connection = self._accept()
        if connection is None:
            return
        with connection:
            try:
                self.request = self._read_request(connection)
                for item in self.script:
                    if isinstance(item, bytes):
                        connection.sendall(item)
                    elif self._stop.wait(item):
                        return
                if self.after == "keep-open":
                    self._hold(connection)
            except OSError:
                pass  # the client left: nothing more to say

    def _accept(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return None
            self.connected = True
            connection.settimeout(0.05)
            return connection
        return None

    def _read_request(self, connection) -> bytes:
        data = b""
        deadline = time.monotonic() + REQUEST_SECONDS
        while not any(end in data for end in HEAD_ENDS) and time.monotonic() < deadline and not self._stop.is_set():
            try:
                piece = connection.recv(65536)
            except socket.timeout:
                continue
            if not piece:
                break
            data += piece
        return data

    def _hold(self, connection) -> None:
        """Keep the connection open, saying nothing, until the check ends.

        A client that has hung up is noted (client_closed), but the server's
        side stays open even then: a client that only shut down its sending
        side (shutdown(SHUT_WR) after the request) must still meet a server
        that keeps the connection open, or says nothing, rather than one
        that closes as soon as the client has finished sending.
        """
        while not self._stop.is_set():
            try:
                if not connection.recv(65536):
                    self.client_closed = True
                    self._stop.wait()
                    return
            except socket.timeout:
                continue


class RefusingPort:
    """A port on 127.0.0.1 where nothing listens (held, so no one else takes it meanwhile)."""

    def __enter__(self) -> RefusingPort:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind((HOST, 0))  # bound but not listening: a connection is refused
        self.port = self._socket.getsockname()[1]
        self.request = b""
        self.sent = b""
        return self

    def __exit__(self, *exc_info) -> None:
        self._socket.close()


@dataclass
class ClientRun:
    """What the student's client did in one run."""

    argv: list[str]
    stdout: bytes
    stderr: str
    exit_code: int | None  # None: still running at the deadline, then stopped
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_client(sandbox: Sandbox, entry: Path, port: int, path: str, limit: float,
               python: str = sys.executable) -> ClientRun:
    """Run `python ENTRY 127.0.0.1 PORT PATH` in the sandbox; stop it after `limit` seconds.

    Standard output and standard error are kept apart (the body goes to one,
    the head to the other); every process of the run is gone on return.
    """
    argv = [python, str(entry), HOST, str(port), path]
    kwargs = sandbox.popen_kwargs(argv)
    out_path, err_path = sandbox.run_dir / "client-stdout", sandbox.run_dir / "client-stderr"
    began = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        kwargs.update(stdout=out, stderr=err)
        process = subprocess.Popen(**kwargs)
        if hasattr(sandbox, "track"):
            sandbox.track(process)  # the portable runner stops what it was told about
        try:
            exit_code = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            exit_code = None
        seconds = time.monotonic() - began
        sandbox.kill_all()  # a client that hangs, and anything it started
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    stdout = _read_capped(out_path)
    stderr = _read_capped(err_path).decode("utf-8", "replace")
    return ClientRun(argv=argv[1:], stdout=stdout, stderr=stderr, exit_code=exit_code, seconds=seconds)


def _read_capped(path: Path) -> bytes:
    try:
        with open(path, "rb") as output:
            return output.read(OUTPUT_CAP)
    except OSError:
        return b""
