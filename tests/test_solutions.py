"""The reference solutions (solutions/) behave as the contract says.

Each solution is started as a real process, `python FILE PORT`, in a fresh
folder that is its document root, and talked to over raw sockets on
127.0.0.1. The grader tests at the end grade each solution with
autograder.grading.grade at its own stage and every stage below.
"""

from __future__ import annotations

import json
import re
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reference_servers import HOST, Server

PROJECT = Path(__file__).resolve().parent.parent
SOLUTIONS = {
    1: PROJECT / "solutions" / "stage1_file_server.py",
    2: PROJECT / "solutions" / "stage2_not_found.py",
    3: PROJECT / "solutions" / "stage3_query_echo.py",
    4: PROJECT / "solutions" / "stage4_threaded.py",
    5: PROJECT / "solutions" / "stage5_post.py",
    6: PROJECT / "solutions" / "stage6_directories.py",
    7: PROJECT / "solutions" / "stage7_cgi.py",
}
ALL_BYTES = bytes(range(256)) * 4
FORM = "application/x-www-form-urlencoded"
HTML_TEXT = '<!DOCTYPE html><meta charset="utf-8"><p>Grüße, 世界 👋</p>\n'


# Scripts for stage 7. Each leaves a mark in the run folder when it runs.
CGI_SCRIPTS = {
    "env.py": """import json, os, sys
open(os.path.join("RUN_FOLDER", "ran-" + os.path.basename(__file__)), "w").close()
body = sys.stdin.buffer.read()
print("Content-Type: application/json")
print("X-Script: yes")
print()
print(json.dumps({"env": dict(os.environ), "stdin": body.decode("latin-1"), "cwd": os.getcwd()}))
""",
    "status.py": 'import sys\nsys.stdout.write("Status: 404 Not Found\\r\\nContent-Type: text/plain\\r\\n\\r\\nnone")\n',
    "bytes.py": 'import sys\nsys.stdout.buffer.write(b"Content-Type: image/png\\n\\n" + bytes(range(256)))\n',
    "fails.py": 'import sys\nprint("Content-Type: text/plain\\n")\nprint("the-stderr-text", file=sys.stderr)\nsys.exit(1)\n',
    "no head.py": 'print("just text, no header block")\n',
    "sleeps.py": """import os, time
child = os.fork()
with open(os.path.join("RUN_FOLDER", "pids-%d" % os.getpid()), "w") as pids:
    pids.write("%d %d" % (os.getpid(), child or os.getpid()))
time.sleep(600)
""",
}


# ------------------------------------------------------------------ helpers


def make_root(folder: Path) -> Path:
    """A document root with a few files, and a secret in its parent folder."""
    root = folder / "root"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "page.html").write_text(HTML_TEXT, encoding="utf-8")
    (root / "bytes.png").write_bytes(ALL_BYTES)
    (root / "notes.txt").write_text("plain text\r\nline 2\n", encoding="utf-8")
    (root / "with space.html").write_text("<p>spaced</p>", encoding="utf-8")
    (root / "sub" / "deeper" / "nested.html").write_text("<p>nested</p>", encoding="utf-8")
    (root / "sub" / "index.html").write_text("<p>sub's index</p>", encoding="utf-8")
    (root / "sub" / "deeper" / "<b> & #1 100%.txt").write_text("odd name", encoding="utf-8")
    (root / "sub" / "deeper" / ".hidden.txt").write_text("do-not-show", encoding="utf-8")
    (root / "cgi-bin").mkdir()
    for name, script in CGI_SCRIPTS.items():
        (root / "cgi-bin" / name).write_text(script.replace("RUN_FOLDER", str(folder)), encoding="utf-8")
    (root / "run-me.py").write_text(CGI_SCRIPTS["env.py"].replace("RUN_FOLDER", str(folder)), encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]", encoding="utf-8")
    (root / "big.bin").write_bytes(os.urandom(1024 * 1024 + 17))
    (folder / "SECRET.txt").write_text("the secret", encoding="utf-8")
    return root


def exchange(port: int, *pieces: bytes, pause: float = 0.0, timeout: float = 10.0) -> bytes:
    """Send pieces (pausing between them), then read until the server closes."""
    with socket.create_connection((HOST, port), timeout=timeout) as client:
        for number, piece in enumerate(pieces):
            if number and pause:
                time.sleep(pause)
            client.sendall(piece)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return received


def get(port: int, target: str, extra: bytes = b"") -> bytes:
    return exchange(port, f"GET {target} HTTP/1.1\r\nHost: x\r\n".encode() + extra + b"\r\n")


def split_response(response: bytes) -> tuple[str, dict[str, str], bytes]:
    """(status line, {lower-case header name: value}, body); checks CRLF framing."""
    head, blank, body = response.partition(b"\r\n\r\n")
    assert blank, f"no blank line in {response[:200]!r}"
    status_line, *lines = head.decode("ascii").split("\r\n")
    headers = {}
    for line in lines:
        name, colon, value = line.partition(":")
        assert colon, f"bad header line {line!r}"
        headers[name.strip().lower()] = value.strip()
    assert int(headers["content-length"]) == len(body)
    return status_line, headers, body


@pytest.fixture(scope="module", params=sorted(SOLUTIONS), ids=lambda n: f"stage{n}")
def running(request, tmp_path_factory):
    """(stage, server) for each solution, one server per stage for this module."""
    stage = request.param
    root = make_root(tmp_path_factory.mktemp(f"stage{stage}"))
    server = Server(SOLUTIONS[stage], root)
    try:
        server.wait_listening()
        yield stage, server
    finally:
        log = server.stop()
        assert "Traceback" not in log, log


def from_stage(first: int):
    """Run a test against the solutions of stage `first` and later only."""
    return pytest.mark.parametrize(
        "running", [stage for stage in sorted(SOLUTIONS) if stage >= first], indirect=True,
        ids=lambda n: f"stage{n}",
    )


# ---------------------------------------------------------- stage 1: files


@pytest.mark.parametrize(
    "target, name, content_type",
    [
        ("/page.html", "page.html", "text/html"),
        ("/bytes.png", "bytes.png", "image/png"),
        ("/notes.txt", "notes.txt", "text/plain"),
        ("/sub/deeper/nested.html", "sub/deeper/nested.html", "text/html"),
        ("/notes.txt?v=2", "notes.txt", "text/plain"),
        ("/big.bin", "big.bin", "application/octet-stream"),
    ],
)
def test_serves_files_byte_for_byte(running, target, name, content_type):
    _, server = running
    status_line, headers, body = split_response(get(server.port, target))
    assert status_line == "HTTP/1.1 200 OK"
    assert headers["content-type"].split(";")[0] == content_type
    assert headers["connection"] == "close"
    assert body == (server.root / name).read_bytes()


def test_request_in_pieces_and_ten_in_a_row(running):
    _, server = running
    pieces = [b"GE", b"T /page.ht", b"ml HTTP/1.1\r", b"\nHost: x\r\n", b"\r", b"\n"]
    response = exchange(server.port, *pieces, pause=0.15)
    assert split_response(response)[2] == HTML_TEXT.encode("utf-8")
    for _ in range(10):
        assert split_response(get(server.port, "/bytes.png"))[2] == ALL_BYTES


@pytest.mark.parametrize("script", sorted(SOLUTIONS.values()), ids=lambda p: p.stem)
def test_each_solution_serves_the_folder_it_is_started_in(script, tmp_path):
    """Started from an unrelated folder, a solution serves that folder."""
    (tmp_path / "hello.html").write_bytes(b"<p>hello \xc3\xa9</p>\n")
    server = Server(script, tmp_path)
    try:
        server.wait_listening()
        raw = exchange(server.port, b"GET /hello.html HTTP/1.0\r\n\r\n")
    finally:
        server.stop()
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert raw.endswith(b"\r\n\r\n<p>hello \xc3\xa9</p>\n")


# ------------------------------------------------- stage 2: errors, paths


@from_stage(2)
def test_missing_file_is_404_html_and_server_goes_on(running):
    _, server = running
    status_line, headers, body = split_response(get(server.port, "/nothing-here.html"))
    assert status_line == "HTTP/1.1 404 Not Found"
    assert headers["content-type"].startswith("text/html")
    assert b"/nothing-here.html" in body
    assert split_response(get(server.port, "/notes.txt"))[0].endswith("200 OK")


@from_stage(2)
def test_percent_decoding(running):
    _, server = running
    assert split_response(get(server.port, "/with%20space.html"))[2] == b"<p>spaced</p>"


@pytest.mark.parametrize(
    "target",
    ["/../SECRET.txt", "/%2e%2e/SECRET.txt", "/..%2fSECRET.txt", "/sub/../../SECRET.txt",
     "/sub/%2e%2e/%2e%2e/SECRET.txt", "//../SECRET.txt", "/%00/../x"],
)
@from_stage(2)
def test_no_path_leaves_the_root(running, target):
    _, server = running
    response = get(server.port, target)
    assert b"the secret" not in response
    assert split_response(response)[0].split()[1] in {"400", "403", "404"}


@pytest.mark.parametrize(
    "request_bytes",
    [b"NONSENSE\r\n\r\n", b"GET /page.html\r\n\r\n", b"\x89\xff\xfe junk \x00\x01\r\n\r\n",
     b"GET page.html HTTP/1.1\r\n\r\n"],
)
@from_stage(2)
def test_malformed_requests_get_400(running, request_bytes):
    _, server = running
    assert split_response(exchange(server.port, request_bytes))[0] == "HTTP/1.1 400 Bad Request"


@from_stage(2)
def test_junk_and_early_leavers_do_not_stop_the_server(running):
    _, server = running
    with socket.create_connection((HOST, server.port)) as client:
        client.sendall(b"GET /page.ht")  # ... and leaves
    with socket.create_connection((HOST, server.port)) as client:
        client.sendall(os.urandom(3000))
    assert split_response(get(server.port, "/notes.txt"))[0].endswith("200 OK")


@from_stage(2)
def test_oversized_head_is_refused(running):
    _, server = running
    huge = b"X-Filler: " + b"a" * (70 * 1024) + b"\r\n"
    response = exchange(server.port, b"GET /page.html HTTP/1.1\r\n" + huge + b"\r\n")
    assert response.startswith(b"HTTP/1.1 431 ")


# ---------------------------------------------------------- stage 3: echo


@from_stage(3)
def test_echo_page(running):
    _, server = running
    status_line, headers, body = split_response(get(server.port, "/echo?name=test&name=test2"))
    page = body.decode("utf-8")
    assert status_line == "HTTP/1.1 200 OK" and headers["content-type"].startswith("text/html")
    assert "/echo" in page and "key=name; value=test; key=name; value=test2;" in page


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=grade+%3D+A%2B", "key=q; value=grade = A+;"),
        ("city=Z%C3%BCrich", "key=city; value=Zürich;"),
        ("x=%3Cb%3Ehi%3C%2Fb%3E", "key=x; value=&lt;b&gt;hi&lt;/b&gt;;"),
        ("b=1&a=2&b=3", "key=b; value=1; key=b; value=3; key=a; value=2;"),
    ],
)
@from_stage(3)
def test_echo_decodes_and_escapes(running, query, expected):
    _, server = running
    page = split_response(get(server.port, f"/echo?{query}"))[2].decode("utf-8")
    assert expected in page
    assert "<b>" not in page


@from_stage(3)
def test_echo_without_query_and_other_paths(running):
    _, server = running
    page = split_response(get(server.port, "/echo"))[2].decode("utf-8")
    assert "/echo" in page and "key=" not in page
    assert split_response(get(server.port, "/echoes?a=1"))[0].endswith("404 Not Found")


# ------------------------------------------------------- stage 4: threads


@from_stage(4)
def test_a_stalled_client_does_not_block_others(running):
    _, server = running
    stalled = [socket.create_connection((HOST, server.port)) for _ in range(5)]
    try:
        stalled[0].sendall(b"GET /page.html HT")
        started = time.monotonic()
        assert split_response(get(server.port, "/notes.txt"))[0].endswith("200 OK")
        assert time.monotonic() - started < 2.0  # generous: the contract says 1 s
    finally:
        for connection in stalled:
            connection.close()


# --------------------------------------------------------- stage 5: POST


FORM_HEAD = (
    "POST /echo?first=q HTTP/1.1\r\nHost: x\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n{length_name}: {length}\r\n\r\n"
)


@pytest.mark.parametrize("length_name", ["Content-Length", "content-length"])
@pytest.mark.parametrize("pieces", [1, 2, 5])
@from_stage(5)
def test_post_echo(running, length_name, pieces):
    _, server = running
    form = "name=Ada+L&sym=%3C%26%3E".encode()
    head = FORM_HEAD.format(length_name=length_name, length=len(form)).encode()
    if pieces == 1:
        parts = [head + form]
    else:
        cut = len(form) // (pieces - 1)
        parts = [head] + [form[i : i + cut] for i in range(0, len(form), cut)]
    page = split_response(exchange(server.port, *parts, pause=0.1))[2].decode()
    assert "key=first; value=q; key=name; value=Ada L; key=sym; value=&lt;&amp;&gt;;" in page


@from_stage(5)
def test_post_large_body_and_limits(running):
    _, server = running
    form = b"big=" + b"x" * (256 * 1024)
    head = FORM_HEAD.format(length_name="Content-Length", length=len(form)).encode()
    assert b"key=big; value=xxx" in exchange(server.port, head, form)
    no_length = b"POST /echo HTTP/1.1\r\nHost: x\r\n\r\n"
    started = time.monotonic()
    assert exchange(server.port, no_length).startswith(b"HTTP/1.1 411 ")
    assert time.monotonic() - started < 2.0
    for bad in ("-5", "ten", "1e3"):
        head = FORM_HEAD.format(length_name="Content-Length", length=bad).encode()
        assert exchange(server.port, head).startswith(b"HTTP/1.1 400 ")
    too_big = FORM_HEAD.format(length_name="Content-Length", length=10**9).encode()
    assert exchange(server.port, too_big).startswith(b"HTTP/1.1 413 ")


MODULE_PROBE = textwrap.dedent(
    """
    import importlib.util, json, socket, sys
    spec = importlib.util.spec_from_file_location("student", sys.argv[1])
    student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(student)
    results = {}
    status, headers, body = student.delegate("GET", "/echo", {"Host": "x"}, {"a": ["1", "2"]})
    results["get"] = [status, headers, body.decode()]
    status, headers, body = student.delegate(
        "POST", "/echo", {}, {"q": ["1"]}, {"f": ["<x>"]})
    results["post"] = [status, body.decode()]

    def exchange(request):
        server_end, client_end = socket.socketpair()
        client_end.sendall(request)
        returned = student.handle_connection(server_end, ("127.0.0.1", 1))
        client_end.settimeout(5)
        received = b""
        while chunk := client_end.recv(65536):
            received += chunk
        return returned, received.decode("latin-1")

    results["handle"] = exchange(b"GET /notes.txt HTTP/1.1\\r\\n\\r\\n")
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    student.delegate = broken
    results["broken"] = exchange(b"GET /notes.txt HTTP/1.1\\r\\n\\r\\n")
    print(json.dumps(results))
    """
)


def test_stage5_as_a_module(tmp_path):
    """Importing has no side effects; delegate and handle_connection work directly."""
    (tmp_path / "notes.txt").write_text("hi", encoding="utf-8")
    probe = tmp_path / "probe.py"
    probe.write_text(MODULE_PROBE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(probe), str(SOLUTIONS[5])],
        cwd=tmp_path, capture_output=True, timeout=30, text=True,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)  # the import printed nothing else
    status, headers, page = results["get"]
    assert status == "200 OK" and ["Content-Type", "text/html; charset=utf-8"] in headers
    assert "key=a; value=1; key=a; value=2;" in page
    assert "key=q; value=1; key=f; value=&lt;x&gt;;" in results["post"][1]
    returned, response = results["handle"]
    assert returned is None and response.startswith("HTTP/1.1 200 OK") and response.endswith("hi")
    returned, response = results["broken"]
    assert returned is None and response.startswith("HTTP/1.1 500 Internal Server Error")
    assert "boom" not in response and "Traceback" not in response


# ------------------------------------------------------ stage 6: folders


@from_stage(6)
def test_folder_with_index_serves_it(running):
    _, server = running
    status_line, headers, body = split_response(get(server.port, "/sub/"))
    assert status_line == "HTTP/1.1 200 OK" and body == (server.root / "sub" / "index.html").read_bytes()


@from_stage(6)
def test_folder_without_index_is_listed_encoded_and_escaped(running):
    _, server = running
    status_line, headers, body = split_response(get(server.port, "/sub/deeper/"))
    assert status_line == "HTTP/1.1 200 OK" and headers["content-type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', page)
    assert links == [("%3Cb%3E%20%26%20%231%20100%25.txt", "&lt;b&gt; &amp; #1 100%.txt"),
                     ("nested.html", "nested.html")]
    assert "hidden" not in page and "do-not-show" not in page
    for href, _ in links:  # every link, followed, gives the file
        status_line, _, followed = split_response(get(server.port, "/sub/deeper/" + href))
        assert status_line == "HTTP/1.1 200 OK" and followed


@from_stage(6)
@pytest.mark.parametrize("target, location", [("/sub", "/sub/"), ("/sub/deeper?a=1&b=%3C", "/sub/deeper/?a=1&b=%3C")])
def test_folder_without_slash_is_moved_permanently(running, target, location):
    _, server = running
    status_line, headers, body = split_response(get(server.port, target))
    assert status_line == "HTTP/1.1 301 Moved Permanently" and headers["location"] == location
    assert body.startswith(b"<!DOCTYPE html>")


@from_stage(6)
@pytest.mark.parametrize("target", ["/.git/config", "/.git/", "/sub/deeper/.hidden.txt", "/sub/../.git/config",
                                    "/%2egit/config", "/page.html/"])
def test_hidden_entries_are_not_served(running, target):
    _, server = running
    status_line, _, body = split_response(get(server.port, target))
    assert status_line == "HTTP/1.1 404 Not Found" and b"[core]" not in body and b"do-not-show" not in body


# ------------------------------------------------------ stage 7: CGI


def cgi_json(server, target: str, request: bytes = b"") -> dict:
    status_line, headers, body = split_response(request and exchange(server.port, request) or get(server.port, target))
    assert status_line == "HTTP/1.1 200 OK" and headers["x-script"] == "yes", (status_line, body[:300])
    return json.loads(body)


@from_stage(7)
def test_cgi_script_gets_the_cgi_environment(running):
    _, server = running
    run = cgi_json(server, "/cgi-bin/env.py?a=%20b&c=d+e")
    env = run["env"]
    assert env["GATEWAY_INTERFACE"] == "CGI/1.1" and env["REQUEST_METHOD"] == "GET"
    assert env["QUERY_STRING"] == "a=%20b&c=d+e" and env["SCRIPT_NAME"] == "/cgi-bin/env.py"
    assert env["SERVER_PORT"] == str(server.port) and env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["HTTP_HOST"] == "x" and "CONTENT_LENGTH" not in env
    assert Path(run["cwd"]) == (server.root / "cgi-bin").resolve()


@from_stage(7)
def test_cgi_post_body_is_the_scripts_stdin(running):
    _, server = running
    body = b"q=1&r=%20two"
    request = (b"POST /cgi-bin/env.py HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode()
               + b"\r\nContent-Length: 12\r\n\r\n" + body)
    run = cgi_json(server, "", request)
    assert run["stdin"] == body.decode() and run["env"]["CONTENT_LENGTH"] == "12"
    assert run["env"]["CONTENT_TYPE"] == FORM and run["env"]["REQUEST_METHOD"] == "POST"


@from_stage(7)
def test_cgi_status_binary_and_failures(running):
    _, server = running
    status_line, headers, body = split_response(get(server.port, "/cgi-bin/status.py"))
    assert status_line == "HTTP/1.1 404 Not Found" and body == b"none"
    status_line, headers, body = split_response(get(server.port, "/cgi-bin/bytes.py"))
    assert headers["content-type"] == "image/png" and body == bytes(range(256))
    status_line, _, body = split_response(get(server.port, "/cgi-bin/fails.py"))
    assert status_line == "HTTP/1.1 500 Internal Server Error" and b"the-stderr-text" not in body
    status_line, _, _ = split_response(get(server.port, "/cgi-bin/no%20head.py"))
    assert status_line == "HTTP/1.1 502 Bad Gateway"


@from_stage(7)
def test_cgi_script_that_hangs_is_stopped_with_its_children(running):
    _, server = running
    started = time.monotonic()
    status_line, _, _ = split_response(get(server.port, "/cgi-bin/sleeps.py"))
    assert status_line == "HTTP/1.1 504 Gateway Timeout" and time.monotonic() - started < 6.5
    time.sleep(0.5)
    pids = [int(pid) for marks in server.root.parent.glob("pids-*") for pid in marks.read_text().split()]
    assert len(pids) == 4  # the script and its child each wrote "own pid, child's pid"
    for pid in set(pids):
        state = Path(f"/proc/{pid}/stat")
        assert not state.exists() or state.read_text().split(") ")[1].startswith("Z"), f"{pid} still runs"


@from_stage(7)
@pytest.mark.parametrize("target", ["/run-me.py", "/cgi-bin/../run-me.py", "/%63gi-bin/env.py", "/CGI-BIN/env.py",
                                    "/cgi-bin/%2e%2e/run-me.py", "/cgi-bin/"])
def test_nothing_else_runs(running, target):
    _, server = running
    response = get(server.port, target)
    head = response.partition(b"\r\n\r\n")[0]
    assert b"X-Script" not in head  # served as a file, or refused: fine; run: never
    assert not list(server.root.parent.glob("ran-run-me.py"))


# ------------------------------------------------------ graded by the grader


@pytest.mark.parametrize(
    "solution_stage, stage",
    [(solution, stage) for solution in SOLUTIONS for stage in range(1, solution + 1)],
    ids=lambda value: str(value),
)
def test_solution_passes_the_grader(solution_stage, stage):
    grading = pytest.importorskip("autograder.grading")
    result = grading.grade(SOLUTIONS[solution_stage], stage)
    failed = [
        f"{check.name}: {check.message}"
        for check in result.checks
        if check.status != "passed" and not check.advisory
    ]
    assert not failed, "\n".join(failed)
    assert result.score == result.max_score > 0
