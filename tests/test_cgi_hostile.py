"""Hostile CGI (stage 7): what a server's scripts start is contained and cleaned up too.

A CGI server starts processes of its own (the scripts, and whatever they
start, in sessions of their own: start_new_session=True). The sandbox's limits
must hold for these grandchildren as for the server, and nothing of them may
outlive the grading: not a script a server never stops (no timeout), not the
child of a script whose server killed only the script, not a fork bomb or a
flood that a script turns into.

The helpers come from test_hostile.py: the sandbox log says which run folders,
user ids, markers and cgroups belong to the runs, and a process of any of
them still alive is a failure.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograder import docroot, wire
from autograder.grading import grade
from autograder.sandbox import MAX_PROCESSES, Sandbox
from corpus.mutations import BY_NAME, materialise
from test_hostile import BOUND_SECONDS, LINUX, assert_nothing_left, runs_in, sandbox_log  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(not LINUX, reason="process containment is tested through /proc (Linux)")

BASE7 = Path(__file__).resolve().parent / "corpus" / "base_stage7.py"

FORK_BOMB = """\
import os, time
print("Content-Type: text/plain")
print()
print("forking", flush=True)
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.001)
"""
FLOOD = """\
import sys
sys.stdout.write("Content-Type: text/plain\\n\\n")
line = b"labgrade-hostile flood " * 2000 + b"\\n"
while True:
    sys.stdout.buffer.write(line)
"""
DETACHES = """\
import os, subprocess, sys, time
# A grandchild that leaves the script's session: only the sandbox can find it.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("Content-Type: text/plain")
print()
print("detached a child")
"""


@pytest.mark.parametrize("name, failing", [
    ("cgi-no-timeout", "7.script-timeout"),  # the sleeper is never stopped by the server
    ("traceback-page-and-kill", "7.timeout-stops-all"),  # the sleeper's child outlives the script
])
def test_a_server_that_leaves_scripts_running_is_graded_in_bounded_time_and_leaves_nothing(
    sandbox_log, tmp_path, name, failing  # noqa: F811 (the fixture)
):
    submission = materialise(BY_NAME[name], tmp_path)
    started = time.monotonic()
    result = grade(submission, 7, seed=3)
    elapsed = time.monotonic() - started
    statuses = {check.name: check.status for check in result.checks}
    assert statuses[failing] == "failed", statuses
    assert elapsed < BOUND_SECONDS, elapsed
    assert_nothing_left(sandbox_log)


def start_cgi_server(box: Sandbox, scripts: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """base_stage7.py in the sandbox, on a root with these scripts in cgi-bin/."""
    docroot.build(box.root, seed=5)
    for name, text in scripts.items():
        path = box.root / "cgi-bin" / name
        path.write_text(textwrap.dedent(text))
        path.chmod(0o644)
    server = box.run_dir / "server.py"
    server.write_bytes(BASE7.read_bytes())
    server.chmod(0o644)
    port = wire.free_port()
    process = subprocess.Popen(**box.popen_kwargs([sys.executable, str(server), str(port)]))
    deadline = time.monotonic() + 15
    while port not in box.listening_ports() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert port in box.listening_ports(), box.output_tail()
    return process, port


def test_a_fork_bomb_in_a_cgi_script_stays_below_the_process_limit_and_dies_with_the_run(tmp_path, sandbox_log):  # noqa: F811
    box = Sandbox(tmp_path / "run")
    try:
        process, port = start_cgi_server(box, {"bomb.py": FORK_BOMB})
        with wire.Connection(port) as client:
            client.send(b"GET /cgi-bin/bomb.py HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            counts, deadline = [], time.monotonic() + 4
            while time.monotonic() < deadline:
                counts.append(len(box.processes()))
                time.sleep(0.2)
            # The script's forks count against the run's limit like the server's own threads.
            assert max(counts) <= MAX_PROCESSES + 3, counts
            assert max(counts) >= MAX_PROCESSES // 2, f"the bomb never went off: {counts}\n{box.output_tail()}"
            client.read_response(timeout=8)  # 504 after 5 s from a server that killed the group, or nothing
        started = time.monotonic()
        box.kill_all()
        assert time.monotonic() - started < 10
        assert box.processes() == []
        process.wait(timeout=5)
    finally:
        box.cleanup()
    assert_nothing_left(sandbox_log)


def test_a_flooding_cgi_script_and_a_detached_grandchild_are_contained(tmp_path, sandbox_log):  # noqa: F811
    box = Sandbox(tmp_path / "run")
    try:
        process, port = start_cgi_server(box, {"flood.py": FLOOD, "detaches.py": DETACHES})
        started = time.monotonic()
        exchange = wire.exchange(port, b"GET /cgi-bin/detaches.py HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=5)
        assert b"detached a child" in exchange.received, exchange.received[:300]
        # The flood: the server buffers what the script writes until its 5 s are up
        # (or its memory limit stops it); either way the run stays bounded.
        flood = wire.exchange(port, b"GET /cgi-bin/flood.py HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                              timeout=12, cap=1024 * 1024)
        assert time.monotonic() - started < 30
        assert box.processes(), "the detached grandchild should still be there before clean-up"
        box.kill_all()
        assert box.processes() == []
        process.wait(timeout=5)
    finally:
        box.cleanup()
    (run,) = runs_in(sandbox_log)
    assert not Path(run["run_dir"]).exists()
    assert_nothing_left(sandbox_log)
