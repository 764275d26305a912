"""The portable runner (no fork, resource, fcntl or /proc), forced on Linux: the same grades.

Students on Windows and macOS grade with the portable runner (portable.py);
here, on Linux, it is forced with LABGRADE_SANDBOX=portable and must give
what the full sandbox gives: full marks for every reference solution, 0 of
its own stage for every skeleton, and for every realistic submission exactly
the failures its manifest lists. Processes it starts are gone afterwards.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from autograder.grading import grade
from autograder.stages import STAGES
from realistic.manifest import SUBMISSIONS

REALISTIC = Path(__file__).resolve().parent / "realistic"


@pytest.fixture(autouse=True)
def portable(monkeypatch):
    monkeypatch.setenv("LABGRADE_SANDBOX", "portable")


@pytest.mark.parametrize("stage", STAGES, ids=[s.slug for s in STAGES])
def test_every_solution_gets_full_marks(stage):
    result = grade(stage.solution, stage.number, seed=3)
    assert result.containment.startswith("sandbox: portable runner")
    assert result.score == result.max_score, [(c.name, c.message) for c in result.checks if not c.passed]


@pytest.mark.load_bearing
@pytest.mark.parametrize("stage", STAGES, ids=[s.slug for s in STAGES])
def test_every_skeleton_earns_nothing_at_its_own_stage(stage):
    result = grade(stage.skeleton, stage.number, seed=3)
    assert sum(c.score for c in result.checks if c.stage == stage.number) == 0


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=[s.path for s in SUBMISSIONS])
def test_realistic_submissions_fail_exactly_as_in_the_sandbox(submission):
    result = grade(REALISTIC / submission.path, submission.stage, seed=11)
    failed = {c.name for c in result.checks if not c.passed and not c.advisory}
    assert failed == set(submission.fails)
    for cause in submission.causes:
        if cause.key:
            assert result.checks[[c.name for c in result.checks].index(cause.first)].cause_key.startswith(cause.key)


def test_a_child_in_the_servers_group_is_stopped_when_the_run_ends(tmp_path):
    server = tmp_path / "server.py"
    server.write_text(
        "import subprocess, sys, socket\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        "print('CHILD', child.pid, flush=True)\n"
        "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
        "while True:\n"
        "    c, _ = s.accept(); c.close()\n", encoding="utf-8")
    result = grade(server, 1, seed=3)
    pid = int(re.search(r"CHILD (\d+)", result.server_output).group(1))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"the server's child {pid} outlived the run")
