"""Hostile and broken submissions (issue 4).

Each file in tests/hostile/ is graded, through `grade()` and through the
command line, and must come out failing, with a message a student can act
on, in bounded time (the contract allows 60 s), leaving nothing behind: no
process of the run (found by its user id, its marker, its run folder or the
token the hostile files put in their children's command lines) and no run
folder. The grader being stopped mid-run (SIGTERM, Ctrl-C, kill -9) must
leave nothing behind either.

The sandbox writes one JSON line per run to $LABGRADE_SANDBOX_LOG; that is
how these tests learn each run's user id, marker and folder without
reaching into the grader.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograder import sandbox as sandbox_module
from autograder.grading import grade
from autograder.sandbox import LOG_VARIABLE, MAX_PROCESSES, MODE_VARIABLE, Sandbox

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
CONTRACT_SECONDS = 60
# Our own bound for one grading, well inside the contract: the machine that
# runs these tests is shared, and a loaded one can triple a 5-second wait.
BOUND_SECONDS = 40
LINUX = sys.platform.startswith("linux")

pytestmark = pytest.mark.skipif(not LINUX, reason="process containment is tested through /proc (Linux)")


# -- fixtures and helpers ------------------------------------------------------------


@pytest.fixture
def sandbox_log(tmp_path, monkeypatch):
    log = tmp_path / "sandboxes.jsonl"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    return log


def runs_in(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def processes_of(runs: list[dict]) -> list[str]:
    """Live processes that belong to any of these runs.

    A process belongs to a run when it has the run's user id, its marker
    variable, its cgroup, or names the run folder on its command line (the
    submission's own path lies there, and detached hostile children name
    their working folder). Each is specific to one run, so parallel test
    workers do not see each other's processes.
    """
    uids = {run["uid"] for run in runs if run["uid"] is not None}
    markers = {f"LABGRADE_RUN={run['marker']}".encode() for run in runs}
    folders = [run["run_dir"].encode() for run in runs]
    cgroups = [os.path.basename(path).encode() for run in runs for path in run["cgroups"]]
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                state = stat.read().rsplit(b")", 1)[1].split()[0]
            with open(f"/proc/{entry}/status", "rb") as status:
                uid_line = next(line for line in status if line.startswith(b"Uid:"))
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ")
            with open(f"/proc/{entry}/environ", "rb") as environ:
                variables = set(environ.read().split(b"\0"))
            with open(f"/proc/{entry}/cgroup", "rb") as cgroup:
                memberships = cgroup.read()
        except (OSError, StopIteration):
            continue
        if state == b"Z":
            continue  # already dead, waiting for its parent to read its status
        ours = (
            uids & {int(value) for value in uid_line.split()[1:]}
            or markers & variables
            or any(folder in command for folder in folders)
            or any(name in memberships for name in cgroups)
        )
        if ours:
            found.append(f"{entry}: {command[:160].decode(errors='replace')}")
    return found


def assert_nothing_left(log: Path, grace: float = 3.0) -> list[dict]:
    """Every run in the log is over: no process, no run folder, no cgroup."""
    runs = runs_in(log)
    assert runs, "the grader made no sandbox"
    deadline = time.monotonic() + grace
    left = processes_of(runs)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = processes_of(runs)
    assert left == [], f"processes outlived the grading: {left}"
    for run in runs:
        assert not Path(run["run_dir"]).exists(), f"run folder left behind: {run['run_dir']}"
        for cgroup in run["cgroups"]:
            assert not Path(cgroup).exists(), f"cgroup left behind: {cgroup}"
    return runs


def graded(name: str, stage: int):
    started = time.monotonic()
    result = grade(HOSTILE / name, stage, seed=4)
    return result, time.monotonic() - started


def failures(result) -> dict[str, str]:
    return {check.name: check.message for check in result.checks if check.status != "passed" and not check.advisory}


def hostile_report(output: str, key: str) -> dict:
    """The JSON line a snooping hostile file printed at start."""
    for line in output.splitlines():
        if key in line:
            return json.loads(line[line.index("{"):])[key]
    raise AssertionError(f"no {key} report in the server output:\n{output}")


def contained(run: dict) -> bool:
    """Does the submission run as someone other than root (own user id or bubblewrap)?"""
    return run["uid"] is not None or (run["bwrap"] and os.geteuid() != 0)


# -- grade(): each hostile file fails clearly, quickly, and leaves nothing -----------------

def output_is_capped(result):
    """A flood costs the report a tail, not megabytes (and no time: see the bound)."""
    assert "labgrade-hostile flood" in result.server_output
    assert len(result.server_output) <= 10_000


def wrong_port_is_named(result):
    printed = int(result.server_output.split("listening on")[1].split()[0])
    assert f"your server listens on {printed}, not on {result.port}" in failures(result)["1.starts-listening"]


def nothing_more(result):
    pass


def stop_is_noted(result):
    notes = [c.server_note for c in result.checks if c.server_note]
    assert notes and all("exited with status 0" in note for note in notes), notes


# (file, stage, the check that must fail, words its message must contain, more to check)
CASES = [
    ("never_listens.py", 1, "1.starts-listening", "not listening on port", nothing_more),
    ("crashes_at_start.py", 1, "1.starts-listening", "RuntimeError: labgrade-hostile", nothing_more),
    ("syntax_error.py", 1, "1.starts-listening", "line 4", nothing_more),
    ("floods_stdout.py", 1, "1.starts-listening", "MiB of output", output_is_capped),
    ("accepts_never_answers.py", 5, "1.responds", "no answer", nothing_more),
    ("endless_body.py", 5, "1.content-length", "Content-Length says 10", nothing_more),
    ("ignores_signals.py", 1, "1.starts-listening", "not listening on port", nothing_more),
    ("detached_children.py", 1, "1.status-line-200", "500 Internal Server Error", nothing_more),
    ("wrong_port.py", 1, "1.starts-listening", "read the port from sys.argv[1]", wrong_port_is_named),
    ("allocates_gigabytes.py", 1, "1.starts-listening", "MemoryError", nothing_more),
    ("reads_outside.py", 2, "2.no-traversal", "returned the secret file", nothing_more),
    ("writes_home.py", 1, "1.starts-listening", "wrote what it could", nothing_more),
    ("fork_bomb.py", 1, "1.starts-listening", "processes", nothing_more),
    ("closes_stdout.py", 1, "1.starts-listening", "exited with status 1", nothing_more),
    ("exits_after_first.py", 1, "1.ten-requests", "of 10 failed", stop_is_noted),
]


@pytest.mark.parametrize(("name", "stage", "failing", "words", "more"), CASES, ids=[case[0] for case in CASES])
def test_hostile_submission_fails_clearly_in_bounded_time_and_leaves_nothing(
    sandbox_log, name, stage, failing, words, more
):
    result, elapsed = graded(name, stage)
    assert not result.passed
    failed = failures(result)
    assert failing in failed, f"{failing} passed; failures: {failed}"
    assert words in failed[failing], failed[failing]
    more(result)
    assert elapsed < BOUND_SECONDS
    assert_nothing_left(sandbox_log)


def test_a_server_that_answers_everything_slowly_is_graded_within_the_contract(sandbox_log):
    began = time.monotonic()
    result = grade(HOSTILE / "answers_slowly.py", 5, seed=1)
    seconds = time.monotonic() - began

    assert seconds < CONTRACT_SECONDS, seconds
    by_name = {check.name: check for check in result.checks}
    assert by_name["1.status-line-200"].passed, "its first answers are right, only slow"
    assert not result.passed
    stopped = [check.name for check in result.checks if "grading stopped" in check.message]
    assert stopped, [(check.name, check.message) for check in result.checks]
    assert_nothing_left(sandbox_log)


def test_snooping_outside_the_root_finds_nothing_of_the_grader(sandbox_log, tmp_path):
    result, _ = graded("reads_outside.py", 2)
    report = hostile_report(result.server_output, "labgrade-hostile-reads")
    (run,) = assert_nothing_left(sandbox_log)
    # Always: the environment is scrubbed and HOME lies inside the run folder.
    with Sandbox(tmp_path / "names") as names:
        scrubbed = set(names.environment())
    assert set(report["environment"]) <= scrubbed | {"PWD"}  # bwrap sets PWD
    assert report["own_home"] == str(Path(run["run_dir"]) / "home")
    if contained(run):
        # The run folder cannot be listed, so the traversal secret's name stays unknown.
        assert report["parent_listing"].startswith("refused")
        assert report["etc_shadow"].startswith("refused")
        assert report["root_bashrc"].startswith("refused")
        assert report["user_id"] not in (0, os.getuid())
    if run["bwrap"]:
        # Only the way to the Python it runs on (pyenv under /root, a venv in
        # the project) is there; the grader's project, homes, /root are not.
        for folder, key in [("/work", "work_listing"), ("/work/main", "work_main_listing"),
                            ("/home", "home_listing"), ("/root", "root_listing")]:
            seen = report[key]
            assert isinstance(seen, str) or set(seen) <= on_the_way_to_python(folder), (folder, seen)


def on_the_way_to_python(folder: str) -> set[str]:
    """Names inside `folder` that bubblewrap shows because Python lives below them."""
    return {
        step.name
        for python in sandbox_module._python_folders()
        for step in [python, *python.parents]
        if step.parent == Path(folder)
    }


def _stamp(path: Path):
    """What is at `path` now (None when nothing), so a test can tell a new write from an old file."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def test_writes_land_in_the_run_folder_and_vanish_with_it(sandbox_log):
    # A file left by some earlier, uncontained run must not fail this one:
    # what counts is that *this* run did not write there.
    outside = [Path("/root/labgrade-hostile-wrote"), Path("/tmp/labgrade-hostile-wrote")]
    before = {path: _stamp(path) for path in outside}
    result, _ = graded("writes_home.py", 1)
    report = hostile_report(result.server_output, "labgrade-hostile-writes")
    (run,) = assert_nothing_left(sandbox_log)
    assert report["home"].startswith(run["run_dir"])
    assert report["tmpdir"].startswith(run["run_dir"])
    if contained(run):
        assert report["root_home"].startswith("refused")
        assert report["run_folder"].startswith("refused")
        assert _stamp(outside[0]) == before[outside[0]]
    if run["bwrap"]:
        assert _stamp(outside[1]) == before[outside[1]]  # it wrote into a private /tmp


# -- the command line --------------------------------------------------------------------


def grader_command(*args, log: Path, mode: str | None = None, **popen):
    env = dict(os.environ, **{LOG_VARIABLE: str(log)})
    if mode:
        env[MODE_VARIABLE] = mode
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", *map(str, args)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen,
    )


@pytest.mark.parametrize("name", ["detached_children.py", "fork_bomb.py", "endless_body.py"])
def test_command_line_grades_hostile_files_as_failing(tmp_path, name):
    log = tmp_path / "sandboxes.jsonl"
    started = time.monotonic()
    grader = grader_command("grade", HOSTILE / name, "--stage", "2", "--json", "-", log=log)
    output, errors = grader.communicate(timeout=CONTRACT_SECONDS)
    assert time.monotonic() - started < CONTRACT_SECONDS
    assert grader.returncode == 1, errors.decode()
    results = json.loads(output)
    assert results["score"] < sum(test["max_score"] for test in results["tests"])
    assert any(test["status"] == "failed" and test["output"] for test in results["tests"])
    assert_nothing_left(log)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_grader_stopped_mid_run_leaves_nothing_behind(tmp_path, how):
    """The grader is stopped while a server with detached children is being graded."""
    log = tmp_path / "sandboxes.jsonl"
    slow = tmp_path / "slow_and_detached.py"
    slow.write_text(
        (HOSTILE / "detached_children.py").read_text().replace(
            "client, _ = server.accept()", "client, _ = server.accept()\n    __import__('time').sleep(30)"
        )
    )
    grader = grader_command("grade", slow, "--stage", "5", log=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (runs_in(log) and processes_of(runs_in(log))) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the server is up and a check is waiting for it
        assert processes_of(runs_in(log)), "the submission never started"
        grader.send_signal(getattr(signal, how))
        grader.communicate(timeout=20)
    finally:
        if grader.poll() is None:
            grader.kill()
            grader.communicate()
    if how != "SIGKILL":
        assert grader.returncode != 0
    assert_nothing_left(log, grace=5.0)


# -- without bubblewrap (the fallback every installation has) --------------------------


@pytest.mark.parametrize("name", ["detached_children.py", "fork_bomb.py"])
def test_plain_sandbox_also_contains_and_cleans_up(sandbox_log, monkeypatch, name):
    monkeypatch.setenv(MODE_VARIABLE, "plain")
    result, elapsed = graded(name, 1)
    assert not result.passed
    assert elapsed < BOUND_SECONDS
    (run,) = assert_nothing_left(sandbox_log)
    assert run["bwrap"] is False


# -- the sandbox itself --------------------------------------------------------------


def start_in_sandbox(box: Sandbox, code: str, *args: str) -> subprocess.Popen:
    script = box.run_dir / "program.py"
    script.write_text(textwrap.dedent(code))
    script.chmod(0o644)
    return subprocess.Popen(**box.popen_kwargs([sys.executable, str(script), *args]))


def wait_for_output(box: Sandbox, text: str, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while text not in box.output_tail() and time.monotonic() < deadline:
        time.sleep(0.05)
    return box.output_tail()


@pytest.mark.parametrize("mode", ["auto", "plain"])
def test_a_fork_bomb_stays_below_the_process_limit_and_dies_at_once(tmp_path, mode):
    box = Sandbox(tmp_path / "run", mode=mode)
    try:
        process = start_in_sandbox(box, (HOSTILE / "fork_bomb.py").read_text(), "0")
        deadline = time.monotonic() + 20
        counts = [0]
        while counts[-1] < MAX_PROCESSES - 8 and time.monotonic() < deadline:
            time.sleep(0.2)
            counts.append(len(box.processes()))
        time.sleep(1.0)  # it keeps trying
        counts.append(len(box.processes()))
        count = counts[-1]
        # It forked up to the limit and no further (bwrap's own processes aside).
        assert MAX_PROCESSES - 8 <= max(counts) and max(counts) <= MAX_PROCESSES + 3, counts
        started = time.monotonic()
        assert box.kill_all() >= count - 3
        assert time.monotonic() - started < 10
        assert box.processes() == []
        process.wait(timeout=5)
    finally:
        box.cleanup()
    assert not box.run_dir.exists()


def test_64_threads_fit_in_the_limits(tmp_path):
    box = Sandbox(tmp_path / "run")
    try:
        start_in_sandbox(box, """
            import socket, threading
            gate = threading.Event()
            def hold():
                pair = socket.socketpair()
                gate.wait()
            threads = [threading.Thread(target=hold) for _ in range(64)]
            for thread in threads:
                thread.start()
            print("threads running:", threading.active_count() - 1, flush=True)
            gate.wait()
        """)
        assert "threads running: 64" in wait_for_output(box, "threads running")
    finally:
        box.cleanup()


def test_grader_killed_outright_its_launcher_still_cleans_up(tmp_path):
    """kill -9 of the grader: the launcher sees its pipe close and removes everything."""
    log = tmp_path / "sandboxes.jsonl"
    code = textwrap.dedent(f"""
        import subprocess, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from autograder.sandbox import Sandbox
        box = Sandbox({str(tmp_path / 'run')!r})
        subprocess.Popen(**box.popen_kwargs([sys.executable, {str(HOSTILE / 'detached_children.py')!r}, "0"]))
        time.sleep(60)
    """)
    env = dict(os.environ, **{LOG_VARIABLE: str(log)})
    grader = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 20
        while len(processes_of(runs_in(log))) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)  # the server and its three detached grandchildren
        assert len(processes_of(runs_in(log))) >= 4
    finally:
        grader.kill()
        grader.wait()
    assert_nothing_left(log, grace=5.0)


def test_output_tail_keeps_a_crash_across_restarts(tmp_path):
    box = Sandbox(tmp_path / "run")
    try:
        first = start_in_sandbox(box, "raise SystemExit('first start: labgrade-hostile crash')")
        first.wait(timeout=10)
        box.kill_all()
        second = start_in_sandbox(box, "print('second start', flush=True)")
        second.wait(timeout=10)
        tail = box.output_tail()
        assert "first start: labgrade-hostile crash" in tail and "second start" in tail
    finally:
        box.cleanup()


def test_describe_exit_explains_the_limits():
    assert "CPU" in sandbox_module.describe_exit(-signal.SIGXCPU)
    assert "MiB of output" in sandbox_module.describe_exit(-signal.SIGXFSZ)
    assert sandbox_module.describe_exit(3) == "exited with status 3"


def test_a_private_submission_file_still_runs(tmp_path, sandbox_log):
    """A student's 0600 file in a 0700 folder: the run's own user must still read the copy."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    submission = private / "server.py"
    submission.write_bytes((ROOT / "solutions" / "stage1_file_server.py").read_bytes())
    submission.chmod(0o600)
    result = grade(submission, 1, seed=4)
    assert failures(result) == {}, failures(result)
    assert_nothing_left(sandbox_log)
