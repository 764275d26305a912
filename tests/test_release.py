"""The student release: everything students need up to a stage, and no solution in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import release
from autograder.course import EXAMPLES, Course
from autograder.stages import PROJECT_ROOT, STAGES, get_stage

KUROSE = EXAMPLES / "kurose-ross.toml"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "lab"
    release.write(out, 4, Course.load(KUROSE), course_file=KUROSE)
    return out


def solution_only_lines() -> set[str]:
    """Lines of the solutions that no skeleton has: the code students are to write."""
    skeleton = {line.strip() for s in STAGES for line in s.skeleton.read_text(encoding="utf-8").splitlines()}
    # The grader is ordinary Python too: `except subprocess.TimeoutExpired:` in the CGI
    # solution and in the runner is a coincidence, not a leak.
    grader = {line.strip() for path in (PROJECT_ROOT / "autograder").rglob("*.py")
              for line in path.read_text(encoding="utf-8").splitlines()}
    only = set()
    for stage in STAGES:
        for line in stage.solution.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            # (short lines such as `worker.start()` are ordinary Python that handouts and the grader use too)
            if len(text) > 20 and text not in skeleton and text not in grader and not text.startswith("#"):
                only.add(text)
    return only


def test_the_release_holds_the_courses_stages_and_nothing_of_the_others(released):
    names = sorted(p.name for p in (released / "skeletons").iterdir())
    assert names == ["stage1_file_server.py", "stage2_not_found.py", "stage4_threaded.py"]
    assert sorted(p.name for p in (released / "stages").iterdir()) == [
        "stage1_file_server.md", "stage2_not_found.md", "stage4_threaded.md"]
    for needed in ("www/HelloWorld.html", "autograder/grading.py", "course.toml", "README.md", "LICENSE",
                   "pyproject.toml", ".github/workflows/grade.yml"):
        assert (released / needed).is_file(), needed
    for absent in ("solutions", "notebooks", "tests", "bench"):
        assert not (released / absent).exists(), absent


def test_no_line_of_solution_code_is_in_the_release(released):
    only = solution_only_lines()
    assert len(only) > 30  # the solutions hold plenty of code that skeletons leave out
    leaks = []
    for path in released.rglob("*"):
        if path.is_file():
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
                if line.strip() in only:
                    leaks.append(f"{path.relative_to(released)}:{number}: {line.strip()}")
    assert not leaks, "\n".join(leaks[:20])


def test_a_full_release_of_the_ladder_leaks_nothing_either(tmp_path):
    out = release.write(tmp_path / "ladder", 7)
    only = solution_only_lines()
    assert not [p for p in out.rglob("*.py") if any(l.strip() in only for l in p.read_text(encoding="utf-8").splitlines())]
    assert (out / "skeletons" / "stage7_cgi.py").is_file()


def test_release_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        release.write(tmp_path, 1)


def test_the_workflow_is_valid_yaml_with_the_expected_steps(released):
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((released / release.WORKFLOW_PATH).read_text(encoding="utf-8"))
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in on
    steps = workflow["jobs"]["grade"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/checkout") and any(u.startswith("actions/upload-artifact") for u in uses)
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "pip install -q -e ." in runs and "GITHUB_STEP_SUMMARY" in runs
    assert "grade webserver.py --course course.toml --stage 4 --json results.json" in runs


def released_grader(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The release's own grader (not this checkout's), as its README says to run it."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([sys.executable, "-m", "autograder", *arguments], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.load_bearing
def test_the_released_grader_grades_a_solution_and_a_skeleton(released, tmp_path):
    where = released_grader(released, "--help")
    assert where.returncode == 0
    shutil.copy(get_stage(4).solution, released / "webserver.py")
    try:
        done = released_grader(released, "grade", "webserver.py", "--course", "course.toml", "--stage", "4")
        assert done.returncode == 0, done.stdout[-2000:]
        assert "Score: 100/100" in done.stdout
        shutil.copy(released / "skeletons" / "stage1_file_server.py", released / "webserver.py")
        done = released_grader(released, "grade", "webserver.py", "--course", "course.toml", "--stage", "1")
        assert done.returncode == 1 and "Score: 0/50" in done.stdout, done.stdout[-2000:]
        no_solution = released_grader(released, "serve", "--stage", "1")
        assert no_solution.returncode == 2 and "no reference solutions" in no_solution.stderr
    finally:
        (released / "webserver.py").unlink(missing_ok=True)


@pytest.mark.load_bearing
def test_the_workflows_commands_grade_correctly_in_a_fresh_venv(released, tmp_path):
    """What the GitHub job runs, run here: a fresh venv, pip install -e ., grade."""
    lab = tmp_path / "lab"
    shutil.copytree(released, lab)
    shutil.copy(get_stage(2).solution, lab / "webserver.py")
    made = subprocess.run([sys.executable, "-m", "venv", str(lab / ".venv")], capture_output=True, text=True, timeout=120)
    if made.returncode != 0:
        pytest.skip(f"python -m venv does not work here: {made.stderr[-300:]}")
    python = lab / ".venv" / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", "."], cwd=lab,
                               capture_output=True, text=True, timeout=300)
    if installed.returncode != 0 and "Could not find a version" in installed.stderr + installed.stdout:
        pytest.skip("no package index reachable to install tqdm: " + installed.stderr[-300:])
    assert installed.returncode == 0, installed.stderr[-2000:]
    done = subprocess.run([str(python), "-m", "autograder", "grade", "webserver.py", "--course", "course.toml",
                           "--stage", "2", "--json", "results.json"], cwd=lab, capture_output=True, text=True,
                          timeout=120, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (lab / "results.json").is_file() and "Score: 70/70" in done.stdout
