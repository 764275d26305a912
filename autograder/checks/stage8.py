"""Stage 8, HTTP client: the grader plays the server (graded on its own).

Each check starts a fake server of its own (autograder/fake_server.py) that
answers with exact bytes, runs the student's client as
`python FILE 127.0.0.1 PORT PATH` in the sandbox, and judges what came out:
the request the fake server received, standard output (the body, byte for
byte), standard error (the head; one line when something went wrong) and the
exit status (0 for 2xx, 1 for another status, 2 for no usable answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.checks.registry import NEEDS_CLIENT, NEEDS_NOTHING, CheckFailed, check
from autograder.checks.static import imported_modules, parse, python_files
from autograder.fake_server import FakeServer, RefusingPort

RUN_SECONDS = 5.0  # a correct client needs well under 1 s for any of these answers
SILENT_RUN_SECONDS = 13.0  # the contract's 10 s, and 3 s for starting Python and saying so
PIECE_PAUSE = 0.2
BASICS = ("8.sends-request",)

# Modules that would do the client's work for the student.
CLIENT_MODULES = ("http.client", "urllib.request", "urllib3", "requests", "httpx", "aiohttp", "pycurl",
                  "httplib2", "treq", "httpcore")


def head(status: str = "200 OK", headers: dict | None = None) -> bytes:
    """A response head with CRLF line ends and the blank line."""
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def response(body: bytes, status: str = "200 OK", media_type: str = "text/html; charset=utf-8", **extra) -> bytes:
    """A whole response framed by Content-Length."""
    return head(status, {"Content-Type": media_type, "Content-Length": len(body), "Connection": "close", **extra}) + body


def html_page(ctx) -> bytes:
    word = ctx.token()
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{word}</title></head>\n"
            f"<body><h1>Grüße, {word}!</h1><p>café, naïve, 東京, €5</p></body></html>\n").encode("utf-8")


def binary_body(ctx) -> bytes:
    values = list(range(256)) * 4
    ctx.rng.shuffle(values)
    return b"\x89PNG\r\n\x1a\n" + bytes(values)


def request_lines(request: bytes) -> list[str]:
    return request.decode("latin-1").replace("\r\n", "\n").split("\n")


def header_value(request: bytes, name: str) -> str | None:
    """The value of header `name` (any case) in the client's request, or None."""
    head_text = request.decode("latin-1").replace("\r\n", "\n").split("\n\n", 1)[0]
    for line in head_text.split("\n")[1:]:
        field, colon, value = line.partition(":")
        if colon and field.strip().lower() == name.lower():
            return value.strip()
    return None


def describe(run) -> str:
    """How the run ended, in a student's words."""
    if run.timed_out:
        return f"your client was still running after {run.seconds:.0f} s and was stopped"
    return f"your client exited with status {run.exit_code}"


@dataclass(frozen=True)
class Fault:
    """A mistake in the client that several checks show: named once, the later failures point back to it
    (grading.link_causes)."""

    key: str
    phrase: str  # in the student's terms
    hint: str


def failed(message, server, run, expected="", hint="", symptom=None, fault: Fault | None = None):
    """A CheckFailed with the bytes both ways and what the client printed."""
    failure = CheckFailed(message, sent=server.sent, received=server.request, expected=expected,
                          hint=hint or (fault.hint if fault else ""), symptom=symptom)
    failure.client_stderr = run.stderr if run is not None else ""
    failure.fault = fault
    return failure


def expect_body(server, run, body: bytes, status: int = 0, what: str = "the body") -> None:
    """The client printed exactly `body` on stdout and exited with `status`."""
    if run.timed_out:
        why = ("; the whole answer had come, but the server kept the connection open (as an HTTP/1.1 server may), "
               "so a client that waits for the close waits forever" if server.after == "keep-open" else "")
        raise failed(f"{describe(run)} before it finished; it wrote {len(run.stdout)} of the {len(body)} body bytes"
                     + why, server, run, expected=f"{what} on standard output, then exit status {status}",
                     symptom="hangs")
    if run.traceback:
        raise failed(f"{describe(run)} with a traceback: {traceback_summary(run)}", server, run,
                     expected=f"{what} on standard output, then exit status {status}", symptom="traceback")
    if run.stdout != body:
        message, notes = _explain_stdout(run.stdout, body, server, run)
        raise failed(message, server, run,
                     expected=f"exactly the {len(body)} bytes of {what} on standard output, nothing else",
                     symptom="body", fault=stdout_fault(notes))
    if run.exit_code != status:
        raise failed(f"the body was right, but {describe(run)}", server, run,
                     expected=f"exit status {status}", symptom="exit-status")


# What standard output holds instead of the body, in the student's terms.
HEAD_ON_STDOUT = "it starts with the status line and headers, which belong on standard error"
PRINT_NEWLINE = "it ends with a '\\n' that is not in the body: print() adds one (sys.stdout.buffer.write(body) does not)"
DECODED = ("the body was decoded as text: each byte that is not UTF-8 became U+FFFD (the bytes ef bf bd); "
           "write the bytes as they came")
BYTES_REPR = ("it holds Python's picture of a bytes object, b'...': print(body) prints that; write the bytes "
              "themselves with sys.stdout.buffer.write(body)")
FRAMING = "it holds the chunked body as it was sent, size lines in hex and all: the chunks were not decoded"
WAITED_SECONDS = 2.0  # a client that ran this long before it gave up was waiting for something
KEPT_OPEN_NOTE = ("the whole answer had come, but the server kept the connection open (as an HTTP/1.1 server may), "
                  "so a client that waits for the close waits until its timeout")


def explain_stdout(got: bytes, wanted: bytes, server, run=None) -> str:
    """Why standard output is not the body: the known mistakes it shows, else where it differs."""
    return _explain_stdout(got, wanted, server, run)[0]


STOPPED_EARLY = "stopped-early"  # a note's tag: it stopped reading before the answer was complete

FAULTS = {  # the mistake a note shows, most telling first: a mistake in reading the answer before one in
    # writing it out (the head on stdout spoils every body check, but it is not why a body stopped short)
    FRAMING: Fault("client:chunks-not-decoded", "your client writes a chunked body as it came, size lines and "
                   "all", "Decode a chunked body: a size line in hex, that many bytes, '\\r\\n', again until "
                   "the size 0; write the chunks' bytes only."),
    STOPPED_EARLY: Fault("client:stops-early", "your client stops reading before the whole answer has come",
                         "One recv() returns only what has arrived so far: keep calling it until the blank line, "
                         "then until the body is complete."),
    DECODED: Fault("client:decoded-body", "your client decodes the body as text before writing it",
                   "Never decode the body: write the bytes from recv() with sys.stdout.buffer.write(body)."),
    BYTES_REPR: Fault("client:bytes-repr", "your client prints the bytes object (b'...') instead of writing "
                      "its bytes", "Write the bytes themselves: sys.stdout.buffer.write(body)."),
    HEAD_ON_STDOUT: Fault("client:head-on-stdout", "your client writes the status line and headers on standard "
                          "output, with the body", "Write the head on standard error, print(head, file=sys.stderr): "
                          "standard output is for the body alone, so that `> picture.png` saves a picture."),
    PRINT_NEWLINE: Fault("client:print-newline", "your client writes the body with print(), which adds a '\\n'",
                         "Write the body with sys.stdout.buffer.write(body): it writes the bytes and nothing else."),
}


def stdout_fault(notes: list[str]) -> Fault | None:
    """The fault behind a wrong standard output, from the notes that explained it."""
    tags = [STOPPED_EARLY if note.startswith(("the answer came in", "it holds only")) else note for note in notes]
    return next((fault for note, fault in FAULTS.items() if note in tags), None)


def _explain_stdout(got: bytes, wanted: bytes, server, run=None) -> tuple[str, list[str]]:
    """(the message, the notes it is made of: empty when no known mistake explains it)."""
    pieces = _pieces(server)
    if not got:
        said = ""
        if run is not None and not run.timed_out:
            lines = run.stderr_lines()
            said = f"; {describe(run)}" + (f", saying {lines[-1][:200]!r}" if lines else "")
        notes = []
        if pieces:
            notes.append(f"the answer came in pieces with pauses, the first {pieces[0]} bytes long")
        if server.after == "keep-open" and run is not None and run.seconds >= WAITED_SECONDS:
            notes.append(KEPT_OPEN_NOTE)  # it gave up waiting for a close that never came
        return "your client wrote nothing to standard output" + said + "".join(f" ({note})" for note in notes), []
    whole = server.sent
    head_end = whole.find(b"\r\n\r\n")
    head = whole[:head_end] if head_end > 0 else b""
    sent_body = whole[head_end + 4:] if head_end > 0 else b""
    candidates = [(got, [])]
    if got.endswith(b"\n"):
        candidates.append((got[:-1], [PRINT_NEWLINE]))
    for text, notes in list(candidates):
        if head and text.startswith(head):
            after = text[len(head):]
            for blank in (b"\r\n\r\n", b"\r\n\n", b"\n\n", b"\r\n", b"\n"):
                if after.startswith(blank):
                    candidates.append((after[len(blank):], [HEAD_ON_STDOUT] + notes))
    for text, notes in candidates:
        found = _explain_body(text, wanted, sent_body, pieces)
        if found is not None:
            ordered = notes[:1] + found + notes[1:] if notes[:1] == [HEAD_ON_STDOUT] else found + notes
            return _sentence(ordered), ordered
    for text, notes in candidates:  # a piece of the head alone: it stopped within the first piece
        if text and text.startswith(b"HTTP/") and whole.startswith(text) and len(text) <= len(head):
            found = [f"it holds only {text[:60]!r}, the start of the status line (which belongs on standard error)"]
            if pieces and len(text) == pieces[0]:
                found.append(_stopped_after_first(pieces))
            return _sentence(found + notes), [HEAD_ON_STDOUT] + found[1:] + notes
    return _difference(got, wanted), []


def _explain_body(text: bytes, wanted: bytes, sent_body: bytes, pieces: list[int]):
    """The mistakes that turn the body into `text`, or None when none of them does."""
    decoded = wanted.decode("utf-8", "replace").encode("utf-8")
    if text == wanted:
        return []
    if text == decoded:
        return [DECODED]
    if text in (repr(wanted).encode("latin-1"), str(wanted).encode("latin-1")):
        return [BYTES_REPR]
    if sent_body and text == sent_body and sent_body != wanted:
        return [FRAMING]
    for version, label, size in ((wanted, None, "body"), (decoded, DECODED, "body"),
                                 (sent_body, FRAMING, "chunked body as sent")):
        if text and len(text) < len(version) and version.startswith(text) and (label is None or version != wanted):
            found = [label] if label else []
            found.append(f"it holds only the first {len(text)} of the {len(version)} bytes of the {size}")
            if pieces:
                found.append(_stopped_after_first(pieces))
            return found
    return None


def _pieces(server) -> list[int]:
    """The sizes of the pieces the answer was sent in (one piece: no pauses)."""
    sizes, current = [], 0
    for item in getattr(server, "script", ()):
        if isinstance(item, bytes):
            current += len(item)
        elif current:
            sizes.append(current)
            current = 0
    if current:
        sizes.append(current)
    return sizes if len(sizes) > 1 else []


def _stopped_after_first(pieces: list[int]) -> str:
    return (f"the answer came in {len(pieces)} pieces with pauses (the first {pieces[0]} bytes), and your client "
            "stopped reading too early: one recv() returns only what has arrived so far")


def _sentence(notes: list[str]) -> str:
    if not notes:
        return "standard output differs from the body"
    return "standard output is not the body alone: " + "; ".join(notes)


def _difference(got: bytes, wanted: bytes) -> str:
    if not got:
        return "your client wrote nothing to standard output"
    if wanted in got:
        return (f"standard output holds the body and {len(got) - len(wanted)} bytes more "
                f"(it starts {got[:40]!r})")
    if len(got) < len(wanted) and wanted.startswith(got):
        return f"only the first {len(got)} of the {len(wanted)} body bytes were written"
    at = next((i for i, (a, b) in enumerate(zip(got, wanted)) if a != b), min(len(got), len(wanted)))
    return (f"standard output ({len(got)} bytes) differs from the body ({len(wanted)} bytes) at byte {at}: "
            f"{got[at:at + 20]!r} instead of {wanted[at:at + 20]!r}")


FRAME = re.compile(r'\s*File "(?P<file>[^"]*)", line (?P<line>\d+), in ')


def traceback_summary(run) -> str:
    """The exception a traceback ends with, and the client's own line it came from."""
    lines = run.stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    block = lines[starts[-1]:] if starts else lines
    last = next((line for line in reversed(block) if line.strip() and not line.startswith(" ")), "")
    entry = run.argv[0] if run.argv else ""
    where = ""
    for number, line in enumerate(block):
        match = FRAME.match(line)
        if match and entry and match.group("file") == entry:
            code = block[number + 1].strip() if number + 1 < len(block) and block[number + 1].startswith("    ") else ""
            where = f" (line {match.group('line')}" + (f": `{code}`" if code else "") + ")"
    return last + where


def expect_no_answer(server, run, what: str, one_line: bool = True, body: bytes | None = None) -> None:
    """Exit status 2 and one line (no traceback) on standard error.

    `body`: the body the answer promised (it was cut short); a client that
    exits 0 or 1 then took the piece for the whole.
    """
    if run.timed_out:
        raise failed(f"{what}, and {describe(run)}", server, run, symptom="hangs",
                     expected="exit status 2 and one line on standard error saying what happened")
    if run.traceback:
        raise failed(f"{what}, and your client ended with a traceback: {traceback_summary(run)}", server, run,
                     symptom="traceback", expected="exit status 2 and one line on standard error, not a traceback")
    lines = run.stderr_lines()
    if not lines:
        printed = run.stdout.decode("utf-8", "replace").strip().splitlines()
        instead = f"; it wrote {printed[0][:200]!r} on standard output instead" if printed else ""
        raise failed(f"{what}; {describe(run)} without a word on standard error{instead}", server, run,
                     expected="one line on standard error saying what happened"
                     + (" (print(..., file=sys.stderr))" if printed else ""))
    if one_line and len(lines) > 1:
        raise failed(f"{what}; your client printed {len(lines)} lines on standard error: {lines[:3]}", server, run,
                     expected="one line on standard error saying what happened")
    if run.exit_code != 2:
        if body is not None and run.exit_code in (0, 1):
            message = (f"{what}, and {describe(run)} as if the answer were complete; it wrote {len(run.stdout)} "
                       f"of the {len(body)} body bytes")
        else:
            message = f"{what}, and {describe(run)}: {lines[-1]}"
        raise failed(message, server, run, symptom="exit-status", expected="exit status 2: no usable response")


def simple(ctx, path: str = "/index.html", after: str = "close"):
    """Run the client once against an ordinary 200 answer; returns (server, run, body)."""
    body = html_page(ctx)
    server = FakeServer([response(body)], after=after)
    return server, ctx.run(server, path, RUN_SECONDS), body


def first_run(ctx):
    """The ordinary run that several checks judge (its request, its output), made once."""
    if "first" not in ctx.cache:
        path = f"/{ctx.token()}.html"
        server, run, body = simple(ctx, path)
        ctx.cache["first"] = (path, server, run, body)
    return ctx.cache["first"]


@check(
    "8.sends-request", points=2, depends=(), needs=NEEDS_CLIENT,
    description="connects to HOST PORT from sys.argv and sends a GET request ending in a blank line",
    hint="Read host, port and path from sys.argv[1], int(sys.argv[2]) and sys.argv[3]; connect with "
    "socket.create_connection((host, port)) and sendall() the request, which ends with '\\r\\n\\r\\n'.",
)
def sends_request(ctx):
    path, server, run, _ = first_run(ctx)
    if not server.connected:
        last = (traceback_summary(run) if run.traceback else run.stderr_lines()[-1]) if run.stderr_lines() else "nothing"
        raise failed(f"your client never connected to 127.0.0.1:{server.port} ({describe(run)}; "
                     f"its last words on standard error: {last})" + argv_mixup(run), server, run,
                     expected=f"a TCP connection to the host and port given as arguments, then 'GET {path} HTTP/1.1'")
    if not server.request:
        said = f"; its last words on standard error: {traceback_summary(run)}" if run.traceback else ""
        raise failed(f"your client connected but sent nothing ({describe(run)}{said})" + argv_mixup(run),
                     server, run, expected=f"'GET {path} HTTP/1.1' and headers, ending in a blank line")
    if not server.request.startswith(b"GET "):
        raise failed(f"the request does not start with 'GET ': {server.request[:30]!r}", server, run,
                     expected=f"GET {path} HTTP/1.1")
    if not any(end in server.request for end in (b"\r\n\r\n", b"\n\n")):
        raise failed("the request never ended: no blank line after the headers", server, run,
                     expected="the request head ends with an empty line, '\\r\\n\\r\\n'",
                     hint="End the request with '\\r\\n\\r\\n': the server waits for that blank line before it answers.")


ROLES = ("the program's own name", "the host", "the port", "the path")
ARGUMENTS = ("the arguments are sys.argv[1] the host, sys.argv[2] the port and sys.argv[3] the path "
             "(sys.argv[0] is the program's own name)")


def argv_mixup(run) -> str:
    """What the client's last error says about how it read sys.argv or sent the request, or ''."""
    last = run.stderr_lines()[-1] if run.stderr_lines() else ""
    argv = list(run.argv)
    value = re.search(r"invalid literal for int\(\) with base 10: '(.*)'", last)
    if value and value.group(1) in argv and argv.index(value.group(1)) != 2:
        number = argv.index(value.group(1))
        return (f": int() was given {value.group(1)!r}, which is sys.argv[{number}], {ROLES[number]}; "
                + ARGUMENTS)
    if "IndexError" in last and "sys.argv" in run.stderr:
        return f": sys.argv has {len(argv)} items, sys.argv[0] to sys.argv[{len(argv) - 1}]; " + ARGUMENTS
    if "gaierror" in last or "Name or service not known" in last or "nodename nor servname" in last:
        return f": the host it was given is {argv[1]!r}, sys.argv[1]; did it take the host from another argument?"
    if "cannot be interpreted as an integer" in last or "must be int" in last or "an integer is required" in last:
        return ": the port must be a number, int(sys.argv[2]), not the text of the argument"
    if "a bytes-like object is required, not 'str'" in last:
        return ": send() and sendall() take bytes, not str: encode the request first, request.encode()"
    return ""


@check(
    "8.built-on-socket", needs=NEEDS_NOTHING, depends=BASICS,
    description="built on the socket module, not http.client, urllib.request, requests or httpx",
    hint="This lab is about sockets: connect with socket.create_connection (or socket.socket and connect), "
    "send the request bytes and read the answer yourself.",
)
def built_on_socket(ctx):
    for path in python_files(ctx.entry_path):
        for line, name in imported_modules(parse(path)):
            if any(name == banned or name.startswith(banned + ".") for banned in CLIENT_MODULES):
                raise CheckFailed(
                    f"{path.name}, line {line}: imports {name}, which does the client's work for you",
                    expected="only the socket module (and helpers such as sys and urllib.parse)",
                )


@check(
    "8.request-line-and-host", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="the request line is `GET PATH HTTP/1.1` and a Host header names the server",
    hint="Send f'GET {path} HTTP/1.1\\r\\n' then f'Host: {host}:{port}\\r\\n': HTTP/1.1 servers answer "
    "400 to a request without Host.",
)
def request_line_and_host(ctx):
    path, server, run, _ = first_run(ctx)
    line = request_lines(server.request)[0]
    if line != f"GET {path} HTTP/1.1":
        raise failed(f"the request line is {line!r}", server, run, expected=f"'GET {path} HTTP/1.1', exactly")
    host = header_value(server.request, "Host")
    if host is None:
        raise failed("the request has no Host header", server, run,
                     expected=f"Host: 127.0.0.1:{server.port}")
    if host not in (f"127.0.0.1:{server.port}", "127.0.0.1"):
        raise failed(f"Host is {host!r}", server, run, expected=f"Host: 127.0.0.1:{server.port} (the arguments)")


@check(
    "8.crlf-request", depends=BASICS, needs=NEEDS_CLIENT,
    description="every line of the request ends with \\r\\n, and \\r\\n\\r\\n ends it",
    hint="HTTP lines end with '\\r\\n', not '\\n': build the request as '\\r\\n'.join(lines) + '\\r\\n\\r\\n'.",
)
def crlf_request(ctx):
    _, server, run, _ = first_run(ctx)
    head_bytes = server.request.split(b"\r\n\r\n", 1)[0]
    if not server.request.endswith(b"\r\n\r\n") or b"\n" in head_bytes.replace(b"\r\n", b""):
        raise failed("some lines of the request end with '\\n' alone", server, run,
                     expected="'\\r\\n' after every line and '\\r\\n\\r\\n' at the end")


@check(
    "8.connection-close-header", depends=BASICS, needs=NEEDS_CLIENT,
    description="the request says `Connection: close`",
    hint="Add the header 'Connection: close': an HTTP/1.1 server may otherwise keep the connection open "
    "for the next request.",
)
def connection_close_header(ctx):
    _, server, run, _ = first_run(ctx)
    value = header_value(server.request, "Connection")
    if (value or "").lower() != "close":
        raise failed("no 'Connection: close' header" if value is None else f"Connection is {value!r}",
                     server, run, expected="Connection: close")


@check(
    "8.space-encoded", depends=BASICS, needs=NEEDS_CLIENT,
    description="a space in PATH is sent as %20",
    hint="A space ends the target in the request line: send urllib.parse.quote(path), which writes ' ' as '%20'.",
)
def space_encoded(ctx):
    name = ctx.token()
    server, run, _ = simple(ctx, f"/with space {name}.html")
    line = request_lines(server.request)[0]
    wanted = f"/with%20space%20{name}.html"
    words = line.split(" ")
    # The target alone: the method and the version are 8.request-line-and-host's business.
    if len(words) != 3 or words[1] != wanted:
        split = (f": its spaces split it into {len(words)} words, where a request line has 3; a space in the "
                 "path is sent as %20" if len(words) > 3 else "")
        raise failed(f"for the path '/with space {name}.html' the request line is {line!r}{split}", server, run,
                     expected=f"the target {wanted!r}: GET {wanted} HTTP/1.1")


@check(
    "8.body-exact-html", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="an HTML body with non-ASCII UTF-8 text is written to stdout byte for byte, and exit 0",
    hint="Keep the body as bytes and write it with sys.stdout.buffer.write(body); print() adds a newline "
    "and re-encodes the text.",
)
def body_exact_html(ctx):
    _, server, run, body = first_run(ctx)
    expect_body(server, run, body)


@check(
    "8.body-binary", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="a PNG body holding all 256 byte values arrives on stdout byte for byte",
    hint="Never decode the body: bytes from recv() go to sys.stdout.buffer.write() unchanged.",
)
def body_binary(ctx):
    body = binary_body(ctx)
    server = FakeServer([response(body, media_type="image/png")])
    expect_body(server, ctx.run(server, f"/{ctx.token()}.png", RUN_SECONDS), body, what="the PNG")


@check(
    "8.content-length-kept-open", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="the client stops at Content-Length even when the server keeps the connection open",
    hint="Read until you have Content-Length bytes of body, then stop: do not wait for recv() to return b''.",
)
def content_length_kept_open(ctx):
    body = html_page(ctx)
    server = FakeServer([response(body)], after="keep-open")
    expect_body(server, ctx.run(server, f"/{ctx.token()}.html", RUN_SECONDS), body)


@check(
    "8.response-in-pieces", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="a response that arrives in pieces with pauses is read whole",
    hint="One recv() returns what has arrived so far: keep reading until the blank line, then until "
    "the body is complete.",
)
def response_in_pieces(ctx):
    body = binary_body(ctx)
    whole = response(body, media_type="image/png")
    cuts = [7, 30, whole.index(b"\r\n\r\n") + 2, len(whole) - len(body) + 100, len(whole) - 5]
    script = []
    for start, end in zip([0] + cuts, cuts + [len(whole)]):
        script += [whole[start:end], PIECE_PAUSE]
    server = FakeServer(script[:-1], after="keep-open")
    expect_body(server, ctx.run(server, f"/{ctx.token()}.png", RUN_SECONDS), body, what="the PNG")


@check(
    "8.lowercase-headers", depends=BASICS, needs=NEEDS_CLIENT,
    description="header names in any case: `content-length` frames the body too",
    hint="Header names are case-insensitive: store them with name.lower() and look up 'content-length'.",
)
def lowercase_headers(ctx):
    body = html_page(ctx)
    answer = head("200 OK", {"content-type": "text/html; charset=utf-8", "CONTENT-LENGTH": len(body)}) + body
    server = FakeServer([answer], after="keep-open")
    expect_body(server, ctx.run(server, f"/{ctx.token()}.html", RUN_SECONDS), body)


def chunked(body: bytes, sizes) -> bytes:
    out, at = b"", 0
    for size in sizes:
        out += f"{size:x}\r\n".encode() + body[at:at + size] + b"\r\n"
        at += size
    return out + f"{len(body) - at:x}\r\n".encode() + body[at:] + b"\r\n0\r\n\r\n"


@check(
    "8.chunked", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="a `Transfer-Encoding: chunked` body is decoded",
    hint="Chunked: a size line in hex ('1a\\r\\n'), that many bytes, '\\r\\n', again, until the size 0. "
    "Write the chunks' bytes only: int(size_line, 16) gives the size.",
)
def chunked_body(ctx):
    body = html_page(ctx) + binary_body(ctx)
    answer = head("200 OK", {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"})
    encoded = chunked(body, [26, 300, 11, 700])
    server = FakeServer([answer + encoded[:40], PIECE_PAUSE, encoded[40:]], after="keep-open")
    expect_body(server, ctx.run(server, f"/{ctx.token()}.bin", RUN_SECONDS), body, what="the decoded body")


@check(
    "8.read-until-close", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="with neither Content-Length nor chunked, the body is read until the server closes",
    hint="Without Content-Length the body ends when recv() returns b'': keep reading until then.",
)
def read_until_close(ctx):
    body = html_page(ctx) * 3
    answer = head("200 OK", {"Content-Type": "text/html; charset=utf-8", "Connection": "close"})
    server = FakeServer([answer + body[:50], PIECE_PAUSE, body[50:200], PIECE_PAUSE, body[200:]])
    expect_body(server, ctx.run(server, f"/{ctx.token()}.html", RUN_SECONDS), body)


@check(
    "8.head-on-stderr", depends=BASICS, needs=NEEDS_CLIENT,
    description="the status line and headers go to standard error, not standard output",
    hint="Print the head with print(head_text, file=sys.stderr); standard output is for the body alone.",
)
def head_on_stderr(ctx):
    body = html_page(ctx)
    token = ctx.token()
    server = FakeServer([response(body, **{"X-Lab-Token": token})])
    run = ctx.run(server, f"/{ctx.token()}.html", RUN_SECONDS)
    # Header names ignore case, here too: "x-lab-token: ..." shows the header as well.
    shown = {"HTTP/1.1 200 OK": "HTTP/1.1 200 OK" in run.stderr,
             f"X-Lab-Token: {token}": re.search(rf"(?i)x-lab-token\s*:\s*{token}", run.stderr) is not None}
    missing = [text for text, seen in shown.items() if not seen]
    if missing:
        where = ("; they are on standard output" if b"HTTP/1.1 200 OK" in run.stdout and b"X-Lab-Token" in run.stdout
                 else "")
        raise failed(f"standard error does not show {missing[0]!r}{where}", server, run,
                     expected="the status line and every header on standard error",
                     fault=FAULTS[HEAD_ON_STDOUT] if where else None)
    if b"X-Lab-Token" in run.stdout:
        raise failed("the headers are on standard output too", server, run, expected="the body alone on standard output")


@check(
    "8.exit-0-on-200", depends=BASICS, needs=NEEDS_CLIENT,
    description="exit status 0 for a 2xx answer (200 OK, 201 Created)",
    hint="Take the status code from the status line (int(line.split()[1])) and return 0 when 200 <= code <= 299.",
)
def exit_0_on_200(ctx):
    for status in ("200 OK", "201 Created"):
        body = html_page(ctx)
        server = FakeServer([response(body, status=status)])
        run = ctx.run(server, f"/{ctx.token()}.html", RUN_SECONDS)
        if run.exit_code != 0:
            raise failed(f"for '{status}' {describe(run)}", server, run, expected="exit status 0", symptom="exit-status")


@check(
    "8.exit-1-on-404", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="a 404 answer: its body is still written, and exit status 1",
    hint="A 404 is still an answer: write its body to stdout as usual, then sys.exit(1) for any status outside 2xx.",
)
def exit_1_on_404(ctx):
    body = b"<!DOCTYPE html><html><body><h1>404 Not Found</h1><p>" + ctx.token().encode() + b"</p></body></html>"
    server = FakeServer([response(body, status="404 Not Found")])
    expect_body(server, ctx.run(server, f"/{ctx.token()}.html", RUN_SECONDS), body, status=1,
                what="the 404 page")


@check(
    "8.connection-refused", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="connection refused: exit status 2 and one line on stderr, no traceback",
    hint="Put the connect in try/except OSError: print one line such as 'error: cannot connect to HOST:PORT' "
    "to sys.stderr, then sys.exit(2).",
)
def connection_refused(ctx):
    port = RefusingPort()
    run = ctx.run(port, "/index.html", RUN_SECONDS)
    expect_no_answer(port, run, "nothing listened on the port (connection refused)")


@check(
    "8.server-silent", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="a server that accepts and says nothing: exit status 2 within about 12 s",
    hint="Set a timeout (socket.create_connection(..., timeout=10) or settimeout(10)); catch socket.timeout, "
    "print one line to sys.stderr and exit with 2.",
)
def server_silent(ctx):
    server = FakeServer([], after="keep-open")
    # Exact, not stretched: a client with a 10 s timeout is done in time on a busy
    # machine too, one with a 30 s timeout (or none) fails on an idle one as well.
    run = ctx.run(server, f"/{ctx.token()}.html", SILENT_RUN_SECONDS, stretch=False)
    expect_no_answer(server, run, "the server accepted the connection and never answered")


@check(
    "8.closed-early", points=2, depends=BASICS, needs=NEEDS_CLIENT,
    description="the server closes before the whole body: exit status 2, no traceback",
    hint="When recv() returns b'' before Content-Length bytes came, the answer is cut short: say so in "
    "one line on sys.stderr and exit with 2.",
)
def closed_early(ctx):
    body = binary_body(ctx)
    server = FakeServer([response(body, media_type="image/png")[:-600]])
    run = ctx.run(server, f"/{ctx.token()}.png", RUN_SECONDS)
    expect_no_answer(server, run, f"the server closed the connection {600} bytes before the end of the body",
                     one_line=False, body=body)
