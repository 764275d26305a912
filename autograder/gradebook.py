"""The gradebook: one row per student, read back from their results.json, and the CSV.

`batch` writes it and the class report reads it; both use this module (and
neither imports the other for it). Cells: a scored check's points; an
advisory check's `ok` or `warn` (blank when it did not run); the note column
holds only what a TA must act on (a submission not graded, a grading that
failed, a busy machine), not the per-check remarks the student's report has.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.scores import format_score

RESULTS_JSON = "results.json"


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


def results_folder(gradebook: Path) -> Path:
    """GRADEBOOK.csv keeps its per-student files in GRADEBOOK_results/."""
    return gradebook.with_name(gradebook.stem + "_results")


def read_results(path: Path) -> dict | None:
    """The child's results.json when it is a complete Gradescope result, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("tests"), list) and isinstance(data.get("score"), (int, float))
    return data if ok else None


def load_row(results: Path, student: str) -> Row:
    """A student's gradebook row from results/STUDENT/results.json."""
    data = read_results(results / student / RESULTS_JSON)
    if data is None:
        return Row(student, notes=["not graded yet: run batch again with --resume"], graded=False)
    tests = [t for t in data["tests"] if isinstance(t, dict) and "name" in t]
    notes = [line[len("Note: "):] for line in str(data.get("output", "")).splitlines() if line.startswith("Note: ")]
    notes = [note for note in notes if for_the_ta(note)] + _why_it_never_ran(tests)
    return Row(
        student=student,
        score=float(data["score"]),
        max_score=float(sum(t.get("max_score", 0) for t in tests)),
        tests=tests,
        notes=notes,
    )


# The check a submission must pass before anything else can be judged: a server
# that listens, a client that sends its request.
STARTING_CHECKS = ("1.starts-listening", "8.sends-request")


def _why_it_never_ran(tests: list[dict]) -> list[str]:
    """For a submission that never got going, its cause: a 0 in the gradebook should say why."""
    for test in tests:
        if test["name"] in STARTING_CHECKS and test.get("status") == "failed":
            lines = str(test.get("output", "")).splitlines()
            said = next((line[len(prefix):].strip() for prefix in ("Cause: ", "What happened: ")
                         for line in lines if line.startswith(prefix)), "")
            return [f"{test['name']} failed" + (f": {said[:200]}" if said else "")]
    return []


def check_columns(rows: list[Row], stage: int | None = None, course: Path | None = None) -> list[str]:
    """Check names in the order they run (the registry's, or the course's), then any unknown ones."""
    from autograder.checks import all_checks, checks_up_to

    if course is not None and stage is not None:
        from autograder.course import Course

        known = [c.name for c in Course.load(course).checks_for(stage)]
    else:
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
            tests = {test["name"]: test for test in row.tests}
            writer.writerow([
                spreadsheet_safe(row.student), format_score(row.score), format_score(row.max_score),
                *(cell(tests.get(name)) for name in columns),
                spreadsheet_safe("; ".join(row.notes)),
            ])
    temporary.replace(path)


CHECK_NOTE = re.compile(r"^\d+\.[a-z0-9-]+: ")  # "1.large-file: your server exited ...": the student's report has it


def for_the_ta(note: str) -> bool:
    """Whether a grader's note asks something of a TA (the per-check remarks are for the student)."""
    return not CHECK_NOTE.match(note) and not note.startswith("sandbox:")


def cell(test: dict | None) -> str:
    """A check's cell: its points; for an advisory check ok or warn; blank when it did not run."""
    if test is None:
        return ""
    if test.get("max_score", 0) == 0 and not test.get("score"):
        if test.get("status") == "passed":
            return "ok"
        return "" if not_run(test) else "warn"
    return format_score(test.get("score", 0))


def not_run(test: dict) -> bool:
    output = str(test.get("output", ""))
    return "What happened: not run" in output or "What happened: not graded" in output


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (a file named '=cmd|...').

    The usual defence (OWASP, "CSV injection"): a leading quote makes it text.
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def unspreadsheet(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


