"""Containment for submission processes: limits, environment, cleanup.

The runner (runner.py) asks this module three things and nothing else:

    box = Sandbox(run_dir)            # run_dir holds root/, home/, tmp/
    popen_kwargs = box.popen_kwargs() # argv wrapping, env, cwd, preexec, session
    box.kill_all()                    # every process of this run is gone afterwards

First version: own session + resource limits + environment marker. The
hardened version (subreaper, /proc scan, optional bubblewrap) replaces the
internals without changing this interface.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import uuid
from pathlib import Path

MARKER_VARIABLE = "LABGRADE_RUN"

# Generous for a student's server, small enough that a runaway one is stopped.
CPU_SECONDS = 60
ADDRESS_SPACE_BYTES = 2 * 1024**3  # room for 64 threads' stacks
OPEN_FILES = 256
FILE_SIZE_BYTES = 32 * 1024**2  # also caps the captured output file


class Sandbox:
    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.root = self.run_dir / "root"
        self.home = self.run_dir / "home"
        self.tmp = self.run_dir / "tmp"
        for folder in (self.root, self.home, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.marker = uuid.uuid4().hex

    def environment(self) -> dict[str, str]:
        """A scrubbed environment: nothing of the grader's leaks in."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONIOENCODING": "utf-8",
            MARKER_VARIABLE: self.marker,
        }

    def popen_kwargs(self, argv: list[str]) -> dict:
        return {
            "args": argv,
            "cwd": str(self.root),
            "env": self.environment(),
            "stdin": _devnull(),
            "start_new_session": True,
            "preexec_fn": _apply_limits,
            "close_fds": True,
        }

    def kill_all(self) -> int:
        """Kill every process that carries this run's marker. Returns how many."""
        killed = 0
        for pid in _pids_with_marker(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        return killed


def _devnull():
    import subprocess

    return subprocess.DEVNULL


def _apply_limits() -> None:  # runs in the child, between fork and exec
    limits = [
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_AS, ADDRESS_SPACE_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        (resource.RLIMIT_FSIZE, FILE_SIZE_BYTES),
        (resource.RLIMIT_CORE, 0),
    ]
    for which, value in limits:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _pids_with_marker(marker: str) -> list[int]:
    needle = f"{MARKER_VARIABLE}={marker}".encode()
    found = []
    if not sys.platform.startswith("linux"):
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found
