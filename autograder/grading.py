"""Grading: run the checks of stages 1..N against one submission.

    result = grade("student.py", stage=3)

One server is shared by all the checks (start-up is the slowest thing we do);
when a check kills it, the next check gets a fresh one on a fresh port and the
report says which check the server died in. A check whose dependencies failed
is not run. The whole run has a deadline, so even a submission that answers
every request at a snail's pace is graded within the contract's 60 seconds.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import docroot as docroot_module
from autograder.diagnosis import Evidence, diagnose
from autograder.program import Program
from autograder.watch import Watch
from autograder.checks.context import ClientContext, Context
from autograder.course import Course
from autograder.checks.registry import NEEDS_SERVER, Check, CheckFailed, checks_up_to
from autograder.runner import ServerProcess
from autograder.containment import sandbox_for
from autograder.exits import describe_exit
from autograder.stages import is_client
from autograder.submission import NoEntryPoint, resolve
from autograder import timing
from autograder.timing import stretch_factor, stretched

RUN_DEADLINE = 45.0  # seconds after which no new check starts; the contract allows 60 in all
HARD_DEADLINE = 52.0  # seconds after which no wait goes on (a check under way fails); then clean-up


@dataclass
class CheckResult:
    name: str
    description: str
    stage: int
    max_score: float
    score: float = 0.0
    status: str = "failed"  # passed | failed | skipped (skipped counts as failed)
    advisory: bool = False
    message: str = ""
    sent: bytes | None = None
    received: bytes | None = None
    expected: str = ""
    hint: str = ""
    duration: float = 0.0
    server_note: str = ""  # e.g. "your server stopped during this check"
    reproduce: str = ""  # how to try it by hand, when a single curl cannot show it
    server_said: str = ""  # what the server printed while this (failed) check ran
    cause: str = ""  # the fault behind this failure, in the student's terms (diagnosis.py)
    cause_key: str = ""  # the same key in two checks: the same fault
    caused_by: str = ""  # the earlier check where that fault was named (this one then has no hint)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class GradeResult:
    submission: str
    stage: int
    seed: int
    checks: list[CheckResult] = field(default_factory=list)
    execution_time: float = 0.0
    server_output: str = ""
    notes: list[str] = field(default_factory=list)
    port: int = 0
    containment: str = ""  # which layers contained the run ("sandbox: bubblewrap, user id ...")

    @property
    def score(self) -> float:
        return float(round(sum(c.score for c in self.checks), 2))

    @property
    def max_score(self) -> float:
        return float(round(sum(c.max_score for c in self.checks), 2))

    @property
    def passed(self) -> bool:
        """Every scored check passed (advisory ones only warn)."""
        return all(c.passed for c in self.checks if not c.advisory)

    def to_dict(self) -> dict:
        data = asdict(self)
        for check in data["checks"]:
            for key in ("sent", "received"):
                if check[key] is not None:
                    check[key] = check[key].decode("latin-1")
        data.update(score=self.score, max_score=self.max_score, passed=self.passed)
        return data


def grade(
    submission, stage: int, seed: int | None = None, keep_root: Path | None = None, screenshot: Path | None = None,
    course: Course | None = None,
) -> GradeResult:
    """Grade `submission` (file, folder or zip) at `stage`. Raises NoSuchSubmission.

    With a `course` (course.py), the checks and points are the course's for that
    stage, and its hand-in file name counts as an entry point; without one, the
    kit's ladder (stages 1..N).
    """
    checks = course.checks_for(stage) if course is not None else checks_up_to(stage)
    hand_in = course.hand_in if course is not None else None
    started = time.monotonic()
    deadline = timing.start_run(HARD_DEADLINE)
    seed = seed if seed is not None else random.SystemRandom().randrange(10**9)
    run_dir = Path(tempfile.mkdtemp(prefix="labgrade-"))
    result = GradeResult(submission=str(submission), stage=stage, seed=seed)
    sandbox = None
    server = None
    try:
        try:
            entry = resolve(Path(submission), run_dir, stage=stage, hand_in=hand_in)
        except NoEntryPoint as problem:
            result = not_graded(submission, stage, str(problem), seed=seed, checks=checks)
            return result  # (bound to `result`, so the finally below times it)
        sandbox = sandbox_for(run_dir)
        result.containment = sandbox.describe()
        entry_path = _copy_entry(entry, run_dir)
        if is_client(stage):  # stage 8: the grader plays the server, no document root
            ctx = ClientContext(stage=stage, entry_path=entry_path, sandbox=sandbox, seed=seed)
            result.checks = _run_client_checks(ctx, checks, started)
            return result
        docs = docroot_module.build(sandbox.root, seed)
        server = ServerProcess(entry_path, sandbox, watch=Watch(run_dir))
        ctx = Context(stage=stage, entry_path=entry_path, docroot=docs, server=server)
        result.checks = _run_checks(ctx, checks, started, result.notes)
        slowdown = stretch_factor()
        if slowdown >= NOTABLE_SLOWDOWN and not result.passed:  # it matters only for a failure
            result.notes.append(
                f"the grading machine was busy (tasks ran about {slowdown:.1f} times slower), so the "
                "deadlines were stretched that much; on an idle machine the contract's deadlines apply exactly"
            )
        if screenshot is not None:
            result.notes.append(_take_screenshot(ctx, Path(screenshot)))
        result.server_output = server.output_tail()
        result.port = server.port
        if keep_root is not None:
            shutil.copytree(sandbox.root, keep_root, dirs_exist_ok=True)
        return result
    finally:
        if server is not None:
            server.stop()
        if sandbox is not None:
            sandbox.cleanup()  # every process of the run, then the run folder
        shutil.rmtree(run_dir, ignore_errors=True)
        timing.end_run(deadline)
        result.execution_time = time.monotonic() - started


# Below this the machine is as good as idle: a note saying "1.0 times slower"
# would only make a student wonder whether the load cost them points.
NOTABLE_SLOWDOWN = 1.1


def _take_screenshot(ctx: Context, path: Path) -> str:
    """A browser's picture of HelloWorld.html, as the Kurose-Ross assignment asks."""
    from autograder import screenshot

    if not ctx.server.alive():
        ctx.start_result = ctx.server.start()
    if not ctx.start_result.listening:
        return "no screenshot: the server is not running"
    return screenshot.capture(f"http://127.0.0.1:{ctx.port}/HelloWorld.html", path)


def _copy_entry(entry, run_dir: Path) -> Path:
    """Run a copy of the submission, so nothing it does touches the original."""
    target = run_dir / "submission"
    if entry.folder == entry.source.parent and entry.source.is_file():
        target.mkdir()
        shutil.copy2(entry.path, target / entry.relative)
    else:
        shutil.copytree(entry.folder, target, ignore=shutil.ignore_patterns("__pycache__", "__MACOSX", ".git"))
    return target / entry.relative


def _run_checks(ctx: Context, checks: list[Check], started: float, notes: list[str]) -> list[CheckResult]:
    results: dict[str, CheckResult] = {}
    last_to_talk: CheckResult | None = None  # the last check that talked to the server
    for check in checks:
        failed_dependency = next((d for d in check.depends if d in results and not results[d].passed), None)
        if failed_dependency:
            results[check.name] = _not_run(check, f"not run: needs {failed_dependency}")
            continue
        if time.monotonic() - started > RUN_DEADLINE:
            results[check.name] = _not_run(check, f"not run: grading stopped after {RUN_DEADLINE:.0f} s (the server is too slow)")
            continue
        events_mark = ctx.server.watch.mark() if ctx.server.watch else 0
        if check.needs == NEEDS_SERVER:
            _ensure_server(ctx, last_to_talk, notes)
        mark = ctx.server.output_mark()
        results[check.name], failure = _run_one(ctx, check)
        if not results[check.name].passed:
            results[check.name].server_said = ctx.server.output_since(mark)
            if failure is not None and check.needs == NEEDS_SERVER and not check.advisory:
                _name_cause(ctx, results[check.name], failure, events_mark)
        if check.needs == NEEDS_SERVER:
            last_to_talk = results[check.name]
            gave_up = failure is not None and getattr(failure.exchange, "timed_out", False)
            if ctx.stops_by_itself or gave_up:
                _settle(ctx)  # (after the grader hung up on a slow answer, a send() of the server's may fail now)
            if not results[check.name].passed and _has_stopped(ctx):
                _restart_note(ctx, last_to_talk, notes)  # say so where the failure is reported
                ctx.stops_by_itself = True
    checked = list(results.values())
    link_causes(checked)
    return checked


def _run_client_checks(ctx: ClientContext, checks: list[Check], started: float) -> list[CheckResult]:
    """Stage 8: each check runs the client against a fake server of its own; no server to share or restart."""
    results: dict[str, CheckResult] = {}
    for check in checks:
        failed_dependency = next((d for d in check.depends if d in results and not results[d].passed), None)
        if failed_dependency:
            results[check.name] = _not_run(check, f"not run: needs {failed_dependency}")
            continue
        if time.monotonic() - started > RUN_DEADLINE:
            results[check.name] = _not_run(check, f"not run: grading stopped after {RUN_DEADLINE:.0f} s (the client is too slow)")
            continue
        results[check.name], failure = _run_one(ctx, check)
        if failure is not None:
            results[check.name].server_said = getattr(failure, "client_stderr", "")[-1500:]
            fault = getattr(failure, "fault", None)  # a mistake several checks show (checks/stage8.py)
            if fault is not None:
                results[check.name].cause, results[check.name].cause_key = fault.phrase, fault.key
    checked = list(results.values())
    link_causes(checked)
    return checked


def _name_cause(ctx: Context, result: CheckResult, failure: CheckFailed, events_mark: int) -> None:
    """Put the fault behind a failure (if the grader can tell it) into the result."""
    if ctx.program is None:
        ctx.program = Program.load(ctx.entry_path)
    if failure.symptom in ("no-connection", "closed-empty"):
        _settle_exit(ctx)  # a server on its way out: let it finish saying why (an exception, its end)
    evidence = Evidence(
        check=result.name, failure=failure, events=ctx.server.watch.since(events_mark) if ctx.server.watch else [],
        program=ctx.program, root=ctx.docroot.root, start=ctx.start_result, server_stopped=not ctx.server.alive(),
    )
    fault = _safe_diagnosis(evidence)
    if fault is not None:
        result.cause, result.cause_key, result.hint = fault.phrase, fault.key, fault.hint


def _settle_exit(ctx: Context) -> None:
    deadline = time.monotonic() + stretched(SETTLE_SECONDS * 2)
    while time.monotonic() < deadline and ctx.server.alive() and ctx.server.is_listening():
        time.sleep(0.01)
    if not ctx.server.is_listening():
        while time.monotonic() < deadline and ctx.server.alive():
            time.sleep(0.01)


def _safe_diagnosis(evidence: Evidence):
    """The diagnosis only explains; a bug in it must never cost the check its own message."""
    try:
        return diagnose(evidence)
    except Exception:
        if os.environ.get(STRICT_DIAGNOSIS_VARIABLE) == "1":
            raise  # the kit's own tests set this, so that such a bug fails them
        return None


STRICT_DIAGNOSIS_VARIABLE = "AUTOGRADER_STRICT_DIAGNOSIS"


def link_causes(results: list[CheckResult]) -> None:
    """Name each fault once: later failures with the same cause point back to the first."""
    first: dict[str, CheckResult] = {}
    for result in results:
        if result.passed or not result.cause_key:
            continue
        if result.cause_key in first:
            result.caused_by = first[result.cause_key].name
            result.hint = ""
        else:
            first[result.cause_key] = result


def _has_stopped(ctx: Context) -> bool:
    """It was listening and now is not: exited, or closed its listening socket."""
    if ctx.start_result is None or not ctx.start_result.listening:
        return False
    if ctx.server.process is None:
        return True  # stopped (and reaped) after the last check
    if ctx.server.alive() and ctx.server.is_listening():
        return False
    time.sleep(0.05)  # a server on its way out: let the exit status arrive
    return True


SETTLE_SECONDS = 0.1


def _settle(ctx: Context) -> None:
    """Give a server that has stopped by itself before the moment to stop again.

    A server that closes its listening socket (or exits) right after an
    answer may still be listening for a few microseconds after the check got
    that answer; whether the next check then meets the dying server or a
    fresh one would be a matter of luck, and so would its score. Once a
    server has stopped by itself, the grader waits this long after each
    check for it to do so again. (A server that never stops costs nothing.)
    """
    deadline = time.monotonic() + stretched(SETTLE_SECONDS)
    while time.monotonic() < deadline:
        if not ctx.server.alive() or not ctx.server.is_listening():
            return
        time.sleep(0.01)


def _ensure_server(ctx: Context, last_to_talk: CheckResult | None, notes: list[str]) -> None:
    """Start the server before the first check that needs it; restart it when it stopped."""
    if ctx.start_result is not None and not ctx.start_result.listening:
        return  # it never started: one clear failure, not a restart for every check
    if ctx.start_result is not None and not _has_stopped(ctx):
        return
    if ctx.start_result is not None and ctx.server.process is not None and last_to_talk is not None:
        _restart_note(ctx, last_to_talk, notes)
    if ctx.start_result is not None:
        ctx.stops_by_itself = True
    ctx.start_result = ctx.server.start()


def _restart_note(ctx: Context, result: CheckResult, notes: list[str]) -> None:
    code = ctx.server.exit_code
    how = "stopped listening" if code is None else describe_exit(code)
    note = f"your server {how} during or right after this check; the grader started it again for the next check"
    result.server_note = note
    notes.append(f"{result.name}: {note}")
    ctx.server.stop()  # reap it and anything it left behind


def _run_one(ctx: Context, check: Check) -> tuple[CheckResult, CheckFailed | None]:
    result = CheckResult(
        name=check.name, description=check.description, stage=check.stage,
        max_score=float(check.points), advisory=check.advisory, hint=check.hint,
    )
    began = time.monotonic()
    failed = None
    try:
        check.run(ctx)
    except CheckFailed as failure:
        failed = failure
        result.message = failure.message
        result.sent, result.received = failure.sent, failure.received
        result.expected = failure.expected
        result.hint = failure.hint or check.hint
        result.reproduce = failure.recipe or ""
    except Exception:  # a bug in the grader, not in the submission
        result.message = "the grader itself failed on this check; please tell the course staff:\n" + traceback.format_exc(limit=4)
        result.hint = ""
    else:
        result.status, result.score = "passed", float(check.points)
    result.duration = time.monotonic() - began
    return result, failed


def not_graded(submission, stage: int, reason: str, seed: int = 0, note: str | None = None,
               checks: list[Check] | None = None) -> GradeResult:
    """A result for a submission that cannot be graded: the reason once, every check not run.

    The first check carries the reason (as a failure); the others say they
    need it, so the report states the problem once, not once per check.
    """
    result = GradeResult(submission=str(submission), stage=stage, seed=seed, notes=[note or reason])
    checks = checks if checks is not None else checks_up_to(stage)
    first = _not_run(checks[0], reason)
    first.status = "failed"
    result.checks = [first] + [_not_run(check, f"not run: needs {checks[0].name}") for check in checks[1:]]
    return result


def _not_run(check: Check, reason: str) -> CheckResult:
    return CheckResult(
        name=check.name, description=check.description, stage=check.stage, max_score=float(check.points),
        status="skipped", advisory=check.advisory, message=reason, hint=check.hint,
    )
