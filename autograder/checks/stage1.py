"""Stage 1, file server: serve files from the document root, one connection at a time."""

from __future__ import annotations

import re

from autograder.checks.expect import answer, expect_file, expect_status, expect_well_formed
from autograder.checks.registry import NEEDS_SERVER, CheckFailed, check
from autograder.exits import describe_exit

STATUS_200 = re.compile(r"^HTTP/1\.[01] 200 OK$")
EXPECTED_TYPES = {".html": "text/html", ".txt": "text/plain", ".png": "image/png"}
PIECE_PAUSE = 0.15
# Bigger than the kernel's largest send buffer (4 MiB here), read through a small
# window: a single send() cannot take the whole large file, so a missing sendall shows.
SLOW_READER_WINDOW = 64 * 1024
# Not stretched with the machine's load, so the verdict never depends on it: a
# server that sends with sendall() (or in chunks of 1 KiB) needs well under
# 0.3 s for the 5 MiB even on a busy machine, one that calls send() once per
# byte needs 5 s or more even on an idle one. Either side of this deadline has
# a wide margin; bench/ measures both.
LARGE_FILE_SECONDS = 3.0


@check(
    "1.starts-listening", points=2, depends=(), needs=NEEDS_SERVER,
    description="listens on the port given in sys.argv[1] within 5 seconds",
    hint="Read the port with int(sys.argv[1]), then bind the socket to it (('127.0.0.1', port), or ('', port) "
    "for every interface) and listen() before the accept loop.",
)
def starts_listening(ctx):
    result = ctx.start_result
    if result.listening:
        return
    if result.exit_code is not None:
        last_words = _last_lines(result.output)
        raise CheckFailed(
            f"your server {describe_exit(result.exit_code)} before it listened on port {result.port}"
            + (f"; its last words were:\n{last_words}" if last_words else ", without printing anything"),
            expected=f"a server listening on port {result.port}",
            hint="Run it yourself, `python3 yourfile.py 8080`, and read the error at the end of "
            "its output (shown below).",
        )
    if result.other_ports:
        ports = ", ".join(map(str, result.other_ports))
        raise CheckFailed(
            f"your server listens on {ports}, not on {result.port}; read the port from sys.argv[1]",
            expected=f"a server listening on port {result.port}, the number given as its first argument",
            hint="The grader chooses a free port and passes it as the first argument: "
            "port = int(sys.argv[1]).",
        )
    busy = []
    if result.processes > 3:
        busy.append(f"it had started {result.processes} processes")
    if result.printed > 1024 * 1024:
        busy.append(f"it printed {result.printed / 1024**2:.0f} MiB of output (the grader keeps 8 MiB)")
    raise CheckFailed(
        f"your server was still running after {result.seconds:.0f} s but was not listening on port {result.port}"
        + (": " + " and ".join(busy) if busy else ""),
        expected=f"a server listening on port {result.port}",
        hint="Call bind() and listen() on the server socket before waiting for connections; "
        "if your server waits for keyboard input, remove that.",
    )


def _last_lines(output: str, count: int = 6) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[-count:])


@check(
    "1.responds", points=2, depends=("1.starts-listening",), needs=NEEDS_SERVER,
    description="answers a GET request with something that starts like an HTTP response",
    hint="After reading the request, send a status line, headers, a blank line and the file.",
)
def responds(ctx):
    exchange = ctx.get(ctx.docroot.html.url_path)
    response = answer(exchange)
    if not exchange.received.startswith(b"HTTP/"):
        raise CheckFailed(
            f"the answer does not start with 'HTTP/': it starts {exchange.received[:20]!r}",
            exchange=exchange, expected="a status line first, like 'HTTP/1.1 200 OK'",
        )
    return response


@check(
    "1.status-line-200",
    description="an existing file gets the status line `HTTP/1.1 200 OK` (or HTTP/1.0)",
    hint="The first line of the response is exactly 'HTTP/1.1 200 OK' followed by \\r\\n.",
)
def status_line_200(ctx):
    exchange = ctx.get(ctx.docroot.html.url_path)
    response = answer(exchange)
    if not STATUS_200.match(response.status_line):
        raise CheckFailed(
            f"the status line is {response.status_line!r}",
            exchange=exchange, expected="'HTTP/1.1 200 OK' or 'HTTP/1.0 200 OK', exactly",
            symptom="status" if response.status not in (None, 200) else "no-status",
        )


@check(
    "1.crlf-and-blank-line", points=2,
    description="every line of the head ends with \\r\\n and a blank line ends the headers",
    hint="HTTP lines end with '\\r\\n', not '\\n', and the headers end with an empty line: "
    "'...last header\\r\\n\\r\\n'. Build the head as a string and check it.",
)
def crlf_and_blank_line(ctx):
    for file in (ctx.docroot.html, ctx.docroot.png):
        exchange = ctx.get(file.url_path)
        response = answer(exchange)
        expect_well_formed(exchange, response, "lf-only", "no-blank-line", "bad-header-line", "bad-status-line")


@check(
    "1.content-length", points=2,
    description="Content-Length equals the body's length in bytes",
    hint="Send Content-Length: len(body) where body is the bytes you send, not the text: "
    "'é' is one character but two bytes in UTF-8.",
)
def content_length(ctx):
    for file in (ctx.docroot.html, ctx.docroot.png, ctx.docroot.text):
        exchange = ctx.get(file.url_path)
        response = answer(exchange)
        expect_status(exchange, response, 200)
        if response.content_length is None:
            declared = response.header("Content-Length")
            raise CheckFailed(
                "there is no Content-Length header" if declared is None
                else f"Content-Length {declared!r} is not a number",
                exchange=exchange, expected=f"Content-Length: {len(file.content)}",
            )
        expect_well_formed(exchange, response, "length-mismatch")
        if response.content_length != len(file.content):
            raise CheckFailed(
                f"Content-Length says {response.content_length}, the file has {len(file.content)} bytes",
                exchange=exchange, expected=f"Content-Length: {len(file.content)}",
            )


@check(
    "1.content-type", points=2,
    description="Content-Type follows the file name: text/html, text/plain, image/png",
    hint="Choose the type from the file's extension: the skeleton's content_type_for(path, body) does it "
    "(a small dict, or mimetypes.guess_type, works too).",
)
def content_type(ctx):
    for file in (ctx.docroot.html, ctx.docroot.text, ctx.docroot.png):
        exchange = ctx.get(file.url_path)
        response = answer(exchange)
        expect_status(exchange, response, 200)
        wanted = EXPECTED_TYPES[file.relative[file.relative.rindex("."):]]
        if response.media_type != wanted:
            got = response.header("Content-Type")
            raise CheckFailed(
                f"{file.relative} was sent as {got!r}" if got else f"{file.relative} was sent without a Content-Type",
                exchange=exchange, expected=f"Content-Type: {wanted} (a '; charset=...' is fine)",
            )


@check(
    "1.html-body-exact", points=2,
    description="an HTML page with non-ASCII UTF-8 text arrives byte for byte",
    hint="Open the file in binary mode ('rb') and send its bytes unchanged, with nothing added.",
)
def html_body_exact(ctx):
    expect_file(ctx.get(ctx.docroot.html.url_path), ctx.docroot.html)


@check(
    "1.binary-body-exact", points=2,
    description="a PNG holding all 256 byte values arrives byte for byte",
    hint="Read files with open(path, 'rb'): text mode decodes the bytes and breaks images.",
)
def binary_body_exact(ctx):
    expect_file(ctx.get(ctx.docroot.png.url_path), ctx.docroot.png)


@check(
    "1.nested-file",
    description="a file in a sub-folder is served",
    hint="The path after the first '/' may contain more '/': it names a file in a sub-folder.",
)
def nested_file(ctx):
    for file in (ctx.docroot.nested, ctx.docroot.nested_text):
        expect_file(ctx.get(file.url_path), file)


@check(
    "1.request-in-pieces", points=2,
    description="a request that arrives in several pieces, with pauses, is read whole",
    hint="One recv() gives whatever has arrived so far. Keep calling recv() and appending "
    "until the data contains b'\\r\\n\\r\\n', the end of the headers.",
)
def request_in_pieces(ctx):
    file = ctx.docroot.html
    request = ctx.request(file.url_path)
    cut = [len(f"GET {file.url_path}") - 3, len(request) - 2]
    pieces = [request[a:b] for a, b in zip([0] + cut, cut + [len(request)])]
    exchange = ctx.send(pieces, pause=PIECE_PAUSE)
    expect_file(exchange, file)


@check(
    "1.closes-connection",
    description="the server closes the connection after the response",
    hint="After sending the response, call close() on the connection socket (not the listening one).",
)
def closes_connection(ctx):
    exchange = ctx.get(ctx.docroot.html.url_path)
    response = answer(exchange)
    expect_status(exchange, response, 200)
    if not exchange.closed_by_server:
        raise CheckFailed(
            "the whole response came, but the connection stayed open",
            exchange=exchange, expected="the server closes the connection right after the body",
        )


@check(
    "1.ten-requests", points=2,
    description="ten requests in a row all succeed",
    hint="Accept connections in a loop (while True): accept, handle one request, close, repeat. "
    "Header names are case-insensitive: every other request here spells them in lower case.",
)
def ten_requests(ctx):
    files = [ctx.docroot.html, ctx.docroot.text, ctx.docroot.png, ctx.docroot.nested, ctx.docroot.nested_text]
    for number in range(10):
        file = files[number % len(files)]
        exchange = ctx.send(ctx.request(file.url_path, lower=number % 2 == 1))
        try:
            expect_file(exchange, file)
        except CheckFailed as failure:
            failure.message = f"request {number + 1} of 10 failed: {failure.message}"
            raise


@check(
    "1.large-file", points=2,
    description="a file of more than 1 MiB arrives whole, even to a slow reader",
    hint="socket.send() may send only part of the data; use sendall(), which loops until every byte is out.",
)
def large_file(ctx):
    file = ctx.docroot.large
    exchange = ctx.send(ctx.request(file.url_path), cap=len(file.content) + 65536, timeout=LARGE_FILE_SECONDS,
                        receive_buffer=SLOW_READER_WINDOW, stretch=False)
    expect_file(exchange, file)


@check(
    "1.query-ignored",
    description="a query string on a file's path is ignored: GET /NAME?v=2 serves NAME",
    hint="Cut the path at the first '?' before looking for the file (urllib.parse.urlsplit does it).",
)
def query_ignored(ctx):
    file = ctx.docroot.text
    exchange = ctx.send(ctx.request(f"{file.url_path}?v=2&cache={ctx.docroot.token(4)}"))
    expect_file(exchange, file)


@check(
    "1.connection-close-header", advisory=True,
    description="the response says `Connection: close` (advisory)",
    hint="Add the header 'Connection: close' so the client knows the connection ends after this response.",
)
def connection_close_header(ctx):
    exchange = ctx.get(ctx.docroot.html.url_path)
    response = answer(exchange)
    if (response.header("Connection") or "").strip().lower() != "close":
        raise CheckFailed(
            "no 'Connection: close' header (a warning, not an error)",
            exchange=exchange, expected="Connection: close",
        )
