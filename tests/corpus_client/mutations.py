"""The client corpus (stage 8): buggy clients and correct-but-different ones.

Each Variant is a small, named edit of base_client.py (a correct client,
written the way a decent student writes it) or a standalone file: beginner/
holds clients written the way beginners really write them (`from socket
import *`, one recv(), `print(response.decode())`, several faults at once),
correct/ a correct one with a design of its own.

A buggy variant names in `fails` EXACTLY the checks that fail on it: no
more (the grader must not blame what the client does right), no fewer.
Checks that are not run because a check they need failed are "skipped" and
are not listed. A correct variant has `fails=()` and must get full marks.
`says` holds, per check, words the failure's message must contain: the
message must name the real cause, not just the symptom.

Edits are exact (old, new) text replacements, applied in order; `source()`
refuses an edit whose `old` text does not occur exactly once (after the
earlier edits), so a change to the base cannot make a variant silently stop
applying - the same design as tests/corpus/mutations.py.

    python tests/corpus_client/mutations.py list
    python tests/corpus_client/mutations.py write OUTDIR    # every variant as a file
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from corpus.edits import EditDoesNotApply, apply_edits  # noqa: F401 (EditDoesNotApply: for the tests)

CORPUS = Path(__file__).resolve().parent
BASE = "base_client.py"


@dataclass(frozen=True)
class Variant:
    name: str
    story: str  # why a student writes it (buggy) or why it is still right (correct)
    base: str = BASE  # file under tests/corpus_client/
    edits: tuple = ()  # ((old, new), ...), applied in order to the base's text
    fails: tuple = ()  # exactly the checks with status "failed"
    says: dict = field(default_factory=dict)  # {check: (words its message must contain, ...)}

    @property
    def buggy(self) -> bool:
        return bool(self.fails)




def source(variant: Variant) -> str:
    """The variant's program text: the base with every edit applied."""
    text = apply_edits((CORPUS / variant.base).read_text(encoding="utf-8"), variant.edits, variant.name,
                       variant.base)
    return f"# Client corpus variant {variant.name!r} of {variant.base}: {variant.story}\n" + text


def materialise(variant: Variant, directory: Path) -> Path:
    """Write the variant into DIRECTORY as client.py (the name students hand in); return its path."""
    folder = Path(directory) / variant.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "client.py"
    path.write_text(source(variant), encoding="utf-8")
    return path


def _v(name, story, edits=(), **more):
    return Variant(name=name, story=story, edits=tuple(edits), **more)


# Snippets of the base that several variants edit.
SEND = "        sock.sendall(make_request(host, port, path))\n"
HOST_LINE = '    request += f"Host: {host}:{port}\\r\\n"\n'
CLOSE_LINE = '    request += "Connection: close\\r\\n"\n'
BLANK_LINE = '    request += "\\r\\n"  # empty line = end of the request\n'
PRINT_HEAD = "    print(head, file=sys.stderr)\n"
WRITE_BODY = "    sys.stdout.buffer.write(body)\n"
EXIT_STATUS = "    if 200 <= status <= 299:\n        return 0\n    return 1\n"
CHUNKED_BRANCH = """\
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return read_chunked(sock, data)
"""
LENGTH_BRANCH = """\
    if "content-length" in headers:
        length = int(headers["content-length"])
        data = read_exactly(sock, data, length, "the body")
        return data[:length]
"""
READ_ANSWER = """\
        head, rest = read_head(sock)
        status, headers = parse_head(head)
        body = read_body(sock, headers, rest)
"""
RECV = "        return sock.recv(4096)\n"
CONNECT = """\
    try:
        sock.connect((host, port))
    except OSError as e:
        sock.close()
        raise NoAnswer(f"could not connect to {host}:{port}: {e}")
"""

# Every body check fails when standard output is not the body alone.
BODY_CHECKS = ("8.body-exact-html", "8.body-binary", "8.content-length-kept-open", "8.response-in-pieces",
               "8.lowercase-headers", "8.chunked", "8.read-until-close", "8.exit-1-on-404")
KEPT_OPEN = ("8.content-length-kept-open", "8.response-in-pieces", "8.lowercase-headers")

BUGGY = [
    # ---- the request ----------------------------------------------------------
    _v("no-blank-line", "ends the last header line but forgets the empty line that ends the request",
       [(BLANK_LINE, "")],
       fails=("8.sends-request",), says={"8.sends-request": ("blank line",)}),
    _v("lf-only", "ends the request's lines with '\\n', like every print() so far",
       [('HTTP/1.1\\r\\n"', 'HTTP/1.1\\n"'), (HOST_LINE, HOST_LINE.replace("\\r\\n", "\\n")),
        (CLOSE_LINE, CLOSE_LINE.replace("\\r\\n", "\\n")), (BLANK_LINE, BLANK_LINE.replace("\\r\\n", "\\n"))],
       fails=("8.crlf-request",), says={"8.crlf-request": ("\\n",)}),
    _v("no-host", "sends the request line alone, as in the HTTP/1.0 examples of the lecture",
       [(HOST_LINE, "")],
       fails=("8.request-line-and-host",), says={"8.request-line-and-host": ("Host",)}),
    _v("http10-request", "asks in HTTP/1.0 (so no chunked answers, it thought); the lab asks for HTTP/1.1",
       [("HTTP/1.1\\r\\n", "HTTP/1.0\\r\\n")],
       fails=("8.request-line-and-host",), says={"8.request-line-and-host": ("HTTP/1.0",)}),
    _v("no-connection-close", "leaves out Connection: close; the servers it tried closed anyway",
       [(CLOSE_LINE, "")],
       fails=("8.connection-close-header",), says={"8.connection-close-header": ("Connection: close",)}),
    _v("no-quote", "puts PATH into the request line as it is, spaces and all",
       [("{quote(path)}", "{path}")],
       fails=("8.space-encoded",), says={"8.space-encoded": ("%20",)}),
    # ---- reading the answer ---------------------------------------------------
    _v("one-recv", "one recv() for the whole answer: on one machine a small answer comes in one piece",
       [(READ_ANSWER,
         "        answer = receive(sock)  # the whole answer\n"
         '        head, _, body = answer.partition(b"\\r\\n\\r\\n")\n'
         '        head = head.decode("iso-8859-1")\n'
         "        status, headers = parse_head(head)\n")],
       fails=("8.response-in-pieces", "8.chunked", "8.read-until-close", "8.closed-early"),
       says={"8.read-until-close": ("pause",), "8.closed-early": ("status 0",)}),
    _v("ignores-content-length", "reads until the server closes, whatever Content-Length says",
       [(LENGTH_BRANCH, "")],
       fails=KEPT_OPEN + ("8.closed-early",),
       says={"8.content-length-kept-open": ("kept the connection open",), "8.closed-early": ("status 0",)}),
    _v("case-sensitive-headers", "stores and looks up header names exactly as the lecture's example spells them",
       [("headers[name.strip().lower()] = value.strip()", "headers[name.strip()] = value.strip()"),
        ('headers.get("transfer-encoding", "")', 'headers.get("Transfer-Encoding", "")'),
        ('"content-length" in headers', '"Content-Length" in headers'),
        ('int(headers["content-length"])', 'int(headers["Content-Length"])')],
       fails=("8.lowercase-headers",), says={"8.lowercase-headers": ("kept the connection open",)}),
    _v("no-chunked", "never heard of chunked: reads until the close when there is no Content-Length",
       [(CHUNKED_BRANCH, "")],
       fails=("8.chunked",)),
    _v("short-body-ok", "stops at the close and writes what came, even when Content-Length promised more",
       [(LENGTH_BRANCH,
         '    if "content-length" in headers:\n'
         '        length = int(headers["content-length"])\n'
         "        while len(data) < length:\n"
         "            piece = receive(sock)\n"
         "            if not piece:\n"
         "                break  # the server is done\n"
         "            data += piece\n"
         "        return data[:length]\n")],
       fails=("8.closed-early",), says={"8.closed-early": ("status 0", "of the")}),
    # ---- the output and the exit status ----------------------------------------
    _v("decodes-body", "prints the body as text, as every program so far printed its results",
       [(WRITE_BODY, '    print(body.decode("utf-8", errors="replace"))\n')],
       fails=BODY_CHECKS,
       says={"8.body-exact-html": ("print()",), "8.body-binary": ("decoded",)}),
    _v("head-on-stdout", "prints the head with print(), like the body",
       [(PRINT_HEAD, "    print(head)\n")],
       fails=BODY_CHECKS + ("8.head-on-stderr",),
       says={"8.body-exact-html": ("status line and headers",), "8.head-on-stderr": ("standard output",)}),
    _v("exit-0-on-404", "an answer came, so the program succeeded: exit 0 whatever the status",
       [(EXIT_STATUS, "    return 0\n")],
       fails=("8.exit-1-on-404",), says={"8.exit-1-on-404": ("status 0",)}),
    _v("only-200", "exit 0 for 200 only, not for the other 2xx codes",
       [("if 200 <= status <= 299:", "if status == 200:")],
       fails=("8.exit-0-on-200",), says={"8.exit-0-on-200": ("201",)}),
    # ---- when no answer comes --------------------------------------------------
    _v("traceback-on-refused", "no try/except around connect(): a refused connection is a traceback",
       [(CONNECT, "    sock.connect((host, port))\n")],
       fails=("8.connection-refused",), says={"8.connection-refused": ("ConnectionRefusedError",)}),
    _v("no-timeout", "no timeout: a server that never answers makes the client wait forever",
       [("    sock.settimeout(TIMEOUT)\n", "")],
       fails=("8.server-silent",), says={"8.server-silent": ("still running",)}),
    _v("uses-http-client", "lets http.client do the talking",
       [("import socket\n", "import http.client\nimport socket\n"),
        ('''\
    sock = connect(host, port)
    try:
        sock.sendall(make_request(host, port, path))
        head, rest = read_head(sock)
        status, headers = parse_head(head)
        body = read_body(sock, headers, rest)
    finally:
        sock.close()
    return status, head, body
''', '''\
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.request("GET", quote(path), headers={"Connection": "close"})
        answer = conn.getresponse()
        body = answer.read()
    except (OSError, http.client.HTTPException) as e:
        raise NoAnswer(f"no usable answer: {e!r}")
    finally:
        conn.close()
    head = f"HTTP/1.1 {answer.status} {answer.reason}\\r\\n" + "".join(
        f"{name}: {value}\\r\\n" for name, value in answer.getheaders())
    return answer.status, head, body
''')],
       fails=("8.built-on-socket",), says={"8.built-on-socket": ("http.client",)}),
    # ---- beginners: several faults at once -------------------------------------
    _v("beginner-textbook", "the textbook's TCP client turned into HTTP: one recv(1024), "
       "print(response.decode()), no error handling, no timeout, no Connection: close, PATH unquoted",
       base="beginner/textbook.py",
       fails=("8.connection-close-header", "8.space-encoded", "8.head-on-stderr", "8.connection-refused",
              "8.server-silent", "8.closed-early") + BODY_CHECKS,
       says={"8.body-exact-html": ("status line and headers", "print()"),
             "8.body-binary": ("UnicodeDecodeError", "decode"),
             "8.read-until-close": ("pause",),
             "8.head-on-stderr": ("standard output",),
             "8.connection-refused": ("ConnectionRefusedError",)}),
    _v("beginner-argv-zero", "takes sys.argv[0] for the first argument: the host is the program's own name "
       "and int() gets the host", base="beginner/argv_zero.py",
       fails=("8.sends-request",), says={"8.sends-request": ("sys.argv[1]", "'127.0.0.1'")}),
    _v("beginner-until-close", "half-closes after sending (a tutorial said so), reads until the close with no "
       "timeout, finds '200' in the status line, prints errors with print() and exits 1",
       base="beginner/until_close.py",
       fails=KEPT_OPEN + ("8.chunked", "8.exit-0-on-200", "8.connection-refused", "8.server-silent",
                          "8.closed-early"),
       says={"8.connection-refused": ("standard output", "Error:"), "8.server-silent": ("still running",)}),
    _v("beginner-hand-parser", "finds the length with head.split('Content-Length: '), writes the body as text, "
       "exit 0 for '200' only, a timeout but no except", base="beginner/hand_parser.py",
       fails=("8.body-binary", "8.response-in-pieces", "8.lowercase-headers", "8.chunked", "8.read-until-close",
              "8.exit-0-on-200", "8.connection-refused", "8.server-silent", "8.closed-early"),
       says={"8.lowercase-headers": ("IndexError", "Content-Length: "),
             "8.body-binary": ("UnicodeDecodeError",), "8.server-silent": ("TimeoutError",)}),
    _v("beginner-send-str", "sends a str, as in Python 2: a TypeError before a byte leaves",
       base="beginner/send_str.py",
       fails=("8.sends-request",), says={"8.sends-request": ("TypeError", "encode")}),
]

CORRECT = [
    _v("base", "the base client itself"),
    _v("recv-into", "reads with recv_into() into a buffer of its own",
       [(RECV, "        buffer = bytearray(4096)\n"
               "        count = sock.recv_into(buffer)  # 0: the server closed\n"
               "        return bytes(buffer[:count])\n")]),
    _v("makefile", "reads the answer through a file object, makefile('rb'): readline() and read(n)",
       base="correct/makefile.py"),
    _v("request-in-pieces", "sends the request a line at a time with pauses, as a person types into telnet",
       [("import sys\n", "import sys\nimport time\n"),
        (SEND, "        for line in make_request(host, port, path).splitlines(keepends=True):\n"
               "            sock.sendall(line)\n"
               "            time.sleep(0.05)\n")]),
    _v("half-close", "shuts its sending side after the request (shutdown(SHUT_WR)); the server may still answer",
       [(SEND, SEND + "        sock.shutdown(socket.SHUT_WR)  # nothing more to send\n")]),
    _v("host-without-port", "Host names the host alone; the port is optional in Host",
       [(HOST_LINE, '    request += f"Host: {host}\\r\\n"\n')]),
    _v("lowercase-head-on-stderr", "prints the status line, then each header as parsed, its name in lower case",
       [(PRINT_HEAD, '    lines = head.split("\\r\\n")\n'
                     "    print(lines[0], file=sys.stderr)\n"
                     "    for line in lines[1:]:\n"
                     '        name, _, value = line.partition(":")\n'
                     '        print(name.strip().lower() + ": " + value.strip(), file=sys.stderr)\n')]),
]

VARIANTS = BUGGY + CORRECT
BY_NAME = {variant.name: variant for variant in VARIANTS}


def main(argv: list[str]) -> int:
    if argv[:1] == ["list"]:
        for variant in VARIANTS:
            print(f"{variant.name:28} {'buggy' if variant.buggy else 'correct':8} {' '.join(variant.fails)}")
        return 0
    if len(argv) == 2 and argv[0] == "write":
        for variant in VARIANTS:
            print(materialise(variant, Path(argv[1])))
        return 0
    print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
