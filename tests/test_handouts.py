"""The handouts in stages/ agree with the grader and with the solutions.

- each handout's check table lists exactly its stage's checks, with the
  registry's points (advisory checks as "advisory"), and its point totals
  are the registry's sums;
- each handout's "What you write" table names the function of every
  `#Fill in` block of its stage's solution, once per block;
- each handout shows the command that grades its skeleton at its stage.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from autograder.skeletons import find_blocks

PROJECT = Path(__file__).resolve().parent.parent
STAGES_DIR = PROJECT / "stages"
NAMES = {
    1: "stage1_file_server",
    2: "stage2_not_found",
    3: "stage3_query_echo",
    4: "stage4_threaded",
    5: "stage5_post",
    6: "stage6_directories",
    7: "stage7_cgi",
    8: "stage8_client",  # a client, graded on its own
}
STANDALONE = {8}  # graded on their own checks only: no cumulative total
CLIENTS = {8}  # run as `python3 FILE HOST PORT PATH`, not `FILE PORT`
CHECK_ROW = re.compile(r"^\| `(\d\.[a-z0-9-]+)` \| ([^|]+?) \|", re.MULTILINE)
FUNCTION_ROW = re.compile(r"^\| `(\w+)` \|", re.MULTILINE)

stage_numbers = pytest.mark.parametrize("stage", sorted(NAMES), ids=lambda s: f"stage{s}")


def handout(stage: int) -> str:
    return (STAGES_DIR / f"{NAMES[stage]}.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next `## `."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def registry_checks(stage: int) -> dict[str, str]:
    checks = pytest.importorskip("autograder.checks")
    return {
        check.name: "advisory" if check.advisory else f"{check.points:g}"
        for check in checks.all_checks()
        if check.stage == stage
    }


def stage_points(stage: int) -> float:
    checks = pytest.importorskip("autograder.checks")
    return sum(c.points for c in checks.all_checks() if c.stage == stage and not c.advisory)


@stage_numbers
def test_check_table_matches_the_registry(stage):
    rows = CHECK_ROW.findall(section(handout(stage), "The checks"))
    listed = {name: points.strip() for name, points in rows}
    assert len(rows) == len(listed), "a check is listed twice"
    assert listed == registry_checks(stage)


@stage_numbers
def test_point_totals_match_the_registry(stage):
    text = section(handout(stage), "The checks")
    own = stage_points(stage)
    assert f"Stage {stage} is worth {own:g} points" in text
    if stage > 1 and stage not in STANDALONE:
        cumulative = sum(stage_points(s) for s in NAMES if s <= stage and s not in STANDALONE)
        assert f"({cumulative:g} " in text


def test_overview_points_match_the_registry():
    overview = (STAGES_DIR / "README.md").read_text(encoding="utf-8")
    for stage, name in NAMES.items():
        row = next(line for line in overview.splitlines() if f"`{name}.py`" in line)
        assert row.rstrip(" |").endswith(f"| {stage_points(stage):g}"), row


def block_functions(stage: int) -> Counter:
    """The function around each #Fill in block of the stage's solution."""
    source = (PROJECT / "solutions" / f"{NAMES[stage]}.py").read_text(encoding="utf-8")
    functions = [
        node for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    found = Counter()
    for block in find_blocks(source):
        around = [f for f in functions if f.lineno <= block.start_line <= f.end_lineno]
        found[max(around, key=lambda f: f.lineno).name] += 1
    return found


@stage_numbers
def test_what_you_write_lists_every_block(stage):
    rows = FUNCTION_ROW.findall(section(handout(stage), "What you write"))
    assert Counter(rows) == block_functions(stage)


@stage_numbers
def test_handout_shows_how_to_run_and_grade_the_skeleton(stage):
    text = handout(stage)
    assert f"python -m autograder grade skeletons/{NAMES[stage]}.py --stage {stage}" in text
    if stage in CLIENTS:
        assert f"python3 ../skeletons/{NAMES[stage]}.py 127.0.0.1 8080" in text
    else:
        assert f"python3 ../skeletons/{NAMES[stage]}.py 8080" in text
    assert "## Classic mistakes" in text


def test_stage4_keeps_room_for_the_benchmark():
    assert "\n## How fast is it?\n" in handout(4)
