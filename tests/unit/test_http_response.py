"""The response parser on plain bytes: no sockets needed (sans-I/O)."""

import pytest

from autograder.http_response import announced_length, escape_bytes, parse_response

GOOD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"


def codes(raw):
    return [p.code for p in parse_response(raw).problems]


def test_a_correct_response_has_no_problems():
    response = parse_response(GOOD)
    assert response.problems == []
    assert (response.version, response.status, response.reason) == ("HTTP/1.1", 200, "OK")
    assert response.body == b"hello"
    assert response.media_type == "text/html"
    assert response.content_length == 5


def test_header_names_are_case_insensitive():
    response = parse_response(b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\nCONTENT-TYPE: text/plain; charset=utf-8\r\n\r\nhi")
    assert response.problems == []
    assert response.header("Content-Length") == "2"
    assert response.media_type == "text/plain"


def test_lf_only_lines_name_the_line():
    response = parse_response(GOOD.replace(b"\r\n", b"\n"))
    assert response.problems[0].code == "lf-only"
    assert "line 1 ends with \\n, not \\r\\n" in response.problems[0].message
    assert response.body == b"hello"  # still parsed, so other checks can run


def test_one_lf_only_header_line_is_found():
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\nContent-Length: 5\r\n\r\nhello"
    assert "line 2 ends with \\n" in parse_response(raw).problems[0].message


def test_blank_line_with_bare_lf():
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\nhello"
    assert codes(raw) == ["lf-only"]


def test_missing_blank_line():
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nhello"
    assert "no-blank-line" in codes(raw)
    assert not parse_response(raw).headers_complete


def test_extra_bytes_after_the_body_are_counted_and_shown():
    response = parse_response(GOOD + b"\r\n")
    [problem] = response.problems
    assert problem.code == "length-mismatch"
    assert "Content-Length says 5, 7 bytes came" in problem.message
    assert "\\r\\n" in problem.message


def test_short_body():
    assert "Content-Length says 5, 3 bytes came" in parse_response(GOOD[:-2]).problems[0].message


@pytest.mark.parametrize("line", [b"200 OK", b"HTTP/1.1 OK", b"HTTP/1.1 2000 OK", b"<html>"])
def test_bad_status_lines(line):
    assert "bad-status-line" in codes(line + b"\r\nContent-Length: 0\r\n\r\n")


def test_status_line_without_reason_still_parses_the_code():
    response = parse_response(b"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n")
    assert response.status == 404 and response.reason == ""


def test_header_without_colon():
    assert "bad-header-line" in codes(b"HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\nhello")


def test_no_and_garbage_content_length():
    assert codes(b"HTTP/1.1 200 OK\r\n\r\nhello") == ["no-length"]
    assert codes(b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello") == ["bad-length"]


def test_empty_input():
    assert codes(b"") == ["empty"]


def test_announced_length_is_head_plus_content_length():
    assert announced_length(GOOD) == len(GOOD)
    assert announced_length(GOOD[:-1]) == len(GOOD)  # the head is in: the size is known
    assert announced_length(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n") is None  # head not finished
    assert announced_length(b"HTTP/1.1 200 OK\r\n\r\nbody without length") is None  # ends at the close
    assert announced_length(b"HTTP/1.1 200 OK\ncontent-length: 1\n\nx") == 36


def test_escape_bytes_shows_line_endings_and_binary():
    text = escape_bytes(b"GET / HTTP/1.1\r\n\r\n\x00\xff\\")
    assert text == "GET / HTTP/1.1\\r\\n\n\\r\\n\n\\x00\\xff\\\\"
    assert escape_bytes(b"a\r\nb", break_lines=False) == "a\\r\\nb"


def test_escape_bytes_cuts_long_input():
    text = escape_bytes(b"x" * 1000, limit=10)
    assert text.startswith("x" * 10) and "990 more bytes" in text
