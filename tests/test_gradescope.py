"""The Gradescope bundle (autograder/gradescope_bundle.py), run end to end.

The bundle is built, unpacked into a fake /autograder in tmp_path, set up
with its own setup.sh (without apt), and run_autograder grades a submission
there as Gradescope would.

setup.sh pip-installs the bundle's requirements.txt. Here it installs them
offline, from a folder of wheels that the `wheelhouse` fixture downloads first
with this project's own pip: nothing may come from the machine's own Python,
whose site-packages setup.sh's virtual environment can see. (It once passed
only because someone had installed tqdm there by hand.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import gradescope_bundle
from autograder.checks import checks_up_to
from autograder.cli import main as cli_main

PROJECT = Path(__file__).resolve().parent.parent
STAGE = 1
STAGE_MAX = sum(c.points for c in checks_up_to(STAGE))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert cli_main(["gradescope", "--stage", str(STAGE), "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def wheelhouse(bundle, tmp_path_factory) -> Path:
    """Wheels of every requirement the bundle names, downloaded by this project's pip."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    with zipfile.ZipFile(bundle) as archive:
        (folder / "requirements.txt").write_bytes(archive.read("kit/requirements.txt"))
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:",
         "--dest", str(folder), "-r", str(folder / "requirements.txt")],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert download.returncode == 0, download.stdout + download.stderr
    assert list(folder.glob("*.whl")), "pip download fetched no wheel"
    return folder


@pytest.fixture(scope="module")
def installed(bundle, wheelhouse, tmp_path_factory) -> dict:
    """A fake /autograder: source/ unpacked, setup.sh run, run_autograder in place."""
    root = tmp_path_factory.mktemp("autograder")
    source = root / "source"
    unpack(bundle, source)
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_PYTHON": sys.executable,
        "AUTOGRADER_SKIP_APT": "1",
        # Offline: every requirement must come from the wheelhouse.
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
    }
    setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, check=False, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    shutil.copy2(source / "run_autograder", root / "run_autograder")  # where Gradescope puts it
    env.pop("AUTOGRADER_PYTHON")
    return {"root": root, "source": source, "env": env, "setup": setup}


def unpack(bundle: Path, target: Path) -> None:
    """Unpack keeping the Unix modes, as Gradescope's unzip does."""
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            archive.extract(info, target)
            mode = info.external_attr >> 16 & 0o777
            if mode:
                os.chmod(target / info.filename, mode)


def grade(installed: dict, files: dict[str, bytes], **env) -> tuple[subprocess.CompletedProcess, dict]:
    root = installed["root"]
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for name, data in files.items():
        (submission / name).write_bytes(data)
    run = subprocess.run(["bash", str(root / "run_autograder")], env={**installed["env"], **env},
                         check=False, capture_output=True, text=True, timeout=180)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    return run, results


def test_bundle_holds_scripts_grader_and_document_root_but_no_solutions(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        run_script = archive.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "kit/pyproject.toml", "kit/requirements.txt",
            "kit/autograder/grading.py", "kit/autograder/checks/stage1.py", "kit/www/HelloWorld.html"} <= names
    assert not [n for n in names if "solutions/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert f"STAGE={STAGE}\n" in run_script


def test_bundle_is_reproducible(bundle, tmp_path):
    again = gradescope_bundle.build(STAGE, tmp_path / "again.zip")
    assert again.read_bytes() == bundle.read_bytes()


def test_scripts_are_valid_bash(bundle, tmp_path):
    unpack(bundle, tmp_path)
    for name in ("setup.sh", "run_autograder"):
        check = subprocess.run(["bash", "-n", str(tmp_path / name)], check=False, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_setup_installs_the_bundled_grader(installed):
    venv_python = installed["root"] / "venv" / "bin" / "python"
    where = subprocess.run(
        [str(venv_python), "-c", "import autograder, autograder.stages as s; print(autograder.__file__); print(s.WWW)"],
        check=False, capture_output=True, text=True, timeout=60, cwd=installed["root"],
    )
    package, www = where.stdout.split()
    assert Path(package).is_relative_to(installed["source"] / "kit"), "the bundle's grader, not this checkout's"
    assert Path(www) == installed["source"] / "kit" / "www"
    assert "installed" in installed["setup"].stdout
    tqdm = subprocess.run([str(venv_python), "-c", "import tqdm; print(tqdm.__file__)"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert tqdm.returncode == 0, tqdm.stderr
    assert Path(tqdm.stdout.strip()).is_relative_to(installed["root"] / "venv"), "setup.sh installed the requirements"


def test_run_autograder_grades_a_correct_submission(installed):
    solution = (PROJECT / "solutions" / "stage1_file_server.py").read_bytes()
    run, results = grade(installed, {"server.py": solution})
    assert run.returncode == 0, run.stdout + run.stderr
    assert results["score"] == STAGE_MAX
    assert [t["name"] for t in results["tests"]] == [c.name for c in checks_up_to(STAGE)]
    assert all(t["status"] == "passed" for t in results["tests"])


def test_run_autograder_grades_a_broken_submission_as_failing(installed):
    run, results = grade(installed, {"webserve.py": b"print('I forgot to listen')\n"})
    assert run.returncode == 0
    assert results["score"] < STAGE_MAX
    failed = {t["name"] for t in results["tests"] if t["status"] == "failed"}
    assert "1.starts-listening" in failed
    listening = next(t for t in results["tests"] if t["name"] == "1.starts-listening")
    assert "Hint:" in listening["output"]


def test_run_autograder_reports_a_grader_that_cannot_run(installed):
    run, results = grade(installed, {"server.py": b"x = 1\n"}, AUTOGRADER_PYTHON="/bin/false")
    assert run.returncode == 0
    assert results["score"] == 0 and results["tests"] == []
    assert "could not grade this submission (exit status 1)" in results["output"]
