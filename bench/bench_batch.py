"""Batch throughput: correct submissions graded per minute at --jobs 1 and 2.

    python bench/bench_batch.py                 # 100 at --jobs 2, 25 at --jobs 1, stage 5
    python bench/bench_batch.py --quick         # 12 at --jobs 2, 6 at --jobs 1
    python bench/bench_batch.py --count 100 --jobs 1 2 3 4 --limit 900

Each run copies solutions/stage5_post.py under COUNT student names into a
temporary folder and times the real command,
`python -m autograder batch DIR --stage 5 --out GRADEBOOK.csv --jobs J`,
from start to exit (gradebook and class report included). The goal in
issue 5 is 100 correct stage-5 submissions in at most 90 s with --jobs 2 on
a 2-core machine, i.e. at least 66.7 per minute.

Where the time goes, per student:
  - child wall: from starting the grading subprocess to its exit (batch's
    progress lines, "in X s");
  - grading: results.json's execution_time, measured inside grade() (run
    folder, document root, server start, checks, stop, clean-up);
  - overhead: the difference (interpreter start-up, imports, writing the
    report), measured alone too by starting the interpreter with the imports;
  - CPU: user + system time of the batch and every process under it, as a
    share of the machine's cores. A share far below 100 % means grading
    waits (pauses and deadlines built into the checks), not computes.

Each batch is bounded (--limit): past it, it gets SIGTERM (it stops its
graders, which stop their submissions), then SIGKILL.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REPO, describe_machine, exit_on_sigterm, load_average, machine, save, wait_for_quiet  # noqa: E402

sys.path.insert(0, str(REPO))
from autograder.stages import get_stage  # noqa: E402

GOAL_COUNT, GOAL_SECONDS, GOAL_JOBS = 100, 90.0, 2
PROGRESS_LINE = re.compile(r"^\[\d+/\d+\] (?P<student>\S+): (?P<score>[\d.]+)/(?P<max>[\d.]+) in (?P<seconds>[\d.]+) s")
IMPORTS = "import autograder.cli, autograder.grading, autograder.report_json, autograder.report_terminal, autograder.batch"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat (Linux)."""
    try:
        fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def run_batch(folder: Path, out: Path, stage: int, jobs: int, limit: float) -> dict:
    command = [sys.executable, "-m", "autograder", "batch", str(folder), "--stage", str(stage),
               "--out", str(out), "--jobs", str(jobs)]
    load_before, (busy_before, total_before) = load_average(), machine_busy()
    cpu_before, began = children_cpu(), time.monotonic()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    stopped = False
    try:
        _, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        stopped = True
        os.killpg(process.pid, signal.SIGTERM)  # the batch stops its graders and their submissions
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    wall = time.monotonic() - began
    cpu = children_cpu() - cpu_before
    busy_after, total_after = machine_busy()
    lines = [m.groupdict() for m in map(PROGRESS_LINE.match, stderr.splitlines()) if m]
    results = out.with_name(out.stem + "_results")
    grading = [json.loads(p.read_text())["execution_time"] for p in results.glob("*/results.json")]
    child = [float(line["seconds"]) for line in lines]
    return {
        "jobs": jobs,
        "submissions": len(lines),
        "full_marks": sum(1 for line in lines if float(line["score"]) == float(line["max"])),
        "wall_s": wall,
        "stopped_at_limit": stopped,
        "exit_status": process.returncode,
        "per_minute": 60 * len(lines) / wall if wall else 0.0,
        "cpu_s": cpu,
        "cpu_share_of_machine": cpu / (wall * (os.cpu_count() or 1)),
        # everything running on the machine, others' work included: the figures are only
        # comparable when this is not far above our own share
        "machine_busy_share": (busy_after - busy_before) / (total_after - total_before) if total_after > total_before else 0.0,
        "load_average_before": load_before,
        "child_wall_median_s": statistics.median(child) if child else float("nan"),
        "grading_median_s": statistics.median(grading) if grading else float("nan"),
        "stderr_tail": stderr[-600:] if process.returncode else "",
    }


def start_up_seconds(runs: int = 5) -> dict:
    """Interpreter start-up alone, and with the grader's imports (what each grading subprocess pays)."""
    def median_of(code: str) -> float:
        times = []
        for _ in range(runs):
            began = time.monotonic()
            subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
            times.append(time.monotonic() - began)
        return statistics.median(times)

    return {"python_bare_s": median_of("pass"), "python_with_grader_imports_s": median_of(IMPORTS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=GOAL_COUNT, help="submissions per batch (jobs > 1)")
    parser.add_argument("--serial-count", type=int, default=25, help="submissions for --jobs 1 (the slow one)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--stage", type=int, default=5)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds allowed per batch")
    parser.add_argument("--quick", action="store_true", help="12 and 6 submissions: a smoke run")
    parser.add_argument("--wait-quiet", action="store_true",
                        help="before each batch, wait (up to 10 min) for the load average to drop below the CPU count")
    args = parser.parse_args()
    if args.quick:
        args.count, args.serial_count = 12, 6
    exit_on_sigterm()

    info = machine()
    print(f"Machine: {describe_machine(info)}")
    solution = get_stage(args.stage).solution
    start_up = start_up_seconds()
    print(f"Start-up of one grading subprocess: python alone {start_up['python_bare_s']:.2f} s, "
          f"with the grader's imports {start_up['python_with_grader_imports_s']:.2f} s")
    runs = []
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        for jobs in args.jobs:
            count = args.serial_count if jobs == 1 else args.count
            folder = work / f"jobs{jobs}" / "submissions"
            folder.mkdir(parents=True)
            for index in range(count):
                shutil.copyfile(solution, folder / f"student{index:03d}.py")
            if args.wait_quiet:
                wait_for_quiet(max_load=float(os.cpu_count() or 1), max_wait=600)
            print(f"\n--jobs {jobs}: {count} copies of {solution.name} at stage {args.stage} ...", flush=True)
            run = run_batch(folder, work / f"jobs{jobs}" / "gradebook.csv", args.stage, jobs, args.limit)
            runs.append(run)
            print(_describe(run))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nSummary")
    for run in runs:
        projected = GOAL_COUNT / run["per_minute"] * 60 if run["per_minute"] else float("inf")
        print(f"  --jobs {run['jobs']}: {run['per_minute']:.1f} submissions/minute; "
              f"{GOAL_COUNT} would take {projected:.0f} s")
    goal = next((run for run in runs if run["jobs"] == GOAL_JOBS), None)
    if goal and goal["per_minute"]:
        projected = GOAL_COUNT / goal["per_minute"] * 60
        verdict = "met" if projected <= GOAL_SECONDS else "NOT met"
        print(f"  goal ({GOAL_COUNT} in {GOAL_SECONDS:.0f} s with --jobs {GOAL_JOBS}): {verdict} ({projected:.0f} s)")
    path = save("batch", {"machine": info, "start_up": start_up, "stage": args.stage, "runs": runs})
    print(f"Saved {path}")


def _describe(run: dict) -> str:
    overhead = run["child_wall_median_s"] - run["grading_median_s"]
    lines = [
        (f"  {run['submissions']} graded in {run['wall_s']:.1f} s: {run['per_minute']:.1f} per minute, "
        f"{run['wall_s'] / max(1, run['submissions']):.2f} s per submission; full marks: {run['full_marks']}"),
        (f"  per student (median): {run['child_wall_median_s']:.2f} s in the grading subprocess, of which "
        f"{run['grading_median_s']:.2f} s grading and {overhead:.2f} s start-up, imports and reports"),
        (f"  CPU: {run['cpu_s']:.1f} s, {100 * run['cpu_share_of_machine']:.0f} % of the machine's cores; the machine "
         f"was {100 * run['machine_busy_share']:.0f} % busy in all (load average before: {run['load_average_before'][0]})"),
    ]
    if run["stopped_at_limit"]:
        lines.append("  stopped at the time limit")
    if run["exit_status"]:
        lines.append(f"  batch exit status {run['exit_status']}: {run['stderr_tail']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
