"""How long does grading take? Each stage's reference solution, graded N times.

    python bench/bench_grading.py             # every server stage (1-7), 5 runs each (~3 min)
    python bench/bench_grading.py --quick     # stages 1 and 7, 1 run each
    python bench/bench_grading.py --stages 4 5 --runs 9

Reported per stage: wall time of autograder.grading.grade() (median,
min-max, standard deviation), the CPU time it used (the grader, plus its
children: the server, the sandbox launcher, the stage-5 module probe), and
the sum of the checks' own durations. Wall time much larger than CPU time
means grading mostly waits (deliberate pauses, start-up, timeouts): batch
grading can then run more jobs than there are cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import exit_on_sigterm, REPO, describe_machine, load_average, machine, save, summary  # noqa: E402

sys.path.insert(0, str(REPO))
from autograder import grading  # noqa: E402
from autograder.stages import SERVER_STAGES, get_stage  # noqa: E402


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # waited-for children only
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def grade_once(stage: int, seed: int) -> dict:
    cpu_before, wall_before = cpu_seconds(), time.perf_counter()
    result = grading.grade(get_stage(stage).solution, stage, seed=seed)
    wall = time.perf_counter() - wall_before
    failed = [c.name for c in result.checks if not c.passed and not c.advisory]
    return {
        "seed": seed,
        "wall": wall,
        "execution_time": result.execution_time,
        "cpu": cpu_seconds() - cpu_before,
        "checks_sum": sum(c.duration for c in result.checks),
        "checks": {c.name: c.duration for c in result.checks},
        "score": result.score,
        "max_score": result.max_score,
        "failed": failed,
        "load_1min": load_average()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", nargs="+", type=int, default=[stage.number for stage in SERVER_STAGES])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="stages 1 and 5, one run each")
    args = parser.parse_args()
    exit_on_sigterm()
    if args.quick:
        args.stages, args.runs = [SERVER_STAGES[0].number, SERVER_STAGES[-1].number], 1
    info = machine()
    print(describe_machine(info), flush=True)
    report = {"machine": info, "runs": args.runs, "stages": {}}
    for stage in args.stages:
        # Stages take turns with themselves only; seeds 0..runs-1 give every
        # run its own random document root, the same for every stage.
        runs = [grade_once(stage, seed) for seed in range(args.runs)]
        report["stages"][stage] = runs
        for run in runs:
            if run["failed"]:
                print(f"  stage {stage} seed {run['seed']}: FAILED {', '.join(run['failed'])} - timing suspect")
        print(f"stage {stage}: " + ", ".join(f"{r['wall']:.2f}" for r in runs) + " s", flush=True)

    print(f"\nGrading the reference solutions ({args.runs} run(s) per stage; load average now {load_average()}):")
    print("| stage | checks | wall s: median | min-max | stdev | CPU s (median) | checks' own time s | all passed |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for stage, runs in report["stages"].items():
        wall = summary([r["wall"] for r in runs])
        cpu = summary([r["cpu"] for r in runs])
        checks = summary([r["checks_sum"] for r in runs])
        passed = all(not r["failed"] for r in runs)
        print(
            f"| {stage} | {len(runs[0]['checks'])} | {wall['median']:.2f} | {wall['min']:.2f}-{wall['max']:.2f} "
            f"| {wall['stdev']:.2f} | {cpu['median']:.2f} | {checks['median']:.2f} | {'yes' if passed else 'NO'} |"
        )
    print(f"saved {save('grading', report)}")


if __name__ == "__main__":
    main()
