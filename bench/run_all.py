"""Run every benchmark, one after the other, and keep their output.

    python bench/run_all.py            # the full set, as in bench/README.md (~30 min)
    python bench/run_all.py --quick    # a smoke run of each (~5 min)
    python bench/run_all.py --only load variants

Each benchmark is its own script (see bench/README.md); this runs them in
turn with a time limit each, prints their output and saves it to
bench/results/run_all-DATE.txt. The load tests want a quiet machine: with
--wait-quiet, it first waits (up to 10 minutes) for the 1-minute load
average to drop below the number of CPUs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import RESULTS, describe_machine, machine, wait_for_quiet  # noqa: E402

BENCH = Path(__file__).resolve().parent

# name: (script, full arguments, quick arguments, time limit in seconds)
BENCHMARKS = {
    "grading": ("bench_grading.py", [], ["--quick"], 900),
    "profile": ("profile_grading.py", ["--runs", "5", "--profile"], ["--quick"], 600),
    "batch": ("bench_batch.py", [], ["--quick"], 1800),
    "load": ("bench_load.py", [], ["--quick"], 1800),
    "load-one-cpu": ("bench_load.py", ["--server-cpu", "0"], ["--quick", "--server-cpu", "0"], 1800),
    "variants": ("variants.py", [], ["--quick", "--connections", "64"], 1800),
}


def run_bounded(command: list[str], limit: float) -> tuple[int | None, str]:
    """Run a benchmark; past `limit` seconds, SIGTERM (its servers are stopped), then SIGKILL."""
    process = subprocess.Popen(
        command, cwd=BENCH.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=limit)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)  # common.exit_on_sigterm: finally blocks run
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return None, f"{output}\nstopped after {limit} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--wait-quiet", action="store_true", help="wait for a load average below the CPU count")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    log_path = RESULTS / f"run_all-{datetime.datetime.now():%Y%m%d-%H%M%S}.txt"
    failures = []
    with open(log_path, "w") as log:
        def say(text: str) -> None:
            print(text, flush=True)
            log.write(text + "\n")
            log.flush()

        say(describe_machine(machine()))
        for name in args.only:
            script, full, quick, limit = BENCHMARKS[name]
            if not (BENCH / script).exists():
                say(f"\n== {name}: {script} is not there yet, skipped")
                continue
            if args.wait_quiet and name in ("load", "load-one-cpu", "variants"):
                say(f"load average before {name}: {wait_for_quiet(float(os.cpu_count() or 1), 600)}")
            command = [sys.executable, str(BENCH / script), *(quick if args.quick else full)]
            say(f"\n== {name}: {' '.join(command[1:])}")
            returncode, output = run_bounded(command, limit)
            say(output)
            if returncode != 0:
                failures.append(name)
        say(f"\nsaved {log_path}")
    if failures:
        sys.exit(f"failed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
