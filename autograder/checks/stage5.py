"""Stage 5, POST: form bodies, and the serve / handle_connection / delegate structure."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from autograder.checks.expect import answer, expect_status
from autograder.checks.registry import NEEDS_MODULE, CheckFailed, check
from autograder.checks.stage3 import grouped, pairs_text, query_of
from autograder.http_response import parse_response
from autograder.timing import stretched

PROBE_SCRIPT = Path(__file__).with_name("module_probe.py")
PROBE_SECONDS = 12.0
FORM = "application/x-www-form-urlencoded"
BODY_HINT = (
    "After the blank line, the body follows: read exactly Content-Length bytes (int of the header, "
    "found case-insensitively), counting the body bytes that came with the headers, and keep "
    "calling recv() until you have them all. Do not wait for the client to close."
)


# -- POST over the socket ------------------------------------------------------


def post(ctx, query_pairs, form_pairs, *, lower=False, split=None, pause=0.0, timeout=3.0):
    body = query_of(form_pairs).encode()
    target = "/echo" + ("?" + query_of(query_pairs) if query_pairs else "")
    headers = {"Content-Type": FORM, "Content-Length": str(len(body))}
    request = ctx.request(target, method="POST", headers=headers, body=body, lower=lower)
    head_length = len(request) - len(body)
    pieces = [request]
    if split == "after-headers":
        pieces = [request[:head_length], request[head_length:]]
    elif split == "pieces":
        third = max(1, len(body) // 3)
        cuts = [head_length + len(body) // 5, head_length + third * 2]
        pieces = [request[: cuts[0]], request[cuts[0] : cuts[1]], request[cuts[1] :]]
    return ctx.send(pieces, pause=pause, timeout=timeout, cap=4 * 1024 * 1024)


def expect_echo(exchange, pairs, hint=BODY_HINT):
    response = answer(exchange, expected="200 OK and the echo page")
    expect_status(exchange, response, 200, hint=hint)
    accepted = [pairs_text(pairs), pairs_text(grouped(pairs))]
    if not any(text in response.text() for text in accepted):
        short = [text if len(text) < 300 else text[:150] + "..." for text in dict.fromkeys(accepted)]
        raise CheckFailed(
            "the page does not echo the query pairs followed by the form pairs",
            exchange=exchange, expected=" or ".join(map(repr, short)), hint=hint,
        )


def random_pairs(ctx, prefix, count):
    return [(f"{prefix}{ctx.docroot.token(3)}", ctx.docroot.token(6)) for _ in range(count)]


@check(
    "5.post-echo", points=3,
    description="POST /echo with a form body echoes the query pairs, then the form pairs",
    hint="For POST, parse the body with urllib.parse.parse_qsl(body.decode()) and echo those pairs "
    "after the query's pairs.",
)
def post_echo(ctx):
    query = random_pairs(ctx, "q", 1)
    form = random_pairs(ctx, "f", 2) + [("text", "hello world & more=yes")]
    expect_echo(post(ctx, query, form), query + form)


@check(
    "5.post-body-timing", points=3, depends=("5.post-echo",),
    description="the body is read whole whether it comes with the headers, after them, or in pieces",
    hint=BODY_HINT,
)
def post_body_timing(ctx):
    for split, story in (("after-headers", "came 0.1 s after the headers"), ("pieces", "came in three pieces with pauses")):
        form = random_pairs(ctx, "f", 3)
        exchange = post(ctx, [], form, split=split, pause=0.1)
        try:
            expect_echo(exchange, form)
        except CheckFailed as failure:
            failure.message = f"when the body {story}: {failure.message}"
            raise


@check(
    "5.post-large-body", points=2, depends=("5.post-echo",),
    description="a 256 KiB form body is read whole",
    hint=BODY_HINT + " One recv() returns at most what has arrived, often 64 KiB or less.",
)
def post_large_body(ctx):
    value = ctx.docroot.token(256 * 1024)
    exchange = post(ctx, [], [("data", value)], timeout=8)
    expect_echo(exchange, [("data", value)])


@check(
    "5.post-lowercase-length", points=2, depends=("5.post-echo",),
    description="the header may be spelled `content-length`",
    hint="Header names are case-insensitive: compare name.lower() == 'content-length'.",
)
def post_lowercase_length(ctx):
    form = random_pairs(ctx, "f", 2)
    expect_echo(post(ctx, [], form, lower=True), form)


@check(
    "5.post-without-length", points=1,
    description="POST without Content-Length gets an answer (411, 400, or 200 with no form pairs) within 2 s",
    hint="Without Content-Length you cannot know where the body ends: answer '411 Length Required' "
    "right away instead of waiting for data.",
)
def post_without_length(ctx):
    request = ctx.request("/echo", method="POST", headers={"Content-Type": FORM})
    exchange = ctx.send(request, timeout=2.0)
    response = answer(exchange, expected="411, 400, or 200 without form pairs, within 2 s")
    expect_status(exchange, response, 411, 400, 200)
    if response.status == 200 and "key=" in response.text():
        raise CheckFailed(
            "the 200 page lists pairs although no body was announced",
            exchange=exchange, expected="411 Length Required (or an echo page without pairs)",
        )


# -- the module, imported in a separate process -------------------------------


def run_module_probe(ctx) -> dict:
    """Run module_probe.py in the sandbox; {step: result} for the steps that finished."""
    # A copy inside the run folder: a sandbox exposes only what the command names,
    # and naming the grader's own checks/ folder would expose the grader's code.
    probe = ctx.server.sandbox.run_dir / "probe" / PROBE_SCRIPT.name
    probe.parent.mkdir(exist_ok=True)
    shutil.copyfile(PROBE_SCRIPT, probe)
    argv = [ctx.server.python, str(probe), str(ctx.entry_path), ctx.docroot.text.url_path]
    kwargs = ctx.server.sandbox.popen_kwargs(argv)
    kwargs.update(stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # the results, not the server log
    process = subprocess.Popen(**kwargs)
    if hasattr(ctx.server.sandbox, "track"):
        ctx.server.sandbox.track(process)
    started = time.monotonic()
    try:
        output, _ = process.communicate(timeout=stretched(PROBE_SECONDS))
    except subprocess.TimeoutExpired:
        process.terminate()  # the sandbox's launcher stops the probe's whole process tree
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            output, _ = process.communicate()
    results = {"seconds": time.monotonic() - started}
    for line in output.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            results[record.pop("step")] = record
        except (ValueError, KeyError, AttributeError):
            continue
    return results


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def imported_module(ctx) -> dict:
    results = ctx.module_probe()
    step = results.get("import")
    if step is None:
        raise CheckFailed(
            f"importing your file did not finish within {PROBE_SECONDS:.0f} s",
            expected="an import that defines functions and returns at once",
            hint="Start the server only under `if __name__ == \"__main__\":`, so that importing "
            "the file defines serve, handle_connection and delegate without running anything.",
        )
    if not step["ok"]:
        raise CheckFailed(
            "importing your file failed:\n" + (step["error"] or "").strip(),
            expected="an import without errors and without starting the server",
            hint="Put the call to serve() under `if __name__ == \"__main__\":`.",
        )
    return step


@check(
    # Needs a server that starts when run: a file that never serves has no side effects trivially.
    "5.import-no-side-effects", points=2, needs=NEEDS_MODULE, depends=("1.starts-listening",),
    description="importing the file binds no socket, prints nothing and does not block",
    hint="Everything that runs the server goes under `if __name__ == \"__main__\":`; the module "
    "level only defines constants and functions.",
)
def import_no_side_effects(ctx):
    step = imported_module(ctx)
    effects = []
    if step["sockets"]:
        effects.append("called " + ", ".join(step["sockets"][:3]))
    if step["stdout"] or step["stderr"]:
        effects.append(f"printed {(step['stdout'] or step['stderr'])[:120]!r}")
    if step["threads"] > 0:
        effects.append(f"started {step['threads']} thread(s)")
    if step["seconds"] > 2.0:
        effects.append(f"took {step['seconds']:.1f} s")
    if effects:
        raise CheckFailed("importing your file " + "; ".join(effects), expected="no side effects on import")
    missing = [name for name, present in step["functions"].items() if not present]
    if missing:
        raise CheckFailed(
            "the module does not define " + ", ".join(missing),
            expected="functions serve(interface, port), handle_connection(client_sock, client_address) "
            "and delegate(request_type, path, received_headers, GET_data, POST_data=None)",
            hint="Keep the names and parameters exactly as the handout gives them.",
        )


def _decode(picture) -> str | None:
    if picture is None:
        return None
    if "bytes" in picture:
        return base64.b64decode(picture["bytes"]).decode("utf-8", "replace")
    return picture.get("str")


def _judge_delegate(step, call: str, pairs) -> None:
    if step is None or not step["finished"]:
        raise CheckFailed(f"{call} did not return within 3 s", expected="(status, headers, body) at once")
    if step["error"]:
        raise CheckFailed(f"{call} raised an exception:\n{step['error'].strip()}", expected="(status, headers, body)")
    value = step["value"]
    items = value.get("items") if value else None
    if not items or len(items) != 3:
        shown = value.get("repr") if value and "repr" in value else value
        raise CheckFailed(
            f"{call} returned {shown!r:.200}, not a (status, headers, body) triple",
            expected="a tuple (status, [(name, value), ...], body)",
        )
    status = _decode(items[0]) or items[0].get("repr", "")
    if not str(status).strip().startswith("200"):
        raise CheckFailed(f"{call} returned the status {status!r}", expected="200 (or '200 OK')")
    headers = items[1]
    if headers.get("type") not in ("list", "tuple") or any(h.get("type") not in ("tuple", "list") or len(h.get("items", [])) != 2 for h in headers.get("items", [])):
        raise CheckFailed(f"{call} returned headers that are not a list of (name, value) pairs", expected="[('Content-Type', 'text/html'), ...]")
    body = _decode(items[2]) or ""
    wanted = [pairs_text(pairs), pairs_text(grouped(pairs))]
    if not any(text in body for text in wanted):
        raise CheckFailed(
            f"the body {call} returned does not contain the echo text",
            received=body.encode()[:2000], expected=repr(wanted[0]),
        )


@check(
    "5.delegate-direct", points=2, needs=NEEDS_MODULE, depends=(),
    description="delegate() called directly returns (status, headers, body) with the echo text for GET and POST",
    hint="delegate builds the response and returns it as (status, [(name, value), ...], body); it "
    "never touches the socket. handle_connection sends what it returns.",
)
def delegate_direct(ctx):
    imported_module(ctx)
    results = ctx.module_probe()
    _judge_delegate(results.get("delegate-get"), "delegate('GET', '/echo', headers, {'name': ['test', 'test2']})",
                    [("name", "test"), ("name", "test2")])
    _judge_delegate(results.get("delegate-post"),
                    "delegate('POST', '/echo', headers, {'a': ['1']}, {'b': ['2'], 'c': ['x y']})",
                    [("a", "1"), ("b", "2"), ("c", "x y")])


def _socketpair_step(ctx, name, call):
    imported_module(ctx)
    step = ctx.module_probe().get(name)
    if step is None:
        raise CheckFailed(f"{call} could not be tried (the probe stopped early)", expected="a response over the socket")
    received = base64.b64decode(step["received"])
    return step, received


@check(
    "5.handle-connection", points=2, needs=NEEDS_MODULE, depends=(),
    description="handle_connection() over a connected socket pair answers a GET and returns None",
    hint="handle_connection(client_sock, client_address) reads one request from client_sock, sends "
    "the response, closes the socket and returns nothing.",
)
def handle_connection(ctx):
    file = ctx.docroot.text
    step, received = _socketpair_step(ctx, "handle-connection", "handle_connection")
    sent = f"GET {file.url_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    if step["error"]:
        raise CheckFailed("handle_connection raised:\n" + step["error"].strip(), sent=sent, received=received, expected="200 OK and the file")
    response = parse_response(received)
    if response.status != 200 or response.body != file.content:
        raise CheckFailed(
            "handle_connection did not send the file" if received else "handle_connection sent nothing within 3 s",
            sent=sent, received=received, expected=f"200 OK and the {len(file.content)} bytes of {file.relative}",
        )
    if not step["finished"]:
        raise CheckFailed("handle_connection did not return within 3 s after answering", sent=sent, received=received,
                          expected="return after closing the connection")
    if not step["returned_none"]:
        raise CheckFailed(f"handle_connection returned {step['returned']}", sent=sent, received=received, expected="None")


@check(
    "5.delegate-error-500", points=2, needs=NEEDS_MODULE, depends=(),
    description="when delegate raises, the client gets 500 Internal Server Error and nothing else breaks",
    hint="In handle_connection, call delegate inside try/except Exception: on an exception send "
    "'HTTP/1.1 500 Internal Server Error' with a short page (never the traceback) and log it on the server.",
)
def delegate_error_500(ctx):
    step, received = _socketpair_step(ctx, "delegate-error", "handle_connection with a failing delegate")
    sent = b"GET /echo?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    response = parse_response(received)
    if response.status != 500:
        got = "nothing" if not received else repr(response.status_line)
        raise CheckFailed(
            f"with a delegate that raises RuntimeError, the client got {got}",
            sent=sent, received=received, expected="HTTP/1.1 500 Internal Server Error",
        )
    if step["error"]:
        raise CheckFailed("handle_connection let the exception escape:\n" + step["error"].strip(), sent=sent,
                          received=received, expected="handle_connection catches it and returns")
    if b"labgrade: delegate failed on purpose" in received and b"Traceback" in received:
        raise CheckFailed("the 500 page shows the traceback to the client", sent=sent, received=received,
                          expected="a short error page; the traceback belongs in the server's log")
