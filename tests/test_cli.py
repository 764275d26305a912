"""The grader's command line, as contract §5 states it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGE5 = ROOT / "solutions" / "stage5_post.py"
STAGE1 = ROOT / "solutions" / "stage1_file_server.py"


def grader(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )


def test_reference_solution_graded_at_stage_5_passes_with_gradescope_json():
    run = grader("grade", STAGE5, "--stage", "5", "--json", "-", "--seed", "7")
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert set(results) >= {"score", "execution_time", "output", "tests"}
    assert results["execution_time"] < 15  # the contract's bound for a correct submission
    names = [test["name"] for test in results["tests"]]
    assert len(names) == len(set(names))
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output"}
        assert test["status"] == "passed", test
        assert test["name"].split(".")[0] in "12345"
    assert results["score"] == sum(t["max_score"] for t in results["tests"])
    assert "2.missing-file-404" in names and "5.delegate-error-500" in names
    # the terminal report went to stderr, one line per check
    assert all(name in run.stderr for name in names)


def test_stage_slug_and_json_file(tmp_path):
    out = tmp_path / "results.json"
    run = grader("grade", STAGE1, "--stage", "file-server", "--json", out)
    assert run.returncode == 0, run.stdout
    results = json.loads(out.read_text())
    assert results["tests"] and all(t["name"].startswith("1.") for t in results["tests"])
    assert "Score:" in run.stdout


def test_a_failing_submission_exits_1_and_explains(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text(STAGE1.read_text().replace("Content-Length", "Content-Lenght"))
    run = grader("grade", broken, "--stage", "1", "--json", tmp_path / "r.json")
    assert run.returncode == 1
    report = run.stdout
    assert "1.content-length" in report
    for part in ("What happened:", "We sent", "Your server sent", "Expected:", "Hint:", "Try it: curl"):
        assert part in report, part
    results = json.loads((tmp_path / "r.json").read_text())
    failed = {t["name"] for t in results["tests"] if t["status"] == "failed"}
    assert "1.content-length" in failed
    assert results["score"] < sum(t["max_score"] for t in results["tests"])


@pytest.mark.parametrize("args", [
    ["grade", "no/such/file.py", "--stage", "1"],
    ["grade", str(STAGE1), "--stage", "9"],
    ["grade", str(STAGE1), "--stage", "nonsense"],
])
def test_cannot_grade_exits_2(args):
    run = grader(*args)
    assert run.returncode == 2
    assert run.stderr.strip()


def test_no_colour_when_not_a_terminal():
    run = grader("grade", STAGE1, "--stage", "1")
    assert "\033[" not in run.stdout
