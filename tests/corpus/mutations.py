"""The grader's quality corpus: buggy servers and correct-but-different ones.

Each Variant is a small, named edit of a base server in this folder
(base_stage3.py: sequential, stages 1-3; base_stage5.py: threaded with
serve / handle_connection / delegate, stages 4-5; base_stage6.py: the same
with folders, stage 6; base_stage7.py: folders and CGI, stage 7) or a standalone file under
buggy/ or correct/. A buggy variant makes ONE mistake a real student makes and
names the check(s) that must catch it; a correct variant does something
unusual but allowed and must pass every scored check of its stage.

Edits are exact (old, new) text replacements; `source()` refuses an edit whose
`old` text does not occur exactly once in the base, so a change to a base
cannot make a mutation silently stop applying.

    python tests/corpus/mutations.py list
    python tests/corpus/mutations.py write OUTDIR    # every variant as a file
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

try:  # imported as tests' package `corpus`, or run as a script
    from corpus.edits import EditDoesNotApply, apply_edits  # noqa: F401 (EditDoesNotApply: for the tests)
except ImportError:  # pragma: no cover
    from edits import EditDoesNotApply, apply_edits  # noqa: F401

CORPUS = Path(__file__).resolve().parent

BASE3 = "base_stage3.py"
BASE5 = "base_stage5.py"
BASE6 = "base_stage6.py"


@dataclass(frozen=True)
class Variant:
    name: str
    base: str  # file under tests/corpus/
    stage: int  # graded at this stage
    story: str  # why a student writes it (buggy) or why it is still right (correct)
    edits: tuple = ()  # ((old, new), ...), applied in order to the base's text
    fails: tuple = ()  # buggy: checks that must have status "failed"
    passes_stage: Optional[int] = None  # buggy: grading at this stage passes fully
    advisory_fails: tuple = ()  # advisory checks that must report a failure
    packaging: str = "file"  # file | noext | folder | zip

    @property
    def buggy(self) -> bool:
        return bool(self.fails)




def source(variant: Variant) -> str:
    """The variant's program text: the base with every edit applied."""
    text = apply_edits((CORPUS / variant.base).read_text(encoding="utf-8"), variant.edits, variant.name,
                       variant.base)
    header = f"# Corpus variant {variant.name!r} of {variant.base}: {variant.story}\n"
    return header + text


def materialise(variant: Variant, directory: Path) -> Path:
    """Write the variant into DIRECTORY as a submission; return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    text = source(variant)
    if variant.packaging == "file":
        path = directory / f"{variant.name}.py"
        path.write_text(text, encoding="utf-8")
    elif variant.packaging == "noext":
        path = directory / "webserve"
        path.write_text(text, encoding="utf-8")
    elif variant.packaging == "folder":
        path = directory / variant.name
        path.mkdir()
        (path / "server.py").write_text(text, encoding="utf-8")
        (path / "README.txt").write_text("Run: python server.py PORT\n", encoding="utf-8")
    elif variant.packaging == "zip":
        path = directory / f"{variant.name}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("webserve.py", text)
            archive.writestr("notes.txt", "my web server for the lab\n")
    else:
        raise ValueError(f"unknown packaging {variant.packaging!r}")
    return path


# Snippets of the bases that several variants edit.
S3_READ_LOOP = """\
    data = b""
    while b"\\r\\n\\r\\n" not in data:
        chunk = connection.recv(1024)
        if not chunk:
            break
        data += chunk
    return data
"""
S3_ROOT_CHECK = """\
    if full_path != root and not full_path.startswith(root + os.sep):
        return None  # the path climbed out of the document root
"""
S3_SEND = 'connection.sendall(head.encode("ascii") + body)'
S3_OPEN_BINARY = """\
    with open(file_path, "rb") as file:
        body = file.read()
"""
S3_SEND_FILE = 'send_response(connection, "200 OK", content_type_for(file_path), body)'
S3_ECHO_LINE = '"key=" + escape(key) + "; value=" + escape(value) + "; "'
S3_PAIRS = "pairs = parse_qsl(query, keep_blank_values=True)"
S3_ACCEPT_LOOP = """\
    while True:
        connection, address = server_socket.accept()
        try:
            handle_request(connection)
        except OSError as error:
            print("connection from", address, "failed:", error)
        connection.close()
"""
S3_DECODE_PATH = "    path = unquote(path)\n"
S3_REQUEST_LINE_CHECK = """\
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        send_error(connection, "400 Bad Request")
        return
    method, target, version = parts
"""

S5_START = "        thread.start()\n"
S5_SPAWN = """\
        thread = threading.Thread(
            target=handle_connection, args=(client_sock, client_address), daemon=True
        )
        thread.start()
"""
S5_READ_BODY = """\
    body = already_read
    while len(body) < length:
        chunk = client_sock.recv(min(65536, length - len(body)))
        if not chunk:
            break
        body += chunk
    return body[:length]
"""
S5_DELEGATE_CALL = """\
    try:
        status, response_headers, body = delegate(method, path, headers, GET_data, POST_data)
    except Exception:
        # A bug in delegate must not cost the client its answer.
        status, response_headers, body = error_response(500)
"""
S5_SEND_LINES = """\
    lines = ["HTTP/1.1 " + status]
    for name, value in headers:
        lines.append(name + ": " + value)
    lines.append("Content-Length: " + str(len(body)))
    lines.append("Connection: close")
"""
S5_SEND_CALL = '    client_sock.sendall(head.encode("latin-1") + body)\n'
S5_CONSTANTS = "MAX_HEAD_BYTES = 64 * 1024\n"
S5_ROOT_CHECK = """\
    if full_path != root and not full_path.startswith(root + os.sep):
        return None
"""
S5_MAIN = '    serve("", int(sys.argv[1]))\n'

S6_ITEM = 'items += \'<li><a href="\' + quote(shown) + \'">\' + escape(shown) + "</a></li>\\n"'
S6_SHOWN = '        shown = name + "/" if os.path.isdir(os.path.join(folder, name)) else name\n'
S6_NAMES = '    names = sorted(name for name in os.listdir(folder) if not name.startswith("."))\n'
S6_REDIRECT = """\
    if not path.endswith("/"):
        # Without the slash, the relative links of the page would resolve in the parent folder.
        location = quote(path + "/")
        if GET_data:
            location += "?" + urlencode(GET_data, doseq=True)
"""
S6_QUERY = """\
        if GET_data:
            location += "?" + urlencode(GET_data, doseq=True)
"""
S6_HIDDEN = """\
    relative = full_path[len(root):]
    if any(part.startswith(".") for part in relative.split(os.sep)):
        return None  # hidden (.env, .git/...), at any depth
"""
S6_INDEX = """\
    index = os.path.join(folder, "index.html")
    if os.path.isfile(index):
        return file_response(index)
"""
S6_ROOT_CHECK = """\
    full_path = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if full_path != root and not full_path.startswith(root + os.sep):
"""
S6_HEADERS = '    200: "OK",\n    301: "Moved Permanently",\n'


def _v(name, base, stage, story, edits=(), **more):
    return Variant(name=name, base=base, stage=stage, story=story, edits=tuple(edits), **more)


BUGGY = [
    # ---- stage 1: file server -------------------------------------------------
    _v("uses-http-server", "buggy/uses_http_server.py", 1,
       "lets http.server's SimpleHTTPRequestHandler do the whole assignment",
       fails=("1.built-on-socket",)),
    _v("port-from-input", BASE3, 1,
       "asks for the port with input(), as in the first Python exercises; stdin is empty",
       [("port = int(sys.argv[1])", 'port = int(input("Port number: "))')],
       fails=("1.starts-listening",)),
    _v("forgot-listen", BASE3, 1,
       "bind() without listen(); accept() then fails with 'Invalid argument'",
       [("    server_socket.listen(5)\n", "")],
       fails=("1.starts-listening",)),
    _v("one-recv", BASE3, 1,
       "reads the request with a single recv(1024) as in the textbook; a browser's "
       "small request usually arrives in one segment, so it seemed to work",
       [(S3_READ_LOOP, "    return connection.recv(1024)\n")],
       fails=("1.request-in-pieces",)),
    _v("status-without-reason", BASE3, 1,
       "passes only '200' as the status, thinking the reason phrase is decoration",
       [(S3_SEND_FILE, 'send_response(connection, "200", content_type_for(file_path), body)')],
       fails=("1.status-line-200",)),
    _v("status-without-version", BASE3, 1,
       "writes the status line as '200 OK' alone, as in the lecture's table of codes",
       [('        "HTTP/1.1 " + status,\n', "        status,\n")],
       # Without "HTTP/" it is not recognisably an HTTP response at all.
       fails=("1.responds",)),
    _v("leading-slash-kept", BASE3, 1,
       "joins '/name.html' to the root; os.path.join throws the root away when the "
       "second part is absolute, so no file is ever found",
       [('os.path.join(root, path.lstrip("/"))', "os.path.join(root, path)")],
       fails=("1.status-line-200",)),
    _v("lf-only", BASE3, 1,
       "ends lines with '\\n' like every print() so far; browsers forgive it",
       [('head = "\\r\\n".join(lines) + "\\r\\n\\r\\n"', 'head = "\\n".join(lines) + "\\n\\n"')],
       fails=("1.crlf-and-blank-line",)),
    _v("no-blank-line", BASE3, 1,
       "ends the last header line but forgets the empty line before the body",
       [('head = "\\r\\n".join(lines) + "\\r\\n\\r\\n"', 'head = "\\r\\n".join(lines) + "\\r\\n"')],
       fails=("1.crlf-and-blank-line",)),
    _v("length-in-characters", BASE3, 1,
       "reads text files as str and takes len(text), which counts characters; the "
       "UTF-8 body of a non-ASCII page has more bytes than that",
       [(S3_OPEN_BINARY,
         '    if content_type_for(file_path).startswith("text/"):\n'
         '        with open(file_path, encoding="utf-8") as file:\n'
         "            body = file.read()\n"
         "    else:\n"
         '        with open(file_path, "rb") as file:\n'
         "            body = file.read()\n"),
        (f"    {S3_SEND}\n",
         "    if isinstance(body, str):\n"
         '        body = body.encode("utf-8")\n'
         f"    {S3_SEND}\n")],
       fails=("1.content-length",)),
    _v("length-off-by-one", BASE3, 1,
       "adds one to Content-Length 'for the newline at the end of the file'",
       [('"Content-Length: " + str(len(body)),', '"Content-Length: " + str(len(body) + 1),')],
       fails=("1.content-length",)),
    _v("always-text-html", BASE3, 1,
       "copied the Content-Type line of the HTML page everywhere; browsers sniff a PNG anyway",
       [(S3_SEND_FILE, 'send_response(connection, "200 OK", "text/html", body)')],
       fails=("1.content-type",)),
    _v("png-read-as-text", BASE3, 1,
       "opens every file in text mode and encodes it again: fine for HTML, but a PNG "
       "is not UTF-8 (UnicodeDecodeError)",
       [(S3_OPEN_BINARY, "    with open(file_path) as file:\n        body = file.read().encode()\n")],
       fails=("1.binary-body-exact",)),
    _v("crlf-after-body", BASE3, 1,
       "ends the response with CRLF 'to finish the message', as if the body were a header",
       [(S3_SEND, 'connection.sendall(head.encode("ascii") + body + b"\\r\\n")')],
       fails=("1.html-body-exact", "1.binary-body-exact")),
    _v("body-sent-twice", BASE3, 1,
       "first sent head and body separately, then merged them and left the old "
       "sendall(body) behind",
       [(f"    {S3_SEND}\n", f"    {S3_SEND}\n    connection.sendall(body)\n")],
       fails=("1.html-body-exact",)),
    _v("basename-lookup", BASE3, 1,
       "uses os.path.basename(path) 'to be safe from ..', which also throws sub-folders away",
       [('os.path.join(root, path.lstrip("/"))', "os.path.join(root, os.path.basename(path))")],
       fails=("1.nested-file",)),
    _v("exits-after-one-request", BASE3, 1,
       "kept the one-request server of the first exercise: no loop around accept()",
       [(S3_ACCEPT_LOOP,
         "    connection, address = server_socket.accept()\n"
         "    handle_request(connection)\n"
         "    connection.close()\n")],
       fails=("1.ten-requests",)),
    _v("never-closes", BASE3, 1,
       "forgets close(); the socket is only closed when `connection` is rebound at "
       "the next accept(), so each client waits for the next one",
       [("        connection.close()\n", "")],
       fails=("1.closes-connection",)),
    _v("reads-one-megabyte", BASE3, 1,
       "reads the file with file.read(1000000) like recv(BUFFER): 'a megabyte is "
       "plenty for a web page'",
       [(S3_OPEN_BINARY, '    with open(file_path, "rb") as file:\n        body = file.read(1000000)\n')],
       fails=("1.large-file",)),
    _v("send-not-sendall", BASE3, 1,
       "uses send(), which may send only part of the data; with a timeout on the "
       "socket a large body goes out only partly (on loopback with big buffers it "
       "often goes out whole, so this probes how hard the grader pushes)",
       [(S3_SEND, 'connection.send(head.encode("ascii") + body)'),
        ("        connection, address = server_socket.accept()\n",
         "        connection, address = server_socket.accept()\n"
         "        connection.settimeout(10)\n")],
       fails=("1.large-file",)),
    _v("query-not-stripped", BASE3, 1,
       "takes the whole target as the file name; '?v=2' becomes part of it",
       [('    path, _, query = target.partition("?")\n', '    path, query = target, ""\n')],
       fails=("1.query-ignored",)),
    # ---- stage 2: not found ---------------------------------------------------
    _v("missing-file-200", BASE3, 2,
       "shows a friendly 'File not found' page, but with status 200",
       [('        send_error(connection, "404 Not Found")\n',
         '        send_response(connection, "200 OK", "text/html", '
         'b"<html><body><h1>File not found</h1></body></html>")\n')],
       fails=("2.missing-file-404",), passes_stage=1),
    _v("404-without-body", BASE3, 2,
       "copies the textbook's one-line 404: no body, no Content-Length",
       [('        send_error(connection, "404 Not Found")\n',
         '        connection.sendall(b"HTTP/1.1 404 Not Found\\r\\n\\r\\n")\n')],
       fails=("2.missing-file-404",), passes_stage=1),
    _v("exits-after-404", BASE3, 2,
       "the skeleton's final sys.exit() ended up indented into the not-found branch",
       [('        send_error(connection, "404 Not Found")\n        return\n',
         '        send_error(connection, "404 Not Found")\n'
         "        connection.close()\n"
         "        sys.exit()  # Terminate the program after sending the data\n")],
       fails=("2.serves-after-404",), passes_stage=1),
    _v("no-percent-decoding", BASE3, 2,
       "uses the path as it came on the wire",
       [(S3_DECODE_PATH, "")],
       fails=("2.percent-decoding",), passes_stage=1),
    _v("only-space-decoded", BASE3, 2,
       "fixed the one case tried in the browser: replaces %20 and nothing else",
       [(S3_DECODE_PATH, '    path = path.replace("%20", " ")\n')],
       fails=("2.percent-decoding",), passes_stage=1),
    _v("traversal-unchecked", BASE3, 2,
       "joins the decoded path to the root and opens it; never thought a URL could "
       "climb out with '..'",
       [(S3_ROOT_CHECK, "")],
       fails=("2.no-traversal",), passes_stage=1),
    _v("dotdot-checked-before-decoding", BASE3, 2,
       "rejects '..' in the raw URL, then percent-decodes: %2e%2e slips through",
       [(S3_ROOT_CHECK, ""),
        ('    path, _, query = target.partition("?")\n',
         '    path, _, query = target.partition("?")\n'
         '    if ".." in path:\n'
         '        send_error(connection, "403 Forbidden")\n'
         "        return\n")],
       fails=("2.no-traversal",), passes_stage=1),
    _v("leading-dotdot-only", BASE3, 2,
       "rejects paths that start with '/..', but /sub/../../SECRET climbs out anyway",
       [(S3_ROOT_CHECK, ""),
        (S3_DECODE_PATH,
         S3_DECODE_PATH + '    if path.startswith("/.."):\n'
         '        send_error(connection, "403 Forbidden")\n'
         "        return\n")],
       fails=("2.no-traversal",), passes_stage=1),
    _v("root-check-startswith", BASE3, 2,
       "checks full_path.startswith(root) without the separator, so a sibling "
       "folder like /../root-evil/ counts as inside the root",
       [("full_path.startswith(root + os.sep)", "full_path.startswith(root)")],
       fails=("2.no-traversal",), passes_stage=1),
    _v("crash-on-malformed-request", BASE3, 2,
       "unpacks the request line into three names; a malformed line raises "
       "ValueError and the server dies",
       [(S3_REQUEST_LINE_CHECK, "    method, target, version = parts\n")],
       fails=("2.bad-request-400",), passes_stage=1),
    _v("version-not-required", BASE3, 2,
       "needs only the method and the path, so a request line without a version is served",
       [(S3_REQUEST_LINE_CHECK,
         "    if len(parts) < 2:\n"
         '        send_error(connection, "400 Bad Request")\n'
         "        return\n"
         "    method, target = parts[0], parts[1]\n")],
       fails=("2.bad-request-400",), passes_stage=1),
    _v("strict-utf8-request", BASE3, 2,
       "decodes the request as UTF-8; binary junk raises UnicodeDecodeError and the "
       "server dies",
       [('head.split(b"\\r\\n")[0].decode("latin-1")', 'head.split(b"\\r\\n")[0].decode("utf-8")')],
       fails=("2.survives-junk",), passes_stage=1),
    _v("recv-loop-ignores-eof", BASE3, 2,
       "loops on recv() until the blank line without checking for b'' (the peer "
       "closed): a client that leaves mid-request makes the server spin forever",
       [(S3_READ_LOOP,
         '    data = b""\n'
         '    while b"\\r\\n\\r\\n" not in data:\n'
         "        data += connection.recv(1024)\n"
         "    return data\n")],
       # The grader sees "listening" in /proc/net/tcp rather than by connecting
       # and leaving, so stage 1 does not set it spinning.
       fails=("2.survives-junk",), passes_stage=1),
    # ---- stage 3: query echo --------------------------------------------------
    _v("echo-no-spaces", BASE3, 3,
       "writes key=name;value=test; without the spaces the handout shows",
       [(S3_ECHO_LINE, '"key=" + escape(key) + ";value=" + escape(value) + ";"')],
       fails=("3.echo-page",), passes_stage=2),
    _v("echo-without-path", BASE3, 3,
       "prints only the pairs, not the path the page was asked for",
       [('    page += "<p>You asked for " + escape(path) + "</p>\\n"\n', "")],
       fails=("3.echo-page",), passes_stage=2),
    _v("echo-first-value-only", BASE3, 3,
       "uses parse_qs and takes values[0], as most web tutorials do",
       [("from urllib.parse import parse_qsl, unquote", "from urllib.parse import parse_qs, unquote"),
        (S3_PAIRS,
         "pairs = [(key, values[0]) for key, values in "
         "parse_qs(query, keep_blank_values=True).items()]")],
       fails=("3.echo-page",), passes_stage=2),
    _v("echo-last-value-only", BASE3, 3,
       "collects the pairs in a dict, so a repeated key keeps only its last value",
       [(S3_PAIRS, "pairs = dict(parse_qsl(query, keep_blank_values=True)).items()")],
       fails=("3.echo-page",), passes_stage=2),
    _v("echo-keys-sorted", BASE3, 3,
       "sorts the pairs to make the output tidy",
       [("    for key, value in pairs:\n", "    for key, value in sorted(pairs):\n")],
       fails=("3.echo-order",), passes_stage=2),
    _v("echo-not-decoded", BASE3, 3,
       "splits the query on & and = by hand and never decodes + or %XX",
       [(S3_PAIRS, 'pairs = [pair.partition("=")[::2] for pair in query.split("&") if pair]')],
       fails=("3.echo-decoding",), passes_stage=2),
    _v("echo-unquote-not-plus", BASE3, 3,
       "decodes the hand-split pairs with unquote(), which leaves '+' as a plus sign",
       [(S3_PAIRS,
         'pairs = [[unquote(part) for part in pair.partition("=")[::2]] '
         'for pair in query.split("&") if pair]')],
       fails=("3.echo-decoding",), passes_stage=2),
    _v("echo-latin1-decoding", BASE3, 3,
       "copied encoding='latin-1' from the request-line decoding into parse_qsl, so "
       "an 'é' sent as %C3%A9 comes out as 'Ã©'",
       [(S3_PAIRS, 'pairs = parse_qsl(query, keep_blank_values=True, encoding="latin-1")')],
       fails=("3.echo-decoding",), passes_stage=2),
    _v("echo-not-escaped", BASE3, 3,
       "puts keys and values into the page as they are; <b> becomes bold text",
       [(S3_ECHO_LINE, '"key=" + key + "; value=" + value + "; "')],
       fails=("3.echo-escaping",), passes_stage=2),
    _v("echo-escape-forgets-ampersand", BASE3, 3,
       "hand-written escape() that replaces < and > but not &, so '&lt;' sent by "
       "the user is shown as '<'",
       [("from html import escape\n", ""),
        ("def content_type_for(file_path):",
         "def escape(text):\n"
         "    # < and > are what make tags, so they are what to replace\n"
         '    return text.replace("<", "&lt;").replace(">", "&gt;")\n\n\n'
         "def content_type_for(file_path):")],
       fails=("3.echo-escaping",), passes_stage=2),
    _v("echo-crash-without-query", BASE3, 3,
       "takes the query with target.split('?')[1]; /echo alone raises IndexError and "
       "the server dies",
       [("echo_page(path, query))", 'echo_page(path, target.split("?")[1]))')],
       fails=("3.echo-no-query",), passes_stage=2),
    _v("any-query-echoes", BASE3, 3,
       "treats every request with a query string as an echo request",
       [('    if path == "/echo":\n', '    if path == "/echo" or query:\n')],
       fails=("3.other-paths-404", "1.query-ignored")),
    _v("echo-prefix-match", BASE3, 3,
       "recognises the echo page with path.startswith('/echo'), so /echo-anything "
       "is an echo page instead of a 404",
       [('    if path == "/echo":\n', '    if path.startswith("/echo"):\n')],
       fails=("3.other-paths-404",), passes_stage=2),
    # ---- stage 4: threaded ----------------------------------------------------
    _v("thread-run-not-start", BASE5, 4,
       "calls thread.run(), which runs the handler in the accept loop's own thread",
       [(S5_START, "        thread.run()\n")],
       fails=("4.stalled-client",), passes_stage=3),
    _v("join-after-start", BASE5, 4,
       "joins each thread right after starting it 'so it finishes cleanly'",
       [(S5_START, S5_START + "        thread.join()\n")],
       fails=("4.stalled-client",), passes_stage=3),
    _v("global-lock", BASE5, 4,
       "holds one module-level lock around the whole handler 'to make threads safe', "
       "which serialises every connection",
       [(S5_CONSTANTS, S5_CONSTANTS + "HANDLER_LOCK = threading.Lock()\n"),
        ("    try:\n        answer(client_sock)\n",
         "    try:\n        with HANDLER_LOCK:  # one at a time, to be safe\n"
         "            answer(client_sock)\n")],
       fails=("4.stalled-client",), passes_stage=3, advisory_fails=("4.thread-per-connection-only",)),
    _v("pool-of-four", BASE5, 4,
       "a ThreadPoolExecutor with four workers, 'one per CPU core'; five silent "
       "clients occupy them all",
       [("import threading\n", "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n"),
        ("    server_socket.listen(64)\n",
         "    server_socket.listen(64)\n    pool = ThreadPoolExecutor(max_workers=4)\n"),
        (S5_SPAWN, "        pool.submit(handle_connection, client_sock, client_address)\n")],
       fails=("4.five-stalled-clients",), passes_stage=3),
    _v("sequential-with-timeout", BASE3, 4,
       "no threads: a 0.4 s timeout drops a silent client quickly, so one stalled "
       "client only delays the next one a little, but five add up",
       [("        connection, address = server_socket.accept()\n",
         "        connection, address = server_socket.accept()\n"
         "        connection.settimeout(0.4)\n")],
       fails=("4.five-stalled-clients",), passes_stage=3),
    _v("global-client-socket", BASE5, 4,
       "the sequential version kept the connection in a module-level variable; "
       "after the move to threads the handler still sends to it, i.e. to the "
       "newest client",
       [("    while True:\n        client_sock, client_address = server_socket.accept()\n",
         "    global connection\n"
         "    while True:\n        client_sock, client_address = server_socket.accept()\n"
         "        connection = client_sock\n"),
        ("    send_response(client_sock, status, response_headers, body)\n",
         "    send_response(connection, status, response_headers, body)\n")],
       fails=("4.reverse-order",), passes_stage=3, advisory_fails=("4.no-shared-state",)),
    _v("global-request-buffer", BASE5, 4,
       "kept the sequential version's module-level request buffer; every thread now "
       "resets and appends to the same buffer",
       [(S5_CONSTANTS, S5_CONSTANTS + 'request_buffer = b""\n'),
        ('    data = b""\n    while b"\\r\\n\\r\\n" not in data:\n'
         "        if len(data) > MAX_HEAD_BYTES:\n",
         "    global request_buffer\n"
         '    request_buffer = b""\n    while b"\\r\\n\\r\\n" not in request_buffer:\n'
         "        if len(request_buffer) > MAX_HEAD_BYTES:\n"),
        ("        data += chunk\n    head, _, extra = data.partition",
         "        request_buffer += chunk\n    head, _, extra = request_buffer.partition")],
       fails=("4.concurrent-32",), passes_stage=3, advisory_fails=("4.no-shared-state",)),
    _v("select-reset-kept-in-list", "correct/select_server.py", 4,
       "a select() server that closes a client which reset the connection but "
       "leaves it in the list select() watches; the next select() raises "
       "ValueError (fd -1) and the whole server dies",
       [("        except ConnectionResetError:\n            self.forget(sock)\n",
         "        except ConnectionResetError:\n            sock.close()  # it is gone anyway\n")],
       fails=("4.survives-churn",), passes_stage=3),
    # ---- stage 5: POST ----------------------------------------------------------
    _v("body-one-recv", BASE5, 5,
       "reads the rest of the body with one recv(); works when it arrives in one segment",
       [(S5_READ_BODY,
         "    body = already_read\n"
         "    if len(body) < length:\n"
         "        body += client_sock.recv(length - len(body))\n"
         "    return body[:length]\n")],
       fails=("5.post-body-timing",), passes_stage=4),
    _v("body-until-close", BASE5, 5,
       "reads the body until the client closes, like reading a file to its end; "
       "the client is waiting for the answer instead",
       [(S5_READ_BODY,
         "    body = already_read\n"
         "    while True:\n"
         "        chunk = client_sock.recv(65536)\n"
         "        if not chunk:\n"
         "            break\n"
         "        body += chunk\n"
         "    return body\n")],
       # 5.post-body-timing depends on 5.post-echo, so it is reported as skipped.
       fails=("5.post-echo",), passes_stage=4),
    _v("body-capped-64k", BASE5, 5,
       "caps the body at 64 KiB 'for safety' and silently truncates bigger forms",
       [(S5_READ_BODY, "    length = min(length, 65536)  # nobody sends bigger forms\n" + S5_READ_BODY)],
       fails=("5.post-large-body",), passes_stage=4),
    _v("content-length-case-sensitive", BASE5, 5,
       "keeps header names as sent and looks up 'Content-Length' as browsers spell it",
       [("headers[name.strip().lower()] = value.strip()", "headers[name.strip()] = value.strip()"),
        ('headers.get("content-length", "")', 'headers.get("Content-Length", "")')],
       fails=("5.post-lowercase-length",), passes_stage=4),
    _v("missing-length-crashes", BASE5, 5,
       "assumes every POST has a Content-Length; the KeyError ends the handler and "
       "the client gets no answer",
       [('        length = headers.get("content-length", "")\n'
         "        if not length.isdigit():\n"
         "            send_response(client_sock, *error_response(411))\n"
         "            return\n"
         "        body = read_body(client_sock, extra, int(length))\n",
         '        body = read_body(client_sock, extra, int(headers["content-length"]))\n')],
       fails=("5.post-without-length",), passes_stage=4),
    _v("form-pairs-first", BASE5, 5,
       "echoes the form pairs before the query pairs, 'the form is the important part'",
       [("pairs = echo_pairs(GET_data) + echo_pairs(POST_data)",
         "pairs = echo_pairs(POST_data) + echo_pairs(GET_data)")],
       fails=("5.post-echo",), passes_stage=4),
    _v("banner-on-import", BASE5, 5,
       "prints a start-up banner at module level instead of in the main block",
       [(S5_CONSTANTS, S5_CONSTANTS + '\nprint("Serving files from", os.getcwd())\n')],
       fails=("5.import-no-side-effects",), passes_stage=4),
    _v("no-main-guard", BASE5, 5,
       "starts the server at the bottom of the file without `if __name__ == "
       "'__main__':`, so importing the module runs it",
       [('if __name__ == "__main__":\n'
         "    if len(sys.argv) != 2:\n"
         '        sys.exit("usage: python " + sys.argv[0] + " PORT")\n'
         '    serve("", int(sys.argv[1]))\n',
         'serve("", int(sys.argv[1]))\n')],
       fails=("5.import-no-side-effects",), passes_stage=4),
    _v("delegate-headers-dict", BASE5, 5,
       "returns the headers as a dict {name: value}, which reads nicer; the handout "
       "asks for a list of (name, value) pairs",
       [('        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page\n',
         '        return "200 OK", {"Content-Type": "text/html; charset=utf-8"}, page\n'),
        ('    return "200 OK", [("Content-Type", content_type_for(file_path))], body\n',
         '    return "200 OK", {"Content-Type": content_type_for(file_path)}, body\n'),
        ('    return status, [("Content-Type", "text/html")], page.encode("utf-8")\n',
         '    return status, {"Content-Type": "text/html"}, page.encode("utf-8")\n'),
        ("    for name, value in headers:\n", "    for name, value in headers.items():\n")],
       fails=("5.delegate-direct",), passes_stage=4),
    _v("delegate-expects-raw-query", BASE5, 5,
       "passes the raw query string to delegate and parses it there; the handout "
       "says GET_data and POST_data are parse_qs dicts",
       [("    GET_data = parse_qs(query, keep_blank_values=True)\n", "    GET_data = query\n"),
        ('POST_data = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)',
         'POST_data = body.decode("utf-8", "replace")'),
        ("page = echo_page(path, GET_data, POST_data or {})",
         "page = echo_page(path, parse_qs(GET_data, keep_blank_values=True), "
         'parse_qs(POST_data or "", keep_blank_values=True))')],
       fails=("5.delegate-direct",), passes_stage=4),
    _v("handle-connection-one-argument", BASE5, 5,
       "dropped the unused address parameter of handle_connection; the handout's "
       "caller passes two arguments",
       [("def handle_connection(client_sock, client_address):", "def handle_connection(client_sock):"),
        ("args=(client_sock, client_address)", "args=(client_sock,)")],
       fails=("5.handle-connection",), passes_stage=4),
    _v("delegate-errors-not-trapped", BASE5, 5,
       "no try around delegate(); an exception ends the handler and the client "
       "gets a closed connection instead of a 500",
       [(S5_DELEGATE_CALL,
         "    status, response_headers, body = delegate(method, path, headers, GET_data, POST_data)\n")],
       fails=("5.delegate-error-500",), passes_stage=4),
    # ---- stage 6: directories ---------------------------------------------------
    _v("listing-raw-names", BASE6, 6,
       "builds each line of the listing from the name as it is, in the href and in the text; "
       "the folder tried in the browser had only plain names",
       [(S6_ITEM, 'items += \'<li><a href="\' + shown + \'">\' + shown + "</a></li>\\n"')],
       fails=("6.hrefs-encoded", "6.names-escaped"), passes_stage=5),
    _v("listing-href-escaped-not-quoted", BASE6, 6,
       "escapes the name for the href with html.escape 'to be safe', as in the echo page; "
       "an href is a URL, so a space stays a space and '#' starts a fragment",
       [(S6_ITEM, 'items += \'<li><a href="\' + escape(shown) + \'">\' + escape(shown) + "</a></li>\\n"')],
       fails=("6.hrefs-encoded",), passes_stage=5),
    _v("listing-without-redirect", BASE6, 6,
       "lists a folder whether or not the path ends in '/'; at /DIR the page's relative links "
       "resolve in the parent folder",
       [(S6_REDIRECT, '    if False:  # a folder is a folder, with or without the slash\n        location = ""\n')],
       fails=("6.redirect-slash",), passes_stage=5),
    _v("location-without-slash", BASE6, 6,
       "redirects to the path itself, forgetting the slash that is the point of the 301: "
       "a browser goes round in circles",
       [('        location = quote(path + "/")\n', "        location = quote(path)\n")],
       fails=("6.redirect-slash",), passes_stage=5),
    _v("location-drops-query", BASE6, 6,
       "redirects to the path plus '/' and forgets the query string",
       [(S6_QUERY, "")],
       fails=("6.redirect-query",), passes_stage=5),
    _v("no-hidden-names", BASE6, 6,
       "never heard of hidden files: lists and serves .env and .git like anything else",
       [(S6_HIDDEN, ""),
        (S6_NAMES, "    names = sorted(os.listdir(folder))\n")],
       fails=("6.hidden-not-listed", "6.hidden-not-served"), passes_stage=5),
    _v("hidden-last-part-only", BASE6, 6,
       "refuses a path whose last part starts with '.', so /.env is refused but "
       "/sub/.git/config (a hidden folder higher up) is served",
       [(S6_HIDDEN,
         '    if os.path.basename(full_path).startswith("."):\n'
         "        return None  # hidden\n")],
       fails=("6.hidden-not-served",), passes_stage=5),
    _v("listing-follows-dotdot", BASE6, 6,
       "returns a folder before the inside-the-root check, 'a folder is only listed, never read': "
       "/sub/../../ lists the folder above the root",
       [(S6_ROOT_CHECK,
         '    full_path = os.path.realpath(os.path.join(root, path.lstrip("/")))\n'
         "    if os.path.isdir(full_path):\n"
         "        return full_path  # nothing to read in a folder\n"
         "    if full_path != root and not full_path.startswith(root + os.sep):\n")],
       fails=("6.listing-stays-inside",), passes_stage=5),
    _v("listing-not-sorted", BASE6, 6,
       "lists os.listdir() as it comes; on the student's laptop it happened to look sorted",
       [(S6_NAMES, '    names = [name for name in os.listdir(folder) if not name.startswith(".")]\n')],
       fails=("6.listing-sorted",), passes_stage=5),
    _v("folder-links-without-slash", BASE6, 6,
       "links every entry by its bare name, folders too; it works only thanks to the 301",
       [(S6_SHOWN, "        shown = name\n")],
       fails=("6.folder-links-slash",), passes_stage=5),
    _v("index-html-ignored", BASE6, 6,
       "lists every folder, forgetting to look for index.html first",
       [(S6_INDEX, "")],
       fails=("6.index-html",), passes_stage=5),
    _v("hrefs-from-the-root", BASE6, 6,
       "writes href=\"/NAME\" 'so the links always work', which leads to the root, not into the folder",
       [(S6_ITEM, 'items += \'<li><a href="/\' + quote(shown) + \'">\' + escape(shown) + "</a></li>\\n"')],
       fails=("6.listing",), passes_stage=5),
    _v("path-decoded-twice", BASE6, 6,
       "decodes the path again where the folder is looked up, as the stage-2 code did; a "
       "name holding '%20' (a saved download) then cannot be opened from its link",
       [('    root = os.path.realpath(os.getcwd())\n    full_path = os.path.realpath(',
         '    path = unquote(path)  # %20 -> space\n'
         '    root = os.path.realpath(os.getcwd())\n    full_path = os.path.realpath(')],
       fails=("6.links-followed",), passes_stage=5),
]


CORRECT = [
    _v("base-stage3", BASE3, 3, "the sequential base itself; echo pairs in query order"),
    _v("base-stage5", BASE5, 5, "the threaded base itself; echo grouped by key (parse_qs)"),
    _v("stage1-minimal", "correct/stage1_minimal.py", 1,
       "textbook-minimal stage 1: HTTP/1.0, mimetypes, head and body in two sendall()s"),
    _v("listen-backlog-1", BASE5, 4, "threaded, with the textbook's listen(1): the kernel's queue holds one "
       "waiting connection, but the accept loop empties it at once",
       [("    server_socket.listen(64)", "    server_socket.listen(1)")]),
    _v("http10-status-line", BASE5, 5, "answers with HTTP/1.0, which the contract allows",
       [('lines = ["HTTP/1.1 " + status]', 'lines = ["HTTP/1.0 " + status]')]),
    _v("lowercase-header-names", BASE5, 5, "header names are case-insensitive",
       [("        lines.append(name + \": \" + value)\n", "        lines.append(name.lower() + \": \" + value)\n"),
        ('lines.append("Content-Length: " + str(len(body)))', 'lines.append("content-length: " + str(len(body)))'),
        ('lines.append("Connection: close")', 'lines.append("connection: close")')]),
    _v("extra-headers-any-order", BASE5, 5,
       "Content-Length first, then Date, Server, X-Powered-By, Cache-Control: extra "
       "headers in any order are fine",
       [("import threading\n", "import threading\nfrom email.utils import formatdate\n"),
        (S5_SEND_LINES,
         '    lines = ["HTTP/1.1 " + status]\n'
         '    lines.append("Content-Length: " + str(len(body)))\n'
         '    lines.append("Date: " + formatdate(usegmt=True))\n'
         '    lines.append("Server: corpus-server/1.0 (Python)")\n'
         "    for name, value in headers:\n"
         '        lines.append(name + ": " + value)\n'
         '    lines.append("X-Powered-By: raw sockets")\n'
         '    lines.append("Connection: close")\n'
         '    lines.append("Cache-Control: no-store")\n')]),
    _v("trickled-response", BASE5, 5,
       "sends the response in pieces with small pauses, split inside the status "
       "line, between CR and LF, and inside the body; TCP promises only the order",
       [("import threading\n", "import threading\nimport time\n"),
        (S5_SEND_CALL,
         '    data = head.encode("latin-1") + body\n'
         "    cuts = [0, 7, len(head) - 3, len(head) - 1, len(head) + len(body) // 2, len(data)]\n"
         "    for start, end in zip(cuts, cuts[1:]):\n"
         "        client_sock.sendall(data[start:end])\n"
         "        time.sleep(0.02)\n")]),
    _v("forbidden-for-traversal", BASE5, 5, "answers 403 Forbidden to a path that leaves the root",
       [("    404: \"Not Found\",\n", "    403: \"Forbidden\",\n    404: \"Not Found\",\n"),
        (S5_ROOT_CHECK,
         "    if full_path != root and not full_path.startswith(root + os.sep):\n"
         '        raise PermissionError("outside the document root: " + path)\n'),
        ("    file_path = find_file(path)\n",
         "    try:\n        file_path = find_file(path)\n"
         "    except PermissionError:\n        return error_response(403)\n")]),
    _v("post-without-length-is-empty-form", BASE5, 5,
       "a POST without Content-Length is taken as an empty form: 200 and no form "
       "pairs, one of the answers the contract allows",
       [("        if not length.isdigit():\n"
         "            send_response(client_sock, *error_response(411))\n"
         "            return\n",
         "        if not length.isdigit():\n"
         '            length = "0"  # no Content-Length: no body to read\n')]),
    _v("no-connection-header", BASE5, 5,
       "omits Connection: close; the contract makes that a warning, not a failure",
       [('    lines.append("Connection: close")\n', "")],
       advisory_fails=("1.connection-close-header",)),
    _v("thread-pool-64", BASE5, 5, "a ThreadPoolExecutor with 64 workers instead of a thread each",
       [("import threading\n", "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n"),
        ("    server_socket.listen(64)\n",
         "    server_socket.listen(64)\n    pool = ThreadPoolExecutor(max_workers=64)\n"),
        (S5_SPAWN, "        pool.submit(handle_connection, client_sock, client_address)\n")]),
    _v("rich-echo-page", BASE5, 5,
       "a styled echo page with a table of the pairs, plus the required line",
       [("def echo_page(path, GET_data, POST_data):\n",
         "def pair_rows(data):\n"
         '    rows = ""\n'
         "    for key, values in data.items():\n"
         "        for value in values:\n"
         '            rows += "<tr><td>" + escape(key) + "</td><td>" + escape(value) + "</td></tr>\\n"\n'
         "    return rows\n\n\n"
         "def echo_page(path, GET_data, POST_data):\n"
         "    return rich_echo_page(path, GET_data, POST_data)\n\n\n"
         "def rich_echo_page(path, GET_data, POST_data):\n"
         "    pairs = echo_pairs(GET_data) + echo_pairs(POST_data)\n"
         '    page = "<!DOCTYPE html>\\n<html lang=\\"en\\"><head><meta charset=\\"utf-8\\">"\n'
         '    page += "<title>Echo of " + escape(path) + "</title>\\n"\n'
         '    page += "<style>body { font-family: sans-serif; } td { border: 1px solid #ccc; }</style>"\n'
         '    page += "</head><body>\\n<h1>Echo</h1>\\n<p>Path: <code>" + escape(path) + "</code></p>\\n"\n'
         '    page += "<table><tr><th>key</th><th>value</th></tr>\\n"\n'
         "    page += pair_rows(GET_data) + pair_rows(POST_data)\n"
         '    page += "</table>\\n<p class=\\"raw\\">" + pairs.strip() + "</p>\\n</body></html>\\n"\n'
         '    return page.encode("utf-8")\n\n\n'
         "def plain_echo_page(path, GET_data, POST_data):\n")]),
    _v("echo-grouped-sequential", BASE3, 3,
       "sequential server whose echo groups pairs by key, as parse_qs gives them",
       [("from urllib.parse import parse_qsl, unquote", "from urllib.parse import parse_qs, unquote"),
        (S3_PAIRS,
         "pairs = [(key, value) for key, values in "
         "parse_qs(query, keep_blank_values=True).items() for value in values]")]),
    _v("content-type-charset", BASE5, 5, "text types carry '; charset=utf-8'",
       [('    ".html": "text/html",\n', '    ".html": "text/html; charset=utf-8",\n'),
        ('    ".txt": "text/plain",\n', '    ".txt": "text/plain; charset=utf-8",\n')]),
    _v("bind-all-interfaces", BASE5, 5, "binds 0.0.0.0 explicitly",
       [(S5_MAIN, '    serve("0.0.0.0", int(sys.argv[1]))\n')]),
    _v("select-loop", "correct/select_server.py", 4,
       "no threads: one select() loop with a buffer per connection; a stalled "
       "client only leaves a half-filled buffer"),
    _v("asyncio-streams", "correct/asyncio_server.py", 4,
       "asyncio.start_server with one coroutine per connection: standard library, "
       "not one of the forbidden server modules"),
    _v("sendfile", BASE3, 3,
       "sends the head, then the file with socket.sendfile() instead of reading it",
       [(S3_OPEN_BINARY + "    " + S3_SEND_FILE + "\n",
         "    size = os.path.getsize(file_path)\n"
         '    head = "HTTP/1.1 200 OK\\r\\nContent-Type: " + content_type_for(file_path) + "\\r\\n"\n'
         '    head += "Content-Length: " + str(size) + "\\r\\nConnection: close\\r\\n\\r\\n"\n'
         '    connection.sendall(head.encode("ascii"))\n'
         '    with open(file_path, "rb") as file:\n'
         "        connection.sendfile(file)  # the kernel copies the file to the socket\n")]),
    _v("escape-without-quotes", BASE3, 3,
       "html.escape(text, quote=False): quotes need no escaping in text content, "
       "only inside attribute values",
       [(S3_ECHO_LINE, '"key=" + escape(key, quote=False) + "; value=" + escape(value, quote=False) + "; "')]),
    _v("404-page-names-the-path", BASE3, 3,
       "the 404 page says which path was not found (escaped), as many servers do",
       [('        send_error(connection, "404 Not Found")\n        return\n',
         '        page = "<html><body><h1>Not Found</h1><p>" + escape(path) + " is not here.</p></body></html>"\n'
         '        send_response(connection, "404 Not Found", "text/html", page.encode("utf-8"))\n'
         "        return\n")]),
    _v("no-space-after-colon", BASE3, 3,
       "writes header lines as 'Name:value'; the space after the colon is optional in HTTP",
       [('        "Content-Type: " + content_type,\n'
         '        "Content-Length: " + str(len(body)),\n'
         '        "Connection: close",\n',
         '        "Content-Type:" + content_type,\n'
         '        "Content-Length:" + str(len(body)),\n'
         '        "Connection:close",\n')]),
    _v("mimetypes-content-type", BASE3, 3, "Content-Type from the mimetypes module",
       [("import os\n", "import mimetypes\nimport os\n"),
        ("    extension = os.path.splitext(file_path)[1].lower()\n"
         '    return CONTENT_TYPES.get(extension, "application/octet-stream")\n',
         '    return mimetypes.guess_type(file_path)[0] or "application/octet-stream"\n')]),
    _v("create-server", BASE3, 3, "listens with socket.create_server()",
       [("    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
         "    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
         '    server_socket.bind(("", port))\n'
         "    server_socket.listen(5)\n",
         '    server_socket = socket.create_server(("", port))\n')]),
    _v("makefile-reader", BASE3, 3, "reads the request head line by line through makefile()",
       [(S3_READ_LOOP,
         '    reader = connection.makefile("rb")\n'
         '    data = b""\n'
         "    while True:\n"
         "        line = reader.readline(65536)\n"
         "        data += line\n"
         '        if line in (b"\\r\\n", b"\\n", b""):\n'
         "            break\n"
         "    reader.close()\n"
         "    return data\n")]),
    _v("byte-at-a-time", BASE3, 3, "reads the request one byte per recv(); slow but right",
       [("        chunk = connection.recv(1024)\n", "        chunk = connection.recv(1)\n")]),
    _v("logs-every-request", BASE5, 5,
       "prints a log line per request (in the handler, not at import)",
       [("    method, target, headers = request\n",
         "    method, target, headers = request\n"
         '    print(method, target, "from", client_sock.getpeername(), flush=True)\n')]),
    _v("delegate-int-status", BASE5, 5,
       "delegate returns the status as an int (200), the head adds the reason phrase",
       [('        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page\n',
         '        return 200, [("Content-Type", "text/html; charset=utf-8")], page\n'),
        ('    return "200 OK", [("Content-Type", content_type_for(file_path))], body\n',
         '    return 200, [("Content-Type", content_type_for(file_path))], body\n'),
        ('    return status, [("Content-Type", "text/html")], page.encode("utf-8")\n',
         '    return code, [("Content-Type", "text/html")], page.encode("utf-8")\n'),
        ('lines = ["HTTP/1.1 " + status]', 'lines = ["HTTP/1.1 " + str(status) + " " + REASONS[status]]')]),
    _v("delegate-text-body", BASE5, 5,
       "delegate returns the echo and error pages as str; the sending code encodes "
       "them (the contract does not fix the body's type)",
       [("    page += \"</body></html>\\n\"\n    return page.encode(\"utf-8\")\n",
         "    page += \"</body></html>\\n\"\n    return page\n"),
        ('    return status, [("Content-Type", "text/html")], page.encode("utf-8")\n',
         '    return status, [("Content-Type", "text/html")], page\n'),
        ("def send_response(client_sock, status, headers, body):\n",
         "def send_response(client_sock, status, headers, body):\n"
         "    if isinstance(body, str):\n"
         '        body = body.encode("utf-8")\n')]),
    _v("base-stage6", BASE6, 6, "the stage-6 base itself: relative links, a 301 with the path quoted"),
    _v("redirect-absolute-url", BASE6, 6,
       "the 301 names the whole URL, http://HOST/DIR/, built from the Host header, as RFC 2616 asked",
       [('        location = quote(path + "/")\n',
         '        location = "http://" + received_host + quote(path + "/")\n'),
        ("        return folder_response(path, full_path, GET_data)\n",
         "        return folder_response(path, full_path, GET_data, received_headers)\n"),
        ("def folder_response(path, folder, GET_data):\n",
         "def folder_response(path, folder, GET_data, received_headers):\n"
         '    received_host = received_headers.get("host", "127.0.0.1")\n')]),
    _v("listing-folders-first-with-parent-link", BASE6, 6,
       "a table with folders first, then files, a '../' link to the parent folder and a 'home' link to /",
       [(S6_NAMES,
         '    names = [name for name in os.listdir(folder) if not name.startswith(".")]\n'
         "    names.sort(key=lambda name: (not os.path.isdir(os.path.join(folder, name)), name))\n"),
        (S6_ITEM, 'items += \'<tr><td><a href="\' + quote(shown) + \'">\' + escape(shown) + "</a></td></tr>\\n"'),
        ('    page += "<h1>Index of " + escape(path) + "</h1>\\n<ul>\\n" + items + "</ul>\\n</body></html>\\n"\n',
         '    up = \'<tr><td><a href="../">Parent folder</a></td></tr>\\n\' if path != "/" else ""\n'
         '    page += \'<p><a href="/">home</a></p>\\n\'\n'
         '    page += "<h1>Index of " + escape(path) + "</h1>\\n<table>\\n" + up + items + "</table>\\n</body></html>\\n"\n')]),
    _v("listing-absolute-hrefs-caseless", BASE6, 6,
       "absolute hrefs (the folder's path quoted, '&' left as it is), then html.escape for the "
       "attribute, so R&D.txt is href=\"/dir/R&amp;D.txt\"; sorted ignoring case",
       [(S6_NAMES,
         '    names = sorted((name for name in os.listdir(folder) if not name.startswith(".")), key=str.lower)\n'),
        (S6_ITEM, 'items += \'<li><a href="\' + escape(quote(path + shown, safe="/&")) + \'">\' + escape(shown) + "</a></li>\\n"')]),
    _v("stage6-http10-lowercase-headers", BASE6, 6, "HTTP/1.0 and header names in lower case, the 301 too",
       [('lines = ["HTTP/1.1 " + status]', 'lines = ["HTTP/1.0 " + status]'),
        ("        lines.append(name + \": \" + value)\n", "        lines.append(name.lower() + \": \" + value)\n"),
        ('lines.append("Content-Length: " + str(len(body)))', 'lines.append("content-length: " + str(len(body)))')]),
    _v("hidden-403", BASE6, 6, "answers 403 Forbidden for a hidden path instead of 404",
       [(S6_HEADERS, S6_HEADERS + '    403: "Forbidden",\n'),
        (S6_HIDDEN,
         '    relative = full_path[len(root):]\n'
         '    if any(part.startswith(".") for part in relative.split(os.sep)):\n'
         '        raise PermissionError("hidden")\n'),
        ("    full_path = find_path(path)\n",
         "    try:\n        full_path = find_path(path)\n"
         "    except PermissionError:\n        return error_response(403)\n")]),
    _v("packaged-folder", BASE5, 5, "submitted as a folder holding server.py and a README",
       packaging="folder"),
    _v("packaged-zip", BASE5, 5, "submitted as a zip holding webserve.py and a notes file",
       packaging="zip"),
    _v("no-extension", BASE5, 5, "submitted as a file called webserve, without .py",
       packaging="noext"),
]

# ---- stage 7: CGI (base_stage7.py) ---------------------------------------------
# Each grading at stage 7 includes the 5-6 s timeout check, so these are few,
# and some make two mistakes at once, the way beginners do.
BASE7 = "base_stage7.py"
S7_POPEN_HEAD = """\
    process = subprocess.Popen(
        [sys.executable, script],
        cwd=os.path.dirname(script),
        env=cgi_environment(script, request),
"""
S7_COMMUNICATE = "process.communicate(request[\"body\"], timeout=CGI_SECONDS)"
S7_EXIT_CHECK = """\
    if process.returncode != 0:
        return error_response(500)
"""
S7_KILL = "        os.killpg(process.pid, signal.SIGKILL)\n"
S7_HEADER_LINE = """\
        if name.lower() == "status":
            status = value
        elif name.lower() != "content-length":
            headers.append((name, value))
"""
S7_IN_CGI_BIN = """\
    if not file_path.startswith(cgi_bin + os.sep):
        return None
"""

BUGGY += [
    _v("cgi-prefix-without-slash", BASE7, 7,
       "compares the path with 'cgi-bin/', forgetting its leading slash: nothing ever runs and every "
       "script is sent as a file, as the stage-6 server does",
       [(S7_IN_CGI_BIN, '    if not path.startswith("cgi-bin/"):\n        return None\n')],
       fails=("7.runs-script",), passes_stage=6),
    _v("shell-and-decoded-query", BASE7, 7,
       "two beginner's mistakes: runs the script through the shell with its name pasted into the "
       "command (a name with a space breaks, and a name could be a command), and decodes QUERY_STRING",
       [("        [sys.executable, script],\n", '        sys.executable + " " + script,\n        shell=True,\n'),
        ('"QUERY_STRING": request["query"],', '"QUERY_STRING": unquote(request["query"]),')],
       fails=("7.space-in-name", "7.query-string-raw"), passes_stage=6),
    _v("cgi-no-timeout", BASE7, 7,
       "waits for the script with communicate() and no timeout: a script that never ends holds its "
       "client (and a thread) for ever",
       [(S7_COMMUNICATE, 'process.communicate(request["body"])')],
       fails=("7.script-timeout",), passes_stage=6),
    _v("traceback-page-and-kill", BASE7, 7,
       "shows the script's stderr on the 500 page 'to help debugging', and stops a slow script with "
       "process.kill(), which leaves the processes it started running",
       [(S7_EXIT_CHECK,
         "    if process.returncode != 0:\n"
         '        return "500 Internal Server Error", [("Content-Type", "text/plain")], errors\n'),
        (S7_KILL, "        process.kill()\n")],
       fails=("7.stderr-not-sent", "7.timeout-stops-all"), passes_stage=6),
    _v("whole-output-as-body", BASE7, 7,
       "sends everything the script printed, header block included, as a text/html page",
       [("    return cgi_response(output)\n", '    return "200 OK", [("Content-Type", "text/html")], output\n')],
       fails=("7.status-header", "7.script-headers", "7.no-header-block"), passes_stage=6),
    _v("cgi-env-not-passed", BASE7, 7,
       "builds the CGI environment but never hands it to Popen: the script gets the server's own",
       [(S7_POPEN_HEAD,
         "    env = cgi_environment(script, request)\n"
         "    process = subprocess.Popen(\n"
         "        [sys.executable, script],\n"
         "        cwd=os.path.dirname(script),\n")],
       fails=("7.cgi-environment", "7.post-stdin"), passes_stage=6),
    _v("body-not-passed-dashes-kept", BASE7, 7,
       "two mistakes: communicate() without the body (the script's stdin is empty), and header "
       "names upper-cased without turning '-' into '_' (HTTP_USER-AGENT)",
       [(S7_COMMUNICATE, "process.communicate(timeout=CGI_SECONDS)"),
        ('env["HTTP_" + name.upper().replace("-", "_")] = value', 'env["HTTP_" + name.upper()] = value')],
       fails=("7.post-stdin", "7.request-headers-env"), passes_stage=6),
    _v("script-headers-passed-through", BASE7, 7,
       "passes every line of the script's header block on as it is, and counts the body only when "
       "the script did not: Status: becomes a header (the status stays 200) and the script's "
       "Content-Length, which counts characters, goes out",
       [(S7_HEADER_LINE, "        headers.append((name, value))\n"),
        ('    lines.append("Content-Length: " + str(len(body)))\n',
         '    if not any(name.lower() == "content-length" for name, _ in headers):\n'
         '        lines.append("Content-Length: " + str(len(body)))\n')],
       fails=("7.status-header", "7.content-length"), passes_stage=6),
    _v("wait-then-read", BASE7, 7,
       "two mistakes: process.wait() before reading the output (a script that prints more than the "
       "pipe holds never finishes), and the exit status is never looked at",
       [("    try:\n        output, errors = " + S7_COMMUNICATE + "\n",
         '    process.stdin.write(request["body"])\n'
         "    process.stdin.close()\n"
         "    try:\n"
         "        process.wait(timeout=CGI_SECONDS)\n"
         "        output, errors = process.stdout.read(), process.stderr.read()\n"),
        ("        process.communicate()\n", "        process.wait()\n"),
        (S7_EXIT_CHECK, "")],
       fails=("7.large-output", "7.script-error-500"), passes_stage=6),
    _v("cgi-bin-decided-on-the-url", BASE7, 7,
       "decides 'is it a script?' on the URL (starts with /cgi-bin/) instead of on the file it leads "
       "to: /cgi-bin/../x.py runs a .py file from the root",
       [(S7_IN_CGI_BIN, "    if not path.startswith(CGI_FOLDER):\n        return None\n")],
       fails=("7.only-cgi-bin-runs",), passes_stage=6),
    _v("cgi-module-and-text-output", BASE7, 7,
       "an old tutorial's habits: import cgi (gone in Python 3.13) for parse_header, and the output "
       "turned into text and back, so bytes that are not UTF-8 become U+FFFD",
       [("import os\n", "import cgi\nimport os\n"),
        ('        env["CONTENT_TYPE"] = request["headers"].get("content-type", "")\n',
         '        media_type, parameters = cgi.parse_header(request["headers"].get("content-type", ""))\n'
         '        env["CONTENT_TYPE"] = request["headers"].get("content-type", media_type)\n'),
        ("    return cgi_response(output)\n",
         '    text = output.decode("utf-8", errors="replace")  # the page, as text\n'
         '    return cgi_response(text.encode("utf-8"))\n')],
       fails=("7.no-cgi-module", "7.binary-output"), passes_stage=6),
]

CORRECT += [
    _v("base-stage7", BASE7, 7, "the CGI base itself: folders, and scripts in a process group with 5 s"),
    _v("cgi-502-and-http10", BASE7, 7,
       "answers in HTTP/1.0, 502 Bad Gateway for a failing script and 500 for one that ran out of "
       "time: the contract allows each",
       [('lines = ["HTTP/1.1 " + status]', 'lines = ["HTTP/1.0 " + status]'),
        (S7_EXIT_CHECK, "    if process.returncode != 0:\n        return error_response(502)\n"),
        ("        return error_response(504)\n", "        return error_response(500)\n")]),
    _v("cgi-thread-pool", BASE7, 7, "a ThreadPoolExecutor with 64 workers runs the connections and their scripts",
       [("import threading\n", "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n"),
        ("    server_socket.listen(64)\n",
         "    server_socket.listen(64)\n    pool = ThreadPoolExecutor(max_workers=64)\n"),
        (S5_SPAWN, "        pool.submit(handle_connection, client_sock, client_address)\n")]),
    _v("cgi-regex-split-extra-env", BASE7, 7,
       "finds the blank line with a regular expression (\\r?\\n\\r?\\n), sends header names in lower "
       "case, and gives the script the server's own environment plus the CGI variables",
       [("import os\n", "import os\nimport re\n"),
        ('    ends = [(output.find(blank), len(blank)) for blank in (b"\\r\\n\\r\\n", b"\\n\\n") if blank in output]\n'
         "    if not ends:\n"
         "        return error_response(502)\n"
         "    end, size = min(ends)\n"
         "    head, body = output[:end], output[end + size:]\n",
         '    blank = re.search(rb"\\r?\\n\\r?\\n", output)\n'
         "    if blank is None:\n"
         "        return error_response(502)\n"
         "    head, body = output[:blank.start()], output[blank.end():]\n"),
        ("            headers.append((name, value))\n", "            headers.append((name.lower(), value))\n"),
        ("    env = {\n", "    env = dict(os.environ)\n    env.update({\n"),
        ('        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),\n    }\n',
         '        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),\n    })\n')]),
]


VARIANTS = BUGGY + CORRECT
BY_NAME = {variant.name: variant for variant in VARIANTS}


def main(argv: list[str]) -> int:
    if argv[:1] == ["list"]:
        for variant in VARIANTS:
            kind = "buggy  " if variant.buggy else "correct"
            print(f"{kind} stage {variant.stage}  {variant.name:36} {', '.join(variant.fails)}")
        return 0
    if len(argv) == 2 and argv[0] == "write":
        out = Path(argv[1])
        for variant in VARIANTS:
            folder = out / ("buggy" if variant.buggy else "correct")
            target = folder / variant.name
            if target.exists():
                shutil.rmtree(target)
            print(materialise(variant, target))
        return 0
    print("usage: mutations.py list | mutations.py write OUTDIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
