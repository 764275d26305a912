"""The portable runner: a submission's processes on Windows, macOS, or wherever the Linux sandbox cannot run.

It offers what sandbox.Sandbox offers the runner (popen_kwargs, kill_all,
output_tail, processes, cleanup), with only what every platform has:

* a process group of its own (POSIX: a new session; Windows: a new process
  group), so one signal, or `taskkill /T`, stops the submission and the
  children it started, and the terminal's Ctrl-C reaches only the grader;
* a scrubbed environment, the run folder as HOME and TMPDIR, stdin empty,
  stdout and stderr to a file;
* stopping: the whole group when a run ends (also after a crash of the
  grader's own code, through `finally`).

What it does not have (no fork, resource, fcntl or /proc): no CPU, memory,
process-count or output limits, no separate user id, no cgroup, no
bubblewrap, and a child that leaves its process group (setsid, a detached
Windows process) can outlive the run. That is fine for a student grading
their own code on a laptop; batch grading of a class belongs on Linux, where
the full sandbox runs. Checks and scores are the same with either runner:
tests/test_portable.py grades the solutions, the skeletons and the realistic
corpus with this runner forced and requires the results the full sandbox gives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

WINDOWS = os.name == "nt"
STOP_WAIT_SECONDS = 3.0


class PortableSandbox:
    layers = "portable runner: a process group of its own, scrubbed environment; no resource limits"
    sees_listening_ports = False  # the runner probes by connecting instead

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir).resolve()
        self.root = self.run_dir / "root"
        self.home = self.run_dir / "home"
        self.tmp = self.run_dir / "tmp"
        for folder in (self.root, self.home, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.marker = uuid.uuid4().hex
        self.output_path = self.run_dir / "server-output.log"
        self.notes = [f"sandbox: {self.layers}"]
        self._processes: list[subprocess.Popen] = []
        self._outputs: list = []

    def environment(self) -> dict[str, str]:
        keep = ("SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT") if WINDOWS else ()
        env = {name: os.environ[name] for name in keep if name in os.environ}
        env.update({
            "PATH": os.environ.get("PATH", "") if WINDOWS else "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home), "USERPROFILE": str(self.home),
            "TMPDIR": str(self.tmp), "TEMP": str(self.tmp), "TMP": str(self.tmp),
            "USER": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8",
            "LABGRADE_RUN": self.marker,
        })
        return env

    def popen_kwargs(self, argv: list[str]) -> dict:
        output = open(self.output_path, "ab")
        self._outputs.append(output)
        kwargs = {
            "args": [str(part) for part in argv],
            "cwd": str(self.root),
            "env": self.environment(),
            "stdin": subprocess.DEVNULL,
            "stdout": output,
            "stderr": subprocess.STDOUT,
            "close_fds": True,
        }
        if WINDOWS:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
        return kwargs

    def track(self, process: subprocess.Popen) -> None:
        """The runner tells us each process it started, so kill_all can find its group."""
        self._processes.append(process)

    def output_tail(self, limit: int = 4000) -> str:
        try:
            with open(self.output_path, "rb") as output:
                size = output.seek(0, os.SEEK_END)
                output.seek(max(0, size - limit))
                return output.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def describe(self) -> str:
        return self.notes[0]

    def processes(self, table=None) -> list[int]:
        return [p.pid for p in self._processes if p.poll() is None]

    def listening_ports(self) -> set[int]:
        return set()  # not knowable without /proc: the runner connects to find out

    def kill_all(self) -> int:
        stopped = 0
        for process in self._processes:
            stopped += _stop_group(process)
        self._processes = [p for p in self._processes if p.poll() is None]
        return stopped

    def cleanup(self) -> int:
        stopped = self.kill_all()
        for output in self._outputs:
            output.close()
        self._outputs.clear()
        for _ in range(3):  # Windows may hold a file of a process that just ended for a moment
            shutil.rmtree(self.run_dir, ignore_errors=True)
            if not self.run_dir.exists():
                break
            time.sleep(0.2)
        return stopped

    def __enter__(self) -> PortableSandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.cleanup()


def _stop_group(process: subprocess.Popen) -> int:
    """Stop `process` and its group: politely, then for good."""
    if WINDOWS:  # pragma: no cover - Windows
        subprocess.run(["taskkill", "/PID", str(process.pid), "/T", "/F"], capture_output=True)
    else:
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, signum)
            except (ProcessLookupError, PermissionError):
                break
            try:
                process.wait(timeout=STOP_WAIT_SECONDS if signum == signal.SIGTERM else 5)
                if signum == signal.SIGTERM:
                    try:  # the leader is gone; its children may not be
                        os.killpg(process.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                break
            except subprocess.TimeoutExpired:
                continue
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return 0
    return 1


def portable_wanted() -> bool:
    """The portable runner, unless this is Linux with what the full sandbox needs (or it is forced)."""
    mode = os.environ.get("LABGRADE_SANDBOX", "auto").lower()
    if mode == "portable":
        return True
    if mode in ("bwrap", "plain"):
        return False
    return not sys.platform.startswith("linux") or not Path("/proc/self/status").exists()
