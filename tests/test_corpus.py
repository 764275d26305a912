"""The grader's quality, measured by what it catches.

tests/corpus/ holds buggy servers (each ONE realistic student mistake, with
the check that must catch it) and correct-but-different servers (unusual but
allowed; they must pass every scored check). See tests/corpus/mutations.py.

Each variant is graded once, with a fixed seed. For a buggy variant that
declares `passes_stage`, "passes the stage before" is read from the same run:
grading at stage N runs the checks of stages 1..N in order, so the checks of
stages <= passes_stage are exactly what grading at that stage would report.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.mutations import BUGGY, CORRECT, CORPUS, VARIANTS, EditDoesNotApply, materialise, source

SEED = 1
ARCHITECTURE = Path(__file__).resolve().parents[1] / "autograder" / "ARCHITECTURE.md"

# Mistakes the grader does not catch yet. Each is a real student mistake, so
# the test stays and documents the gap; strict=True makes a fix show up as
# XPASS so the entry is removed. Reasons say what the grader would need.
KNOWN_GAPS: dict[str, str] = {}


def grade_module():
    return pytest.importorskip("autograder.grading", reason="the grader has not landed yet")


def scored_names() -> set[str]:
    """Scored check names: from the registry when it exists, else from ARCHITECTURE.md."""
    try:
        from autograder.checks import all_checks
    except ImportError:
        text = ARCHITECTURE.read_text(encoding="utf-8")
        return {
            match.group(1)
            for match in re.finditer(r"^- `(\d\.[a-z0-9-]+)`(.*)$", text, re.MULTILINE)
            if "(advisory)" not in match.group(2)
        }
    return {c.name for c in all_checks() if not c.advisory}


def all_names() -> set[str]:
    try:
        from autograder.checks import all_checks
    except ImportError:
        return set(re.findall(r"^- `(\d\.[a-z0-9-]+)`", ARCHITECTURE.read_text(encoding="utf-8"), re.MULTILINE))
    return {c.name for c in all_checks()}


def describe(result) -> str:
    """Every check that did not pass, for the assertion message."""
    lines = [f"graded {Path(result.submission).name} at stage {result.stage}, seed {result.seed}:"]
    for c in result.checks:
        if c.status != "passed":
            tag = " (advisory)" if c.advisory else ""
            message = " ".join(c.message.split())[:300]
            lines.append(f"  {c.status:7} {c.name}{tag}: {message}")
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines)


def gap(variant):
    reason = KNOWN_GAPS.get(variant.name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(variant, id=variant.name, marks=marks)


# -- the corpus itself (no grader needed) ------------------------------------


def test_names_are_unique():
    names = [v.name for v in VARIANTS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_every_edit_applies_exactly_once_and_compiles(variant):
    text = source(variant)  # raises EditDoesNotApply when a base drifted
    compile(text, variant.name, "exec")
    if variant.edits:
        base = (CORPUS / variant.base).read_text(encoding="utf-8")
        assert base not in text, "the edits changed nothing"


def test_an_edit_that_does_not_apply_is_refused():
    broken = BUGGY[0].__class__(name="x", base="base_stage3.py", stage=1, story="", edits=(("no such text", ""),))
    with pytest.raises(EditDoesNotApply):
        source(broken)


def test_expectations_name_real_checks():
    known = all_names()
    for variant in VARIANTS:
        named = set(variant.fails) | set(variant.advisory_fails)
        assert named <= known, f"{variant.name} names unknown checks {named - known}"
        if variant.buggy:
            assert all(int(name[0]) <= variant.stage for name in variant.fails), variant.name
            assert variant.passes_stage is None or variant.passes_stage < variant.stage


def test_every_scored_check_is_the_expected_failure_of_some_buggy_server():
    caught = {name for variant in BUGGY for name in variant.fails}
    # Stage 8 is a client, not a server: tests/test_client_corpus.py holds its buggy clients.
    servers = {name for name in scored_names() if not name.startswith("8.")}
    missing = sorted(servers - caught)
    assert not missing, f"no buggy server exercises {missing}: add a realistic mistake for each"


@pytest.mark.parametrize("packaging", ["file", "noext", "folder", "zip"])
def test_materialise_writes_every_packaging(tmp_path, packaging):
    variant = next(v for v in CORRECT if v.packaging == packaging)
    path = materialise(variant, tmp_path)
    assert path.exists()


# -- grading the corpus --------------------------------------------------------


@pytest.mark.parametrize("variant", [gap(v) for v in BUGGY])
def test_buggy_server_is_caught(variant, tmp_path):
    grading = grade_module()
    result = grading.grade(materialise(variant, tmp_path), variant.stage, seed=SEED)
    by_name = {c.name: c for c in result.checks}
    report = describe(result)
    for name in variant.fails:
        assert name in by_name, f"{name} was not run at stage {variant.stage}\n{report}"
        assert by_name[name].status == "failed", (
            f"{variant.name} ({variant.story}) should fail {name}, which is {by_name[name].status}\n{report}"
        )
    assert not result.passed and result.score < result.max_score, report
    if variant.passes_stage is not None:
        earlier = [c.name for c in result.checks if c.stage <= variant.passes_stage and not c.advisory and not c.passed]
        assert not earlier, f"the mistake should not show before stage {variant.stage + 0}: {earlier}\n{report}"
    for name in variant.advisory_fails:
        assert by_name[name].advisory and by_name[name].status == "failed", report


# One buggy server per stage is also graded at the stage before, on its own: the
# same-run reading above covers every variant, this keeps it honest.
PASSES_ALONE = ["exits-after-404", "echo-keys-sorted", "pool-of-four", "banner-on-import", "listing-not-sorted"]


@pytest.mark.parametrize("name", PASSES_ALONE)
def test_buggy_server_passes_the_stage_before(name, tmp_path):
    grading = grade_module()
    variant = next(v for v in BUGGY if v.name == name)
    assert variant.passes_stage == variant.stage - 1
    result = grading.grade(materialise(variant, tmp_path), variant.passes_stage, seed=SEED)
    assert {c.stage for c in result.checks} == set(range(1, variant.stage))
    assert result.passed and result.score == result.max_score, describe(result)


@pytest.mark.parametrize("variant", [gap(v) for v in CORRECT])
def test_correct_but_different_server_passes(variant, tmp_path):
    grading = grade_module()
    result = grading.grade(materialise(variant, tmp_path), variant.stage, seed=SEED)
    report = describe(result)
    failed = [c.name for c in result.checks if not c.advisory and not c.passed]
    assert not failed, f"{variant.name} ({variant.story}) is correct but failed {failed}\n{report}"
    assert result.passed and result.score == result.max_score, report
    warned = {c.name for c in result.checks if c.advisory and not c.passed}
    assert warned == set(variant.advisory_fails), f"advisory warnings {sorted(warned)}\n{report}"


@pytest.mark.parametrize(
    "name, exit_code",
    [("echo-not-escaped", 1), ("base-stage3", 0)],
)
def test_command_line_json_agrees(name, exit_code, tmp_path):
    grade_module()
    variant = next(v for v in VARIANTS if v.name == name)
    path = materialise(variant, tmp_path / "submission")
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(path), "--stage", str(variant.stage), "--json", "-"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert completed.returncode == exit_code, completed.stdout[-2000:] + completed.stderr[-2000:]
    results = json.loads(completed.stdout)
    statuses = {test["name"]: test["status"] for test in results["tests"]}
    for check in variant.fails:
        assert statuses[check] == "failed", statuses
    if exit_code == 0:
        assert results["score"] == sum(test["max_score"] for test in results["tests"])
