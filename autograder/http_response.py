"""A strict HTTP response parser that never touches a socket ("sans-I/O").

Bytes go in, a `Response` comes out, with a list of `Problem`s that say in
plain words what is wrong ("line 1 ends with \\n, not \\r\\n", "Content-Length
says 1024, 1026 bytes came"). The checks decide which problems matter to them.

Why not h11? h11 is an excellent strict parser, but it stops at the first
error with a terse message and normalises what it saw (lower-cases names,
hides the line endings). A student needs the *exact* spot: which line lacks
its \\r, how many bytes too many came. Those diagnostics need the raw lines,
so the parsing is done here, in a few dozen lines, and tested on plain bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATUS_LINE = re.compile(r"^(HTTP/\d\.\d) (\d{3})(?: (.*))?$")


@dataclass(frozen=True)
class Problem:
    code: str  # short stable identifier, e.g. "lf-only", "length-mismatch"
    message: str  # one sentence for a student


@dataclass
class Response:
    raw: bytes
    status_line: str = ""
    version: str | None = None
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    headers_complete: bool = False  # the blank line after the headers was seen
    problems: list[Problem] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first header called `name`, compared case-insensitively."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def content_length(self) -> int | None:
        value = self.header("Content-Length")
        if value is None or not value.strip().isdigit():
            return None
        return int(value.strip())

    @property
    def media_type(self) -> str | None:
        """`text/html` for `Content-Type: text/html; charset=utf-8`."""
        value = self.header("Content-Type")
        if value is None:
            return None
        return value.split(";")[0].strip().lower()

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def find_header_end(data: bytes) -> tuple[int, int] | None:
    """(where the blank line starts, where the body starts), or None.

    Accepts the strict CRLF CRLF and, so that a server with LF-only lines can
    still be diagnosed, a bare LF LF as well.
    """
    candidates = []
    for marker in (b"\r\n\r\n", b"\n\n", b"\r\n\n", b"\n\r\n"):
        index = data.find(marker)
        if index != -1:
            candidates.append((index, index + len(marker)))
    return min(candidates) if candidates else None


HEAD_LIMIT = 256 * 1024  # a longer head is not looked for: the response is malformed anyway


def announced_length(data: bytes) -> int | None:
    """The total size the response announces (head + Content-Length), once its head is in.

    None while the head is incomplete, or when it has no Content-Length (then
    the response ends only when the server closes). Looks only at the head, so
    a client can call it once and then just count bytes.
    """
    end = find_header_end(data[:HEAD_LIMIT])
    if end is None:
        return None
    match = re.search(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$", data[: end[0] + 2])
    if not match:
        return None
    return end[1] + int(match.group(1))



def head_without_length(data: bytes) -> bool:
    """The head is complete and has no Content-Length: nothing but a close can end the body."""
    end = find_header_end(data[:HEAD_LIMIT])
    if end is None:
        return False
    return re.search(rb"(?im)^content-length[ \t]*:", data[: end[0] + 2]) is None


def parse_response(data: bytes) -> Response:
    response = Response(raw=data)
    if not data:
        response.problems.append(Problem("empty", "no bytes came back at all"))
        return response

    end = find_header_end(data)
    blank = b""
    if end is None:
        head, response.body = data, b""
        response.problems.append(
            Problem(
                "no-blank-line",
                "the headers never end: there is no blank line (\\r\\n\\r\\n) after them",
            )
        )
    else:
        head, response.body = data[: end[0]], data[end[1] :]
        blank = data[end[0] : end[1]]
        response.headers_complete = True

    lines = head.split(b"\n")
    _check_line_endings(lines, blank, response)
    text_lines = [line.rstrip(b"\r").decode("latin-1") for line in lines]

    _parse_status_line(text_lines[0], response)
    for number, line in enumerate(text_lines[1:], start=2):
        _parse_header_line(number, line, response)
    if response.headers_complete:
        _check_length(response)
    return response


def _check_line_endings(lines: list[bytes], blank: bytes, response: Response) -> None:
    # Every header line was followed by \n; each must be \r\n, and the blank
    # line that ends the headers must be \r\n too.
    for number, line in enumerate(lines[:-1], start=1):
        if not line.endswith(b"\r"):
            response.problems.append(
                Problem("lf-only", f"line {number} ends with \\n, not \\r\\n")
            )
            return
    if blank and blank != b"\r\n\r\n":
        where = "the last header line" if not blank.startswith(b"\r\n") else "the blank line"
        response.problems.append(
            Problem("lf-only", f"{where} (line {len(lines)}) ends with \\n, not \\r\\n")
        )


def _parse_status_line(line: str, response: Response) -> None:
    response.status_line = line
    match = STATUS_LINE.match(line)
    if not match:
        response.problems.append(
            Problem(
                "bad-status-line",
                f"the first line {line[:80]!r} is not a status line like 'HTTP/1.1 200 OK'",
            )
        )
        return
    response.version, code, reason = match.groups()
    response.status = int(code)
    response.reason = reason or ""


def _parse_header_line(number: int, line: str, response: Response) -> None:
    if not line:
        return
    if ":" not in line:
        response.problems.append(
            Problem("bad-header-line", f"line {number} {line[:80]!r} has no ':' (Name: value)")
        )
        return
    name, value = line.split(":", 1)
    if name != name.strip() or not name:
        response.problems.append(
            Problem("bad-header-line", f"line {number}: the header name {name!r} has spaces around it")
        )
    response.headers.append((name.strip(), value.strip()))


def _check_length(response: Response) -> None:
    declared = response.header("Content-Length")
    came = len(response.body)
    if declared is None:
        response.problems.append(
            Problem("no-length", "there is no Content-Length header")
        )
        return
    if not declared.strip().isdigit():
        response.problems.append(
            Problem("bad-length", f"Content-Length {declared!r} is not a whole number")
        )
        return
    said = int(declared)
    if said != came:
        if came > said:
            extra = response.body[said:]
            detail = f" (the extra bytes: {escape_bytes(extra, 40, break_lines=False)})"
        else:
            detail = ""
        response.problems.append(
            Problem(
                "length-mismatch",
                f"Content-Length says {said}, {came} bytes came{detail}",
            )
        )


def escape_bytes(data: bytes, limit: int | None = None, break_lines: bool = True) -> str:
    """Bytes as a reader sees them: printable ASCII as is, the rest escaped.

    \\r and \\n are shown as escapes *and* the line still breaks after \\n,
    so a response reads naturally while every line ending stays visible.
    """
    cut = limit is not None and len(data) > limit
    shown = data[:limit] if cut else data
    out = []
    for byte in shown:
        if byte == 0x0D:
            out.append("\\r")
        elif byte == 0x0A:
            out.append("\\n\n" if break_lines else "\\n")
        elif byte == 0x09:
            out.append("\\t")
        elif byte == 0x5C:
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    text = "".join(out)
    if cut:
        text += f"... [{len(data) - limit} more bytes]"
    return text
