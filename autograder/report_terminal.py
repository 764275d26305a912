"""The terminal report: a TA going through the results with the student.

One line per check, then for each failure what we sent, what came back,
what a correct server sends, what to do about it, and a command to try it.
Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
"""

from __future__ import annotations

import os
import sys

from autograder.grading import CheckResult, GradeResult
from autograder.http_response import escape_bytes
from autograder.reproduce import STUDENT_PORT, reproduce_command
from autograder.scores import format_score
from autograder.stages import STAGES, is_client

SHOWN_BYTES = 700
HEAD_BYTES = 1200


class Style:
    def __init__(self, enabled: bool, unicode_ok: bool):
        self.enabled = enabled
        self.marks = {"passed": "✓", "failed": "✗", "skipped": "–", "warning": "!"} if unicode_ok else {
            "passed": "PASS", "failed": "FAIL", "skipped": "SKIP", "warning": "WARN"}
        self.rule = "─" if unicode_ok else "-"

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def green(self, text):
        return self.paint(text, "32")

    def red(self, text):
        return self.paint(text, "31")

    def yellow(self, text):
        return self.paint(text, "33")

    def bold(self, text):
        return self.paint(text, "1")

    def dim(self, text):
        return self.paint(text, "2")


def style_for(stream) -> Style:
    colour = hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ
    encoding = (getattr(stream, "encoding", None) or "ascii").lower()
    return Style(bool(colour), encoding.startswith("utf"))


def render(result: GradeResult, style: Style | None = None) -> str:
    style = style or Style(False, True)
    lines = [style.bold(f"Grading {result.submission} at stage {result.stage}") + style.dim(f"  (seed {result.seed})"), ""]
    for stage in STAGES:
        checks = [c for c in result.checks if c.stage == stage.number]
        if not checks:
            continue
        lines.append(style.bold(f"Stage {stage.number}: {stage.slug}"))
        lines += [_summary_line(check, style) for check in checks]
        lines.append("")
    lines.append(_score_line(result, style))
    failures = [c for c in result.checks if c.status == "failed"]
    lines += _next_step(result, style)
    for check in failures:
        lines += ["", *_failure_block(check, style)]
    if result.notes:
        lines += ["", style.bold("Notes from the grader")]
        lines += [f"  - {note}" for note in result.notes]
    if failures and result.server_output.strip():
        lines += ["", style.bold("The end of your server's output (stdout and stderr)")]
        lines += ["  | " + line for line in result.server_output.rstrip().splitlines()[-25:]]
    if result.containment:
        lines += ["", style.dim(f"Graded under {result.containment.removeprefix('sandbox: ')}.")]
    if any(c.reproduce or _reproduce(c) for c in failures):
        lines += ["", style.dim(
            f"To try a request yourself: start your server in a folder with the files "
            f"(--keep-root DIR keeps this run's files) on port {STUDENT_PORT}, e.g. "
            f"`python3 yourfile.py {STUDENT_PORT}`, then run the command shown.")]
    return "\n".join(lines) + "\n"


def _next_step(result: GradeResult, style: Style) -> list[str]:
    """Where to start: the first scored failure, and how many checks wait on it."""
    first = next((c for c in result.checks if c.status == "failed" and not c.advisory), None)
    if first is None:
        return []
    waiting = sum(1 for c in result.checks if c.status == "skipped")
    line = f"Next step: start with {style.bold(first.name)} (details below)"
    if first.cause:
        line += f": {first.cause}"
        explained = sum(1 for c in result.checks if c.caused_by == first.name)
        if explained:
            line += f" (that also explains {explained} later failure(s))"
    if waiting:
        line += f"; {waiting} check(s) could not run until the checks they need pass"
    return [line + "."]


def _summary_line(check: CheckResult, style: Style) -> str:
    if check.advisory:
        mark = style.green(style.marks["passed"]) if check.passed else style.yellow(style.marks["warning"])
        points = "advisory"
    else:
        mark = {
            "passed": style.green(style.marks["passed"]),
            "failed": style.red(style.marks["failed"]),
            "skipped": style.dim(style.marks["skipped"]),
        }[check.status]
        points = f"{format_score(check.score)}/{format_score(check.max_score)}"
    line = f"  {mark} {check.name:<30} {points:>8}  {check.description}"
    if check.status == "skipped":
        line += style.dim(f"  [{check.message}]")
    return line


def _score_line(result: GradeResult, style: Style) -> str:
    failed = sum(1 for c in result.checks if not c.passed and not c.advisory)
    verdict = style.green("every check passed") if result.passed else style.red(f"{failed} check(s) did not pass")
    return style.bold(f"Score: {format_score(result.score)}/{format_score(result.max_score)}") + f"  {verdict}  (graded in {result.execution_time:.1f} s)"


def _failure_block(check: CheckResult, style: Style) -> list[str]:
    title = f" {check.name} " + ("(advisory) " if check.advisory else "")
    return [style.bold(style.rule * 3 + title + style.rule * max(3, 60 - len(title)))] + failure_details(check, style)


def failure_details(check: CheckResult, style: Style | None = None) -> list[str]:
    """What happened, the bytes both ways, what was expected, a hint, how to try it.

    The terminal report and the Gradescope JSON both show exactly this.
    """
    style = style or Style(False, True)
    block = []
    if check.caused_by:
        block.append(style.yellow("Because of: ") + f"{check.cause} (see {check.caused_by}; fix that first)")
    elif check.cause:
        block.append(style.yellow("Cause: ") + check.cause)
    block.append(f"What happened: {check.message}")
    if check.server_note:
        block.append(style.yellow(f"Note: {check.server_note}"))
    client = is_client(check.stage)  # stage 8: the grader is the server, the student's program the client
    if check.sent is not None:
        block.append(f"The grader's server answers ({len(check.sent)} bytes):" if client
                     else f"We sent ({len(check.sent)} bytes):")
        block += _quoted(_shown_response(check.sent) if client else escape_bytes(check.sent, SHOWN_BYTES))
    if check.received is not None:
        who = "Your client" if client else "Your server"
        block.append(f"{who} sent ({len(check.received)} bytes):" if check.received else f"{who} sent nothing.")
        if check.received:
            block += _quoted(escape_bytes(check.received, SHOWN_BYTES) if client else _shown_response(check.received))
    if check.server_said.strip():
        block.append("Meanwhile your client printed on standard error:" if client else "Meanwhile your server printed:")
        block += _quoted("\n".join(check.server_said.rstrip().splitlines()[-12:]))
    if check.expected:
        block.append(f"Expected: {check.expected}")
    if check.hint and not check.caused_by:
        block.append(style.yellow("Hint: ") + check.hint)
    command = check.reproduce or _reproduce(check)
    if command:
        block.append("Try it: " + command)
    return block


def _reproduce(check: CheckResult) -> str:
    """The curl command for a server check; a client check has none (the grader played the server)."""
    return "" if is_client(check.stage) else reproduce_command(check.sent)


def _shown_response(received: bytes) -> str:
    """The head in full (up to a limit), the body cut short."""
    end = received.find(b"\r\n\r\n")
    if end == -1 or end > HEAD_BYTES:
        return escape_bytes(received, SHOWN_BYTES)
    head, body = received[: end + 4], received[end + 4 :]
    return escape_bytes(head) + escape_bytes(body, 300)


def _quoted(text: str) -> list[str]:
    return ["  | " + line for line in text.splitlines()] or ["  |"]




def print_report(result: GradeResult, stream=None) -> None:
    stream = stream or sys.stdout
    stream.write(render(result, style_for(stream)))
    stream.flush()
