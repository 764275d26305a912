"""Why does the stage-4 server differ from http.server? Small variants, measured.

    python bench/variants.py                          # every variant, 3 rounds of 4 s
    python bench/variants.py --quick                  # 1 round of 2 s
    python bench/variants.py --variants baseline backlog-5 --connections 64

Each variant is a copy of solutions/stage4_threaded.py (or a few lines
around http.server) with one small change, written into a temporary folder;
solutions/ is never edited. A replacement that no longer matches the
solution's text stops the script, so a variant never silently measures the
unchanged file. Then bench_load.run_benchmark measures them all beside
`python -m http.server`, in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_load  # noqa: E402
from common import SOLUTIONS, describe_machine, exit_on_sigterm, load_average, machine, private_loopback, save  # noqa: E402

STAGE4 = SOLUTIONS / "stage4_threaded.py"

AFTER_ACCEPT = "        # A thread per connection: while one client is slow, this loop is already\n"
SENDALL = "        body = b\"\"\n    connection_socket.sendall(head + body)\n"  # in answer(), after HEAD
TWO_SENDS = (
    "        body = b\"\"\n"
    "    connection_socket.sendall(head)  # the head ...\n"
    "    connection_socket.sendall(body)  # ... then the body: two sends\n"
)
NODELAY = "        connection_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\n"
SNDBUF = "        connection_socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024 * 1024)\n"
THREAD_START = (
    "        worker = threading.Thread(\n"
    "            target=handle_client, args=(connection_socket, client_address), daemon=True\n"
    "        )\n"
    "        worker.start()\n"
)

# name: (what it shows, [(old text, new text), ...]) applied to stage4_threaded.py
STAGE4_VARIANTS = {
    "baseline": ("the reference solution as it is", []),
    "backlog-5": (
        "listen(5), the backlog http.server (socketserver) uses",
        [("    server_socket.listen()\n", "    server_socket.listen(5)\n")],
    ),
    "no-log": (
        "no log line per request",
        [("    print(message, file=sys.stderr, flush=True)\n", "    pass\n")],
    ),
    "two-sends": (
        "head and body in two sendall() calls (Nagle's algorithm on)",
        [(SENDALL, TWO_SENDS)],
    ),
    "two-sends-nodelay": (
        "two sendall() calls with TCP_NODELAY",
        [(SENDALL, TWO_SENDS), (AFTER_ACCEPT, NODELAY + AFTER_ACCEPT)],
    ),
    "nodelay": (
        "one sendall() with TCP_NODELAY",
        [(AFTER_ACCEPT, NODELAY + AFTER_ACCEPT)],
    ),
    "sndbuf-1m": (
        "a 1 MiB socket send buffer, so one send() takes a whole 100 KiB response",
        [(AFTER_ACCEPT, SNDBUF + AFTER_ACCEPT)],
    ),
    "pool-64": (
        "a pool of 64 threads instead of a new thread per connection",
        [
            ("import html\n", "import concurrent.futures\nimport html\n"),
            (
                "    while True:\n",
                "    pool = concurrent.futures.ThreadPoolExecutor(max_workers=64)\n    while True:\n",
            ),
            (THREAD_START, "        pool.submit(handle_client, connection_socket, client_address)\n"),
        ],
    ),
    "switch-0.5ms": (
        "the GIL handed between threads every 0.5 ms instead of 5 ms (sys.setswitchinterval)",
        [("    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n",
          "    sys.setswitchinterval(0.0005)\n    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n")],
    ),
    "switch-50ms": (
        "the GIL handed between threads every 50 ms instead of 5 ms",
        [("    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n",
          "    sys.setswitchinterval(0.05)\n    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n")],
    ),
    "start-new-thread": (
        "_thread.start_new_thread: the accept loop does not wait until the new thread has started",
        [("import html\n", "import _thread\nimport html\n"),
         (THREAD_START, "        _thread.start_new_thread(handle_client, (connection_socket, client_address))\n")],
    ),
    "stack-256k": (
        "threads with a 256 KiB stack (threading.stack_size) instead of the default 8 MiB",
        [("    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n",
          "    threading.stack_size(256 * 1024)\n    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n")],
    ),
    "stack-512k": (
        "threads with a 512 KiB stack",
        [("    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n",
          "    threading.stack_size(512 * 1024)\n    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n")],
    ),
    "one-cpu": (
        "the server kept on one CPU (os.sched_setaffinity): its threads no longer fight over the GIL across cores",
        [("    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n",
          "    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
          "    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n")],
    ),
    "no-threads": (
        "no thread at all: handle_client in the accept loop (stage 3's way)",
        [(THREAD_START, "        handle_client(connection_socket, client_address)\n")],
    ),
}

# http.server with one setting changed, started as a script in the document root.
HTTP_SERVER_SCRIPT = """\
import http.server, os, sys
if {one_cpu}:
    os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
http.server.ThreadingHTTPServer.request_queue_size = {backlog}
handler = http.server.SimpleHTTPRequestHandler
with http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler) as server:
    server.serve_forever()
"""
HTTP_SERVER_VARIANTS = {  # name: (what it shows, listen backlog, kept on one CPU)
    "http.server-backlog-128": ("http.server with listen(128), stage 4's backlog", 128, False),
    "http.server-one-cpu": ("http.server kept on one CPU", 5, True),
}


def apply(source: str, replacements: list[tuple[str, str]], name: str) -> str:
    for old, new in replacements:
        if source.count(old) != 1:
            raise SystemExit(f"variant {name}: the text to replace occurs {source.count(old)} times, not once:\n{old}")
        source = source.replace(old, new)
    return source


def write_variants(folder: Path, names: list[str]) -> dict[str, Path]:
    source = STAGE4.read_text()
    scripts = {}
    for name in names:
        path = folder / f"{name}.py"
        if name in STAGE4_VARIANTS:
            path.write_text(apply(source, STAGE4_VARIANTS[name][1], name))
        else:
            _what, backlog, one_cpu = HTTP_SERVER_VARIANTS[name]
            path.write_text(HTTP_SERVER_SCRIPT.format(backlog=backlog, one_cpu=one_cpu))
        compile(path.read_text(), str(path), "exec")
        scripts[name] = path
    return scripts


def main() -> None:
    every = list(STAGE4_VARIANTS) + list(HTTP_SERVER_VARIANTS)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+", choices=every, default=every)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--sizes", nargs="+", choices=list(bench_load.FILE_SIZES), default=list(bench_load.FILE_SIZES))
    parser.add_argument("--connections", nargs="+", type=int, default=[1, 64])
    parser.add_argument("--tool", choices=("auto", "wrk", "loadgen"), default="auto")
    parser.add_argument(
        "--max-others", type=float, default=0.5,
        help="measure again when other programs kept more CPUs than this busy (default 0.5; -1: never)",
    )
    parser.add_argument("--retries", type=int, default=2, help="how often to measure again (default 2)")
    parser.add_argument(
        "--shared-network", action="store_true",
        help="stay in the machine's network namespace (default: a private one when possible, see "
        "common.private_loopback: the load's TIME_WAIT sockets then slow nobody else down)",
    )
    args = parser.parse_args()
    exit_on_sigterm()
    if args.quick:
        args.rounds, args.duration = 1, 2.0
    info = machine()
    print(describe_machine(info), flush=True)
    info["private_network"] = not args.shared_network and private_loopback()
    print("network: " + ("a private namespace (only lo)" if info["private_network"] else "the machine's"), flush=True)
    for name in args.variants:
        what = STAGE4_VARIANTS[name][0] if name in STAGE4_VARIANTS else HTTP_SERVER_VARIANTS[name][0]
        print(f"  {name}: {what}")
    with tempfile.TemporaryDirectory(prefix="bench-variants-") as folder:
        scripts = write_variants(Path(folder), args.variants)
        report = bench_load.run_benchmark(
            scripts, args.rounds, min(args.duration, 60.0), tuple(args.sizes), tuple(args.connections),
            args.tool, progress=lambda line: print(line, flush=True),
            max_others=None if args.max_others < 0 else args.max_others, retries=args.retries,
        )
    report["machine"] = info
    report["load_average_after"] = load_average()
    print(f"\n{args.rounds} round(s) of {args.duration:g} s; load average after: {report['load_average_after']}")
    print(bench_load.markdown_table(report["table"]))
    print(f"saved {save('variants', report)}")


if __name__ == "__main__":
    main()
