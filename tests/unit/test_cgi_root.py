"""The CGI scripts the grader generates (autograder/cgi_root.py) do what the stage-7 checks expect.

Each script is run here as a CGI server runs it: `python SCRIPT` in the
script's folder, with a CGI environment and the body on stdin.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from autograder import docroot
from autograder.checks import stage7


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    return docroot.build(tmp_path_factory.mktemp("run") / "root", seed=11)


def run(docs, script, env=None, stdin=b"", timeout=10):
    path = docs.root / script.relative
    return subprocess.run([sys.executable, str(path)], cwd=path.parent, env={"PATH": os.environ["PATH"], **(env or {})},
                          input=stdin, capture_output=True, timeout=timeout)


def split(output: bytes) -> tuple[bytes, bytes]:
    for blank in (b"\r\n\r\n", b"\n\n"):
        if blank in output:
            head, _, body = output.partition(blank)
            return head, body
    raise AssertionError(f"no header block in {output[:200]!r}")


def test_names_and_outputs_are_random_and_the_sources_never_hold_what_they_print(docs, tmp_path):
    other = docroot.build(tmp_path / "root", seed=12).cgi
    cgi = docs.cgi
    assert cgi.echo.relative != other.echo.relative and cgi.binary_body != other.binary_body
    for script in (cgi.echo, cgi.status, cgi.headless, cgi.large, cgi.spaced):
        assert script.ran and script.ran not in (docs.root / script.relative).read_text()
    assert " " in cgi.spaced.relative and cgi.spaced.url_path.count("%20") == 2


def test_the_echo_script_reports_its_environment_and_exactly_content_length_bytes(docs):
    body = b"a=1&b=2\r\n\r\nmore"
    done = run(docs, docs.cgi.echo, {"CONTENT_LENGTH": "7", "QUERY_STRING": "x=%20"}, stdin=body)
    head, out = split(done.stdout)
    assert b"Content-Type: application/json" in head
    assert f"{docs.cgi.header_name}: {docs.cgi.header_value}".encode() in head
    report = json.loads(out)
    assert report["ran"] == docs.cgi.echo.ran and report["environ"]["QUERY_STRING"] == "x=%20"
    assert base64.b64decode(report["stdin"]) == body[:7]
    assert os.path.realpath(report["cwd"]) == os.path.realpath(docs.cgi.folder)


def test_the_output_scripts(docs):
    cgi = docs.cgi
    status = run(docs, cgi.status)
    assert status.stdout.startswith(b"Status: 404 Not Found\r\n") and split(status.stdout)[1] == cgi.status_body
    assert cgi.status_warning.encode() in status.stderr
    assert split(run(docs, cgi.binary).stdout)[1] == cgi.binary_body and sorted(cgi.binary_body) == list(range(256))
    counted = run(docs, cgi.counted).stdout
    assert f"Content-Length: {cgi.counted_wrong_length}".encode() in counted
    assert split(counted)[1] == cgi.counted_body and len(cgi.counted_body) > cgi.counted_wrong_length
    large = split(run(docs, cgi.large).stdout)[1]
    assert large == cgi.large_body and len(large) > 1024 * 1024
    assert split(run(docs, cgi.spaced).stdout)[1] == f"ran {cgi.spaced.ran}\n".encode()


def test_the_failing_and_the_headless_script(docs):
    fails = run(docs, docs.cgi.fails)
    assert fails.returncode == 1 and docs.cgi.fails_message.encode() in fails.stderr
    assert docs.cgi.fails_message.encode() not in fails.stdout
    headless = run(docs, docs.cgi.headless).stdout
    assert b"\n\n" not in headless and b":" not in headless and docs.cgi.headless.ran.encode() in headless


def test_the_files_that_must_never_run_leave_a_marker_when_they_do(docs):
    targets = [d.target for d in docs.cgi.never_run]
    assert "/cgi-bin/../" + targets[0].lstrip("/") in targets
    assert any(t.startswith("/%63gi-bin/") for t in targets) and any(t.endswith(".txt") for t in targets)
    for disguise in docs.cgi.never_run:
        assert not disguise.marker.exists()
    planted = docs.cgi.never_run[0]
    done = subprocess.run([sys.executable, str(docs.root / planted.target.lstrip("/"))], capture_output=True, timeout=10)
    assert planted.marker.exists() and planted.ran.encode() in done.stdout
    planted.marker.unlink()
    assert stat.S_IMODE(docs.cgi.state.stat().st_mode) == 0o777  # whoever the submission runs as may write


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_the_sleeper_and_its_child_hold_their_locks_until_their_group_is_killed(docs):
    cgi = docs.cgi
    path = docs.root / cgi.sleeper.relative
    process = subprocess.Popen([sys.executable, str(path)], cwd=path.parent, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while stage7._holders(cgi) != ["the script and the child process it forked are"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stage7._holders(cgi) == ["the script and the child process it forked are"]
        process.kill()  # the script only: its child still holds its lock
        process.communicate(timeout=5)  # the child does not keep the script's output open
        time.sleep(0.1)
        assert stage7._holders(cgi) == ["the child process it forked is"]
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while stage7._holders(cgi) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stage7._holders(cgi) == []
