"""Course files (autograder/course.py): a course shaped its own way grades its own way."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autograder.course import EXAMPLES, Course, CourseError
from autograder.grading import grade
from autograder.stages import get_stage

KUROSE = EXAMPLES / "kurose-ross.toml"
LADDER = EXAMPLES / "kit-ladder.toml"


def write(tmp_path, text):
    path = tmp_path / "course.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_kurose_course_grades_threads_without_the_echo_page():
    course = Course.load(KUROSE)
    names = [c.name for c in course.checks_for(4)]
    assert not [n for n in names if n.startswith(("3.", "5."))]
    assert {"1.large-file", "2.missing-file-404", "4.stalled-client"} <= set(names)
    assert course.hand_in == "webserver.py"


def test_points_per_stage_are_spread_over_its_checks_and_add_up():
    course = Course.load(KUROSE)
    totals = {}
    for check in course.checks_for(4):
        totals[check.stage] = totals.get(check.stage, 0) + check.points
    assert totals == {1: pytest.approx(50), 2: pytest.approx(20), 4: pytest.approx(30)}


def test_points_per_check_and_checks_left_out(tmp_path):
    path = write(tmp_path, """
[[stage]]
kit = 1
leave_out = ["1.query-ignored"]
[stage.check_points]
"1.large-file" = 10
""")
    checks = {c.name: c for c in Course.load(path).checks_for(1)}
    assert "1.query-ignored" not in checks
    assert checks["1.large-file"].points == 10


def test_the_kit_ladder_file_is_the_default():
    assert [(c.name, c.points) for c in Course.load(LADDER).checks_for(5)] == \
        [(c.name, c.points) for c in Course.default().checks_for(5)]


@pytest.mark.parametrize("text, complaint", [
    ("[[stage]]\nkit = 9\n", "unknown stage"),
    ("[[stage]]\nkit = 1\nleave_out = ['1.nope']\n", "not a check of kit stage 1"),
    ("[[stage]]\nkit = 1\nleave_out = ['1.responds']\n", "needs 1.responds"),
    ("[[stage]]\nkit = 5\n", "5.post-echo needs 1.responds"),
    ("[[stage]]\nkit = 1\npoints = 'ten'\n", "points must be a number"),
    ("[[stage]]\nkit = 1\ncolour = 'red'\n", "unknown key"),
    ("[course]\nname = 'x'\n", "no [[stage]] tables"),
    ("[[stage]\n", "not valid TOML"),
])
def test_a_broken_course_file_says_where_and_why(tmp_path, text, complaint):
    with pytest.raises(CourseError, match=complaint.replace("[", r"\[")):
        Course.load(write(tmp_path, text))


@pytest.mark.load_bearing
@pytest.mark.parametrize("course_file, stage", [(KUROSE, 1), (KUROSE, 2), (KUROSE, 4)])
def test_each_example_course_grades_the_reference_solutions_to_full_marks(course_file, stage):
    course = Course.load(course_file)
    result = grade(get_stage(stage).solution, stage, seed=5, course=course)
    assert result.score == result.max_score, [(c.name, c.message) for c in result.checks if not c.passed]
    assert {c.name for c in result.checks} == {c.name for c in course.checks_for(stage)}


@pytest.mark.load_bearing
@pytest.mark.parametrize("stage", [1, 2, 4])
def test_each_example_courses_skeleton_earns_nothing_at_its_own_stage(stage):
    result = grade(get_stage(stage).skeleton, stage, seed=5, course=Course.load(KUROSE))
    own = [c for c in result.checks if c.stage == stage and not c.advisory]
    assert own and sum(c.score for c in own) == 0, [(c.name, c.score) for c in own if c.score]


def test_the_hand_in_name_is_the_entry_point_of_a_folder(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "webserver.py").write_text((get_stage(1).solution).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "helpers.py").write_text("print('helper')\n", encoding="utf-8")
    (folder / "test_webserver.py").write_text("import webserver\n", encoding="utf-8")
    result = grade(folder, 1, seed=5, course=Course.load(KUROSE))
    assert result.score == result.max_score


def test_the_command_line_takes_a_course_and_refuses_a_stage_it_does_not_have(tmp_path):
    command = [sys.executable, "-m", "autograder", "grade", str(get_stage(1).solution), "--course", str(KUROSE)]
    done = subprocess.run(command + ["--stage", "3"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "has no stage 3" in done.stderr
    done = subprocess.run(command + ["--stage", "1", "--json", "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["score"] == 50.0 and isinstance(results["score"], float)
