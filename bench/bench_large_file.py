"""Why 1.large-file's deadline is exact: how long the 5 MiB take, by way of sending.

    python bench/bench_large_file.py            # 5 rounds
    python bench/bench_large_file.py --quick    # 1 round

1.large-file gives a server LARGE_FILE_SECONDS (3 s), not stretched with the
machine's load, so that the verdict is the same on an idle and a busy
machine. That holds only if each way of sending is far from the deadline on
either side. This starts three servers that differ only in how they send
the file (one sendall(); send() of 1 KiB chunks through sendall; one send()
per byte, the Kurose classic), fetches the file from each through the
grader's own slow reader (wire.exchange with a 64 KiB receive buffer), in a
rotating order per round, and reports the seconds and the ratio to the
deadline. Run it once on an idle machine and once beside
`python -c "while True: pass"` (two of them on 2 cores) to see both sides.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REPO, exit_on_sigterm  # noqa: E402

sys.path.insert(0, str(REPO))
from autograder import wire  # noqa: E402
from autograder.checks.stage1 import LARGE_FILE_SECONDS, SLOW_READER_WINDOW  # noqa: E402
from autograder.docroot import LARGE_FILE_BYTES  # noqa: E402

SERVER = r'''
import sys
from socket import *
WAY = sys.argv[2]
s = socket(AF_INET, SOCK_STREAM)
s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(5)
body = open("large.bin", "rb").read()
while True:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(4096)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
    try:
        if WAY == "sendall":
            c.sendall(body)
        elif WAY == "chunks-1k":
            for i in range(0, len(body), 1024):
                c.sendall(body[i:i + 1024])
        else:
            for i in range(len(body)):
                c.send(body[i:i + 1])
    except OSError:
        pass
    c.close()
'''
WAYS = ("sendall", "chunks-1k", "byte-per-send")


def fetch(port: int) -> tuple[float, int]:
    started = time.monotonic()
    exchange = wire.exchange(port, b"GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n", timeout=4 * LARGE_FILE_SECONDS,
                             cap=LARGE_FILE_BYTES + 65536, receive_buffer=SLOW_READER_WINDOW, stretch=False)
    return time.monotonic() - started, len(exchange.received)


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "large.bin").write_bytes(os.urandom(LARGE_FILE_BYTES))
        Path(folder, "server.py").write_text(SERVER)
        servers = {}
        try:
            for way in WAYS:
                port = wire.free_port()
                servers[way] = (port, subprocess.Popen([sys.executable, "server.py", str(port), way], cwd=folder,
                                                       start_new_session=True))
            time.sleep(0.5)
            seconds: dict[str, list[float]] = {way: [] for way in WAYS}
            for number in range(rounds):
                for way in WAYS[number % 3:] + WAYS[: number % 3]:  # a rotating order
                    took, got = fetch(servers[way][0])
                    seconds[way].append(took if got > LARGE_FILE_BYTES else float("inf"))
        finally:
            for _, process in servers.values():
                process.kill()
                process.wait()
    print(f"{LARGE_FILE_BYTES / 2**20:.0f} MiB through a {SLOW_READER_WINDOW // 1024} KiB window; "
          f"deadline {LARGE_FILE_SECONDS:.0f} s (exact)")
    for way in WAYS:
        median = statistics.median(seconds[way])
        ratio = median / LARGE_FILE_SECONDS
        shown = f"{median:6.2f} s" if median != float("inf") else "  > 12 s"
        print(f"  {way:14} {shown}   {ratio:6.2f} x the deadline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
