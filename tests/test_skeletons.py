"""Skeletons come from solutions (contract section 2).

- the generator's marker syntax, and its errors;
- the committed skeletons are exactly what the generator makes;
- every skeleton compiles and starts without a traceback;
- with the grader: every untouched skeleton earns none of its own stage's
  points (no free points), and every `#Fill in` block is load-bearing
  (blanking it alone fails a check of its stage).
  Those tests carry the `load_bearing` mark: `pytest -m load_bearing`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import skeletons
from autograder.skeletons import MarkerError, blank_block, find_blocks, make_skeleton
from autograder.stages import STAGES

PROJECT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((PROJECT / "solutions").glob("stage[0-9]*.py"))
STAGE_OF = {path.name: int(path.name[len("stage")]) for path in SOLUTIONS}
BLOCKS = [
    (STAGE_OF[path.name], index)
    for path in SOLUTIONS
    for index in range(len(find_blocks(path.read_text(encoding="utf-8"), path.name)))
]


STAGE_NUMBERS = [stage.number for stage in STAGES]  # not 1..N: a course may leave stages out
SERVER_NUMBERS = [stage.number for stage in STAGES if stage.kind == "server"]
CLIENT_NUMBERS = [stage.number for stage in STAGES if stage.kind == "client"]


def solution(stage: int) -> Path:
    return next(path for path in SOLUTIONS if STAGE_OF[path.name] == stage)


def skeleton(stage: int) -> Path:
    return PROJECT / "skeletons" / solution(stage).name


# ------------------------------------------------------------ the generator

SAMPLE = '''\
def serve(port):
    sock = make_socket()
    #Fill in start
    #Hint: Bind and listen.
    #Hint: Two calls.
    #Placeholder: raise SystemExit("TODO: bind")
    sock.bind(("", port))
    sock.listen()
    #Fill in end
    return sock


def content_type(name):
    #Fill in start
    #Hint: Guess it.
    return "text/html" if name.endswith(".html") else "text/plain"
    #Fill in end


def nested(data):
    for key in data:
        #Fill in start
        #Hint: Indented like the code.
        #Placeholder: if key:
        #Placeholder:     print(key)
        print(key, data[key])
        #Fill in end
'''


def test_blocks_are_found_with_hints_placeholders_and_code():
    blocks = find_blocks(SAMPLE, "sample.py")
    assert [(b.start_line, b.end_line) for b in blocks] == [(3, 9), (14, 17), (22, 27)]
    assert blocks[0].hints == ("Bind and listen.", "Two calls.")
    assert blocks[0].placeholder == ('raise SystemExit("TODO: bind")',)
    assert blocks[0].code == ('    sock.bind(("", port))', "    sock.listen()")
    assert blocks[2].indent == " " * 8
    assert blocks[2].placeholder == ("if key:", "    print(key)")


def test_skeleton_replaces_code_by_hints_and_placeholders_and_keeps_markers():
    result = make_skeleton(SAMPLE, "sample.py")
    assert result == '''\
def serve(port):
    sock = make_socket()
    #Fill in start
    # Bind and listen.
    # Two calls.
    raise SystemExit("TODO: bind")
    #Fill in end
    return sock


def content_type(name):
    #Fill in start
    # Guess it.
    pass
    #Fill in end


def nested(data):
    for key in data:
        #Fill in start
        # Indented like the code.
        if key:
            print(key)
        #Fill in end
'''


def test_pass_only_where_the_block_is_the_whole_body():
    text = "def f():\n    x = 1\n    #Fill in start\n    #Hint: h\n    x = 2\n    #Fill in end\n    return x\n"
    assert "pass" not in make_skeleton(text)


def test_blank_block_blanks_that_block_only():
    blanked = blank_block(SAMPLE, 1, "sample.py")
    assert 'sock.bind(("", port))' in blanked  # block 0 untouched
    assert 'print(key, data[key])' in blanked  # block 2 untouched
    assert '"text/html"' not in blanked
    assert "    # Guess it.\n    pass\n" in blanked
    compile(blanked, "blanked.py", "exec")
    with pytest.raises(IndexError):
        blank_block(SAMPLE, 3, "sample.py")


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("x = 1\n#Fill in start\n#Hint: h\ny = 2\n", 2, "never closed"),
        ("#Fill in start\n#Hint: h\n#Fill in start\n#Hint: h\n#Fill in end\n", 3, "inside the block"),
        ("x = 1\n#Fill in end\n", 2, "without a #Fill in start"),
        ("if x:\n    #Fill in start\n    y = 2\n    #Fill in end\n", 2, "no #Hint:"),
        ("#Hint: stray\nx = 1\n", 1, "belong right after"),
        ("#Fill in start\n#Hint: h\nx = 1\n#Hint: late\n#Fill in end\n", 4, "belong right after"),
        ("#Fill in start\n#Hint: h\nx = 1\n#Placeholder: y\n#Fill in end\n", 4, "belong right after"),
        ("x = 1\n    # Fill in start\n", 2, "looks like a marker"),
        ("#fill in END\n", 1, "looks like a marker"),
    ],
    ids=["unclosed", "nested", "end-without-start", "no-hint", "stray-hint", "late-hint",
         "late-placeholder", "spaced-marker", "lower-case-marker"],
)
def test_marker_mistakes_name_file_and_line(text, line, words):
    with pytest.raises(MarkerError) as caught:
        make_skeleton(text, "solutions/broken.py")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"solutions/broken.py:{line}: ")
    assert words in str(caught.value)


def test_a_skeleton_that_would_not_compile_is_an_error():
    text = "def f():\n    #Fill in start\n    #Hint: h\n    #Placeholder: return (\n    return 1\n    #Fill in end\n"
    with pytest.raises(MarkerError, match="would not compile"):
        make_skeleton(text, "solutions/broken.py")


# ------------------------------------------------------- the committed kit


def test_every_stage_has_a_solution_each_with_blocks():
    assert sorted(STAGE_OF.values()) == STAGE_NUMBERS
    for stage in STAGE_NUMBERS:
        assert any(block_stage == stage for block_stage, _ in BLOCKS), f"stage {stage} has no block"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_committed_skeleton_is_what_the_generator_makes(path):
    committed = PROJECT / "skeletons" / path.name
    assert committed.exists(), "run: python -m autograder skeletons"
    expected = make_skeleton(path.read_text(encoding="utf-8"), f"solutions/{path.name}")
    assert committed.read_text(encoding="utf-8") == expected, "run: python -m autograder skeletons"


def test_main_check_reports_up_to_date(capsys):
    assert skeletons.main(check=True) == 0
    assert "up to date" in capsys.readouterr().out


def test_main_check_names_a_stale_skeleton(tmp_path, monkeypatch, capsys):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "skeletons").mkdir()
    (tmp_path / "solutions" / "stage1_x.py").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "skeletons" / "stage1_x.py").write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(skeletons, "SOLUTIONS_DIR", tmp_path / "solutions")
    monkeypatch.setattr(skeletons, "SKELETONS_DIR", tmp_path / "skeletons")
    monkeypatch.setattr(skeletons, "solution_files", lambda: [tmp_path / "solutions" / "stage1_x.py"])
    assert skeletons.main(check=True) == 1
    assert "skeletons/stage1_x.py" in capsys.readouterr().out
    assert (tmp_path / "skeletons" / "stage1_x.py").read_text() == "old\n"  # check writes nothing
    assert skeletons.main() == 0
    assert (tmp_path / "skeletons" / "stage1_x.py").read_text() == make_skeleton(SAMPLE)
    assert skeletons.main(check=True) == 0


@pytest.mark.parametrize("stage", SERVER_NUMBERS, ids=lambda s: f"stage{s}")
def test_skeleton_compiles_and_starts_without_a_traceback(stage, tmp_path):
    compile(skeleton(stage).read_text(encoding="utf-8"), str(skeleton(stage)), "exec")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(skeleton(stage)), str(port)],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        time.sleep(1.5)
        exited = process.poll() is not None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=10)
    output = (stdout + stderr).decode("utf-8", "replace")
    assert "Traceback" not in output, output
    if exited:  # a skeleton may stop at once, but only with a clear TODO message
        assert "TODO" in output, output


@pytest.mark.parametrize("stage", CLIENT_NUMBERS, ids=lambda s: f"stage{s}")
def test_client_skeleton_compiles_and_stops_with_a_todo_not_a_traceback(stage, tmp_path):
    """A client skeleton (stage 8) is run as `python FILE HOST PORT PATH`: it stops at once, with a TODO."""
    compile(skeleton(stage).read_text(encoding="utf-8"), str(skeleton(stage)), "exec")
    with socket.socket() as listener:  # something to connect to, on this machine only
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        done = subprocess.run([sys.executable, str(skeleton(stage)), "127.0.0.1", str(port), "/index.html"],
                              cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert "Traceback" not in output, output
    assert "TODO" in output and done.returncode == 2, output


# ------------------------------------------------------ with the grader


def failed_checks_of_stage(result, stage: int) -> list:
    return [
        check for check in result.checks
        if check.stage == stage and not check.advisory and check.status != "passed"
    ]



@pytest.mark.load_bearing
@pytest.mark.parametrize("stage", STAGE_NUMBERS, ids=lambda s: f"stage{s}")
def test_untouched_skeleton_earns_no_point_of_its_own_stage(stage):
    """No free points (contract section 1): graded untouched, a skeleton earns 0 of its stage's points.

    Each failure reads as a message; a check an untouched skeleton passes belongs to an
    earlier stage, or must ask for something the skeleton leaves out.
    """
    grading = pytest.importorskip("autograder.grading")
    result = grading.grade(skeleton(stage), stage)
    own = [check for check in result.checks if check.stage == stage and not check.advisory]
    assert own, f"stage {stage} has no scored checks"
    for check in own:
        if check.status != "passed":
            assert check.message.strip(), f"{check.name} failed without a message"
    earned = {check.name: check.score for check in own if check.score > 0 or check.status == "passed"}
    assert earned == {}, f"the untouched stage-{stage} skeleton earns {earned}"
    assert result.score < result.max_score


@pytest.mark.load_bearing
@pytest.mark.parametrize("stage, index", BLOCKS, ids=lambda value: str(value))
def test_load_bearing_block(stage, index, tmp_path):
    """Blanking this one block of the stage's solution fails a check of the stage."""
    grading = pytest.importorskip("autograder.grading")
    source = solution(stage)
    blanked = tmp_path / source.name
    blanked.write_text(
        blank_block(source.read_text(encoding="utf-8"), index, source.name), encoding="utf-8"
    )
    block = find_blocks(source.read_text(encoding="utf-8"))[index]
    result = grading.grade(blanked, stage)
    assert failed_checks_of_stage(result, stage), (
        f"{source.name}: blanking the block at line {block.start_line} "
        f"({block.hints[0]}) fails no stage-{stage} check"
    )
