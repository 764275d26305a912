"""What every benchmark needs: the machine's description, statistics, servers.

Benchmarks are run by hand and their figures written into bench/README.md;
nothing here is imported by the tests. Every server started here listens on
127.0.0.1 on a port the operating system chose, runs in its own process
group, and is killed (the whole group) when its `with` block ends, however
the block ends.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from autograder.wire import free_port

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
RESULTS = Path(__file__).resolve().parent / "results"


# ------------------------------------------------------------ the machine


def load_average() -> tuple[float, float, float]:
    return tuple(round(x, 2) for x in os.getloadavg())


def machine() -> dict:
    """Where and when the figures were taken: enough to judge them later."""
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average": load_average(),
        "tcp_sockets": tcp_sockets(),
        "git_commit": _git_commit(),
    }
    wrk = shutil.which("wrk")
    if wrk:
        first_line = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()
        info["wrk"] = first_line[0].split(" [")[0] if first_line else "wrk"
    return info


def tcp_sockets() -> int:
    """Rows of /proc/net/tcp: mostly TIME_WAIT after load tests. The grader reads this
    table to see whether a submission listens, so a long one slows grading."""
    try:
        with open("/proc/net/tcp") as table:
            return sum(1 for _ in table) - 1
    except OSError:
        return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=5)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def describe_machine(info: dict) -> str:
    load = ", ".join(f"{x:.2f}" for x in info["load_average"])
    wrk = f", {info['wrk']}" if "wrk" in info else ""
    return (
        f"{info['date']}; {info['cpus']} CPUs ({info['cpu_model']}); {info['platform']}; "
        f"{info['implementation']} {info['python']}{wrk}; commit {info['git_commit']}; load average {load}; "
        f"{info.get('tcp_sockets', 0)} TCP sockets"
    )


def exit_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so every `with Server(...)` block kills its server."""

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)


# ------------------------------------------------------------ statistics


def summary(values: list[float]) -> dict:
    """Median and spread of repeated measurements."""
    values = sorted(values)
    return {
        "n": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "min": values[0] if values else float("nan"),
        "max": values[-1] if values else float("nan"),
        "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
    }


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the (sorted) values lie; nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def save(name: str, data: dict) -> Path:
    """Write a result as JSON into bench/results/ (kept out of git)."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs together spent running processes since boot (Linux /proc/stat).

    Interrupt time is left out: on loopback much of it is our own traffic,
    which no process is charged for.
    """
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = fields[:8]
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


def listen_overflows() -> int:
    """How often, machine-wide, a completed connection found a listen queue full (Linux TcpExt counter)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return dict(zip(names.split()[1:], map(int, values.split()[1:]))).get("ListenOverflows", 0)
    return 0


def others_busy(seconds: float = 1.0) -> float:
    """How many CPUs other programs keep busy now (sampled over `seconds`)."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    return (machine_busy_seconds() - before) / seconds


def wait_until_idle(max_busy: float, max_wait: float) -> float:
    """Wait (at most max_wait s) until other programs use fewer than max_busy CPUs; returns the last sample."""
    deadline = time.monotonic() + max_wait
    busy = others_busy()
    while busy > max_busy and time.monotonic() < deadline:
        busy = others_busy()
    return busy


def wait_for_quiet(max_load: float, max_wait: float) -> tuple[float, float, float]:
    """Wait (up to max_wait seconds) until the 1-minute load average drops below max_load."""
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        time.sleep(5)
    return load_average()


# ------------------------------------------------------------ network


def private_loopback() -> bool:
    """Move this process into a network namespace of its own, with only `lo` (Linux, root).

    Servers and load clients started afterwards inherit it. Why: every
    `Connection: close` request leaves a TIME_WAIT socket for 60 s, and a load
    run leaves tens of thousands; in the shared namespace they make every
    reader of /proc/net/tcp slow (the grader is one) for everybody on the
    machine. In a namespace of our own they, and the listen-overflow counter,
    are ours alone, and they vanish with the namespace. Returns False (and
    changes nothing) where this is not possible.
    """
    import ctypes
    import fcntl
    import struct

    clone_newnet, siocgifflags, siocsifflags, iff_up = 0x40000000, 0x8913, 0x8914, 0x1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(clone_newnet) != 0:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            request = struct.pack("16sH14s", b"lo", 0, b"")
            flags = struct.unpack("16sH14s", fcntl.ioctl(probe, siocgifflags, request))[1]
            fcntl.ioctl(probe, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, b""))
        return True
    except (OSError, AttributeError):
        return False


# ------------------------------------------------------------ servers



class Server:
    """A server process in its own process group; the whole group dies on exit.

        with Server(["python", "stage4_threaded.py", "{port}"], cwd=root) as server:
            ... http://127.0.0.1:{server.port}/ ...
    """

    def __init__(
        self, argv: list[str], cwd: Path, name: str = "", startup_seconds: float = 10.0, cpus: set[int] | None = None,
    ):
        self.port = free_port()
        self.argv = [part.replace("{port}", str(self.port)) for part in argv]
        self.cwd = cwd
        self.name = name or Path(argv[1]).stem
        self.startup_seconds = startup_seconds
        self.cpus = cpus  # keep the server on these CPUs (Linux), or None
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        # The log goes nowhere for every server alike: writing it is part of
        # the work measured, reading it is not.
        self.process = subprocess.Popen(
            self.argv, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            if self.cpus:
                # Set on the main thread before it starts any other: they inherit it.
                os.sched_setaffinity(self.process.pid, self.cpus)
            self._wait_until_listening()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} before listening")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen on {self.port} within {self.startup_seconds} s")

    def stop(self) -> None:
        if self.process is None:
            return
        for signum, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.process = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def python_server(script: Path, root: Path, name: str = "", cpus: set[int] | None = None) -> Server:
    return Server([sys.executable, str(script), "{port}"], cwd=root, name=name or script.stem, cpus=cpus)


def http_server(root: Path, cpus: set[int] | None = None) -> Server:
    """The standard library's server: ThreadingHTTPServer, its default."""
    return Server(
        [sys.executable, "-m", "http.server", "{port}", "--bind", HOST, "--directory", str(root)],
        cwd=root, name="http.server", cpus=cpus,
    )
