"""Batch grading: a folder of submissions into a gradebook (contract §5).

    python -m autograder batch DIR --stage N --out GRADEBOOK.csv [--jobs J] [--resume]

DIR holds one entry per student: a file, a folder or a zip, named after the
student (the name without its extension). Each student is graded in a
subprocess of their own (`python -m autograder.batch --child ... grade ENTRY
--stage N --json PATH`) with a hard time limit, so no submission and no bug in
the grader can stop the batch: a crash or a timeout becomes a row with score 0
and a note saying what happened.

Beside the CSV, GRADEBOOK_results/STUDENT/ receives the student's
`results.json` (Gradescope's schema) and `report.txt` (the terminal report),
and, with --screenshots, `screenshot.png`. Each student's files are written
atomically, results.json last: a student counts as graded exactly when their
results.json exists. So `--resume` after an interruption grades only the
students without one, and the CSV (and the class report, GRADEBOOK.html) is
always rebuilt from every results.json at the end.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

EXIT_DONE, EXIT_NO_FOLDER, EXIT_INTERRUPTED = 0, 2, 130
# The grader bounds itself at 60 s for the worst submission (contract §5);
# this limit catches a grader that hangs anyway. Screenshots add a browser run.
GRADE_TIMEOUT_SECONDS = 90.0
SCREENSHOT_SECONDS = 45.0
TERMINATE_GRACE_SECONDS = 10.0  # after SIGTERM, time to stop the submission and clean up
KEPT_STDERR_CHARS = 1500

IGNORED_NAMES = {"__MACOSX", "__pycache__", "Thumbs.db", "desktop.ini"}
RESULTS_JSON, REPORT_TXT, SCREENSHOT_PNG = "results.json", "report.txt", "screenshot.png"
PACKAGE_PARENT = Path(__file__).resolve().parent.parent  # so the child imports this very grader


@dataclass(frozen=True)
class Student:
    name: str  # the entry's name without its extension; also their results folder's name
    entry: Path


@dataclass
class Row:
    """One student's line in the gradebook, read back from their results.json."""

    student: str
    score: float = 0.0
    max_score: float = 0.0
    tests: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    graded: bool = True

    def test_scores(self) -> dict[str, float]:
        return {test["name"]: test.get("score", 0) for test in self.tests}


# ---------------------------------------------------------------- the folder


def results_folder(gradebook: Path) -> Path:
    """GRADEBOOK.csv keeps its per-student files in GRADEBOOK_results/."""
    return gradebook.with_name(gradebook.stem + "_results")


def find_students(folder: Path, skip: tuple[Path, ...] = ()) -> list[Student]:
    """One student per entry of `folder`, sorted by name.

    Hidden files, macOS and Windows junk, editor backups and our own output
    (when the gradebook is written inside `folder`) are not students. Two
    entries with the same name once the extension is gone (alice.py and
    alice.zip) keep their full names, so neither overwrites the other.
    """
    skipped = {path.resolve() for path in skip}
    entries = [
        path for path in sorted(folder.iterdir())
        if not path.name.startswith(".") and path.name not in IGNORED_NAMES
        and not path.name.endswith("~") and path.resolve() not in skipped
    ]
    names = [path.name if path.is_dir() else path.stem for path in entries]
    students = [
        Student(name if names.count(name) == 1 else path.name, path)
        for name, path in zip(names, entries)
    ]
    return sorted(students, key=lambda s: s.name.lower())


# ---------------------------------------------------------------- grading one student


@dataclass
class Outcome:
    student: Student
    seconds: float
    crashed: str = ""  # why there is no real result, or "" when graded


class Grader:
    """Runs one grading subprocess per student and can stop them all at once."""

    def __init__(self, stage: int, results: Path, seed: int | None, screenshots: bool, timeout: float | None = None):
        self.stage = stage
        self.results = results
        self.seed = seed
        self.screenshots = screenshots
        self.timeout = timeout or GRADE_TIMEOUT_SECONDS + (SCREENSHOT_SECONDS if screenshots else 0)
        self.stopping = threading.Event()
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    def command(self, student: Student, json_path: Path) -> list[str]:
        command = [
            sys.executable, "-m", "autograder.batch", "--child", str(os.getpid()),
            "grade", str(student.entry.resolve()), "--stage", str(self.stage), "--json", str(json_path),
        ]
        if self.seed is not None:
            command += ["--seed", str(self.seed)]
        if self.screenshots:
            command += ["--screenshot", str(self.results / student.name / SCREENSHOT_PNG)]
        return command

    def grade(self, student: Student) -> Outcome:
        """Grade `student`; write results.json and report.txt unless stopped."""
        began = time.monotonic()
        folder = self.results / student.name
        folder.mkdir(parents=True, exist_ok=True)
        child_json = folder / (RESULTS_JSON + ".child")
        child_json.unlink(missing_ok=True)
        try:
            returncode, stdout, stderr = self._run(self.command(student, child_json))
        except subprocess.TimeoutExpired:
            why = f"the grader did not finish within {self.timeout:.0f} s and was stopped"
            return self._crashed(student, began, why, "")
        if self.stopping.is_set():
            child_json.unlink(missing_ok=True)
            return Outcome(student, time.monotonic() - began, crashed="interrupted")
        data = _read_results(child_json) if returncode in (0, 1) else None
        if data is None:
            last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
            why = f"the grader failed on this submission ({_describe(returncode)}{': ' + last[:300] if last else ''})"
            return self._crashed(student, began, why, stderr)
        _write_atomically(folder / REPORT_TXT, stdout)
        child_json.replace(folder / RESULTS_JSON)  # last: from now on the student counts as graded
        return Outcome(student, time.monotonic() - began)

    def _run(self, command: list[str]) -> tuple[int, str, str]:
        env = {
            **os.environ,
            "PYTHONIOENCODING": "utf-8",  # the report's check marks survive any locale
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")])),
        }
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, encoding="utf-8", errors="replace",
        )
        with self._lock:
            self._running.add(process)
        try:
            if self.stopping.is_set():  # stop() ran between the start and the line above
                _terminate(process)
            stdout, stderr = process.communicate(timeout=self.timeout)
            return process.returncode, stdout, stderr
        except subprocess.TimeoutExpired:
            _terminate(process)
            raise
        finally:
            with self._lock:
                self._running.discard(process)
            if process.poll() is None:
                _terminate(process)

    def _crashed(self, student: Student, began: float, why: str, stderr: str) -> Outcome:
        """Write a results.json with every check failed and a note, so the student still has a row."""
        if self.stopping.is_set():
            return Outcome(student, time.monotonic() - began, crashed="interrupted")
        result = crash_result(student, self.stage, why, stderr)
        from autograder.report_json import write_results_json
        from autograder.report_terminal import render

        folder = self.results / student.name
        (folder / (RESULTS_JSON + ".child")).unlink(missing_ok=True)
        _write_atomically(folder / REPORT_TXT, render(result))
        write_results_json(result, folder / RESULTS_JSON)
        return Outcome(student, time.monotonic() - began, crashed=why)

    def stop(self) -> None:
        """Stop every grading in progress (Ctrl-C, SIGTERM); they write nothing."""
        self.stopping.set()
        with self._lock:
            running = list(self._running)
        for process in running:
            _terminate(process)


def crash_result(student: Student, stage: int, why: str, stderr: str = ""):
    """A GradeResult for a student the grader could not grade: every check failed, score 0."""
    from autograder.grading import not_graded

    note = f"{why}; score 0. Grade this student by hand, or delete their results folder and run batch again with --resume."
    result = not_graded(student.entry, stage, "not graded: " + why, note=note)
    result.server_output = stderr[-KEPT_STDERR_CHARS:]
    return result


def _terminate(process: subprocess.Popen) -> None:
    """SIGTERM first: the grader unwinds and stops the submission; SIGKILL if it does not.

    Even after SIGKILL nothing is left behind: the sandbox's launcher sees the
    grader's pipe close and kills the submission's processes by itself.
    """
    if process.poll() is not None:
        return
    try:
        process.terminate()
        process.wait(timeout=TERMINATE_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except ProcessLookupError:
        pass


def _read_results(path: Path) -> dict | None:
    """The child's results.json when it is a complete Gradescope result, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("tests"), list) and isinstance(data.get("score"), (int, float))
    return data if ok else None


def _describe(returncode: int | None) -> str:
    if returncode is None:
        return "still running"
    if returncode < 0:
        return f"killed by signal {signal.Signals(-returncode).name}" if -returncode in signal.valid_signals() else f"signal {-returncode}"
    return f"exit status {returncode}"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


# ---------------------------------------------------------------- the gradebook


def load_row(results: Path, student: str) -> Row:
    """A student's gradebook row from results/STUDENT/results.json."""
    data = _read_results(results / student / RESULTS_JSON)
    if data is None:
        return Row(student, notes=["not graded yet: run batch again with --resume"], graded=False)
    tests = [t for t in data["tests"] if isinstance(t, dict) and "name" in t]
    notes = [line[len("Note: "):] for line in str(data.get("output", "")).splitlines() if line.startswith("Note: ")]
    return Row(
        student=student,
        score=float(data["score"]),
        max_score=float(sum(t.get("max_score", 0) for t in tests)),
        tests=tests,
        notes=notes,
    )


def check_columns(rows: list[Row], stage: int | None = None) -> list[str]:
    """Check names in the order they run (the registry's), then any unknown ones."""
    from autograder.checks import all_checks, checks_up_to

    # checks_up_to knows the ladder: stages 1..N, or stage 8's own checks only.
    known = [c.name for c in (all_checks() if stage is None else checks_up_to(stage))]
    seen = {t["name"] for row in rows for t in row.tests}
    columns = [name for name in known if name in seen or stage is not None]
    columns += sorted(seen - set(columns))
    return columns


def write_gradebook(path: Path, rows: list[Row], columns: list[str]) -> None:
    """student, score, max_score, one column per check (its score), note. Atomic."""
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "score", "max_score", *columns, "note"])
        for row in rows:
            scores = row.test_scores()
            writer.writerow([
                spreadsheet_safe(row.student), _number(row.score), _number(row.max_score),
                *(_number(scores.get(name, 0)) for name in columns),
                spreadsheet_safe("; ".join(row.notes)),
            ])
    temporary.replace(path)


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (a file named '=cmd|...').

    The usual defence (OWASP, "CSV injection"): a leading quote makes it text.
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def unspreadsheet(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


# ---------------------------------------------------------------- progress


class Progress:
    """A tqdm bar with an ETA on a terminal, one plain line per student otherwise."""

    def __init__(self, total: int, already: int, stream=None):
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        self.began = time.monotonic()
        self.bar = None
        if total and _is_terminal(self.stream):
            # tqdm, the one third-party runtime dependency: a well-kept bar with rate and ETA
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="student", file=self.stream, dynamic_ncols=True)
        if already:
            self.say(f"{already} student(s) already graded (--resume)")

    def update(self, outcome: Outcome, row: Row) -> None:
        self.done += 1
        what = f"{outcome.student.name}: {_number(row.score)}/{_number(row.max_score)} in {outcome.seconds:.1f} s"
        if outcome.crashed:
            what += f" ({outcome.crashed})"
        if self.bar is not None:
            self.bar.set_postfix_str(outcome.student.name[:20], refresh=False)
            self.bar.update(1)
            if outcome.crashed:
                self.say(what)
        else:
            self.say(f"[{self.done}/{self.total}] {what}")

    def say(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            if self.bar is not None:
                self.bar.write(text, file=self.stream)
            else:
                print(text, file=self.stream, flush=True)
        except (BrokenPipeError, ValueError):  # `batch ... | head` closed it: keep grading, quietly
            self.stream = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or closed
        return False


# ---------------------------------------------------------------- the command


def run(args) -> int:
    folder, out = Path(args.folder), Path(args.out)
    if not folder.is_dir():
        print(f"labgrade: no such folder: {folder}", file=sys.stderr)
        return EXIT_NO_FOLDER
    out.parent.mkdir(parents=True, exist_ok=True)
    results = results_folder(out)
    report = Path(args.report) if getattr(args, "report", None) else out.with_suffix(".html")
    students = find_students(folder, skip=(out, results, report))
    results.mkdir(parents=True, exist_ok=True)
    if not args.resume:
        for student in students:  # a fresh run: an old result must not pass for a new one later
            (results / student.name / RESULTS_JSON).unlink(missing_ok=True)
    todo = [s for s in students if not _graded(results / s.name, args.stage)]
    jobs = max(1, int(args.jobs or 1))
    grader = Grader(args.stage, results, args.seed, args.screenshots)
    progress = Progress(len(todo), len(students) - len(todo))
    progress.say(f"Grading {len(todo)} submission(s) from {folder} at stage {args.stage} with {min(jobs, max(1, len(todo)))} worker(s)")
    began = time.monotonic()
    with _signals_interrupt():
        try:
            outcomes = _grade_all(grader, todo, jobs, results, progress)
        except KeyboardInterrupt:
            grader.stop()
            progress.close()
            graded = sum(1 for s in students if (results / s.name / RESULTS_JSON).exists())
            progress.say(f"interrupted: {graded} of {len(students)} graded; run the same command with --resume to finish")
            return EXIT_INTERRUPTED
    progress.close()
    rows = [load_row(results, s.name) for s in students]
    columns = check_columns(rows, args.stage)
    write_gradebook(out, rows, columns)
    from autograder import class_report

    class_report.write_report(report, rows, columns, stage=args.stage, title=out.stem)
    crashed = [o.student.name for o in outcomes if o.crashed]
    seconds = time.monotonic() - began
    progress.say(f"Graded {len(todo)} in {seconds:.0f} s. Gradebook: {out}  Class report: {report}  Per student: {results}/")
    if crashed:
        progress.say(f"The grader failed on {len(crashed)} submission(s), scored 0 with a note: {', '.join(crashed)}")
    return EXIT_DONE


def _grade_all(grader: Grader, todo: list[Student], jobs: int, results: Path, progress: Progress) -> list[Outcome]:
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade")
    outcomes = []
    try:
        pending = {pool.submit(grader.grade, student) for student in todo}
        while pending:
            # a timeout, so the main thread wakes for Ctrl-C and SIGTERM
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                outcomes.append(outcome)
                progress.update(outcome, load_row(results, outcome.student.name))
    except BaseException:
        grader.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return outcomes


def _graded(folder: Path, stage: int) -> bool:
    """A results.json for this very stage (one from another stage is graded again)."""
    data = _read_results(folder / RESULTS_JSON)
    if data is None:
        return False
    from autograder.checks import checks_up_to

    return {t.get("name") for t in data["tests"] if isinstance(t, dict)} == {c.name for c in checks_up_to(stage)}


class _signals_interrupt:
    """SIGTERM and SIGHUP stop a batch the way Ctrl-C does: children stopped, results kept."""

    SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __enter__(self):
        self.previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.previous[signum] = signal.signal(signum, self._interrupt)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    @staticmethod
    def _interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)


# ---------------------------------------------------------------- the child process


def _child_main(argv: list[str]) -> int:
    """`python -m autograder.batch --child PARENT_PID grade ...`: the grader, tied to the batch.

    On Linux the child asks for SIGTERM when the batch dies (even by kill -9),
    and SIGTERM unwinds the grader like Ctrl-C, so its `finally` blocks stop
    the submission. Then it is the ordinary `grade` command.
    """
    parent = int(argv[1])
    _die_with_parent()
    if os.getppid() != parent:  # the batch died before we asked
        return EXIT_INTERRUPTED
    signal.signal(signal.SIGTERM, _signals_interrupt._interrupt)
    from autograder.cli import main

    return main(argv[2:])


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    sys.exit(_child_main(sys.argv[1:]))
