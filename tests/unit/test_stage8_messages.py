"""Stage 8's failure messages name the mistake a student made, from the bytes alone (no process runs)."""

from __future__ import annotations

from types import SimpleNamespace

from autograder.checks import stage8
from autograder.fake_server import ClientRun

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\n"
BODY = "<p>Grüße</p>".encode("utf-8")[:12]
PNG = b"\x89PNG\r\n\x1a\n\xff\x00\xfe\x01"


def server(*script, after="close"):
    return SimpleNamespace(script=list(script), after=after,
                           sent=b"".join(item for item in script if isinstance(item, bytes)))


def run(stdout=b"", stderr="", exit_code=0, seconds=0.1, entry="/run/submission/client.py"):
    return ClientRun(argv=[entry, "127.0.0.1", "8080", "/index.html"], stdout=stdout, stderr=stderr,
                     exit_code=exit_code, seconds=seconds)


def explain(got, body=BODY, answer=None, **kwargs):
    return stage8.explain_stdout(got, body, answer or server(HEAD + body), run(got, **kwargs))


def test_print_adds_a_newline():
    assert "print() adds one" in explain(BODY + b"\n")


def test_the_head_on_stdout_is_named_with_or_without_the_blank_line():
    for separator in (b"\r\n\r\n", b"\n", b"\r\n"):
        message = explain(HEAD[:-4] + separator + BODY)
        assert "status line and headers" in message and "print()" not in message, message
    message = explain(HEAD + BODY + b"\n")  # print(response.decode())
    assert "status line and headers" in message and "print() adds one" in message


def test_a_decoded_binary_body_is_named():
    answer = server(HEAD + PNG)
    message = explain(PNG.decode("utf-8", "replace").encode() + b"\n", body=PNG, answer=answer)
    assert "decoded as text" in message and "print() adds one" in message


def test_a_bytes_repr_is_named():
    assert "b'...'" in explain(repr(BODY).encode() + b"\n")


def test_undecoded_chunks_are_named():
    encoded = b"5\r\n" + BODY[:5] + b"\r\n7\r\n" + BODY[5:] + b"\r\n0\r\n\r\n"
    answer = server(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + encoded)
    assert "not decoded" in explain(encoded, answer=answer)


def test_stopping_after_the_first_piece_is_named():
    answer = server(HEAD + BODY[:4], 0.2, BODY[4:])
    message = explain(BODY[:4], answer=answer)
    assert "first 4 of the 12 bytes" in message and "one recv()" in message
    message = explain(b"HTTP/1.\n", answer=server(HEAD[:7], 0.2, HEAD[7:] + BODY))
    assert "b'HTTP/1.'" in message and "the first 7 bytes" in message


def test_nothing_written_says_what_the_client_said():
    message = explain(b"", stderr="error: no answer in time\n", exit_code=2, answer=server(HEAD + BODY, after="keep-open"),
                      seconds=10.0)
    assert "wrote nothing" in message and "error: no answer in time" in message
    assert "kept the connection open" in message
    quick = explain(b"", stderr="error: bad status line\n", exit_code=2, answer=server(HEAD + BODY, after="keep-open"))
    assert "kept the connection open" not in quick  # it did not wait: the open connection is not the cause


def test_anything_else_falls_back_to_where_it_differs():
    assert "at byte 3" in explain(b"<p>grusse</p>")


def test_traceback_summary_names_the_students_line():
    stderr = (
        "Traceback (most recent call last):\n"
        '  File "/run/submission/client.py", line 7, in <module>\n'
        "    port = int(sys.argv[1])\n"
        "           ^^^^^^^^^^^^^^^^\n"
        "ValueError: invalid literal for int() with base 10: '127.0.0.1'\n"
    )
    client = run(stderr=stderr, exit_code=1)
    assert stage8.traceback_summary(client) == (
        "ValueError: invalid literal for int() with base 10: '127.0.0.1' (line 7: `port = int(sys.argv[1])`)")
    assert "sys.argv[1], the host" in stage8.argv_mixup(client)


def test_a_frame_outside_the_client_is_not_its_line():
    stderr = (
        "Traceback (most recent call last):\n"
        '  File "/run/submission/client.py", line 9, in <module>\n'
        "    s.connect((host, port))\n"
        '  File "/usr/lib/python3/socket.py", line 1, in connect\n'
        "    whatever()\n"
        "ConnectionRefusedError: [Errno 111] Connection refused\n"
    )
    assert stage8.traceback_summary(run(stderr=stderr, exit_code=1)).endswith("(line 9: `s.connect((host, port))`)")


def test_argv_mixups():
    def said(last):
        return stage8.argv_mixup(run(stderr=last + "\n", exit_code=1))

    assert "sys.argv[3], the path" in said("ValueError: invalid literal for int() with base 10: '/index.html'")
    assert said("ValueError: invalid literal for int() with base 10: '8080'") == ""  # the port itself: no mix-up
    assert "int(sys.argv[2])" in said("TypeError: 'str' object cannot be interpreted as an integer")
    assert "encode" in said("TypeError: a bytes-like object is required, not 'str'")
    assert said("RuntimeError: something else") == ""


def test_each_mistake_is_a_fault_of_its_own_named_once():
    def fault(got, body=BODY, answer=None):
        message, notes = stage8._explain_stdout(got, body, answer or server(HEAD + body), run(got))
        found = stage8.stdout_fault(notes)
        return found.key if found else None

    assert fault(HEAD[:-4] + b"\n" + BODY + b"\n") == "client:head-on-stdout"  # the head first, the newline after
    assert fault(PNG.decode("utf-8", "replace").encode() + b"\n", body=PNG, answer=server(HEAD + PNG)) == \
        "client:decoded-body"
    assert fault(BODY + b"\n") == "client:print-newline"
    assert fault(BODY[:4], answer=server(HEAD + BODY[:4], 0.2, BODY[4:])) == "client:stops-early"
    assert fault(b"<p>grusse</p>") is None  # nothing known: the check's own hint stands
    assert all(f.hint and f.phrase.startswith("your client") for f in stage8.FAULTS.values())
    # A mistake in reading outranks the head on stdout: fixing the head would not make the body whole.
    assert fault(HEAD[:-4] + b"\n" + BODY[:4], answer=server(HEAD + BODY[:4], 0.2, BODY[4:])) == "client:stops-early"
