"""The stage-4 and stage-5 reference servers under load, beside http.server.

(And the stage-3 server, which answers one connection at a time: what do
threads change when every client is quick?)

    python bench/bench_load.py                 # 5 rounds of 3 s per measurement (~8 min)
    python bench/bench_load.py --quick         # 1 round of 2 s (~1 min)
    python bench/bench_load.py --tool loadgen  # the Python client instead of wrk
    python bench/bench_load.py --server-cpu 0  # every server kept on CPU 0

Each server serves the same folder holding a 1 KiB and a 100 KiB file. For
every file size and number of connections (1, 16, 64) the load generator
hits each server in turn, in a rotating order, for --duration seconds, and
this is repeated --rounds times: on a shared machine the load of others
drifts, and taking the servers in turn within each round lets them share
the same conditions. Every request carries `Connection: close`, as the
lab's servers close after each response.

Reported per server: requests/s, p50 and p99 latency (medians over the
rounds), the server's own CPU time per request (from /proc, less sensitive
to other people's load than throughput), and the ratio of its requests/s
to http.server's in the same round (median over rounds; min-max in
brackets). http.server runs as `python -m http.server`, i.e. with its
default ThreadingHTTPServer, a thread per connection like stage 4.

The load generator is wrk when installed (Debian: apt-get install wrk), run
with one thread so that the Python server keeps the other core, else
bench/loadgen.py. wrk times a request from its first byte to the end of the
response; loadgen.py from the start of connect(). Traffic stays on
127.0.0.1; every run is bounded in time; every server is killed at the end.

Run as root on Linux, the benchmark first moves into a network namespace of
its own (only `lo`; see common.private_loopback), so that the tens of
thousands of TIME_WAIT sockets a load run leaves behind slow down nobody
else's /proc/net/tcp (the grader reads it at every check).

On a 2-core machine a threaded CPython server spends more than half its CPU
handing the GIL between threads on different cores. --server-cpu keeps each
server on one CPU, which removes that cost; both tables are in bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen  # noqa: E402
from common import (  # noqa: E402
    SOLUTIONS, describe_machine, exit_on_sigterm, http_server, listen_overflows, load_average, machine,
    machine_busy_seconds, private_loopback, python_server, save, summary, wait_until_idle,
)

FILE_SIZES = {"1k": 1024, "100k": 100 * 1024}
CONNECTIONS = (1, 16, 64)
BASELINE = "http.server"
REFERENCE_SERVERS = {
    "stage3": SOLUTIONS / "stage3_query_echo.py",  # one connection at a time: what threads change
    "stage4": SOLUTIONS / "stage4_threaded.py",
    "stage5": SOLUTIONS / "stage5_post.py",
}


def make_document_root(folder: Path) -> dict[str, str]:
    """The files to serve: random printable bytes, so nothing compresses or caches specially."""
    paths = {}
    rng = __import__("random").Random(4)
    for label, size in FILE_SIZES.items():
        name = f"file-{label}.txt"
        (folder / name).write_bytes(bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789\n") for _ in range(size)))
        paths[label] = "/" + name
    return paths


# ------------------------------------------------------------ wrk


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """requests, requests/s, p50/p99 (ms) and errors from `wrk --latency` output."""
    result = {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": 0,
    }
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups())))
        result["errors"] += sum(result["socket_errors"].values())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        result["errors"] += int(non_2xx.group(1))
    return result


def run_wrk(url: str, connections: int, duration: float, threads: int = 1) -> dict:
    command = [
        "wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration:g}s",
        "--latency", "--timeout", "5s", "-H", "Connection: close", url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    result = parse_wrk(done.stdout)
    result["tool"] = f"wrk -t{min(threads, connections)}"
    return result


# ------------------------------------------------------------ measuring


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server, path: str, connections: int, duration: float, tool: str, wrk_threads: int) -> dict:
    """One load run. Besides the client's figures: the server's CPU time per
    request, and how many CPUs *other* programs kept busy meanwhile (all
    busy time less the server's and the load client's): the run's noise."""
    url = server.url + path
    cpu_before = cpu_seconds(server.process.pid)
    client_before = children_cpu_seconds()
    overflows_before = listen_overflows()
    busy_before, began = machine_busy_seconds(), time.perf_counter()
    if tool == "wrk":
        result = run_wrk(url, connections, duration, wrk_threads)
    else:
        result = loadgen.run(url, connections, duration)
    elapsed = time.perf_counter() - began
    server_cpu = cpu_seconds(server.process.pid) - cpu_before
    client_cpu = children_cpu_seconds() - client_before
    others = machine_busy_seconds() - busy_before - server_cpu - client_cpu
    # A full listen queue drops the handshake's last ACK; the client retries after 1 s or more.
    result["listen_overflows"] = listen_overflows() - overflows_before
    result["server_cpu_us_per_request"] = server_cpu / result["requests"] * 1e6 if result["requests"] else float("nan")
    result["server_cpu_share"] = server_cpu / elapsed
    result["client_cpu_share"] = client_cpu / elapsed
    result["others_cpus"] = max(0.0, others / elapsed)
    result["load_1min"] = load_average()[0]
    if server.process.poll() is not None:
        raise RuntimeError(f"{server.name} died during the run (exit {server.process.returncode})")
    return result


def measure_when_quiet(server, path, connections, duration, tool, wrk_threads, max_others, retries, progress) -> dict:
    """measure(), repeated (up to `retries` times) while other programs took more than max_others CPUs."""
    best = None
    for attempt in range(retries + 1):
        if max_others is not None:
            wait_until_idle(max_others / 2, max_wait=30)
        result = measure(server, path, connections, duration, tool, wrk_threads)
        result["attempts"] = attempt + 1
        if best is None or result["others_cpus"] < best["others_cpus"]:
            best = result
        if max_others is None or result["others_cpus"] <= max_others:
            break
        progress(f"    (others used {result['others_cpus']:.2f} CPUs during {server.name}: measuring again)")
    return best


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_benchmark(
    servers: dict[str, Path], rounds: int, duration: float, sizes=tuple(FILE_SIZES), connections=CONNECTIONS,
    tool: str = "auto", wrk_threads: int = 1, progress=print, max_others: float | None = 0.5, retries: int = 2,
    server_cpus: set[int] | None = None,
) -> dict:
    """Measure every server; returns raw runs and per-configuration summaries."""
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "loadgen"
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder, contextlib.ExitStack() as stack:
        root = Path(folder)
        paths = make_document_root(root)
        started = {BASELINE: stack.enter_context(http_server(root, server_cpus))}
        for name, script in servers.items():
            started[name] = stack.enter_context(python_server(script, root, name, server_cpus))
        names = list(started)
        for round_number in range(rounds):
            for config_number, (size, count) in enumerate((s, c) for s in sizes for c in connections):
                shift = (round_number + config_number) % len(names)
                for name in names[shift:] + names[:shift]:  # a rotating order
                    result = measure_when_quiet(
                        started[name], paths[size], count, duration, tool, wrk_threads, max_others, retries, progress
                    )
                    result.update(server=name, size=size, connections=count, round=round_number)
                    runs.append(result)
                    progress(
                        f"round {round_number + 1}/{rounds} {size:>4} c={count:<3} {name:<14} "
                        f"{result['requests_per_second']:8.0f} req/s  p50 {result['p50_ms']:7.2f} ms  "
                        f"p99 {result['p99_ms']:8.2f} ms  cpu {result['server_cpu_us_per_request']:6.0f} us/req  "
                        f"errors {result['errors']}  listen overflows {result['listen_overflows']}  "
                        f"others {result['others_cpus']:.2f} CPUs"
                    )
    return {
        "tool": tool, "duration": duration, "rounds": rounds, "max_others": max_others, "runs": runs,
        "server_cpus": sorted(server_cpus) if server_cpus else None,
        "table": summarize(runs),
    }


def summarize(runs: list[dict]) -> list[dict]:
    rows = []
    # The servers as started (the first configuration of the first round is not rotated), baseline first.
    order = sorted(dict.fromkeys(r["server"] for r in runs), key=lambda name: name != BASELINE)
    keys = sorted({(r["size"], r["connections"]) for r in runs}, key=lambda k: (list(FILE_SIZES).index(k[0]), k[1]))
    for size, count in keys:
        here = [r for r in runs if r["size"] == size and r["connections"] == count]
        baseline = {r["round"]: r for r in here if r["server"] == BASELINE}
        for name in [n for n in order if any(r["server"] == n for r in here)]:
            mine = [r for r in here if r["server"] == name]
            paired = [r for r in mine if r["round"] in baseline]
            rps_ratio = [r["requests_per_second"] / baseline[r["round"]]["requests_per_second"] for r in paired]
            p50_ratio = [r["p50_ms"] / baseline[r["round"]]["p50_ms"] for r in paired]
            p99_ratio = [r["p99_ms"] / baseline[r["round"]]["p99_ms"] for r in paired]
            rows.append({
                "size": size, "connections": count, "server": name,
                "rps": summary([r["requests_per_second"] for r in mine]),
                "p50_ms": summary([r["p50_ms"] for r in mine]),
                "p99_ms": summary([r["p99_ms"] for r in mine]),
                "cpu_us_per_request": summary([r["server_cpu_us_per_request"] for r in mine]),
                "errors": sum(r["errors"] for r in mine),
                "listen_overflows": statistics.median(r["listen_overflows"] for r in mine),
                "rps_ratio": summary(rps_ratio),
                "p50_ratio": summary(p50_ratio),
                "p99_ratio": summary(p99_ratio),
                "load_1min": statistics.median(r["load_1min"] for r in mine),
                "others_cpus": statistics.median(r["others_cpus"] for r in mine),
            })
    return rows


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| file | conns | server | req/s (min-max) | x http.server req/s (min-max) | p50 ms | x p50 | p99 ms | x p99 "
        "| server CPU us/req | listen overflows | errors | others' CPUs |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        rps, ratio = row["rps"], row["rps_ratio"]
        lines.append(
            f"| {row['size']} | {row['connections']} | {row['server']} "
            f"| {rps['median']:.0f} ({rps['min']:.0f}-{rps['max']:.0f}) "
            f"| {ratio['median']:.2f} ({ratio['min']:.2f}-{ratio['max']:.2f}) "
            f"| {row['p50_ms']['median']:.2f} | {row['p50_ratio']['median']:.2f} "
            f"| {row['p99_ms']['median']:.2f} | {row['p99_ratio']['median']:.2f} "
            f"| {row['cpu_us_per_request']['median']:.0f} | {row['listen_overflows']:.0f} | {row['errors']} "
            f"| {row['others_cpus']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measurement (at most 60)")
    parser.add_argument("--tool", choices=("auto", "wrk", "loadgen"), default="auto")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--sizes", nargs="+", choices=list(FILE_SIZES), default=list(FILE_SIZES))
    parser.add_argument("--connections", nargs="+", type=int, default=list(CONNECTIONS))
    parser.add_argument(
        "--server", action="append", default=[], metavar="NAME=SCRIPT",
        help="measure another server script too (repeatable); with --only, instead of the reference servers",
    )
    parser.add_argument("--only", action="store_true", help="measure only the --server scripts (and http.server)")
    parser.add_argument(
        "--max-others", type=float, default=0.5,
        help="measure again when other programs kept more CPUs than this busy (default 0.5; -1: never)",
    )
    parser.add_argument("--retries", type=int, default=2, help="how often to measure again (default 2)")
    parser.add_argument(
        "--server-cpu", type=int, action="append", metavar="N",
        help="keep every server on CPU N (repeatable; Linux). Threads of one server then stop "
        "handing the GIL across cores, which costs a threaded server more than half its time here",
    )
    parser.add_argument(
        "--shared-network", action="store_true",
        help="stay in the machine's network namespace (default: a private one when possible, see "
        "common.private_loopback: the load's TIME_WAIT sockets then slow nobody else down)",
    )
    args = parser.parse_args()
    exit_on_sigterm()
    if args.quick:
        args.rounds, args.duration = 1, 2.0
    servers = {} if args.only else dict(REFERENCE_SERVERS)
    for spec in args.server:
        name, _, script = spec.partition("=")
        servers[name] = Path(script).resolve()
    info = machine()
    print(describe_machine(info), flush=True)
    info["private_network"] = not args.shared_network and private_loopback()
    print("network: " + ("a private namespace (only lo)" if info["private_network"] else "the machine's"), flush=True)
    report = run_benchmark(
        servers, args.rounds, min(args.duration, 60.0), tuple(args.sizes), tuple(args.connections),
        args.tool, args.wrk_threads, progress=lambda line: print(line, flush=True),
        max_others=None if args.max_others < 0 else args.max_others, retries=args.retries,
        server_cpus=set(args.server_cpu) if args.server_cpu else None,
    )
    report["machine"] = info
    report["load_average_after"] = load_average()
    pinned = f"; servers on CPU {', '.join(map(str, args.server_cpu))}" if args.server_cpu else ""
    print(f"\ntool: {report['tool']}; {args.rounds} round(s) of {args.duration:g} s{pinned}; "
          f"load average after: {report['load_average_after']}")
    print(markdown_table(report["table"]))
    print(f"saved {save('load', report)}")


if __name__ == "__main__":
    main()
