"""The reference solutions under malformed and hostile traffic (issue 4).

Every solution from stage 2 on gets random bytes, strange paths, strange
headers, bad Content-Length values; the threaded ones (stages 4 and 5) also
slow, silent and idle clients. Whatever comes in, what goes out is a
well-formed HTTP response (or the connection simply closes), never a Python
traceback, never a file from outside the document root; the server does not
crash and answers a normal request afterwards. Slow and silent clients are
dropped after the request deadline (stage 4's lesson), so threads do not
pile up.

The ladder brings robustness with the stage whose lesson needs it. Stage 1
is a first socket program: it serves files that exist and stops at the
first request it cannot serve (stage 2 teaches it to answer those), so here
it only has to survive what every browser does: connections that close
without a request, or halfway through one. Stages 2 and 3 answer one
connection at a time without a deadline, so a silent client holds them
(that is what stage 4 is for): they get no slow or silent clients.

A property-based part (hypothesis, a bounded number of examples) explores;
the hand-picked cases pin down what a teaching assistant would try first.
One server per stage serves a temporary folder for the whole module.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.stages import SERVER_STAGES
from autograder.wire import free_port

HOST = "127.0.0.1"
INDEX = b"<!DOCTYPE html>\n<html><body><h1>Index of the malformed-traffic tests</h1></body></html>\n"
SECRET = b"labgrade malformed-traffic secret: must never be served\n"
REQUEST_DEADLINE = 10  # the solutions' REQUEST_DEADLINE_SECONDS
DROP_BOUND = REQUEST_DEADLINE + 8  # a slow client must be gone by then (generous: shared machine)
EXAMPLES = 100  # per property and stage: 2,000 exchanges in all, a few seconds
# Servers only: stage 8 is a client (tests/test_client_corpus.py), it answers no traffic.
STAGE_NUMBERS = [stage.number for stage in SERVER_STAGES if stage.number >= 2]  # see the docstring
THREADED = (4, 5)

# Statuses a solution may answer malformed traffic with. 405 and 501 are
# what a correct server says to a method it does not handle; 408 to a
# request that did not arrive in time (from stage 4).
CLIENT_ERRORS = {400, 403, 404, 405, 408, 411, 413, 414, 431, 501}
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) [^\r\n]+$")

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- the servers ---------------------------------------------------------------------


@dataclass
class Server:
    stage: int
    port: int
    process: subprocess.Popen
    log: Path

    def pid(self) -> int:
        return self.process.pid


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Every stage's solution, started once, serving a folder with a secret beside it."""
    base = tmp_path_factory.mktemp("malformed")
    (base / "secret.txt").write_bytes(SECRET)
    started = {}
    try:
        for stage in SERVER_STAGES:
            root = base / f"root{stage.number}"
            root.mkdir()
            (root / "index.html").write_bytes(INDEX)
            port = free_port()
            log = base / f"stage{stage.number}.log"
            with open(log, "wb") as output:
                process = subprocess.Popen(
                    [sys.executable, str(stage.solution), str(port)],
                    cwd=root, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started[stage.number] = Server(stage.number, port, process, log)
        for server in started.values():
            wait_until_listening(server)
        yield started
    finally:
        for server in started.values():
            try:
                server.process.send_signal(signal.SIGKILL)
                server.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
    for server in started.values():
        log = server.log.read_text(errors="replace")
        assert "Traceback" not in log, f"stage {server.stage} printed a traceback:\n{log[-3000:]}"


def wait_until_listening(server: Server, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            socket.create_connection((HOST, server.port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"stage {server.stage} did not listen within {seconds} s")


# -- talking to them -------------------------------------------------------------------


def exchange(port: int, data: bytes, timeout: float = 8.0) -> bytes:
    """Send data, say we are done (half-close), read until the server closes."""
    received = b""
    with socket.create_connection((HOST, port), timeout=timeout) as client:
        try:
            client.sendall(data)
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered (431, say) and closed before it read everything
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                piece = client.recv(65536)
                if not piece:
                    break
                received += piece
        except ConnectionResetError:
            pass  # a reset after the answer (or instead of one) is a close
        except TimeoutError:
            raise AssertionError(f"no answer and no close within {timeout} s to {data[:80]!r}") from None
    return received


def allowed(stage: int, *statuses: int) -> set[int]:
    """The statuses accepted from `stage` (no 500: a 500 is a bug in a solution)."""
    return set(statuses or CLIENT_ERRORS)


def check_answer(raw: bytes, accepted: set[int], request: bytes = b"") -> int | None:
    """A well-formed response with an accepted status (its code), or a plain close (None)."""
    shown = request[:120]
    if raw == b"":
        return None
    assert b"Traceback" not in raw, f"a traceback went to the client for {shown!r}: {raw[:500]!r}"
    assert SECRET not in raw, f"the secret beside the root was served for {shown!r}"
    head, blank, body = raw.partition(b"\r\n\r\n")
    assert blank, f"no blank line after the head for {shown!r}: {raw[:300]!r}"
    status_line, *header_lines = head.split(b"\r\n")
    match = STATUS_LINE.match(status_line)
    assert match, f"malformed status line {status_line!r} for {shown!r}"
    headers = {}
    for line in header_lines:
        name, colon, value = line.partition(b":")
        assert colon, f"header line without a colon {line!r} for {shown!r}"
        headers[name.strip().lower()] = value.strip()
    assert int(headers[b"content-length"]) == len(body), f"Content-Length is not the body's length for {shown!r}"
    status = int(match.group(1))
    assert status in accepted, f"status {status} for {shown!r}; expected one of {sorted(accepted)}"
    return status


def assert_still_serves(server: Server) -> None:
    assert server.process.poll() is None, f"stage {server.stage} died:\n{server.log.read_text()[-2000:]}"
    raw = exchange(server.port, b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert check_answer(raw, {200}) == 200
    assert raw.endswith(INDEX)


def answer_of(server: Server, request: bytes, *statuses: int) -> int | None:
    return check_answer(exchange(server.port, request), allowed(server.stage, *statuses), request)


# -- property-based -----------------------------------------------------------------------

PATH_PIECES = st.one_of(
    st.sampled_from([
        b"%", b"%z", b"%zz", b"%0", b"%00", b"%2e%2e", b"%2f", b"..", b"/", b"./", b"\x00", b"\x01",
        b"\x1b[31m", b"\x7f", b"\xff", b"\xc3\x28", b"%e2%82", b"%ff%fe", b"?", b"?a=%", b"#", b";",
        b"index.html", b"secret.txt", b"\t", b"\\", b"%5c", b"~",
    ]),
    st.binary(max_size=6).filter(lambda piece: b"\r" not in piece and b"\n" not in piece and b" " not in piece),
    st.text(max_size=6).map(lambda text: text.encode()).filter(lambda piece: not re.search(rb"[\r\n ]", piece)),
)
HEADER_LINES = st.one_of(
    st.binary(max_size=60).filter(lambda line: b"\r\n" not in line and not line.endswith(b"\r")),
    st.builds(
        lambda name, value: name + b": " + value,
        st.binary(min_size=1, max_size=20).filter(lambda text: b"\r" not in text and b"\n" not in text),
        st.binary(max_size=60).filter(lambda text: b"\r" not in text and b"\n" not in text),
    ),
)
LENGTH_VALUES = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=24).filter(lambda text: "\r" not in text and "\n" not in text),
    st.sampled_from(["", " 5", "5 ", "+5", "-0", "0x10", "1e3", "\u0663", "5,5", "5, 5", "18446744073709551617"]),
)


@pytest.mark.parametrize("stage", STAGE_NUMBERS)
@fuzz
@given(junk=st.binary(min_size=1, max_size=3000))
def test_random_bytes_get_an_error_or_a_close(servers, stage, junk):
    answer_of(servers[stage], junk, 200, *CLIENT_ERRORS)
    assert servers[stage].process.poll() is None


@pytest.mark.parametrize("stage", STAGE_NUMBERS)
@fuzz
@given(pieces=st.lists(PATH_PIECES, max_size=10))
def test_strange_paths_never_leave_the_root(servers, stage, pieces):
    path = b"/" + b"".join(pieces)
    request = b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"
    raw = exchange(servers[stage].port, request)
    # From stage 6 a folder without its slash gets a 301 to the same folder, on this server.
    status = check_answer(raw, allowed(stage, 200, 400, 403, 404, *((301,) if stage >= 6 else ())), request)
    if status == 200:
        assert raw.endswith(INDEX) or (stage >= 6 and b"Index of" in raw), f"a 200 for {request!r}: not index.html"
    if status == 301:
        location = re.search(rb"\r\nLocation: ([^\r]*)\r\n", raw).group(1)
        assert location.startswith(b"/") and not location.startswith(b"//"), f"Location {location!r} for {request!r}"


@pytest.mark.parametrize("stage", STAGE_NUMBERS)
@fuzz
@given(lines=st.lists(HEADER_LINES, max_size=12))
def test_strange_header_lines_are_survived(servers, stage, lines):
    request = b"GET /index.html HTTP/1.1\r\n" + b"".join(line + b"\r\n" for line in lines) + b"\r\n"
    status = answer_of(servers[stage], request, 200, 400, 431)
    if status == 200:
        assert exchange(servers[stage].port, request).endswith(INDEX)


@pytest.mark.parametrize("stage", STAGE_NUMBERS)
@fuzz
@given(length=LENGTH_VALUES, body=st.binary(max_size=64))
def test_any_content_length_gets_an_answer_or_a_close(servers, stage, length, body):
    request = (
        b"POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + length.encode() + b"\r\n\r\n" + body
    )
    # 200 for a valid length; stages before 5 do not handle POST (405, 501).
    answer_of(servers[stage], request, 200, 400, 405, 411, 413, 501)


@pytest.mark.parametrize("stage", STAGE_NUMBERS)
def test_each_server_survived_the_fuzzing(servers, stage):
    assert_still_serves(servers[stage])


# -- hand-picked ------------------------------------------------------------------------------

MANY_HEADERS = b"".join(b"X-Header-%d: value\r\n" % number for number in range(2000))  # ~45 KiB
TOO_MANY_HEADERS = b"".join(b"X-Header-%d: value\r\n" % number for number in range(10000))  # ~230 KiB
TLS_HELLO = bytes.fromhex("160301020001000200030368c3a1") + bytes(range(256)) * 2

# name: (request, statuses a solution from stage 2 on may answer; a close is always fine)
CASES = {
    "nul-escaped-in-path": (b"GET /index%00.html HTTP/1.1\r\n\r\n", {400, 404}),
    "nul-raw-in-path": (b"GET /ind\x00ex.html HTTP/1.1\r\n\r\n", {400, 404}),
    "control-characters-in-path": (b"GET /\x01\x02\x1b[31m\x7f HTTP/1.1\r\n\r\n", {400, 404}),
    "percent-at-the-end": (b"GET /index.html% HTTP/1.1\r\n\r\n", {400, 404}),
    "invalid-percent-escape": (b"GET /%zz%g1 HTTP/1.1\r\n\r\n", {400, 404}),
    "truncated-utf8-escape": (b"GET /%e2%82 HTTP/1.1\r\n\r\n", {400, 404}),
    "non-utf8-path": (b"GET /\xff\xfe\xc3\x28.html HTTP/1.1\r\n\r\n", {400, 404}),
    "traversal-encoded-backslash": (b"GET /..%5c..%5csecret.txt HTTP/1.1\r\n\r\n", {400, 403, 404}),
    "header-without-colon": (b"GET /index.html HTTP/1.1\r\nThis line has no colon\r\n\r\n", {200, 400}),
    "100-kib-header-line": (b"GET /index.html HTTP/1.1\r\nX-Long: " + b"a" * 100_000 + b"\r\n\r\n", {400, 431}),
    "two-thousand-headers": (b"GET /index.html HTTP/1.1\r\n" + MANY_HEADERS + b"\r\n", {200, 400, 431}),
    "ten-thousand-headers": (b"GET /index.html HTTP/1.1\r\n" + TOO_MANY_HEADERS + b"\r\n", {400, 431}),
    "negative-content-length": (b"POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\nhello", {400, 405, 501}),
    "garbage-content-length": (b"POST /echo HTTP/1.1\r\nContent-Length: lots\r\n\r\nhello", {400, 405, 501}),
    "huge-content-length": (b"POST /echo HTTP/1.1\r\nContent-Length: " + b"9" * 40 + b"\r\n\r\nhi", {400, 405, 413, 501}),
    "arabic-digit-length": ("POST /echo HTTP/1.1\r\nContent-Length: \u0665\r\n\r\nhello".encode(), {400, 405, 501}),
    "two-content-lengths": (b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\na=b", {200, 400, 405, 501}),
    "get-without-version": (b"GET /\r\n\r\n", {400}),
    "only-a-blank-line": (b"\r\n\r\n", {400}),
    "lowercase-method": (b"get /index.html HTTP/1.1\r\n\r\n", {400, 501}),
    "unknown-method": (b"BREW /coffee HTTP/1.1\r\n\r\n", {400, 405, 501}),
    "absolute-url-target": (b"GET http://localhost/index.html HTTP/1.1\r\n\r\n", {400}),
    "http2-preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 501}),
    "tls-client-hello": (TLS_HELLO, {400}),
    "head-cut-off-then-close": (b"GET /index.html HTTP/1.1\r\nHost: loc", set()),
    "random-bytes-no-blank-line": (bytes(range(256)) * 8, {400, 431}),
}


@pytest.mark.parametrize("stage", STAGE_NUMBERS)
@pytest.mark.parametrize("case", list(CASES))
def test_hand_picked_malformed_request(servers, stage, case):
    request, statuses = CASES[case]
    server = servers[stage]
    raw = exchange(server.port, request)
    status = check_answer(raw, allowed(stage, *statuses) if statuses else set(), request)
    if case == "head-cut-off-then-close":
        assert status is None, "an answer to half a request"
    assert_still_serves(server)


def test_post_echo_still_works_after_the_storm(servers):
    """Stage 5's POST path, the one most of the Content-Length cases aimed at."""
    raw = exchange(
        servers[5].port,
        b"POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 7\r\n\r\nname=ok",
    )
    assert check_answer(raw, {200}) == 200
    assert b"key=name; value=ok;" in raw


# -- slow, silent and idle clients -------------------------------------------------------


def time_until_dropped(port: int, first: bytes, drip: bytes = b"", seconds: float = DROP_BOUND) -> tuple[float, bytes]:
    """Send `first`, then one `drip` byte a second; how long until the server ends it."""
    started = time.monotonic()
    received = b""
    with socket.create_connection((HOST, port), timeout=2) as client:
        client.sendall(first)
        client.settimeout(1.0)
        while time.monotonic() - started < seconds:
            try:
                piece = client.recv(65536)
            except TimeoutError:
                if drip:
                    try:
                        client.sendall(drip)
                    except OSError:
                        break
                continue
            except ConnectionResetError:
                break
            if not piece:
                break
            received += piece
    return time.monotonic() - started, received


def read_until_closed(connection: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before it closed the connection; None if it did not close in time."""
    received = b""
    deadline = time.monotonic() + seconds
    try:
        while True:
            connection.settimeout(max(0.05, deadline - time.monotonic()))
            piece = connection.recv(65536)
            if not piece:
                return received
            received += piece
    except ConnectionResetError:
        return received
    except TimeoutError:
        return None


def threads_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("Threads:")).split()[1])


def test_stage1_survives_what_browsers_do(servers):
    """Browsers open connections they never use, and give up on others halfway."""
    server = servers[1]
    for request in (b"", b"GET /index.html HTTP/1.1\r\nHost: loc", b"GET /ind"):
        assert exchange(server.port, request) == b"", f"an answer to {request!r}"
    assert_still_serves(server)


def test_slow_silent_and_idle_clients_are_dropped(servers):
    """The threaded stages (4, 5) at once, so the module waits for one request deadline.

    Each gets a slow-loris client (a header byte a second) and a silent one,
    plus 200 idle connections while a normal request must still be answered;
    stage 5 also a body shorter than its Content-Length. Each must be dropped
    (408 or a close) once the deadline has passed.
    """
    outcomes: dict[str, tuple[float, bytes]] = {}

    def record(name, *args):
        outcomes[name] = time_until_dropped(*args)

    workers = []
    for stage in THREADED:
        server = servers[stage]
        workers.append(threading.Thread(target=record, args=(
            f"{stage}/slow-loris", server.port, b"GET /index.html HTTP/1.1\r\n", b"X")))
        workers.append(threading.Thread(target=record, args=(f"{stage}/silent", server.port, b"")))
    short_body = (
        b"POST /echo HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100\r\n\r\nname=only-part-of-it"
    )
    workers.append(threading.Thread(target=record, args=("5/short-body", servers[5].port, short_body)))
    for worker in workers:
        worker.start()

    idle = {}
    baseline = {stage: threads_of(servers[stage].pid()) for stage in THREADED}
    try:
        for stage in THREADED:
            idle[stage] = [socket.create_connection((HOST, servers[stage].port), timeout=5) for _ in range(200)]
        for stage in THREADED:
            started = time.monotonic()
            assert_still_serves(servers[stage])  # 200 idle clients do not block the others
            assert time.monotonic() - started < 3
        opened = time.monotonic()
        for stage in THREADED:
            for connection in idle[stage]:
                received = read_until_closed(connection, DROP_BOUND - (time.monotonic() - opened))
                assert received is not None, f"stage {stage} kept an idle connection past {DROP_BOUND} s"
                if received:
                    assert check_answer(received, {408}) == 408
    finally:
        for connections in idle.values():
            for connection in connections:
                connection.close()
        for worker in workers:
            worker.join(timeout=3 * DROP_BOUND)

    assert len(outcomes) == 2 * len(THREADED) + 1
    for name, (seconds, received) in outcomes.items():
        assert seconds < DROP_BOUND, f"{name}: still connected after {seconds:.1f} s"
        if received:
            assert check_answer(received, {408, 400}, name.encode()) in (408, 400)
    for stage in THREADED:
        deadline = time.monotonic() + 5
        while threads_of(servers[stage].pid()) > baseline[stage] + 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert threads_of(servers[stage].pid()) <= baseline[stage] + 2, "threads of dropped clients pile up"
    for server in servers.values():
        assert_still_serves(server)
