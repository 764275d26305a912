"""A small HTTP load client, for machines without wrk.

    python bench/loadgen.py http://127.0.0.1:8080/file-1k.bin --connections 16 --duration 5

Closed loop, like wrk: each of the C connections sends a request, reads the
whole response, and at once starts the next one. Every request is a new TCP
connection carrying `Connection: close` (the lab's servers close after each
response anyway). Per request it measures the latency from the start of
connect() to the server's close, so a full listen backlog (dropped SYNs,
retried after a second) shows up here, while wrk only times from the
request's first byte.

asyncio runs the connections; a Python client is slower than wrk, so it can
spread them over several processes (--processes, default: the number of
CPUs). Its own limit on this kind of machine is a few thousand requests per
second: when a server comes close to that, the figures measure the client.
Only 127.0.0.1 and localhost are accepted as targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import percentile  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REQUEST_TIMEOUT = 5.0  # a request slower than this counts as an error


def build_request(host: str, port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: bench-loadgen\r\n"
        "Accept: */*\r\nConnection: close\r\n\r\n"
    ).encode("ascii")


async def one_request(host: str, port: int, request: bytes) -> tuple[bool, float]:
    """One connection, one request, the whole response. (ok, seconds)."""
    began = time.perf_counter()
    writer = None
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        await writer.drain()
        response = await reader.read()  # until the server closes
        ok = response.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200"))
    except (OSError, asyncio.IncompleteReadError):
        ok = False
    finally:
        if writer is not None:
            writer.close()
    return ok, time.perf_counter() - began


async def worker(host, port, request, stop_at, latencies, errors) -> None:
    while time.perf_counter() < stop_at:
        try:
            ok, seconds = await asyncio.wait_for(one_request(host, port, request), REQUEST_TIMEOUT)
        except asyncio.TimeoutError:
            ok, seconds = False, REQUEST_TIMEOUT
        if ok:
            latencies.append(seconds)
        else:
            errors.append(seconds)
            await asyncio.sleep(0.01)  # a refused connection fails at once: do not spin


async def run_connections(host, port, path, connections, duration) -> dict:
    request = build_request(host, port, path)
    latencies: list[float] = []
    errors: list[float] = []
    began = time.perf_counter()
    stop_at = began + duration
    await asyncio.gather(*(worker(host, port, request, stop_at, latencies, errors) for _ in range(connections)))
    return {"latencies": latencies, "errors": len(errors), "elapsed": time.perf_counter() - began}


def _process_main(args) -> dict:
    return asyncio.run(run_connections(*args))


def run(url: str, connections: int, duration: float, processes: int | None = None) -> dict:
    """Load `url` for `duration` seconds; requests/s and latency percentiles in ms."""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise ValueError("this load client only talks to 127.0.0.1 / localhost")
    host, port, path = parts.hostname, parts.port or 80, parts.path or "/"
    processes = max(1, min(processes or os.cpu_count() or 1, connections))
    shares = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    jobs = [(host, port, path, share, duration) for share in shares]
    if processes == 1:
        parts_done = [_process_main(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            parts_done = pool.map(_process_main, jobs, chunksize=1)
    latencies = sorted(x for part in parts_done for x in part["latencies"])
    elapsed = max(part["elapsed"] for part in parts_done)
    return {
        "tool": f"bench/loadgen.py ({processes} process{'es' if processes > 1 else ''}, asyncio)",
        "connections": connections,
        "duration": round(elapsed, 3),
        "requests": len(latencies),
        "errors": sum(part["errors"] for part in parts_done),
        "requests_per_second": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=5.0, help="seconds (at most 120)")
    parser.add_argument("--processes", "-p", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.url, args.connections, min(args.duration, 120.0), args.processes), indent=2))


if __name__ == "__main__":
    main()
