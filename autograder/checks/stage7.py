"""Stage 7, CGI: scripts under /cgi-bin/ run as CGI/1.1, safely.

The scripts are the grader's own (cgi_root.py writes them into the document
root with random names and outputs). Every check that talks to the server
needs `7.runs-script`: a server that serves /cgi-bin/x.py as a plain file (the
untouched skeleton, a stage-6 server) would pass "no disguise runs" and "no
stderr in the response" trivially, so those points come only with CGI.

What counts as right (never accuse correct code): HTTP/1.0 or 1.1, header
names in any case, extra headers and extra environment variables, 500 or 502
for a failing script, 504 or 500 for one stopped after its time, `\\n` or
`\\r\\n` in the script's header block (the scripts use both), and for a path
that must not run: 400, 403, 404 or the file served as it is.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import time

from autograder import wire
from autograder.checks.expect import answer, expect_body, expect_status, expect_well_formed
from autograder.checks.registry import NEEDS_NOTHING, CheckFailed
from autograder.checks.registry import check as register
from autograder.checks.context import USER_AGENT
from autograder.timing import stretched

FAILED_SCRIPT = (500, 502)
TIMED_OUT = (504, 500)
TIME_LIMIT = 5.0  # seconds a script may run (contract)
NOT_BEFORE = 4.0  # a 504 sooner than this stopped a script that was still allowed to run
ANSWER_WITHIN = 6.0  # seconds from the request to the 504; exact, never stretched: it is the rule itself
MEANWHILE_WITHIN = 2.5  # seconds for another client's answer while the sleeper runs; exact: a server that
# runs one script at a time answers after the sleeper's 5 s, a correct one within a fraction of a second
STOPPED_WITHIN = 2.0  # after the 504, how long the sleeper and its child may take to be gone (stretched)
FORM = "application/x-www-form-urlencoded"
QUERY_HINT = (
    "Put the text after '?' into QUERY_STRING as it is, still percent-encoded. Decoding it is the script's "
    "job (urllib.parse.parse_qs); a decoded '&' or '=' would change what the script reads."
)
HEADERS_HINT = (
    "For each request header: 'HTTP_' + name.upper().replace('-', '_') = its value "
    "(User-Agent becomes HTTP_USER_AGENT, X-Student-Id becomes HTTP_X_STUDENT_ID)."
)
POST_HINT = (
    "For a POST, set CONTENT_LENGTH (str of the body's length) and CONTENT_TYPE from the request, and give "
    "the body bytes, unchanged, to the script: process.communicate(body, timeout=5) with stdin=subprocess.PIPE."
)
STATUS_HINT = (
    "A 'Status:' line in the script's header block gives the status line ('HTTP/1.1 404 Not Found'); it is "
    "not passed on as a header. Without one the status is 200 OK."
)
LENGTH_HINT = (
    "Count the body yourself, len(body) of the bytes after the blank line, and send that as Content-Length; "
    "drop a Content-Length the script wrote (this one counts characters, not bytes)."
)
BINARY_HINT = (
    "Read the script's output as bytes (no text=True, no .decode()): the body may be an image. Split the "
    "header block off the bytes and send the rest unchanged."
)
LARGE_HINT = (
    "Read the script's output while it runs: process.communicate() does. Calling process.wait() first "
    "waits for ever once the pipe's buffer (64 KiB) is full: the script cannot finish writing."
)
SHELL_HINT = (
    "Start the script with a list, [sys.executable, script_path], and no shell=True: a shell splits "
    "'with space.py' into two words (and would run whatever a file name says)."
)

RUN_HINT = (
    "A GET or POST of a .py file under /cgi-bin/ runs it instead of sending it: "
    "subprocess.Popen([sys.executable, script_path], cwd=os.path.dirname(script_path), env=cgi_env, "
    "stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True), "
    "then output, errors = process.communicate(body, timeout=5). (In the kit's skeleton: CgiScript.test "
    "says which requests are scripts, run_script runs one, cgi_response turns its output into the answer.)"
)
SPLIT_HINT = (
    "The script's output is a header block, a blank line, then the body. Find the first blank line "
    "(b'\\r\\n\\r\\n' or b'\\n\\n', whichever comes first), read 'Name: value' lines before it, and "
    "send only what follows it as the body."
)
ENV_HINT = (
    "Build the script's environment as a new dict and pass it with env=...: GATEWAY_INTERFACE='CGI/1.1', "
    "REQUEST_METHOD, QUERY_STRING, SCRIPT_NAME (the path), SERVER_PROTOCOL (the request's version), "
    "SERVER_NAME, SERVER_PORT (str of the port), SERVER_SOFTWARE, REMOTE_ADDR (client_address[0]); "
    "every value a str."
)


# -- helpers -------------------------------------------------------------------------------

# The diagnosis's file rules (a 404 for an existing file, a file read in text mode, a
# Content-Length in characters) read a wrong status or body as a fault in serving the file
# asked for. A script is run, not opened: its checks' failures get symptoms of their own.
CGI_SYMPTOMS = {
    "status": "cgi-status", "body": "cgi-body", "problem:length-mismatch": "cgi-length",
    "problem:no-length": "cgi-length", "problem:bad-length": "cgi-length",
}


def check(name, **options):
    """registry.check, with the symptoms of the file rules renamed (see CGI_SYMPTOMS)."""
    def decorate(function):
        @functools.wraps(function)
        def run(ctx):
            try:
                return function(ctx)
            except CheckFailed as failure:
                failure.symptom = CGI_SYMPTOMS.get(failure.symptom, failure.symptom)
                raise

        register(name, **options)(run)
        return function

    return decorate


def cgi(ctx):
    return ctx.docroot.cgi


def expect_ran(exchange, response, script, source: bytes | None = None) -> None:
    """The script's output came, not its source, not an error page."""
    text = response.body
    if source is not None and source.strip() and source.strip() in exchange.received:
        raise CheckFailed(
            f"GET {script.url_path} returned the script's source code: the server sent the file instead of running it",
            exchange=exchange, expected="what the script prints after its header block",
            hint=RUN_HINT, symptom="cgi-source",
        )
    if script.ran and script.ran.encode() not in text:
        raise CheckFailed(
            f"the body does not hold what {script.relative} prints when it runs ({script.ran!r})",
            exchange=exchange, expected="the script's output after its header block", hint=RUN_HINT,
        )


@contextlib.contextmanager
def about(story: str):
    """Say what the request was for in front of a failure's message."""
    try:
        yield
    except CheckFailed as failure:
        failure.message = f"{story}: {failure.message}"
        raise


def expect_script_body(exchange, response, content: bytes, what: str, hint: str = SPLIT_HINT) -> None:
    """The body is `content`; a body that still starts with the script's header lines is named as such."""
    if response.body != content and _starts_with_header_block(response.body, content):
        first_line = response.body.split(b"\n", 1)[0][:60]
        raise CheckFailed(
            f"the body begins with the script's header lines ({first_line!r}): "
            "the header block was sent as part of the page",
            exchange=exchange, expected=f"only what follows the script's blank line ({len(content)} bytes)",
            hint=SPLIT_HINT, symptom="cgi-body",
        )
    expect_body(exchange, response, content, what, hint=hint)


def _starts_with_header_block(body: bytes, content: bytes) -> bool:
    return body.endswith(content) and b":" in body[: len(body) - len(content)].split(b"\n", 1)[0]


def echo_report(ctx, exchange, what: str) -> dict:
    """The JSON the echo script printed: its environment, working folder and stdin."""
    script = cgi(ctx).echo
    response = answer(exchange, expected="200 OK and the script's JSON output")
    expect_status(exchange, response, 200, hint=RUN_HINT)
    source = (ctx.docroot.root / script.relative).read_bytes()
    expect_ran(exchange, response, script, source)
    if b"{" in response.body and _starts_with_header_block(response.body, response.body[response.body.index(b"{"):]):
        raise CheckFailed(
            f"{what}: the body begins with the script's header lines: the header block was sent as part of the page",
            exchange=exchange, expected="only what follows the script's blank line: its JSON", hint=SPLIT_HINT,
            symptom="cgi-body",
        )
    try:
        report = json.loads(response.body.decode("utf-8"))
        if not isinstance(report["environ"], dict) or not isinstance(report["stdin"], str):
            raise TypeError("not the echo script's report")
    except (ValueError, KeyError, TypeError):
        raise CheckFailed(
            f"{what}: the body is not the JSON the script prints after its header block",
            exchange=exchange, expected="exactly the bytes after the script's blank line", hint=SPLIT_HINT,
        ) from None
    return report


def cgi_request(ctx, target: str, method: str = "GET", headers=None, body: bytes = b"", timeout: float = 4.0,
                cap: int = wire.DEFAULT_CAP) -> wire.Exchange:
    """A request to a script (GETs are cached, so several checks judge one run)."""
    if method == "GET" and not headers and not body:
        return ctx.get(target, cap=cap, timeout=timeout)
    return ctx.send(ctx.request(target, method=method, headers=headers, body=body), timeout=timeout, cap=cap)


def environment_mismatches(environ: dict, wanted: dict) -> list[str]:
    wrong = []
    for name, value in wanted.items():
        got = environ.get(name)
        if callable(value):
            ok, said = value(got)
        else:
            ok, said = got == value, repr(value)
        if not ok:
            wrong.append(f"{name} is {'missing' if got is None else repr(got)} (expected {said})")
    return wrong


def fail_on_environment(exchange, wrong: list[str], what: str, hint: str) -> None:
    if wrong:
        raise CheckFailed(
            f"{what}, the script's environment was wrong: " + "; ".join(wrong[:6]),
            exchange=exchange, expected="the CGI/1.1 variables (RFC 3875) with these values", hint=hint,
        )


def nonempty(got):
    return bool(got), "a non-empty value"


# -- running a script ------------------------------------------------------------------------


@check(
    "7.runs-script", points=2,
    description="GET of a .py file under /cgi-bin/ runs it: its output comes back, not its source",
    hint=RUN_HINT,
)
def runs_script(ctx):
    # Only that it ran: whether its output was split right is for the checks after this one.
    script = cgi(ctx).echo
    exchange = cgi_request(ctx, script.url_path)
    response = answer(exchange, expected="200 OK and what the script prints")
    expect_status(exchange, response, 200, hint=RUN_HINT)
    expect_ran(exchange, response, script, (ctx.docroot.root / script.relative).read_bytes())


@check(
    "7.cgi-environment", points=2, depends=("7.runs-script",),
    description="the script's environment: GATEWAY_INTERFACE, REQUEST_METHOD, SCRIPT_NAME, SERVER_*, "
    "REMOTE_ADDR, and the script's folder as its working directory",
    hint=ENV_HINT,
)
def cgi_environment(ctx):
    script = cgi(ctx).echo
    exchange = cgi_request(ctx, script.url_path)
    report = echo_report(ctx, exchange, f"GET {script.url_path}")
    wanted = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": script.script_name,
        "SERVER_PROTOCOL": lambda got: (got in ("HTTP/1.1", "HTTP/1.0"), "'HTTP/1.1', the request's version"),
        "SERVER_NAME": nonempty,
        "SERVER_PORT": str(ctx.port),
        "SERVER_SOFTWARE": nonempty,
        "REMOTE_ADDR": "127.0.0.1",
    }
    environ = report["environ"]
    wrong = environment_mismatches(environ, wanted)
    fail_on_environment(exchange, wrong, f"for GET {script.url_path}", ENV_HINT if "GATEWAY_INTERFACE is missing" not in
                        " ".join(wrong) else ENV_HINT + " Without env=, the script gets the server's own environment.")
    folder = os.path.realpath(ctx.docroot.root / os.path.dirname(script.relative))
    if os.path.realpath(report["cwd"]) != folder:
        raise CheckFailed(
            f"the script ran in {report['cwd']!r}, not in its own folder",
            exchange=exchange, expected=f"the working directory {folder!r} (the script's folder)",
            hint="Pass cwd=os.path.dirname(script_path) to subprocess.Popen.",
        )


@check(
    "7.query-string-raw", points=1, depends=("7.runs-script",),
    description="QUERY_STRING is the query exactly as it came: still percent-encoded, + kept",
    hint=QUERY_HINT,
)
def query_string_raw(ctx):
    script = cgi(ctx).echo
    query = f"q={ctx.docroot.token(4)}&text=a%26b%3Dc+d&path=%2Fx%20y&empty="
    exchange = cgi_request(ctx, f"{script.url_path}?{query}")
    report = echo_report(ctx, exchange, f"GET {script.url_path}?{query}")
    wrong = environment_mismatches(report["environ"], {"QUERY_STRING": query, "REQUEST_METHOD": "GET"})
    fail_on_environment(exchange, wrong, "for a query string", QUERY_HINT)



@check(
    "7.request-headers-env", points=1, depends=("7.runs-script",),
    description="each request header reaches the script as HTTP_NAME: User-Agent is HTTP_USER_AGENT",
    hint=HEADERS_HINT,
)
def request_headers_env(ctx):
    script = cgi(ctx).echo
    name, value = f"X-Labgrade-{ctx.docroot.token(4).capitalize()}", ctx.docroot.token(10)
    exchange = cgi_request(ctx, script.url_path, headers={name: value})
    report = echo_report(ctx, exchange, f"GET {script.url_path} with a header {name}")
    variable = "HTTP_" + name.upper().replace("-", "_")
    wrong = environment_mismatches(report["environ"], {"HTTP_USER_AGENT": USER_AGENT, variable: value})
    fail_on_environment(exchange, wrong, f"for the headers User-Agent and {name}", HEADERS_HINT)



@check(
    "7.post-stdin", points=2, depends=("7.runs-script",),
    description="POST to a script: CONTENT_LENGTH, CONTENT_TYPE, and exactly the body on its stdin",
    hint=POST_HINT,
)
def post_stdin(ctx):
    script = cgi(ctx).echo
    rng = ctx.docroot.rng
    form = f"name={ctx.docroot.token(5)}&note=caf%C3%A9+%26+more&n={rng.randint(10, 99)}".encode()
    raw = bytes(rng.randrange(256) for _ in range(1500)) + b"\r\n\r\n\x00end"
    for body, media_type in ((form, FORM), (raw, "application/octet-stream")):
        headers = {"Content-Type": media_type, "Content-Length": str(len(body))}
        exchange = cgi_request(ctx, script.url_path, method="POST", headers=headers, body=body)
        what = f"for a POST of {len(body)} bytes ({media_type})"
        report = echo_report(ctx, exchange, what)
        wrong = environment_mismatches(report["environ"], {
            "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": media_type,
        })
        fail_on_environment(exchange, wrong, what, POST_HINT)
        stdin = base64.b64decode(report["stdin"])
        if stdin != body:
            got = "nothing" if not stdin else f"{len(stdin)} bytes that differ from it"
            raise CheckFailed(
                f"{what}, the script read {got} on its standard input",
                exchange=exchange, expected=f"exactly the {len(body)} bytes of the request body on stdin",
                hint=POST_HINT,
            )



# -- the script's output ---------------------------------------------------------------------


@check(
    "7.status-header", points=2, depends=("7.runs-script",),
    description="a script's `Status: 404 Not Found` becomes the response's status line",
    hint=STATUS_HINT,
)
def status_header(ctx):
    script = cgi(ctx).status
    exchange = cgi_request(ctx, script.url_path)
    response = answer(exchange, expected="404 Not Found, from the script's Status: header")
    with about(f"{script.relative} prints 'Status: 404 Not Found'"):
        expect_status(exchange, response, 404, hint=STATUS_HINT)
    expect_script_body(exchange, response, cgi(ctx).status_body, "what the script prints after its header block")
    if response.header("Status") is not None:
        raise CheckFailed(
            "the script's 'Status:' line was passed on as a header as well",
            exchange=exchange, expected="the status line only", hint=STATUS_HINT,
        )



@check(
    "7.script-headers", points=1, depends=("7.runs-script",),
    description="the script's own headers (Content-Type, others) reach the client",
    hint="Send the script's header lines (except Status and Content-Length) as response headers; "
    "do not add a Content-Type of your own when the script gave one.",
)
def script_headers(ctx):
    root = cgi(ctx)
    for script, media_type in ((root.echo, "application/json"), (root.status, "text/plain")):
        exchange = cgi_request(ctx, script.url_path)
        response = answer(exchange, expected="the script's headers in the response")
        expect_status(exchange, response, 200, 404, hint=RUN_HINT)
        wrong = []
        if response.media_type != media_type:
            wrong.append(f"Content-Type is {response.header('Content-Type')!r}, the script said {media_type!r}")
        if response.header(root.header_name) != root.header_value:
            wrong.append(f"the script's header '{root.header_name}: {root.header_value}' is "
                         + ("missing" if response.header(root.header_name) is None else "changed"))
        if len([1 for name, _ in response.headers if name.lower() == "content-type"]) > 1:
            wrong.append("there are two Content-Type headers")
        if wrong:
            raise CheckFailed(
                f"for {script.relative}: " + "; ".join(wrong),
                exchange=exchange, expected=f"Content-Type: {media_type} and {root.header_name}: {root.header_value}",
                hint=SPLIT_HINT,
            )


@check(
    "7.content-length", points=2, depends=("7.runs-script",),
    description="Content-Length is the body's length in bytes, whatever the script claimed",
    hint=LENGTH_HINT,
)
def content_length(ctx):
    root = cgi(ctx)
    exchange = cgi_request(ctx, root.counted.url_path)
    response = answer(exchange, expected="200 OK and a Content-Length that counts the body's bytes")
    expect_status(exchange, response, 200, hint=RUN_HINT)
    lengths = [value for name, value in response.headers if name.lower() == "content-length"]
    if len(lengths) > 1:
        raise CheckFailed(
            f"the response has {len(lengths)} Content-Length headers ({', '.join(lengths)})",
            exchange=exchange, expected=f"one Content-Length: {len(root.counted_body)}",
            hint=LENGTH_HINT,
        )
    story = (f"{root.counted.relative} prints {len(root.counted_body)} bytes of UTF-8 text and claims "
             f"'Content-Length: {root.counted_wrong_length}' (its characters)")
    with about(story):
        expect_well_formed(exchange, response, "no-length", "bad-length", "length-mismatch")
    expect_script_body(exchange, response, root.counted_body, "what the script prints after its header block")


@check(
    "7.binary-output", points=2, depends=("7.runs-script",),
    description="a script's binary body (all 256 byte values) arrives byte for byte",
    hint=BINARY_HINT,
)
def binary_output(ctx):
    root = cgi(ctx)
    exchange = cgi_request(ctx, root.binary.url_path)
    response = answer(exchange, expected="200 OK and the script's 256 bytes")
    expect_status(exchange, response, 200, hint=BINARY_HINT)
    expect_well_formed(exchange, response, "no-length", "bad-length", "length-mismatch")
    expect_script_body(exchange, response, root.binary_body, "the 256 bytes the script prints", hint=BINARY_HINT)
    if response.media_type != "application/octet-stream":
        raise CheckFailed(
            f"Content-Type is {response.header('Content-Type')!r}, the script said 'application/octet-stream'",
            exchange=exchange, expected="the script's Content-Type", hint=SPLIT_HINT,
        )



@check(
    "7.large-output", points=2, depends=("7.runs-script",),
    description="a script that prints more than 1 MiB: all of it arrives",
    hint=LARGE_HINT,
)
def large_output(ctx):
    root = cgi(ctx)
    exchange = cgi_request(ctx, root.large.url_path, timeout=8.0, cap=4 * 1024 * 1024)
    response = answer(exchange, expected=f"200 OK and {len(root.large_body)} bytes")
    with about(f"{root.large.relative} prints {len(root.large_body)} bytes"):
        expect_status(exchange, response, 200, hint=LARGE_HINT)
    expect_well_formed(exchange, response, "no-length", "bad-length", "length-mismatch")
    expect_script_body(exchange, response, root.large_body, "the script's output (a little over 1 MiB)", hint=LARGE_HINT)


# -- scripts that go wrong ---------------------------------------------------------------


@check(
    "7.script-error-500", points=2, depends=("7.runs-script",),
    description="a script that exits with a non-zero status gives 500 Internal Server Error (or 502)",
    hint="After communicate(), look at process.returncode: anything but 0 means the script failed, "
    "whatever it printed before; answer 500 Internal Server Error.",
)
def script_error_500(ctx):
    root = cgi(ctx)
    exchange = cgi_request(ctx, root.fails.url_path)
    response = answer(exchange, expected="500 Internal Server Error (or 502 Bad Gateway)")
    with about(f"{root.fails.relative} prints a header block, then raises an exception (exit status 1)"):
        expect_status(exchange, response, *FAILED_SCRIPT)


@check(
    "7.stderr-not-sent", points=1, depends=("7.runs-script",),
    description="what a script writes on stderr (a traceback, a warning) never reaches the client",
    hint="Capture stderr apart (stderr=subprocess.PIPE) and print it in the server's log; the client "
    "gets a short error page. A traceback tells an attacker about your files and code.",
)
def stderr_not_sent(ctx):
    root = cgi(ctx)
    for script, text in ((root.fails, root.fails_message), (root.status, root.status_warning)):
        exchange = cgi_request(ctx, script.url_path)
        token = text.rsplit(" ", 1)[1].encode()
        if token in exchange.received or b"Traceback (most recent call last)" in exchange.received:
            raise CheckFailed(
                f"the response to {script.relative} shows what the script wrote on stderr ({text!r})",
                exchange=exchange, expected="stderr in the server's log, never in the response",
            )
        answer(exchange, expected="a response")


@check(
    "7.no-header-block", points=1, depends=("7.runs-script",),
    description="a script that prints no header block gives 500 (or 502), not its text as a page",
    hint="When the output has no blank line, or a line before it is not 'Name: value', the script "
    "broke the CGI rules: answer 502 Bad Gateway (or 500).",
)
def no_header_block(ctx):
    root = cgi(ctx)
    exchange = cgi_request(ctx, root.headless.url_path)
    response = answer(exchange, expected="500 Internal Server Error or 502 Bad Gateway")
    with about(f"{root.headless.relative} prints two lines of text and no header block"):
        expect_status(exchange, response, *FAILED_SCRIPT)


# -- safety ---------------------------------------------------------------------------------


@check(
    "7.only-cgi-bin-runs", points=3, depends=("7.runs-script",),
    description="only .py files under /cgi-bin/ run, however the path is spelled (/cgi-bin/../x.py, "
    "/%63gi-bin/x.py, /CGI-BIN/x.py, a .py elsewhere, a .txt in cgi-bin)",
    hint="Decide on the real file: decode the path, resolve it (os.path.realpath) inside the root, and run "
    "it only when that file is a .py inside the root's cgi-bin folder "
    "(os.path.commonpath([cgi_bin, real]) == cgi_bin). Run the very path you checked.",
)
def only_cgi_bin_runs(ctx):
    for disguise in cgi(ctx).never_run:
        exchange = ctx.send(ctx.request(disguise.target), timeout=4.0)
        if disguise.marker.exists() or f"ran {disguise.ran}".encode() in exchange.received:
            raise CheckFailed(
                f"GET {disguise.target} ran a script that must never run: {disguise.how}",
                exchange=exchange, expected="404, 403 or 400, or the file served as it is; never run",
            )
        with about(f"GET {disguise.target} ({disguise.how})"):
            answer(exchange, expected="an answer: 404, 403 or 400, or the file served as it is")


@check(
    "7.space-in-name", points=1, depends=("7.runs-script",),
    description="a script whose name has spaces runs (its name is data, never shell text)",
    hint=SHELL_HINT,
)
def space_in_name(ctx):
    script = cgi(ctx).spaced
    exchange = cgi_request(ctx, script.url_path)
    response = answer(exchange, expected="200 OK and the script's output")
    with about(f"GET {script.url_path} (the script {script.relative!r})"):
        expect_status(exchange, response, 200, hint=SHELL_HINT)
    expect_ran(exchange, response, script)


@check(
    "7.script-timeout", points=3, depends=("7.runs-script",),
    description="a script still running after 5 s is stopped: 504 Gateway Timeout (or 500) within 6 s, "
    "and other clients are served meanwhile",
    hint="process.communicate(body, timeout=5) raises subprocess.TimeoutExpired after 5 s: then stop the "
    "script (os.killpg(process.pid, signal.SIGKILL), having started it with start_new_session=True), "
    "call communicate() once more to collect it, and answer 504 Gateway Timeout. Run scripts in the "
    "connection's own thread, with no lock around them.",
)
def script_timeout(ctx):
    root = cgi(ctx)
    sleeper = root.sleeper
    with ctx.connect() as slow:
        request = ctx.request(sleeper.url_path)
        began = time.monotonic()
        slow.send(request)
        time.sleep(0.3)
        others = [(ctx.docroot.text.url_path, "a file"), (root.spaced.url_path, "another script")]
        for target, what in others:
            other = ctx.send(ctx.request(target), timeout=MEANWHILE_WITHIN, stretch=False, alone=False)
            if other.got_nothing or not other.received.startswith(b"HTTP/"):
                raise CheckFailed(
                    f"while a script ran (it sleeps for ever), a request for {what} got "
                    + ("no answer" if other.got_nothing else "no HTTP response")
                    + f" within {MEANWHILE_WITHIN:g} s",
                    exchange=other, expected="an answer at once: a slow script holds up only its own client",
                    hint="Run the script in the thread of its connection; no lock around scripts, no join().",
                    symptom="stalled",
                )
        exchange = slow.read_response(timeout=max(0.0, ANSWER_WITHIN - (time.monotonic() - began)), stretch=False)
        exchange.sent, exchange.elapsed = request, time.monotonic() - began
    ctx._cache["cgi-sleeper"] = exchange
    if exchange.got_nothing:
        raise CheckFailed(
            f"{sleeper.relative} sleeps for ever, and no answer came within {ANSWER_WITHIN:g} s",
            exchange=exchange, expected=f"504 Gateway Timeout (or 500) after the script's {TIME_LIMIT:g} s",
            symptom="no-answer",
        )
    response = answer(exchange, expected="504 Gateway Timeout (or 500)")
    with about(f"{sleeper.relative} sleeps for ever"):
        expect_status(exchange, response, *TIMED_OUT)
    if exchange.elapsed < NOT_BEFORE:
        raise CheckFailed(
            f"{sleeper.relative} was stopped after {exchange.elapsed:.1f} s: a script may run for {TIME_LIMIT:g} s",
            exchange=exchange, expected=f"504 after {TIME_LIMIT:g} s, not sooner",
            hint=f"Give the script its {TIME_LIMIT:g} seconds: communicate(body, timeout=5); a slow page is "
            "still a page.",
        )


@check(
    "7.timeout-stops-all", points=2, depends=("7.script-timeout",),
    description="after the timeout neither the script nor the process it started is still running",
    hint="Start the script with start_new_session=True (a process group of its own) and stop it with "
    "os.killpg(process.pid, signal.SIGKILL): process.kill() stops the script only, and what it "
    "started runs on.",
)
def timeout_stops_all(ctx):
    root = cgi(ctx)
    exchange = ctx._cache.get("cgi-sleeper")
    if not root.sleeper_lock.exists():
        raise CheckFailed(
            f"{root.sleeper.relative} never started (its first step writes a file the grader looks for)",
            exchange=exchange, expected="the script run, then stopped after 5 s",
        )
    deadline = time.monotonic() + stretched(STOPPED_WITHIN)
    alive = _holders(root)
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = _holders(root)
    if alive:
        raise CheckFailed(
            f"after the {exchange_status(exchange)} answer, {' and '.join(alive)} still running",
            exchange=exchange, expected="the script and every process it started stopped",
            recipe="put a script into www/cgi-bin/ that starts a child and sleeps "
            "(import os, time; os.fork(); time.sleep(60)), ask for it with curl, and after the 504 "
            "look with `ps -ef | grep python`: neither may be left",
        )


def exchange_status(exchange) -> str:
    if exchange is None or not exchange.received:
        return "timeout"
    return exchange.received.split(b"\r\n", 1)[0].decode("latin-1", "replace").split(" ", 1)[-1].split(" ")[0]


def _holders(root) -> list[str]:
    """Which of the sleeper and its child still hold their lock (are alive)."""
    alive = []
    for path, who in ((root.sleeper_lock, "the script is"), (root.child_lock, "the child process it forked is")):
        if _locked(path):
            alive.append(who)
    if len(alive) == 2:
        return ["the script and the child process it forked are"]
    return alive


def _locked(path) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: the sleeper holds no locks
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # (closing drops the lock if we took it)
    return False


# -- the source --------------------------------------------------------------------------------


@check(
    "7.no-cgi-module", points=1, needs=NEEDS_NOTHING, depends=("7.runs-script",),
    description="built without the cgi and cgitb modules (removed in Python 3.13)",
    hint="Parse the header block yourself (split at the blank line, then each line at its first ':'); "
    "urllib.parse does what cgi.parse_qs did, email.message what cgi.parse_header did.",
)
def no_cgi_module(ctx):
    from autograder.checks.static import imported_modules, parse, python_files

    for path in python_files(ctx.entry_path):
        for line, name in imported_modules(parse(path)):
            if name.split(".")[0] in ("cgi", "cgitb"):
                raise CheckFailed(
                    f"{path.name}, line {line}: imports {name}, which Python 3.13 no longer has",
                    expected="no cgi or cgitb import: the standard library's urllib.parse, email and subprocess",
                )
