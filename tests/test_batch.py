"""Batch grading: a folder of students into a gradebook (autograder/batch.py).

The batch runs as a real command (`python -m autograder batch ...`) on a small
class at stage 1: a correct server, one that crashes at start, a zip with a
nested folder and __MACOSX junk, a folder with two .py files and no
server.py, and one that hangs at import. One test interrupts a batch and
resumes it. Every process started is checked gone afterwards, by a token in
the students' file names (it appears in the command line of the grader's
child and of the submission's server).
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from autograder import batch, screenshot
from autograder.checks import checks_up_to
from autograder.cli import main as cli_main

PROJECT = Path(__file__).resolve().parent.parent
STAGE1 = PROJECT / "solutions" / "stage1_file_server.py"
STAGE1_CHECKS = [c.name for c in checks_up_to(1)]
STAGE1_MAX = sum(c.points for c in checks_up_to(1))
RUN_LIMIT = 240  # seconds for one batch of a few students on a loaded 2-core machine


def processes_with(token: str) -> list[str]:
    """Command lines of running processes that mention `token`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if token in command:
            found.append(f"{entry.name}: {command}")
    return found


def assert_no_process_left(token: str, grace: float = 15.0) -> None:
    """Nothing started for `token` is still running (allowing a moment to exit)."""
    deadline = time.monotonic() + grace
    while processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(token) == []


def run_batch(*args: str, timeout: float = RUN_LIMIT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "batch", *args],
        check=False, capture_output=True, text=True, timeout=timeout, cwd=PROJECT,
    )


def read_gradebook(path: Path) -> tuple[list[str], dict[str, dict]]:
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        rows = {row["student"]: row for row in reader}
        return list(reader.fieldnames or []), rows


def why_not_full(gradebook: Path, student: str) -> str:
    """The failed checks of a student who should have full marks, for the assertion message."""
    data = json.loads((batch.results_folder(gradebook) / student / "results.json").read_text(encoding="utf-8"))
    return "\n".join(t["output"] for t in data["tests"] if t["status"] != "passed" and t["max_score"])


def assert_gradescope_schema(data: dict) -> None:
    """Gradescope's results.json: score, execution_time, output, tests; each test complete."""
    assert {"score", "execution_time", "output", "tests"} <= set(data)
    assert isinstance(data["output"], str) and isinstance(data["execution_time"], (int, float))
    names = [test["name"] for test in data["tests"]]
    assert len(names) == len(set(names))
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output"} <= set(test)
        assert test["status"] in ("passed", "failed")
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0 == test["score"]
    assert data["score"] == pytest.approx(sum(test["score"] for test in data["tests"]))


# ---------------------------------------------------------------- the class


@pytest.fixture(scope="module")
def token() -> str:
    return "bt" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, token):
    """A class of five at stage 1, graded once with two workers; (folder, gradebook, result)."""
    base = tmp_path_factory.mktemp("class")
    folder = base / f"submissions_{token}"  # in every grader child's command line
    folder.mkdir()
    (folder / "alice.py").write_bytes(STAGE1.read_bytes())
    (folder / "bob.py").write_text(f"# {token}\nraise SystemExit('bob crashes at start')\n")
    with zipfile.ZipFile(folder / "carol.zip", "w") as archive:  # as macOS's "Compress" makes it
        archive.writestr(f"carol_{token}/web_server.py", STAGE1.read_bytes())
        archive.writestr(f"__MACOSX/carol_{token}/._web_server.py", b"\0\5\26\7 resource fork junk")
        archive.writestr(f"carol_{token}/.DS_Store", b"junk")
    (folder / "dave").mkdir()
    (folder / "dave" / "part1.py").write_text("print('one')\n")
    (folder / "dave" / "part2.py").write_text("print('two')\n")
    (folder / f"erin_{token}.py").write_text("import time\ntime.sleep(3600)  # hangs at import\n")
    (folder / ".DS_Store").write_bytes(b"not a student")
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "._alice.py").write_bytes(b"not a student either")
    gradebook = base / "out" / "gradebook.csv"
    result = run_batch(str(folder), "--stage", "1", "--out", str(gradebook), "--jobs", "2")
    yield folder, gradebook, result
    assert_no_process_left(token)


def test_batch_exits_0_and_writes_gradebook_report_and_results(graded_class, token):
    _, gradebook, result = graded_class
    assert result.returncode == 0, result.stderr
    assert gradebook.is_file()
    assert gradebook.with_suffix(".html").is_file()
    results = batch.results_folder(gradebook)
    assert sorted(p.name for p in results.iterdir()) == ["alice", "bob", "carol", "dave", f"erin_{token}"]
    assert "[5/5]" in result.stderr  # plain progress lines when not on a terminal


def test_gradebook_has_a_row_per_student_and_a_column_per_check(graded_class, token):
    _, gradebook, _ = graded_class
    columns, rows = read_gradebook(gradebook)
    assert columns == ["student", "score", "max_score", *STAGE1_CHECKS, "note"]
    erin = f"erin_{token}"
    assert list(rows) == ["alice", "bob", "carol", "dave", erin]
    for row in rows.values():
        assert float(row["max_score"]) == STAGE1_MAX
    # a correct server, also when it comes zipped in a folder with macOS junk
    assert float(rows["alice"]["score"]) == STAGE1_MAX, why_not_full(gradebook, "alice")
    assert float(rows["carol"]["score"]) == STAGE1_MAX, why_not_full(gradebook, "carol")
    # it crashes at start: it cannot listen
    assert float(rows["bob"]["score"]) < STAGE1_MAX
    assert rows["bob"]["1.starts-listening"] == "0"
    # two .py files and no server.py: score 0 and the reason
    assert float(rows["dave"]["score"]) == 0
    assert "several Python files" in rows["dave"]["note"] and "server.py" in rows["dave"]["note"]
    # hangs at import: it never listens
    assert rows[erin]["1.starts-listening"] == "0"
    assert float(rows[erin]["score"]) < STAGE1_MAX


def test_gradebook_matches_each_students_results_json(graded_class):
    _, gradebook, _ = graded_class
    _, rows = read_gradebook(gradebook)
    for student, row in rows.items():
        folder = batch.results_folder(gradebook) / student
        data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        assert_gradescope_schema(data)
        assert float(row["score"]) == pytest.approx(data["score"])
        for test in data["tests"]:
            if test["max_score"] == 0:  # advisory: ok or warn, or blank when it did not run
                wanted = "ok" if test["status"] == "passed" else ("" if "What happened: not run" in test["output"] else "warn")
                assert row[test["name"]] == wanted
            else:
                assert float(row[test["name"]]) == pytest.approx(test["score"])
        report = (folder / "report.txt").read_text(encoding="utf-8")
        assert "Score:" in report and "1.starts-listening" in report
        assert not list(folder.glob("*.part")) and not list(folder.glob("*.child"))


def test_resume_grades_only_students_without_results(graded_class):
    folder, gradebook, _ = graded_class
    results = batch.results_folder(gradebook)
    before = {p.parent.name: p.stat().st_mtime_ns for p in results.glob("*/results.json")}
    (results / "alice" / "results.json").unlink()
    (results / "alice" / "report.txt").unlink()

    rerun = run_batch(str(folder), "--stage", "1", "--out", str(gradebook), "--jobs", "2", "--resume")

    assert rerun.returncode == 0, rerun.stderr
    assert "4 student(s) already graded" in rerun.stderr
    assert "[1/1] alice" in rerun.stderr
    after = {p.parent.name: p.stat().st_mtime_ns for p in results.glob("*/results.json")}
    assert set(after) == set(before)
    assert {name for name in before if after[name] != before[name]} == {"alice"}
    _, rows = read_gradebook(gradebook)
    assert len(rows) == 5 and float(rows["alice"]["score"]) == STAGE1_MAX, why_not_full(gradebook, "alice")


def test_a_result_for_another_stage_does_not_count_as_graded(tmp_path):
    results = tmp_path / "gb_results"
    (results / "solo").mkdir(parents=True)
    stale = {"score": 5, "execution_time": 1, "output": "", "tests": [
        {"name": "1.built-on-socket", "score": 5, "max_score": 5, "status": "passed", "output": ""}]}
    (results / "solo" / "results.json").write_text(json.dumps(stale))
    assert not batch._graded(results / "solo", 1)  # not the stage-1 checks: --resume grades it again
    assert not batch._graded(results / "nobody", 1)


def test_an_interrupted_batch_resumes_and_loses_nothing(tmp_path):
    token = "bi" + uuid.uuid4().hex[:10]
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("s1", "s2", "s3", "s4"):
        (folder / f"{name}_{token}.py").write_bytes(STAGE1.read_bytes())
    gradebook = tmp_path / "gb.csv"
    results = batch.results_folder(gradebook)
    command = [sys.executable, "-m", "autograder", "batch", str(folder), "--stage", "1",
               "--out", str(gradebook), "--jobs", "1"]
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + RUN_LIMIT
        while not list(results.glob("*/results.json")) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)  # as a scheduler or `kill` stops a job
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert "--resume" in stderr
    done = {p.parent.name: p.stat().st_mtime_ns for p in results.glob("*/results.json")}
    assert 1 <= len(done) < 4, "the batch was stopped after the first student"
    assert not gradebook.exists()
    assert_no_process_left(token)

    resumed = run_batch(str(folder), "--stage", "1", "--out", str(gradebook), "--jobs", "2", "--resume")

    assert resumed.returncode == 0, resumed.stderr
    _, rows = read_gradebook(gradebook)
    assert sorted(rows) == sorted(f"{name}_{token}" for name in ("s1", "s2", "s3", "s4"))
    for student, row in rows.items():
        assert float(row["score"]) == STAGE1_MAX, why_not_full(gradebook, student)
    for name, mtime in done.items():  # graded before the interruption: kept, not graded again
        assert (results / name / "results.json").stat().st_mtime_ns == mtime
    assert_no_process_left(token)


# ---------------------------------------------------------------- a grader that fails


def test_a_grader_that_times_out_gives_a_zero_row_with_a_note(tmp_path):
    token = "bt" + uuid.uuid4().hex[:10]
    entry = tmp_path / f"slow_{token}.py"
    # never listens: the grader waits the contract's 5 s for it, far past this test's 1 s limit
    entry.write_text("import time\ntime.sleep(3600)\n")
    student = batch.Student("slow", entry)
    grader = batch.Grader(stage=1, results=tmp_path / "results", seed=None, screenshots=False, timeout=1.0)

    outcome = grader.grade(student)

    assert "did not finish within 1 s" in outcome.crashed
    data = json.loads((tmp_path / "results" / "slow" / "results.json").read_text(encoding="utf-8"))
    assert_gradescope_schema(data)
    assert data["score"] == 0
    assert [t["name"] for t in data["tests"]] == STAGE1_CHECKS
    assert all(t["status"] == "failed" for t in data["tests"])
    assert "did not finish within 1 s" in data["output"]
    row = batch.load_row(tmp_path / "results", "slow")
    assert row.score == 0 and row.max_score == STAGE1_MAX and "Grade this student by hand" in row.notes[0]
    assert_no_process_left(token)


def test_a_grader_that_exits_with_an_error_gives_a_zero_row(tmp_path):
    student = batch.Student("ghost", tmp_path / "vanished.py")  # gone before grading: grade exits 2
    grader = batch.Grader(stage=1, results=tmp_path / "results", seed=None, screenshots=False)

    outcome = grader.grade(student)

    assert "exit status 2" in outcome.crashed
    row = batch.load_row(tmp_path / "results", "ghost")
    assert row.graded and row.score == 0 and "exit status 2" in row.notes[0]
    report = (tmp_path / "results" / "ghost" / "report.txt").read_text(encoding="utf-8")
    assert "no such file" in report  # the grader's own message, for the instructor


# ---------------------------------------------------------------- the folder


def test_students_are_entries_without_junk_and_names_never_collide(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("alice.py", "alice.zip", "bob", "Carol.Smith.py", ".DS_Store", "notes.py~", "Thumbs.db"):
        (folder / name).write_text("x")
    (folder / "dan").mkdir()
    (folder / "__MACOSX").mkdir()
    (folder / "gb_results").mkdir()
    (folder / "gb.csv").write_text("")

    students = batch.find_students(folder, skip=(folder / "gb.csv", folder / "gb_results"))

    assert [(s.name, s.entry.name) for s in students] == [
        ("alice.py", "alice.py"), ("alice.zip", "alice.zip"), ("bob", "bob"),
        ("Carol.Smith", "Carol.Smith.py"), ("dan", "dan"),
    ]


def test_missing_folder_exits_2(tmp_path, capsys):
    code = cli_main(["batch", str(tmp_path / "nowhere"), "--stage", "1", "--out", str(tmp_path / "gb.csv")])
    assert code == 2
    assert "no such folder" in capsys.readouterr().err


def test_spreadsheet_formulas_in_names_are_neutralised():
    assert batch.spreadsheet_safe("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert batch.spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert batch.spreadsheet_safe("alice") == "alice"
    for name in ("=1+2", "-3", "alice", "'quoted"):
        assert batch.unspreadsheet(batch.spreadsheet_safe(name)) == name


@pytest.mark.skipif(screenshot.find_browser() is None,
                    reason="Chromium is not installed (apt-get install chromium); batch --screenshots needs it")
def test_screenshots_are_collected_one_per_student(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "pat.py").write_bytes(STAGE1.read_bytes())
    (folder / "quiet.py").write_text("x = 1  # never listens: no picture, and the batch goes on\n")
    gradebook = tmp_path / "gb.csv"

    result = run_batch(str(folder), "--stage", "1", "--out", str(gradebook), "--screenshots")

    assert result.returncode == 0, result.stderr
    results = batch.results_folder(gradebook)
    assert (results / "pat" / "screenshot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (results / "quiet" / "screenshot.png").exists()
    pat = (results / "pat" / "report.txt").read_text(encoding="utf-8")
    assert "screenshot saved to" in pat
    quiet = json.loads((results / "quiet" / "results.json").read_text(encoding="utf-8"))
    assert "no screenshot" in quiet["output"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_with_an_eta_on_a_terminal_and_plain_lines_otherwise(tmp_path):
    outcome = batch.Outcome(batch.Student("alice", tmp_path / "alice.py"), seconds=2.0)
    row = batch.Row("alice", score=20, max_score=25)
    terminal, log = FakeTerminal(), io.StringIO()
    bar, plain = batch.Progress(3, 0, stream=terminal), batch.Progress(3, 0, stream=log)
    for progress in (bar, plain):
        progress.update(outcome, row)
        progress.close()
    assert "1/3" in terminal.getvalue() and "<" in terminal.getvalue()  # tqdm's "elapsed<remaining"
    assert log.getvalue() == "[1/3] alice: 20/25 in 2.0 s\n"


def test_progress_survives_a_closed_stream(tmp_path):
    closed = io.StringIO()
    closed.close()
    progress = batch.Progress(1, 0, stream=closed)
    progress.update(batch.Outcome(batch.Student("a", tmp_path), seconds=1.0), batch.Row("a"))
    progress.say("still grading")  # no exception: the batch goes on


def test_gradebook_cells_and_notes_say_what_a_ta_needs():
    from autograder import gradebook

    assert gradebook.cell({"name": "1.x", "score": 0, "max_score": 0, "status": "passed", "output": ""}) == "ok"
    assert gradebook.cell({"name": "1.x", "score": 0, "max_score": 0, "status": "failed", "output": "What happened: no"}) == "warn"
    assert gradebook.cell({"name": "1.x", "score": 0, "max_score": 0, "status": "failed",
                           "output": "What happened: not run: needs 1.responds"}) == ""
    assert gradebook.cell({"name": "1.x", "score": 2.0, "max_score": 2, "status": "passed", "output": ""}) == "2"
    assert gradebook.cell({"name": "1.x", "score": 1.5, "max_score": 2, "status": "failed", "output": ""}) == "1.5"
    assert not gradebook.for_the_ta("1.large-file: your server exited with status 1 during or right after this check")
    assert gradebook.for_the_ta("not graded yet: run batch again with --resume")
