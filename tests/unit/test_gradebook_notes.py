"""The gradebook's note column: a submission that never started says why (autograder/gradebook.py)."""

import json

from autograder import gradebook


def write_results(folder, student, tests, output=""):
    (folder / student).mkdir(parents=True)
    data = {"score": sum(t["score"] for t in tests), "execution_time": 1.0, "output": output, "tests": tests}
    (folder / student / gradebook.RESULTS_JSON).write_text(json.dumps(data), encoding="utf-8")


def test_a_server_that_never_listened_gets_its_cause_in_the_note(tmp_path):
    write_results(tmp_path, "eve", [
        {"name": "1.starts-listening", "score": 0, "max_score": 2, "status": "failed",
         "output": "Cause: this is Python 2: print without parentheses on line 1\nWhat happened: it exited"},
        {"name": "1.responds", "score": 0, "max_score": 2, "status": "failed", "output": "not run"},
    ])
    assert gradebook.load_row(tmp_path, "eve").notes == [
        "1.starts-listening failed: this is Python 2: print without parentheses on line 1"]


def test_without_a_cause_the_note_says_what_happened_and_a_server_that_ran_gets_none(tmp_path):
    write_results(tmp_path, "sam", [{"name": "8.sends-request", "score": 0, "max_score": 2, "status": "failed",
                                     "output": "What happened: the client never connected"}])
    write_results(tmp_path, "ada", [{"name": "1.starts-listening", "score": 2, "max_score": 2, "status": "passed",
                                     "output": ""}])
    assert gradebook.load_row(tmp_path, "sam").notes == ["8.sends-request failed: the client never connected"]
    assert gradebook.load_row(tmp_path, "ada").notes == []
