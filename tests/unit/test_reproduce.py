"""The command printed under each failure must reproduce the request exactly."""

import shlex
import subprocess

from autograder.reproduce import reproduce_command


def test_plain_get_becomes_curl():
    command = reproduce_command(b"GET /a%20b.html?x=1 HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nUser-Agent: labgrade/1.0\r\n\r\n")
    assert shlex.split(command) == ["curl", "-i", "--path-as-is", "http://127.0.0.1:8080/a%20b.html?x=1"]


def test_form_post_becomes_curl_with_data():
    sent = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2"
    words = shlex.split(reproduce_command(sent))
    assert words[words.index("--data-binary") + 1] == "a=1&b=2"
    assert "Content-Type: application/x-www-form-urlencoded" in words


def test_malformed_requests_become_printf_that_produces_the_exact_bytes():
    sent = b"NONSENSE\r\n\r\n\x00\xff%'\\"
    command = reproduce_command(sent)
    assert command.endswith("| nc 127.0.0.1 8080")
    printf = command.rsplit(" | ", 1)[0]
    produced = subprocess.run(["sh", "-c", printf], capture_output=True, check=True).stdout
    assert produced == sent
