"""Running a reference solution for a test: `python FILE PORT` in a folder, always stopped.

Shared by the tests that talk to the solutions over real sockets
(test_solutions.py, test_real_clients.py). Not a test module itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.stages import get_stage
from autograder.wire import free_port

HOST = "127.0.0.1"


def solution(stage: int) -> Path:
    return get_stage(stage).solution


class Server:
    """A solution running as `python FILE PORT` in root, in a process group of its own.

    Its log (stdout and stderr) goes to a file, so a chatty server never
    blocks on a full pipe; stop() kills the whole group and returns the log.
    """

    def __init__(self, script: Path, root: Path):
        self.port = free_port()
        self.root = root
        # Append mode: the server's writes always land at the end, so reading the
        # log here (which moves the shared file offset) cannot misplace them.
        self._log = tempfile.TemporaryFile(mode="a+b")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(self.port)],
            cwd=root, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )

    def wait_listening(self, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.stop()}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"server did not listen within {seconds} s")

    def log(self) -> str:
        """What the server printed so far."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> str:
        """Kill the process group; the server's log."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        text = self.log()
        self._log.close()
        return text
