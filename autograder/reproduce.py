"""A command a student can paste to send the same request to their own server."""

from __future__ import annotations

import shlex

STUDENT_PORT = 8080
PLAIN_HEADERS = {"host", "user-agent", "accept", "content-length"}


def reproduce_command(sent: bytes | None, port: int = STUDENT_PORT) -> str:
    """`curl ...` for an ordinary request; `printf ... | nc` for anything curl cannot send."""
    if not sent:
        return ""
    curl = _as_curl(sent, port)
    return curl or f"printf {_printf_quoted(sent)} | nc 127.0.0.1 {port}"


def _as_curl(sent: bytes, port: int) -> str | None:
    head, separator, body = sent.partition(b"\r\n\r\n")
    if not separator:
        return None
    try:
        lines = head.decode("ascii").split("\r\n")
    except UnicodeDecodeError:
        return None
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[0] not in ("GET", "POST") or not parts[1].startswith("/") or parts[2] != "HTTP/1.1":
        return None
    method, target, _ = parts
    headers = [line.split(":", 1) for line in lines[1:]]
    if any(len(h) != 2 for h in headers) or any(c in target for c in " <>\"'"):
        return None
    command = ["curl", "-i", "--path-as-is"]
    for name, value in headers:
        if name.lower() not in PLAIN_HEADERS:
            command += ["-H", f"{name}:{value}"]
    if method == "POST":
        if len(body) > 300 or not body.isascii():
            return None
        if not any(name.lower() == "content-length" for name, _ in headers):
            command += ["-X", "POST", "-H", "Content-Length:"]
        else:
            command += ["--data-binary", body.decode()]
    elif body:
        return None
    command.append(f"http://127.0.0.1:{port}{target}")
    return shlex.join(command)


def _printf_quoted(data: bytes) -> str:
    """A single-quoted printf format producing exactly `data` (octal escapes are POSIX)."""
    out = []
    for byte in data[:2000]:
        char = chr(byte)
        if char == "%":
            out.append("%%")
        elif char == "\\":
            out.append("\\\\")
        elif char == "'":
            out.append("'\\''")
        elif char == "\r":
            out.append("\\r")
        elif char == "\n":
            out.append("\\n")
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "'" + "".join(out) + "'"
