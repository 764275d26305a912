"""Stage 8, the client: the grader's quality, measured by what it catches.

tests/corpus_client/ holds clients written the way students write them. A
buggy one has ONE mistake and names, on a `# catches:` line, the check(s)
that must fail on it; a `correct_*.py` client is correct but unusual
(makefile('rb'), recv_into) and must get full marks. The reference solution
gets full marks and the untouched skeleton 0 (tests/test_skeletons.py also
holds the skeleton to it, with the other stages).

A buggy client is graded on the checks it names (and the checks those need),
not on all of them: many of its mistakes hang until the run's deadline, and
the whole corpus would otherwise cost minutes. Every scored stage-8 check is
named by at least one buggy client.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from autograder import grading
from autograder.checks import checks_up_to
from autograder.checks.context import ClientContext
from autograder.containment import sandbox_for
from autograder.stages import get_stage

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus_client"
STAGE = get_stage("client").number
BUGGY = sorted(p for p in CORPUS.glob("*.py") if not p.name.startswith("correct_"))
CORRECT = sorted(CORPUS.glob("correct_*.py"))
SEED = 8


def catches(path: Path) -> list[str]:
    match = re.search(r"^# catches: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.name} has no '# catches:' line"
    return match.group(1).split()


def grade_only(path: Path, names: list[str]) -> dict:
    """Grade `path` at stage 8 on `names` and the checks they need; {name: CheckResult}."""
    checks = checks_up_to(STAGE)
    wanted = set(names)
    for check in reversed(checks):
        if check.name in wanted:
            wanted |= set(check.depends)
    run_dir = Path(tempfile.mkdtemp(prefix="labgrade-client-test-"))
    sandbox = sandbox_for(run_dir)  # the portable runner too, when LABGRADE_SANDBOX=portable
    try:
        entry = run_dir / "submission" / path.name
        entry.parent.mkdir()
        shutil.copy2(path, entry)
        ctx = ClientContext(stage=STAGE, entry_path=entry, sandbox=sandbox, seed=SEED)
        results = grading._run_client_checks(ctx, [c for c in checks if c.name in wanted], started=time.monotonic())
    finally:
        sandbox.cleanup()
        shutil.rmtree(run_dir, ignore_errors=True)
    return {result.name: result for result in results}


def report(results) -> str:
    return "\n".join(f"  {r.name}: {r.status} {r.message}" for r in results)


def test_the_corpus_covers_every_scored_check():
    named = {name for path in BUGGY for name in catches(path)}
    scored = {c.name for c in checks_up_to(STAGE) if not c.advisory}
    assert named <= scored, f"unknown checks named: {named - scored}"
    assert scored <= named, f"no buggy client is caught by: {sorted(scored - named)}"
    assert len(CORRECT) >= 2


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.stem)
def test_buggy_client_is_caught(path):
    names = catches(path)
    results = grade_only(path, names)
    for name in names:
        assert results[name].status == "failed", f"{path.name}: {name} did not fail\n{report(results.values())}"
        assert results[name].message.strip()


@pytest.mark.parametrize("path", CORRECT + [PROJECT / "solutions" / "stage8_client.py"], ids=lambda p: p.stem)
def test_correct_client_gets_full_marks(path):
    result = grading.grade(path, STAGE, seed=SEED)
    failed = [f"{c.name}: {c.message}" for c in result.checks if not c.passed and not c.advisory]
    assert not failed, "\n".join(failed)
    assert result.score == result.max_score > 0
    assert {c.stage for c in result.checks} == {STAGE}, "stage 8 is graded on its own checks only"


def test_untouched_skeleton_gets_nothing():
    result = grading.grade(PROJECT / "skeletons" / "stage8_client.py", STAGE, seed=SEED)
    assert result.score == 0 and result.max_score > 0
    first = result.checks[0]
    assert first.name == "8.sends-request" and "TODO" in first.message


def test_no_process_is_left_and_only_loopback_is_used():
    """The runs leave no process behind; the fake servers listen on 127.0.0.1 only."""
    from autograder.fake_server import FakeServer

    with FakeServer([b"HTTP/1.1 200 OK\r\n\r\n"]) as server:
        assert server.listener.getsockname()[0] == "127.0.0.1"
    before = set(os.listdir("/proc")) if os.path.isdir("/proc") else set()
    grade_only(CORPUS / "no_timeout.py", ["8.connection-refused"])
    after = set(os.listdir("/proc")) if os.path.isdir("/proc") else set()
    children = [pid for pid in after - before if pid.isdigit() and _parent(pid) == os.getpid()]
    assert not children


def _parent(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_command_line_grades_stage_8_by_number_or_slug():
    import json
    import subprocess
    import sys

    skeleton = PROJECT / "skeletons" / "stage8_client.py"
    for stage in ("8", "client"):
        done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(skeleton), "--stage", stage,
                               "--json", "-"], cwd=PROJECT, capture_output=True, timeout=60)
        assert done.returncode == 1, done.stderr.decode()
        results = json.loads(done.stdout)
        assert [t["name"] for t in results["tests"]] == [c.name for c in checks_up_to(STAGE)]
        assert results["score"] == 0
        assert "your client" in done.stderr.decode()  # the report speaks of a client, not a server
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(skeleton), "--stage", "9"],
                          cwd=PROJECT, capture_output=True, timeout=60)
    assert done.returncode == 2 and b"unknown stage" in done.stderr
    done = subprocess.run([sys.executable, "-m", "autograder", "serve", "--stage", "8"], cwd=PROJECT,
                          capture_output=True, timeout=60)
    assert done.returncode == 2 and b"is a client" in done.stderr


def test_the_client_stands_apart_from_the_server_ladder():
    from autograder.stages import LAST_STAGE, STAGES, is_standalone

    numbers = [stage.number for stage in STAGES]
    assert numbers == sorted(numbers) and numbers[-1] == 8
    assert LAST_STAGE == numbers[-2] and is_standalone(8) and not is_standalone(LAST_STAGE)
    assert {c.stage for c in checks_up_to(5)} == {1, 2, 3, 4, 5}  # the client checks never join the server's
    assert {c.stage for c in checks_up_to(8)} == {8}


def test_fake_server_keeps_the_connection_open_until_the_client_leaves():
    import socket

    from autograder.fake_server import FakeServer, RefusingPort

    with FakeServer([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 0.05, b"hi"], after="keep-open") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            received = b""
            while len(received) < 40:
                received += client.recv(100)
            client.settimeout(0.3)
            with pytest.raises(socket.timeout):  # no close after the body: the client must count
                client.recv(100)
        deadline = time.monotonic() + 5
        while not server.client_closed and time.monotonic() < deadline:
            time.sleep(0.01)
    assert received.endswith(b"\r\n\r\nhi") and server.request.startswith(b"GET / HTTP/1.1\r\n")
    assert server.client_closed
    with RefusingPort() as port, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port.port), timeout=5)
