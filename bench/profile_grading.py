"""Where does grading time go? Phases, checks, and a profile of the grader.

    python bench/profile_grading.py                      # stage 5, 3 runs, phases and checks
    python bench/profile_grading.py --stage 4 --runs 5
    python bench/profile_grading.py --profile            # also a profile of one run

Phases: the grader's own steps (resolve the submission, set up the sandbox,
build the document root, start the server, run each check, stop, clean up)
are timed by wrapping the functions grading.py calls; nothing in autograder/
is changed. Checks: GradeResult.checks[i].duration, median over the runs.
Profile: pyinstrument (wall clock, so sleeping and waiting show) when it is
installed, else cProfile sorted by cumulative time. The submission and the
stage-5 module probe run in other processes: their time shows up as waiting.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import contextlib
import io
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import exit_on_sigterm, REPO, describe_machine, machine, save  # noqa: E402

sys.path.insert(0, str(REPO))
from autograder import grading, runner, sandbox  # noqa: E402
from autograder.stages import get_stage  # noqa: E402

PHASES = collections.defaultdict(list)  # phase name -> [seconds, ...] of the current run


@contextlib.contextmanager
def timed_phases():
    """Wrap the grader's steps with timers for as long as the block lasts."""
    patches = [
        (grading, "resolve", "resolve submission"),
        (grading, "Sandbox", "sandbox set-up"),
        (grading, "_copy_entry", "copy submission"),
        (grading.docroot_module, "build", "build document root"),
        (runner.ServerProcess, "start", "start server (spawn + wait until listening)"),
        (runner.ServerProcess, "stop", "stop server"),
        (sandbox.Sandbox, "cleanup", "sandbox clean-up (kill all, remove run folder)"),
        (grading, "run_module_probe", "stage-5 module probe (subprocess)"),
        (grading, "_run_one", "checks (sum of check durations)"),
        (grading, "_has_stopped", "is the server still listening? (between checks)"),
    ]
    originals = []
    for owner, name, label in patches:
        original = getattr(owner, name, None)
        if original is None:  # the grader changed; time what is still there
            continue
        originals.append((owner, name, original))
        setattr(owner, name, _timer(original, label))
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _timer(function, label):
    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PHASES[label].append(time.perf_counter() - began)

    timed.__wrapped__ = function
    return timed


def run_once(stage: int, seed: int) -> tuple[grading.GradeResult, dict[str, float]]:
    PHASES.clear()
    with timed_phases():
        result = grading.grade(get_stage(stage).solution, stage, seed=seed)
    phases = {label: sum(times) for label, times in PHASES.items()}
    # The probe runs inside a check: report it apart, and the checks without it.
    probe = phases.get("stage-5 module probe (subprocess)", 0.0)
    if probe:
        phases["checks (sum of check durations)"] -= probe
    phases["total (execution_time)"] = result.execution_time
    phases["not accounted for"] = result.execution_time - sum(
        v for k, v in phases.items() if k != "total (execution_time)"
    )
    return result, phases


def profile_once(stage: int, seed: int) -> str:
    try:
        import pyinstrument
    except ImportError:
        pyinstrument = None
    if pyinstrument is not None:
        profiler = pyinstrument.Profiler(interval=0.001)
        profiler.start()
        grading.grade(get_stage(stage).solution, stage, seed=seed)
        profiler.stop()
        return profiler.output_text(unicode=False, color=False, show_all=False)
    profiler = cProfile.Profile()
    profiler.runcall(grading.grade, get_stage(stage).solution, stage, seed=seed)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run")
    parser.add_argument("--profile", action="store_true", help="also profile one run (pyinstrument or cProfile)")
    args = parser.parse_args()
    exit_on_sigterm()
    runs = 1 if args.quick else args.runs
    info = machine()
    print(describe_machine(info), flush=True)

    phase_runs = collections.defaultdict(list)
    check_runs = collections.defaultdict(list)
    failures = []
    for seed in range(runs):
        result, phases = run_once(args.stage, seed)
        for label, seconds in phases.items():
            phase_runs[label].append(seconds)
        for check in result.checks:
            check_runs[check.name].append(check.duration)
            if not check.passed and not check.advisory:
                failures.append(f"run {seed}: {check.name} {check.status}: {check.message[:120]}")
        print(f"run {seed + 1}/{runs}: {result.execution_time:.2f} s, {result.score:g}/{result.max_score:g}", flush=True)

    print(f"\nPhases of grading the stage-{args.stage} reference solution (median of {runs} run(s), seconds):")
    print("| phase | median s | min-max |\n|---|---:|---:|")
    for label, values in phase_runs.items():
        print(f"| {label} | {statistics.median(values):.3f} | {min(values):.3f}-{max(values):.3f} |")

    print(f"\nChecks, slowest first (median of {runs} run(s), seconds):")
    print("| check | median s | min-max |\n|---|---:|---:|")
    ranked = sorted(check_runs.items(), key=lambda item: -statistics.median(item[1]))
    for name, values in ranked:
        if statistics.median(values) >= 0.005:
            print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f}-{max(values):.3f} |")
    fast = [name for name, values in ranked if statistics.median(values) < 0.005]
    print(f"\n{len(fast)} more checks under 5 ms each.")
    if failures:
        print("\nNOT ALL CHECKS PASSED - the timings are suspect:\n  " + "\n  ".join(failures))

    report = {
        "machine": info, "stage": args.stage, "runs": runs, "phases": phase_runs, "checks": check_runs,
        "failures": failures,
    }
    if args.profile:
        text = profile_once(args.stage, seed=runs)
        report["profile"] = text
        print("\nProfile of one run:\n" + text)
    print(f"saved {save(f'profile-stage{args.stage}', report)}")


if __name__ == "__main__":
    main()
