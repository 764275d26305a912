"""The grader on realistic student code: root causes, no false accusations, same score every time.

tests/realistic/ holds submissions written the way students write them
(Kurose-style file servers, threaded variants, serve/handle_connection/
delegate homework; 30-90 lines, several faults at once, some that never
start). manifest.py says, for each, the faults it has and where each must be
named. Each is graded three times: once on its own, then twice at once with
other seeds while a process keeps a core busy. Every run must give:

- exactly the failures in `fails` (any other failing check accuses code that
  does that thing right; a correct submission gets full marks);
- each fault named in its first failing check, in the student's terms, and
  every later failure it explains pointing back there ("because of ... (see
  CHECK)") with no hint of its own;
- the same score and the same failed checks as the other runs.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autograder.grading import grade
from realistic.manifest import SUBMISSIONS

HERE = Path(__file__).resolve().parent / "realistic"
SEEDS = (11, 22, 33)
BUSY = "import time\nend = time.monotonic() + 120\nwhile time.monotonic() < end:\n    pass\n"


def failed_checks(result) -> set[str]:
    return {c.name for c in result.checks if not c.passed and not c.advisory}


def explain(result) -> str:
    lines = [f"{Path(result.submission).name} at stage {result.stage}, seed {result.seed}: {result.score:g}"]
    for c in result.checks:
        if not c.passed and not c.advisory:
            lines.append(f"  {c.status} {c.name}: {' '.join(c.message.split())[:160]}")
            if c.cause:
                lines.append(f"      [{c.cause_key}] {'<- ' + c.caused_by if c.caused_by else ''} {c.cause[:200]}")
    return "\n".join(lines)


def grade_three_times(submission) -> list:
    path = HERE / submission.path
    results = [grade(path, submission.stage, seed=SEEDS[0])]
    busy = subprocess.Popen([sys.executable, "-c", BUSY])
    try:
        parallel: dict[int, object] = {}
        workers = [threading.Thread(target=lambda s=seed: parallel.__setitem__(s, grade(path, submission.stage, seed=s)))
                   for seed in SEEDS[1:]]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        busy.kill()
        busy.wait()
    return results + [parallel[seed] for seed in SEEDS[1:]]


@pytest.fixture(scope="module")
def graded():
    cache: dict[str, list] = {}

    def results_for(submission):
        if submission.path not in cache:
            cache[submission.path] = grade_three_times(submission)
        return cache[submission.path]

    return results_for


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=[s.path for s in SUBMISSIONS])
def test_realistic_submission(submission, graded):
    results = graded(submission)
    first = results[0]
    for result in results:
        # 1. No false accusation, nothing missed.
        assert failed_checks(result) == set(submission.fails), explain(result)
        if submission.correct:
            assert result.score == result.max_score, explain(result)
        # 2. Each fault named once, where it first shows; later failures point back to it.
        by_name = {c.name: c for c in result.checks}
        for cause in submission.causes:
            named = by_name[cause.first]
            if cause.key is None:  # the check's own message names it
                assert not named.passed and all(words in named.message for words in cause.says), explain(result)
                continue
            assert named.cause_key.startswith(cause.key) and not named.caused_by, (cause, explain(result))
            for words in cause.says:
                assert words in named.cause, (cause, named.cause)
            assert named.hint, f"{cause.first} names {cause.key} but gives no hint"
            for later in result.checks:
                if later is not named and later.cause_key == named.cause_key and not later.passed:
                    assert later.caused_by == named.name and not later.hint, explain(result)
        for check in result.checks:
            assert not check.caused_by or by_name[check.caused_by].cause_key == check.cause_key
    # 3. Same code, same score: seeds differ, two runs shared the machine with a busy process.
    assert {r.score for r in results} == {first.score}, [explain(r) for r in results]
    assert all(failed_checks(r) == failed_checks(first) for r in results), [explain(r) for r in results]


def test_every_submission_is_in_the_manifest():
    listed = {s.path for s in SUBMISSIONS}
    present = {p.name for p in HERE.iterdir() if p.name not in ("README.md", "manifest.py", "model.py", "__init__.py",
                                                                 "__pycache__")}
    assert present == listed


def test_the_corpus_covers_correct_and_faulty_code():
    correct = [s for s in SUBMISSIONS if s.correct]
    assert len(correct) >= 5 and len(SUBMISSIONS) - len(correct) >= 25
    assert all(s.causes for s in SUBMISSIONS if not s.correct), [s.path for s in SUBMISSIONS if not s.causes and s.fails]
