"""Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

Top level: score, execution_time, output, tests; each test: name, score,
max_score, status ("passed" or "failed") and output. A check that was not
run counts as failed; an advisory check has max_score 0.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.grading import CheckResult, GradeResult
from autograder.report_terminal import failure_details


def results_json(result: GradeResult) -> dict:
    return {
        "score": result.score,
        "execution_time": round(result.execution_time, 2),
        "output": _overall_output(result),
        "tests": [_test(check) for check in result.checks],
    }


def _test(check: CheckResult) -> dict:
    return {
        "name": check.name,
        "score": check.score,
        "max_score": check.max_score,
        "status": "passed" if check.passed else "failed",
        "output": _check_output(check),
    }


def _check_output(check: CheckResult) -> str:
    heading = check.description + (" (advisory: reported, not scored)" if check.advisory else "")
    if check.passed:
        return heading
    return "\n".join([heading, *failure_details(check)])


def _overall_output(result: GradeResult) -> str:
    failed = [c.name for c in result.checks if not c.passed and not c.advisory]
    lines = [
        f"Stage {result.stage}: {result.score:g}/{result.max_score:g} points"
        + ("; every check passed." if not failed else f"; {len(failed)} check(s) did not pass: {', '.join(failed)}."),
        f"Seed {result.seed} (grade again with --seed {result.seed} to get the same files).",
    ]
    lines += [f"Note: {note}" for note in result.notes]
    if failed and result.server_output.strip():
        lines += ["The end of your server's output:", result.server_output.rstrip()[-2000:]]
    return "\n".join(lines)


def write_results_json(result: GradeResult, path: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(results_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
