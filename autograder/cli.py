"""The command line (contract §5).

    python -m autograder grade [SUBMISSION] --stage N [--json PATH|-]
    python -m autograder batch DIR --stage N --out GRADEBOOK.csv [--jobs J]
    python -m autograder serve --stage N [--port P] [--root DIR]
    python -m autograder skeletons [--check]
    python -m autograder gradescope --stage N --out autograder.zip
    python -m autograder release --stage N --out DIR

`grade`, `batch`, `gradescope` and `release` take `--course FILE`: a course
file (course.py) that chooses the stages, their order and their points.

Exit status of `grade`: 0 when every check passed, 1 when one failed, 2 when
the grader could not do its job (no such file, unknown stage).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.stages import LAST_STAGE, SERVER_STAGES, STAGES, WWW, UnknownStage, get_stage

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_GRADE = 0, 1, 2
# Grading mostly waits (start-up, pauses, deadlines), so more workers than cores
# pay: a 52-student mixed class took 65 s at --jobs 2 and 47 s at --jobs 4 on
# 2 cores (bench/bench_batch.py measures it); each run is held to one core by
# its cgroup, and the exact deadlines do not depend on the load.
DEFAULT_JOBS = 2 * (os.cpu_count() or 1)
DEFAULT_SUBMISSION = SERVER_STAGES[-1].solution


def stage_number(text: str) -> int:
    try:
        return get_stage(text).number
    except UnknownStage as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def build_parser() -> argparse.ArgumentParser:
    stages = ", ".join(f"{s.number} ({s.slug})" for s in STAGES)
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Autograder for the socket web-server lab: drives real sockets against your server.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = commands.add_parser("grade", help="grade one submission (file, folder or zip)")
    grade.add_argument("submission", nargs="?", type=Path, default=DEFAULT_SUBMISSION,
                       help="the file, folder or .zip to grade (default: the stage-5 reference solution)")
    grade.add_argument("--stage", type=stage_number, default=LAST_STAGE, help=f"grade stages 1..N (stage 8, the client: its own checks only); N is one of {stages}")
    grade.add_argument("--json", metavar="PATH", help="also write Gradescope's results.json to PATH ('-' for stdout)")
    grade.add_argument("--seed", type=int, help="make the random document root reproducible")
    grade.add_argument("--keep-root", type=Path, metavar="DIR", help="copy this run's document root to DIR, to try requests yourself")
    grade.add_argument("--screenshot", type=Path, metavar="FILE.png", help="save a picture of HelloWorld.html as a browser shows it")
    _course_option(grade)

    batch = commands.add_parser("batch", help="grade a folder of submissions into a gradebook")
    batch.add_argument("folder", type=Path, help="one entry (file, folder or zip) per student")
    batch.add_argument("--stage", type=stage_number, required=True)
    batch.add_argument("--out", type=Path, required=True, help="the gradebook CSV to write")
    batch.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                       help=f"parallel workers (default: twice the cores, {DEFAULT_JOBS} here: grading mostly waits)")
    batch.add_argument("--resume", action="store_true", help="grade only the students without results yet")
    batch.add_argument("--seed", type=int)
    batch.add_argument("--screenshots", action="store_true", help="save a browser screenshot per student")
    batch.add_argument("--report", type=Path, metavar="HTML", help="also write the class report (default: beside the CSV)")
    _course_option(batch)

    serve = commands.add_parser("serve", help="run a reference solution, for demos")
    serve.add_argument("--stage", type=stage_number, default=LAST_STAGE)
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--root", type=Path, default=WWW, help="the document root (default: www/)")

    skeletons = commands.add_parser("skeletons", help="write skeletons/ from solutions/")
    skeletons.add_argument("--check", action="store_true", help="only report skeletons that are out of date")

    bundle = commands.add_parser("gradescope", help="build the Gradescope autograder bundle")
    bundle.add_argument("--stage", type=stage_number, required=True)
    bundle.add_argument("--out", type=Path, default=Path("autograder.zip"))
    _course_option(bundle)

    release = commands.add_parser("release", help="write what students receive up to a stage (no solutions)")
    release.add_argument("--stage", type=stage_number, required=True, help="release the course's stages up to this one")
    release.add_argument("--out", type=Path, required=True, help="the folder to write (must not exist, or be empty)")
    _course_option(release)

    report = commands.add_parser("report", help="write the class report from a gradebook's results folder")
    report.add_argument("gradebook", type=Path, help="the gradebook CSV written by batch")
    report.add_argument("--out", type=Path, help="the HTML file (default: beside the CSV)")
    return parser


def _course_option(command) -> None:
    command.add_argument("--course", type=Path, metavar="FILE",
                         help="a course file (TOML) choosing stages, order and points (default: the kit's ladder)")


def load_course(args):
    """The course of `--course`, or None for the kit's ladder. Raises CourseError."""
    from autograder.course import Course

    path = getattr(args, "course", None)
    if path is None:
        return None
    course = Course.load(path)
    course.stage(args.stage)  # the stage asked for must be one of the course's
    return course


def main(argv: list[str] | None = None) -> int:
    from autograder.signals import install_signal_handlers

    args = build_parser().parse_args(argv)
    install_signal_handlers()  # SIGTERM unwinds like Ctrl-C, so no submission process outlives us
    handlers = {
        "grade": run_grade, "batch": run_batch, "serve": run_serve,
        "skeletons": run_skeletons, "gradescope": run_gradescope, "report": run_report, "release": run_release,
    }
    from autograder.course import CourseError

    try:
        return handlers[args.command](args)
    except CourseError as problem:
        print(f"labgrade: {problem}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run_grade(args) -> int:
    from autograder.grading import grade
    from autograder.report_json import results_json, write_results_json
    from autograder.report_terminal import print_report
    from autograder.submission import NoSuchSubmission

    course = load_course(args)
    if args.submission == DEFAULT_SUBMISSION and not DEFAULT_SUBMISSION.is_file():
        print("labgrade: name the file to grade, e.g. `python -m autograder grade my_server.py --stage 1` "
              "(this copy of the kit holds no reference solution to grade by default)", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    try:
        result = grade(args.submission, args.stage, seed=args.seed, keep_root=args.keep_root,
                       screenshot=args.screenshot, course=course)
    except NoSuchSubmission as problem:
        print(f"labgrade: {problem}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    if args.json == "-":
        print_report(result, sys.stderr)
        sys.stdout.write(json.dumps(results_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        print_report(result, sys.stdout)
        if args.json:
            write_results_json(result, Path(args.json))
    return EXIT_PASSED if result.passed else EXIT_FAILED


def run_serve(args) -> int:
    stage = get_stage(args.stage)
    if stage.kind != "server":
        print(f"labgrade: stage {stage.number} ({stage.slug}) is a client, not a server: run it as "
              f"python3 {stage.solution.name} HOST PORT PATH", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    solution = stage.solution
    if not solution.is_file():  # a student release holds no solutions
        print("labgrade: this copy of the kit holds no reference solutions (a student release)", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    root = args.root.resolve()
    if not root.is_dir():
        print(f"labgrade: no such folder: {root}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    print(f"Serving {root} with {solution.name} on http://127.0.0.1:{args.port}/  (Ctrl-C stops it)", file=sys.stderr)
    server = subprocess.Popen([sys.executable, str(solution), str(args.port)], cwd=root)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait(timeout=5)
        return 0


def run_skeletons(args) -> int:
    from autograder import skeletons

    return skeletons.main(check=args.check)


def run_batch(args) -> int:
    from autograder import batch

    return batch.run(args)


def run_gradescope(args) -> int:
    from autograder import gradescope_bundle

    return gradescope_bundle.run(args)


def run_report(args) -> int:
    from autograder import class_report

    return class_report.run(args)


def run_release(args) -> int:
    from autograder import release

    return release.run(args, load_course(args))
