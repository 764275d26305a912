"""Running a submission: start `python FILE PORT`, wait until it listens, stop it.

Readiness is decided without connecting when the system lets us look
(Linux: /proc/net/tcp lists listening sockets). A probe connection that
opens and closes at once looks like a client that leaves, and a beginner's
stage-1 server may crash on that before the first real check; looking in
/proc spares it. Elsewhere (macOS, students' laptops) we fall back to
connecting.

Every (re)start uses a fresh free port: a killed server's port may still be
held by connections in TIME_WAIT, and a student's server seldom sets
SO_REUSEADDR.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.timing import stretched
from autograder.watch import Watch
from autograder.wire import HOST, free_port

STARTUP_SECONDS = 5.0
POLL_SECONDS = 0.02
WRONG_PORT_AFTER = 1.0  # seconds; then a server listening elsewhere is reported at once
OUTPUT_TAIL_BYTES = 4000
BIND_TO_LISTEN_SECONDS = 0.05  # portable runner: after the bind it saw, the moment listen() takes


@dataclass
class StartResult:
    listening: bool
    port: int
    seconds: float
    exit_code: int | None = None  # set when the server exited during start-up
    other_ports: tuple[int, ...] = ()  # ports it listens on instead of ours
    output: str = ""
    processes: int = 0  # processes of the submission when we gave up waiting
    printed: int = 0  # bytes of output during this start


class ServerProcess:
    """One submission process at a time, restartable, always cleaned up."""

    def __init__(self, entry: Path, sandbox, python: str = sys.executable, watch: Watch | None = None):
        self.entry = Path(entry)
        self.sandbox = sandbox
        self.python = python
        self.watch = watch  # sees inside the run (files opened, crashes) to explain failures
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    # -- life cycle -------------------------------------------------------

    def start(self) -> StartResult:
        self.stop()
        self._printed_before = self._output_size()
        self._events_mark = self.watch.mark() if self.watch is not None else 0
        self._bound_at = None
        self.port = free_port()
        self.starts += 1
        if self.watch is not None:
            argv = self.watch.argv(self.python, self.entry, self.port)
        else:
            argv = [self.python, str(self.entry), str(self.port)]
        kwargs = self.sandbox.popen_kwargs(argv)
        self.process = subprocess.Popen(**kwargs)  # the sandbox captures stdout and stderr
        if hasattr(self.sandbox, "track"):
            self.sandbox.track(self.process)  # the portable runner stops what it was told about
        return self._wait_until_listening()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self) -> None:
        """Stop the submission and every process it started (the sandbox knows them all)."""
        if self.process is None:
            return
        self.sandbox.kill_all()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.process = None

    # -- what it printed ---------------------------------------------------

    def output_tail(self, limit: int = OUTPUT_TAIL_BYTES) -> str:
        return self.sandbox.output_tail(limit)

    # -- readiness --------------------------------------------------------

    def _wait_until_listening(self) -> StartResult:
        started = time.monotonic()
        deadline = started + stretched(STARTUP_SECONDS)
        polls = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return StartResult(
                    False, self.port, time.monotonic() - started,
                    exit_code=self.process.returncode, output=self.output_tail(),
                )
            if self._is_listening():
                return StartResult(True, self.port, time.monotonic() - started)
            polls += 1
            if polls % 25 == 0 and time.monotonic() - started > WRONG_PORT_AFTER:
                elsewhere = tuple(sorted(self._ports_of_submission() - {self.port}))
                if elsewhere:  # listening, but not where we asked: no need to wait longer
                    return StartResult(False, self.port, time.monotonic() - started,
                                       other_ports=elsewhere, output=self.output_tail())
            time.sleep(POLL_SECONDS)
        return StartResult(
            False, self.port, time.monotonic() - started,
            other_ports=tuple(sorted(self._ports_of_submission() - {self.port})),
            output=self.output_tail(),
            processes=len(self.sandbox.processes()),
            printed=self._output_size() - self._printed_before,
        )

    def output_mark(self) -> int:
        """Where the output ends now; `output_since(mark)` returns what came after."""
        return self._output_size()

    def output_since(self, mark: int, limit: int = 1500) -> str:
        """What the submission printed after `mark` (its last `limit` bytes)."""
        end = self._output_size()
        if end <= mark:
            return ""
        try:
            with open(self.sandbox.output_path, "rb") as output:
                output.seek(max(mark, end - limit))
                return output.read(limit).decode("utf-8", "replace")
        except OSError:
            return ""

    def _output_size(self) -> int:
        try:
            return self.sandbox.output_path.stat().st_size
        except OSError:
            return 0

    def is_listening(self) -> bool:
        """Whether something listens on our port right now (a cheap look in /proc)."""
        return self._is_listening() if self._can_look() else self.alive()

    def _can_look(self) -> bool:
        """Whether listening sockets can be seen without connecting (Linux, full sandbox)."""
        return getattr(self.sandbox, "sees_listening_ports", True) and _PROC_NET.exists()

    def _is_listening(self) -> bool:
        if self._can_look():
            from autograder.listening import listening_ports

            return self.port in listening_ports()
        if self.watch is not None:
            return self._bound_our_port()
        try:
            with socket.create_connection((HOST, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def _bound_our_port(self) -> bool:
        """Without /proc: the watch saw the server bind our port, a moment ago (listen() follows at once).

        Connecting to find out would be a client that leaves at once, and a
        beginner's server may crash on exactly that before the first check.
        """
        now = time.monotonic()
        if self._bound_at is None:
            for event in self.watch.since(self._events_mark):
                if event.kind == "bind" and str(event.fields[0]).rstrip(")").endswith(f" {self.port}"):
                    self._bound_at = now
                    break
        return self._bound_at is not None and now - self._bound_at >= BIND_TO_LISTEN_SECONDS

    def _ports_of_submission(self) -> set[int]:
        return self.sandbox.listening_ports() if self._can_look() else set()


_PROC_NET = Path("/proc/net/tcp")
