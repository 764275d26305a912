"""Expectations shared by the checks, each failing with evidence and a hint.

A check reads like a sentence: `response = answer(exchange)`, then
`expect_status(exchange, response, 200)`, then `expect_body(...)`. Each helper
raises CheckFailed with the bytes both ways and what a correct server does.
"""

from __future__ import annotations

from autograder.checks.registry import CheckFailed
from autograder.http_response import Response, escape_bytes, parse_response
from autograder.wire import Exchange

REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 411: "Length Required", 500: "Internal Server Error"}


def answer(exchange: Exchange, expected: str = "a complete HTTP response") -> Response:
    """The parsed response, or a failure that says why there is none."""
    if not exchange.connected:
        raise CheckFailed(
            f"could not connect to your server ({exchange.connect_error})",
            exchange=exchange, expected=expected, symptom="no-connection",
            hint="Is the server still running? Look at its output below for a traceback.",
        )
    if exchange.got_nothing:
        if exchange.timed_out:
            raise CheckFailed(
                f"no answer at all within {exchange.elapsed:.1f} s",
                exchange=exchange, expected=expected, symptom="no-answer",
                hint="Read the request until the blank line (\\r\\n\\r\\n) that ends the headers, "
                "then send the response. Waiting for recv() to return b'' waits for a close "
                "the client never sends.",
            )
        raise CheckFailed(
            "the server closed the connection without sending anything",
            exchange=exchange, expected=expected, symptom="closed-empty",
            hint="Something went wrong before the response was sent: look at your server's "
            "output for an exception, and make sure every path through your code sends a response.",
        )
    if exchange.timed_out and not exchange.closed_by_server:
        response = parse_response(exchange.received)
        if not response.headers_complete:
            raise CheckFailed(
                "the response never finished: the headers did not end with a blank line "
                "and the connection stayed open",
                exchange=exchange, expected=expected, symptom="unfinished",
                hint="After the last header line send an empty line: the headers end with \\r\\n\\r\\n.",
            )
    return parse_response(exchange.received)


def expect_status(exchange: Exchange, response: Response, *codes: int, hint: str = "") -> None:
    if response.status in codes:
        return
    wanted = " or ".join(f"{code} {REASONS.get(code, '')}".strip() for code in codes)
    if response.status is None:
        got = f"no status line ({response.problems[0].message})"
    else:
        got = f"{response.status} {response.reason}".strip()
    if response.status == 500:
        got += " (your server hit an error: what it printed meanwhile is shown below)"
    raise CheckFailed(
        f"expected status {wanted}, got {got}",
        exchange=exchange, expected=f"a status line like 'HTTP/1.1 {codes[0]} {REASONS.get(codes[0], '')}'",
        hint=hint, symptom="no-status" if response.status is None else "status",
    )


def expect_well_formed(exchange: Exchange, response: Response, *codes: str) -> None:
    """Fail on the first structural problem whose code is in `codes`."""
    for problem in response.problems:
        if problem.code in codes:
            raise CheckFailed(
                problem.message, exchange=exchange, symptom=f"problem:{problem.code}",
                expected="status line, headers, each line ending in \\r\\n, a blank line, "
                "then exactly Content-Length bytes of body",
            )


def expect_body(exchange: Exchange, response: Response, content: bytes, what: str, hint: str = "") -> None:
    if response.body == content:
        return
    raise CheckFailed(
        f"the body is not {what}: {describe_difference(response.body, content)}",
        exchange=exchange, expected=f"a body identical to {what} ({len(content)} bytes)", hint=hint,
        symptom="body",
    )


def describe_difference(got: bytes, want: bytes) -> str:
    if got.startswith(want):
        extra = got[len(want):]
        return f"{len(extra)} extra bytes after the file ({escape_bytes(extra, 40, break_lines=False)})"
    if want.startswith(got):
        return f"only the first {len(got)} of {len(want)} bytes came"
    offset = 0
    for got_byte, wanted_byte in zip(got, want):
        if got_byte != wanted_byte:
            break
        offset += 1
    return (
        f"{len(got)} bytes came where the file has {len(want)}; the first difference is at byte "
        f"{offset}: expected {escape_bytes(want[offset:offset + 16], break_lines=False)!s}, "
        f"got {escape_bytes(got[offset:offset + 16], break_lines=False)!s}"
    )


def expect_file(exchange: Exchange, file, what: str | None = None, hint: str = "") -> Response:
    """A 200 response whose body is exactly the file's bytes."""
    what = what or f"the file {file.relative!r}"
    response = answer(exchange, expected=f"200 OK and {what}")
    if response.status == 404 and not hint:
        # What the server looked for instead is named by the diagnosis, from
        # the files it opened; here only what the grader knows for sure.
        hint = (
            f"The file exists: it is {file.relative!r} below the folder your server runs in (the document "
            "root). Print the path your code opens, and compare."
        )
    expect_status(exchange, response, 200, hint=hint)
    expect_body(exchange, response, file.content, what, hint=hint)
    return response
