"""Stage 8, the client: the grader's quality, measured by what it catches.

tests/corpus_client/mutations.py holds the corpus: a correct base client
written the way a decent student writes it, variants of it made of exact
edits, and standalone clients written the way beginners write them. A buggy
variant names EXACTLY the checks that fail on it, so the grader must catch
its mistakes and must not blame what it does right; words its messages must
contain say that each failure names the real cause. A correct-but-different
variant must get full marks, and so must the reference solution.

Every variant is graded once, on every check, and all the tests read that
one grading. Most of a client's grading is waiting (a silent server for 10 s,
a client that hangs until a deadline), so the variants are graded side by
side in threads, in the background, from the first test that needs one; the
pytest-xdist workers share the work: each variant is claimed by one worker
(a file created with O_EXCL in the session's shared temporary folder), whose
grading the others read. A buggy variant is graded without the run deadline
(its hangs stretch with the machine's load, and which checks fail must not
depend on that), the checks it may hang on in lanes of their own, side by
side (LANES); a correct one through grading.grade, whole, as a student's is.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import grading
from autograder.checks import checks_up_to
from autograder.checks.context import ClientContext
from autograder.containment import sandbox_for
from autograder.stages import get_stage

from corpus_client.mutations import BUGGY, CORRECT, VARIANTS, EditDoesNotApply, Variant, materialise, source

PROJECT = Path(__file__).resolve().parent.parent
STAGE = get_stage("client").number
SOLUTION = PROJECT / "solutions" / "stage8_client.py"
SEED = 8
THREADS = 4  # gradings side by side in each pytest process: they mostly wait
WAIT_SECONDS = 600  # for a grading another worker claimed
# Graded first: the variants that hang on several checks take longest.
SLOW_FIRST = ("beginner-until-close", "ignores-content-length", "beginner-textbook", "no-timeout",
              "beginner-hand-parser", "case-sensitive-headers", "no-chunked")


def grade_only(path: Path, names: list[str] | None = None) -> dict:
    """Grade `path` at stage 8 on `names` (None: every check) and the checks they need, with no run
    deadline; {name: CheckResult}."""
    checks = checks_up_to(STAGE)
    wanted = set(names if names is not None else [c.name for c in checks])
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
        # started=inf: the run deadline never stops a check (tests of the deadline are elsewhere).
        results = grading._run_client_checks(ctx, [c for c in checks if c.name in wanted], started=float("inf"))
    finally:
        sandbox.cleanup()
        shutil.rmtree(run_dir, ignore_errors=True)
    return {result.name: result for result in results}


# A buggy client may hang on each of these until the check's deadline (5 s, stretched up to 4 times on a
# busy machine): they run in lanes of their own, side by side, and the other checks in one more lane.
LANE_STAGGER = 0.3  # seconds between the starts of a variant's lanes
LANES = (("8.server-silent",), ("8.content-length-kept-open", "8.response-in-pieces"),
         ("8.lowercase-headers", "8.chunked"))


def grade_in_lanes(path: Path) -> list:
    """Every check, graded as grade_only would, with the slow ones in lanes that run at the same time.

    Each lane has a sandbox and a context of its own and runs the checks its checks need (8.sends-request)
    itself; a check's result comes from its own lane, in the order the grader reports them.
    """
    names = [c.name for c in checks_up_to(STAGE)]
    lanes = [list(lane) for lane in LANES] + [[n for n in names if not any(n in lane for lane in LANES)]]
    def lane(index):  # started a moment apart: a burst of client start-ups would eat the checks' deadlines
        time.sleep(LANE_STAGGER * index)
        return grade_only(path, lanes[index])

    with ThreadPoolExecutor(len(lanes), thread_name_prefix="client-corpus-lane") as pool:
        graded = list(pool.map(lane, range(len(lanes))))
    own = {name: lane_results[name] for lane, lane_results in zip(lanes, graded) for name in lane}
    merged = [own[name] for name in names]
    grading.link_causes(merged)  # across the lanes, as in one grading: the first failure names a fault
    return merged


def _as_dict(result) -> dict:
    return {"name": result.name, "status": result.status, "message": result.message, "stage": result.stage,
            "advisory": result.advisory, "score": result.score, "max_score": result.max_score,
            "cause_key": result.cause_key, "caused_by": result.caused_by, "hint": result.hint}


def _grade_entry(name: str, folder: Path) -> dict:
    """One grading, as JSON-ready data."""
    began = time.monotonic()
    if name == "solution":
        result = grading.grade(SOLUTION, STAGE, seed=SEED)
        checks = result.checks
    else:
        variant = next(v for v in VARIANTS if v.name == name)
        path = materialise(variant, folder / "clients")
        if variant.buggy:
            checks = grade_in_lanes(path)
        else:
            checks = grading.grade(path, STAGE, seed=SEED).checks
    return {"checks": [_as_dict(c) for c in checks], "seconds": round(time.monotonic() - began, 1)}


class SharedGrades:
    """Every variant graded once per test session, whichever pytest process needs it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        names = [v.name for v in VARIANTS] + ["solution"]
        names.sort(key=lambda n: SLOW_FIRST.index(n) if n in SLOW_FIRST else len(SLOW_FIRST))
        self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="client-corpus")
        for number, name in enumerate(names):
            self._pool.submit(self._claim_and_grade, name, LANE_STAGGER * number if number < THREADS else 0.0)

    def _claim_and_grade(self, name: str, delay: float = 0.0) -> None:
        time.sleep(delay)  # the first gradings start a moment apart, like their lanes
        try:
            os.close(os.open(self.folder / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return  # another worker grades it
        try:
            data = _grade_entry(name, self.folder)
        except Exception:
            data = {"error": traceback.format_exc()}
        partial = self.folder / f"{name}.json.part-{os.getpid()}-{threading.get_ident()}"
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, self.folder / f"{name}.json")

    def get(self, name: str) -> dict:
        path = self.folder / f"{name}.json"
        deadline = time.monotonic() + WAIT_SECONDS
        while not path.exists():
            assert time.monotonic() < deadline, f"no grading of {name} after {WAIT_SECONDS} s"
            time.sleep(0.1)
        data = json.loads(path.read_text(encoding="utf-8"))
        assert "error" not in data, f"grading {name} raised:\n{data['error']}"
        return data

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def graded(request, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    # pytest-xdist: each worker's basetemp is a folder of the session's own, which they share.
    shared = base.parent if hasattr(request.config, "workerinput") else base
    grades = SharedGrades(shared / "client-corpus-grades")
    yield grades
    grades.close()


def report(checks) -> str:
    return "\n".join(f"  {c['name']}: {c['status']} {' '.join(c['message'].split())[:300]}" for c in checks)


# -- the corpus itself (no grading) -------------------------------------------


def test_names_are_unique():
    names = [v.name for v in VARIANTS]
    assert len(names) == len(set(names)) and "solution" not in names


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_every_edit_applies_exactly_once_and_compiles(variant):
    text = source(variant)  # raises EditDoesNotApply when the base drifted
    compile(text, variant.name, "exec")


def test_an_edit_that_does_not_apply_is_refused():
    with pytest.raises(EditDoesNotApply):
        source(Variant(name="x", story="", edits=(("no such text", ""),)))
    with pytest.raises(EditDoesNotApply):  # twice is refused too
        source(Variant(name="x", story="", edits=(("sys.argv", ""),)))


def test_expectations_name_real_checks():
    scored = {c.name for c in checks_up_to(STAGE) if not c.advisory}
    for variant in VARIANTS:
        assert set(variant.fails) <= scored, f"{variant.name} names unknown checks {set(variant.fails) - scored}"
        assert set(variant.says) <= set(variant.fails), f"{variant.name}: words for a check it does not fail"


def test_the_corpus_covers_every_scored_check():
    named = {name for variant in BUGGY for name in variant.fails}
    scored = {c.name for c in checks_up_to(STAGE) if not c.advisory}
    assert scored <= named, f"no buggy client is caught by: {sorted(scored - named)}"
    assert len(CORRECT) >= 2 and sum(v.base.startswith("beginner/") for v in BUGGY) >= 4


# -- grading the corpus ---------------------------------------------------------


@pytest.mark.parametrize("variant", BUGGY, ids=lambda v: v.name)
def test_buggy_client_fails_exactly_its_checks(variant, graded):
    checks = graded.get(variant.name)["checks"]
    shown = f"{variant.name} ({variant.story}):\n{report(checks)}"
    status = {c["name"]: c["status"] for c in checks}
    assert list(status) == [c.name for c in checks_up_to(STAGE)], "every check is reported, in order"
    failed = {name for name, s in status.items() if s == "failed"}
    assert failed - set(variant.fails) == set(), f"blamed for what it does right: {sorted(failed - set(variant.fails))}\n{shown}"
    assert set(variant.fails) - failed == set(), f"not caught by: {sorted(set(variant.fails) - failed)}\n{shown}"
    depends = {c.name: c.depends for c in checks_up_to(STAGE)}
    for check in checks:
        if check["status"] == "skipped":  # only ever because a check it needs failed
            assert any(status[d] == "failed" for d in depends[check["name"]]), shown
            assert check["message"].startswith("not run: needs "), shown
        elif check["status"] == "failed":
            assert check["message"].strip(), shown
            if check["caused_by"]:  # a fault named in an earlier failed check; no hint of its own
                earlier = next(c for c in checks if c["name"] == check["caused_by"])
                assert earlier["status"] == "failed" and earlier["cause_key"] == check["cause_key"], shown
                assert not check["hint"], shown
    for name, words in variant.says.items():
        message = next(c["message"] for c in checks if c["name"] == name)
        for word in words:
            assert word in message, f"{variant.name}: {name}'s message does not say {word!r}: {message}"


def test_a_fault_is_named_once_and_later_failures_point_back(graded):
    """The head on standard output spoils every body check: the first names it, the others point to it
    (rather than giving each its own hint about framing, which the client does right)."""
    checks = {c["name"]: c for c in graded.get("head-on-stdout")["checks"]}
    first = checks["8.body-exact-html"]
    assert first["cause_key"] == "client:head-on-stdout" and not first["caused_by"] and first["hint"]
    for name in ("8.content-length-kept-open", "8.chunked", "8.head-on-stderr", "8.exit-1-on-404"):
        assert checks[name]["caused_by"] == "8.body-exact-html" and not checks[name]["hint"], checks[name]


@pytest.mark.parametrize("name", [v.name for v in CORRECT] + ["solution"])
def test_correct_client_gets_full_marks(name, graded):
    checks = graded.get(name)["checks"]
    failed = [f"{c['name']}: {c['message']}" for c in checks if c["status"] != "passed" and not c["advisory"]]
    assert not failed, "\n".join(failed)
    assert sum(c["score"] for c in checks) == sum(c["max_score"] for c in checks) > 0
    assert {c["stage"] for c in checks} == {STAGE}, "stage 8 is graded on its own checks only"


def test_untouched_skeleton_gets_nothing():
    result = grading.grade(PROJECT / "skeletons" / "stage8_client.py", STAGE, seed=SEED)
    assert result.score == 0 and result.max_score > 0
    first = result.checks[0]
    assert first.name == "8.sends-request" and "TODO" in first.message


def test_no_process_is_left_and_only_loopback_is_used(tmp_path):
    """The runs leave no process behind; the fake servers listen on 127.0.0.1 only.

    (Other gradings may be running in this process meanwhile: the client of this
    run has a name of its own, and no process may still carry it.)
    """
    from autograder.fake_server import FakeServer

    with FakeServer([b"HTTP/1.1 200 OK\r\n\r\n"]) as server:
        assert server.listener.getsockname()[0] == "127.0.0.1"
    no_timeout = next(v for v in BUGGY if v.name == "no-timeout")
    probe = materialise(no_timeout, tmp_path).rename(tmp_path / f"leftover_probe_{os.getpid()}.py")
    grade_only(probe, ["8.connection-refused", "8.server-silent"])
    if os.path.isdir("/proc"):
        assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and probe.name in _command(pid)]


def _command(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().decode(errors="replace")
    except OSError:
        return ""


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


def test_fake_server_stays_open_for_a_client_that_shuts_down_its_sending_side():
    """shutdown(SHUT_WR) after the request is no hang-up: a kept-open or silent server stays so."""
    import socket

    from autograder.fake_server import FakeServer

    with FakeServer([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"], after="keep-open") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdown(socket.SHUT_WR)
            received = b""
            while not received.endswith(b"hi"):
                received += client.recv(100)
            client.settimeout(0.5)
            with pytest.raises(socket.timeout):  # still open: no b"" from a close
                client.recv(100)
            assert server.client_closed
