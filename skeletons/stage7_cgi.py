"""Stage 7 of the socket web-server lab: CGI, programs that make pages.

Run it in the folder to serve:  python3 stage7_cgi.py 8080
then open http://127.0.0.1:8080/cgi-bin/hello.py?name=Ada in a browser.

New in this stage: a request for a .py file under /cgi-bin/ runs that file
as a program, and what the program prints is the response. That is CGI, the
Common Gateway Interface (RFC 3875), the first way web servers made pages
on the fly:

- the server passes the request to the script in environment variables
  (REQUEST_METHOD, QUERY_STRING, HTTP_USER_AGENT, ...) and the request body
  on its standard input;
- the script prints a header block (Content-Type: text/html, maybe
  Status: 404 Not Found), an empty line, then the body;
- the server turns that into an HTTP response: status line, the script's
  headers, a Content-Length it counts itself, the body.

Running programs for strangers on the internet needs care, and that is the
other half of this stage: only .py files under /cgi-bin/ run, however the
path is spelled; the script's name is never shell text (no shell at all);
a script gets 5 seconds, then it and every process it started are stopped;
what it writes on stderr goes to the server's log, never to the client.

The parts you write are between "#Fill in start" and "#Fill in end".
"""

import email.utils
import html
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

MAX_HEAD_BYTES = 64 * 1024  # a longer request head is refused with 431
MAX_BODY_BYTES = 1024 * 1024  # a longer request body is refused with 413
METHODS = ("GET", "HEAD", "POST")  # HEAD asks for the headers of a GET, without the body
REQUEST_SECONDS = 10  # a request must arrive within this time, or it gets 408
FORM_TYPE = "application/x-www-form-urlencoded"
CGI_FOLDER = "cgi-bin"  # only .py files in this folder of the root run, as /cgi-bin/NAME.py
CGI_SECONDS = 5  # a script still running after this long is stopped: 504 Gateway Timeout
SERVER_SOFTWARE = "socket-web-lab/7"

ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{status}</title></head>
<body>
<h1>{status}</h1>
<p>{explanation}</p>
</body>
</html>
"""

LISTING_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Index of {path}</title></head>
<body>
<h1>Index of {path}</h1>
<ul>
{items}</ul>
</body>
</html>
"""

ECHO_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Echo</title>
<link rel="stylesheet" href="/style.css"></head>
<body>
<h1>Echo</h1>
<p>Path: <code>{path}</code></p>
<p>Pairs: <code>{pairs}</code></p>
<p><a href="/form.html">Back to the form</a></p>
</body>
</html>
"""


class HTTPError(Exception):
    """A request that gets an error page: status is e.g. "400 Bad Request"."""

    def __init__(self, status, explanation):
        super().__init__(f"{status}: {explanation}")
        self.status = status
        self.explanation = explanation


# Given: the MIME type of each kind of file. A browser decides from the
# Content-Type header, never from the file's name, what the bytes are.
CONTENT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript",
                 ".txt": "text/plain", ".png": "image/png", ".jpg": "image/jpeg",
                 ".gif": "image/gif", ".ico": "image/x-icon"}


def content_type_for(path, body):
    """The Content-Type of the file at path whose bytes are body, e.g. "image/png"."""
    media_type = CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
    try:
        body.decode("utf-8")  # is it UTF-8 text? (ASCII is UTF-8 too)
    except UnicodeDecodeError:
        return media_type
    # Without a charset a browser guesses the encoding, and shows "é" as "Ã©".
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


def http_date():
    """The time now, written as HTTP wants it: "Sun, 06 Nov 1994 08:49:37 GMT"."""
    return email.utils.formatdate(usegmt=True)


def log(message):
    """One line of the server's log, on standard error (flush: shown at once)."""
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------- the three layers


def serve(interface, port):
    """Listen on (interface, port) and answer each connection in a thread of its own.

    interface "" means every network interface of this machine. Runs until stopped.
    """
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # SO_REUSEADDR: a restart right after a stop does not fail with "Address already in use".
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind((interface, port))
    server_socket.listen()
    log(f"Serving {os.getcwd()} on port {port} - Ctrl-C stops it.")
    while True:
        client_sock, client_address = server_socket.accept()
        worker = threading.Thread(
            target=handle_connection, args=(client_sock, client_address), daemon=True
        )
        worker.start()


def handle_connection(client_sock, client_address):
    """Read one request from client_sock, send one response, close the connection.

    client_address, (host, port), is where the client connects from: for the log.
    Never raises and returns None: whatever fails - even delegate - the client
    gets an error page (500 for a bug in the server) and the server goes on.
    """
    method = None  # not known until the request line is read
    try:
        deadline = time.monotonic() + REQUEST_SECONDS
        head, after_head = receive_head(client_sock, deadline)
        method, target, received_headers = parse_head(head)
        path, _, query_string = target.partition("?")
        GET_data = urllib.parse.parse_qs(query_string)
        POST_data = None
        request_body = b""
        if method == "POST":
            content_length = content_length_of(received_headers)
            request_body = read_body(client_sock, received_headers, after_head, content_length, deadline)
            POST_data = parse_form(received_headers, request_body)
        # A CGI script gets what delegate's other arguments leave out: the query and the
        # body as they came, and both ends of the connection.
        status, headers, body = delegate(method, path, received_headers, GET_data, POST_data,
                                         query_string=query_string, body=request_body,
                                         client_address=client_address, server_address=client_sock.getsockname())
    except ConnectionError:  # the client closed before a whole request: nobody to answer
        client_sock.close()
        return
    except HTTPError as error:
        status, headers, body = error_response(error.status, error.explanation)
    except TimeoutError:  # recv() waited past the request's deadline
        status, headers, body = error_response("408 Request Timeout", "The request took too long to arrive.")
    except Exception as error:  # a bug (in delegate, say): a 500 for the client, details for the log
        log(f"{client_address[0]}: {error!r}")
        status, headers, body = error_response("500 Internal Server Error", "The server failed to answer.")
    send_response(client_sock, status, headers, body, method)
    log(f"{client_address[0]} {method} -> {status}")


def delegate(request_type, path, received_headers, GET_data, POST_data=None,
             query_string=None, body=b"", client_address=None, server_address=None):
    """Choose the response to one request. No sockets here: easy to test.

    request_type      "GET", "HEAD" or "POST"
    path              the target without its query string, still percent-encoded
    received_headers  {header name as received: value}
    GET_data          the query string's pairs as urllib.parse.parse_qs gives them
    POST_data         the form body's pairs, the same way; None without a body

    and, for CGI scripts (given by handle_connection, left out when delegate is
    called on its own):
    query_string      the query string as received, still percent-encoded
    body              the request body as received, bytes
    client_address    (host, port) of the client; server_address the same of the server

    Returns (status, headers, body): status a str such as "200 OK", headers a
    list of (name, value) pairs, body bytes. send_response adds Content-Length,
    Date and Connection, and leaves the body out for HEAD.
    """
    request = Request(request_type, path, received_headers, GET_data, POST_data,
                      query_string, body, client_address, server_address)
    # The first case that applies answers; NotFound, the last, always applies.
    for case in CASES:
        if case.test(request):
            return case.act(request)


# ------------------------------------------------------ the cases


class Request:
    """One request, as the cases see it: delegate's arguments, and what the path names on disk."""

    def __init__(self, method, path, received_headers, GET_data, POST_data=None,
                 query_string=None, body=b"", client_address=None, server_address=None):
        self.method = method
        self.path = path  # still percent-encoded, without the query string
        self.received_headers = received_headers
        self.GET_data = GET_data
        self.POST_data = POST_data
        if query_string is None:  # delegate called on its own: the query rebuilt from GET_data
            query_string = urllib.parse.urlencode(GET_data, doseq=True)
        self.query_string = query_string
        self.body = body
        self.client_address = client_address or ("127.0.0.1", 0)
        self.server_address = server_address or ("127.0.0.1", 0)
        self.local_path = local_path_for(path)  # the file or folder on disk, or None
        self.is_file = self.local_path is not None and os.path.isfile(self.local_path)
        self.is_folder = self.local_path is not None and os.path.isdir(self.local_path)


class Case:
    """One kind of request and its answer.

    test(request) says whether this case applies; act(request) returns the
    response, (status, headers, body), as delegate does.
    """

    def test(self, request):
        raise NotImplementedError

    def act(self, request):
        raise NotImplementedError


class EchoPage(Case):
    """/echo: the pairs of the query string and of the form."""

    def test(self, request):
        return request.path == "/echo"

    def act(self, request):
        return page_response("200 OK", echo_page(request.path, request.GET_data, request.POST_data))


class CgiScript(Case):
    """/cgi-bin/NAME.py: run the script; what it prints is the response (CGI/1.1)."""

    def test(self, request):
        #Fill in start
        # Run only what is both: asked for as /cgi-bin/... (request.path, as sent: a disguise
        # such as /%63gi-bin/ or /CGI-BIN/ does not count) and really a .py file inside the
        # root's cgi-bin folder once ".." and links are resolved (request.local_path; use
        # is_script_path()). Anything else is never run.
        return False
        #Fill in end

    def act(self, request):
        output = run_script(request.local_path, cgi_environment(request), request.body)
        return cgi_response(output)


class ScriptFolder(Case):
    """Anything else inside cgi-bin: scripts are programs to run, not documents to show."""

    def test(self, request):
        return request.local_path is not None and is_inside(request.local_path, cgi_folder())

    def act(self, request):
        return error_response("404 Not Found", f"There is nothing to show at {urllib.parse.unquote(request.path)}.")


class PostElsewhere(Case):
    """A POST to anything but /echo: 405, and Allow says which methods are answered."""

    def test(self, request):
        return request.method == "POST"

    def act(self, request):
        status, headers, body = error_response("405 Method Not Allowed",
                                               f"{request.path} only answers GET and HEAD.")
        return status, headers + [("Allow", "GET, HEAD")], body


class FolderWithoutSlash(Case):
    """/guide, a folder: 301 to /guide/, so that relative links on its page work."""

    def test(self, request):
        return request.is_folder and not request.path.endswith("/")

    def act(self, request):
        location = urllib.parse.quote(urllib.parse.unquote(request.path)) + "/"
        if request.GET_data:  # keep the query: /guide?lang=de goes to /guide/?lang=de
            location += "?" + urllib.parse.urlencode(request.GET_data, doseq=True)
        return redirect_response(location)


class FolderIndex(Case):
    """A folder with an index.html: that file, as if it had been asked for."""

    def test(self, request):
        return request.is_folder and os.path.isfile(os.path.join(request.local_path, "index.html"))

    def act(self, request):
        return file_response(os.path.join(request.local_path, "index.html"))


class FolderListing(Case):
    """A folder without index.html: a page that links to everything in it."""

    def test(self, request):
        return request.is_folder

    def act(self, request):
        return page_response("200 OK", listing_page(request.path, request.local_path))


class ServeFile(Case):
    """A file: its bytes."""

    def test(self, request):
        return request.is_file and not request.path.endswith("/")  # "/notes.txt/" names no folder

    def act(self, request):
        return file_response(request.local_path)


class NotFound(Case):
    """Anything else: no such file or folder, a hidden one, or outside the root."""

    def test(self, request):
        return True

    def act(self, request):
        return error_response("404 Not Found", f"There is nothing at {urllib.parse.unquote(request.path)}.")


# The order matters: the first case that applies answers.
CASES = [EchoPage(), CgiScript(), ScriptFolder(), PostElsewhere(), FolderWithoutSlash(), FolderIndex(),
         FolderListing(), ServeFile(), NotFound()]


# ------------------------------------------------------ reading the request


def receive_head(client_sock, deadline):
    """Receive until the empty line that ends the request head.

    Returns (head, after_head): the head without the empty line, and the bytes
    that came after it (the start of a body). Raises ConnectionError when the
    client closes first, TimeoutError when the deadline (a time.monotonic()
    value) passes, HTTPError 431 when the head is longer than MAX_HEAD_BYTES.
    """
    request = b""
    while b"\r\n\r\n" not in request:
        if len(request) > MAX_HEAD_BYTES:  # a client may send headers forever
            raise HTTPError("431 Request Header Fields Too Large", "The request head is too long.")
        # A deadline for the whole request, not for each recv(): a client that sends
        # one byte a second would otherwise hold its thread for hours.
        client_sock.settimeout(max(0.01, deadline - time.monotonic()))
        piece = client_sock.recv(4096)
        if not piece:
            raise ConnectionError("the client closed the connection before a whole request")
        request += piece
    head, _, after_head = request.partition(b"\r\n\r\n")
    return head, after_head


def parse_head(head):
    """Split a request head into (method, target, received_headers).

    received_headers maps each header name, as received, to its value. Raises
    HTTPError 400 for a malformed request line, 501 for a method not in METHODS.
    """
    request_line, *header_lines = head.decode("utf-8", errors="replace").split("\r\n")
    words = request_line.split()
    if len(words) != 3 or not words[1].startswith("/") or not words[2].startswith("HTTP/"):
        raise HTTPError("400 Bad Request", "A request line looks like: GET /path HTTP/1.1")
    method, target, version = words
    if method not in METHODS:
        raise HTTPError("501 Not Implemented", f"This server does not handle {method} requests.")
    received_headers = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if colon:
            received_headers[name.strip()] = value.strip()
    return method, target, received_headers


def header_value(received_headers, wanted_name):
    """The value of a header, or None. Names match whatever their case:
    "Content-Length" and "content-length" are the same header."""
    for name, value in received_headers.items():
        if name.lower() == wanted_name.lower():
            return value
    return None


def content_length_of(received_headers):
    """The length in bytes of the request body, from its Content-Length header."""
    text = header_value(received_headers, "Content-Length")
    if text is None:
        raise HTTPError("411 Length Required", "A POST request needs a Content-Length header.")
    # isdigit() alone would accept digits of other scripts; only 0-9 will do.
    if not (text.isascii() and text.isdigit()):
        raise HTTPError("400 Bad Request", f"Content-Length must be a number, not {text!r}.")
    if int(text) > MAX_BODY_BYTES:
        raise HTTPError("413 Content Too Large", f"A body may hold {MAX_BODY_BYTES} bytes at most.")
    return int(text)


def read_body(client_sock, received_headers, already_received, content_length, deadline):
    """The request body: exactly content_length bytes.

    already_received holds what came after the empty line together with the
    head; the rest of the body may still be on its way, in pieces.
    """
    expect = header_value(received_headers, "Expect") or ""
    if expect.lower() == "100-continue" and len(already_received) < content_length:
        # The client (curl, for one) waits for this interim answer before it
        # sends a large body: "yes, send it".
        client_sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = already_received
    while len(body) < content_length:
        client_sock.settimeout(max(0.01, deadline - time.monotonic()))
        piece = client_sock.recv(65536)
        if not piece:
            raise ConnectionError("the client closed the connection before the whole body")
        body += piece
    return body[:content_length]


def parse_form(received_headers, body):
    """The pairs of a form body as {key: [values]}; {} if the body is no form."""
    content_type = header_value(received_headers, "Content-Type") or ""
    if content_type.partition(";")[0].strip().lower() != FORM_TYPE:
        return {}
    return urllib.parse.parse_qs(body.decode("utf-8", errors="replace"))


# ------------------------------------------------------ choosing the response


def local_path_for(path):
    """The file or folder in the document root (the current folder) that a URL path names.

    None when there is no such thing, when the path would lead out of the root,
    or when it names something hidden (a name that starts with ".").
    """
    root = os.path.realpath(os.getcwd())
    # Decode first, check after: "/%2e%2e/secret" is "/../secret" in disguise.
    decoded_path = urllib.parse.unquote(path)
    if "\0" in decoded_path:  # no file name holds a NUL byte
        return None
    # realpath resolves "..", "." and symbolic links: where the path really leads.
    local_path = os.path.realpath(os.path.join(root, decoded_path.lstrip("/")))
    if os.path.commonpath([root, local_path]) != root:
        return None
    if local_path != root and any(part.startswith(".") for part in os.path.relpath(local_path, root).split(os.sep)):
        return None
    return local_path if os.path.exists(local_path) else None


def listing_page(url_path, folder):
    """The page that lists a folder: a link to each entry, sorted by name, folders with "/"."""
    items = ""
    for name in sorted(os.listdir(folder)):
        if name.startswith("."):  # hidden: not listed
            continue
        slash = "/" if os.path.isdir(os.path.join(folder, name)) else ""
        # A relative link: the browser joins it to this page's URL, which ends in "/".
        items += f'<li><a href="{urllib.parse.quote(name)}{slash}">{html.escape(name)}{slash}</a></li>\n'
    return LISTING_PAGE.format(path=html.escape(urllib.parse.unquote(url_path)), items=items)


def file_response(file_name):
    """(status, headers, body) of a file: its bytes, and the type its name says."""
    # "rb": the bytes exactly as stored. Text mode would decode them and break a PNG.
    with open(file_name, "rb") as file:
        body = file.read()
    return "200 OK", [("Content-Type", content_type_for(file_name, body))], body


def redirect_response(location):
    """(status, headers, body) of a 301: what was asked for is at location; a browser goes there."""
    page = ERROR_PAGE.format(status="301 Moved Permanently",
                             explanation=f'It is at <a href="{html.escape(location)}">{html.escape(location)}</a>.')
    status, headers, body = page_response("301 Moved Permanently", page)
    return status, headers + [("Location", location)], body


def echo_page(path, GET_data, POST_data=None):
    """The /echo page: the path, then key=K; value=V; for each pair of the query
    string, then for each pair of the form."""
    pairs = describe_pairs(GET_data)
    if POST_data:
        pairs += describe_pairs(POST_data)
    return ECHO_PAGE.format(path=html.escape(path), pairs=pairs)


def describe_pairs(data):
    """ "key=K; value=V; " for each value of each key of a dict parse_qs made."""
    text = ""
    for key, values in data.items():
        for value in values:
            # html.escape: a value such as "<script>" shows as text, it does not become page.
            text += f"key={html.escape(key)}; value={html.escape(value)}; "
    return text


def error_response(status, explanation):
    """(status, headers, body) of an error: a small HTML page saying what went wrong."""
    page = ERROR_PAGE.format(status=html.escape(status), explanation=html.escape(explanation))
    return page_response(status, page)


def page_response(status, page):
    """(status, headers, body) of a page the server made (HTML text)."""
    return status, [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")


# ------------------------------------------------------ running a CGI script


def cgi_folder():
    """The root's cgi-bin folder, as realpath writes it."""
    return os.path.join(os.path.realpath(os.getcwd()), CGI_FOLDER)


def is_inside(local_path, folder):
    """Whether local_path (resolved by realpath) is folder or lies somewhere below it."""
    return os.path.commonpath([folder, local_path]) == folder


def is_script_path(local_path):
    """Whether a resolved path is a .py file under the root's cgi-bin folder."""
    return local_path.endswith(".py") and is_inside(local_path, cgi_folder())


def cgi_environment(request):
    """The environment of a CGI script: the request, told in variables (RFC 3875, section 4.1)."""
    environment = {}
    # A few variables of the server's own: PATH, and on Windows SYSTEMROOT, without which
    # Python cannot start. Not all of them: the server's secrets are none of the script's business.
    for name in ("PATH", "SYSTEMROOT"):
        if name in os.environ:
            environment[name] = os.environ[name]
    #Fill in start
    # Add GATEWAY_INTERFACE ("CGI/1.1"), REQUEST_METHOD, QUERY_STRING (request.query_string,
    # as received), SCRIPT_NAME (the decoded path), SERVER_PROTOCOL ("HTTP/1.1"),
    # SERVER_NAME, SERVER_PORT (request.server_address; values are strings), SERVER_SOFTWARE,
    # REMOTE_ADDR (request.client_address[0]); for a request with a body, CONTENT_LENGTH and
    # CONTENT_TYPE. Each request header "User-Agent: x" becomes HTTP_USER_AGENT=x.
    #Fill in end
    return environment


def run_script(script, environment, stdin_bytes):
    """Run a CGI script and return what it printed (bytes); HTTPError when it fails or takes too long.

    The script's name is one item of a list, never shell text: a file called
    "x.py; rm -rf ~" is just an odd name. Its errors (stderr) go to our log.
    """
    #Fill in start
    # subprocess.Popen([sys.executable, script], cwd=the script's folder, env=environment,
    # stdin, stdout and stderr all subprocess.PIPE, start_new_session=True: the script and
    # whatever it starts form a group that stop_script() can stop together. Then
    # communicate(stdin_bytes, timeout=CGI_SECONDS). On subprocess.TimeoutExpired: stop_script(),
    # communicate() again to close the pipes, raise HTTPError("504 Gateway Timeout", ...).
    # Otherwise stop_script() too (for what it left running), log stderr, and a non-zero
    # exit status is HTTPError("500 Internal Server Error", ...).
    raise HTTPError("501 Not Implemented", "TODO: run_script()")
    #Fill in end


def stop_script(process):
    """Stop a script and every process it started, and wait until it has ended."""
    try:
        if hasattr(os, "killpg"):  # POSIX: its whole group at once, even after the script itself ended
            os.killpg(process.pid, signal.SIGKILL)
        elif process.poll() is None:  # Windows: taskkill /T stops the script's tree of processes
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True)
    except (ProcessLookupError, PermissionError):  # nothing of it left
        pass
    process.wait()


def cgi_response(output):
    """(status, headers, body) from a CGI script's output: header lines, an empty line, the body.

    A script writes "\n" or "\r\n" line ends; Status: sets the status (200 without
    it); the other headers are passed on; Content-Length is counted here.
    """
    #Fill in start
    # Find the first empty line (re.search(rb"\r?\n\r?\n", output)); without one:
    # HTTPError("502 Bad Gateway", ...). Before it, the header lines: "Name: value"
    # each (no ":" is a 502 too). "Status" gives the status; drop the script's own
    # Content-Length; keep the others. No Content-Type and no Location: 502.
    return "200 OK", [("Content-Type", "text/plain")], output
    #Fill in end


# ------------------------------------------------------ sending the response


def send_response(client_sock, status, headers, body, method):
    """Send a whole response, then close the connection; a client that has gone is logged."""
    try:
        head = response_head(status, headers, len(body))
        if method == "HEAD":  # the headers a GET would get, and no body
            body = b""
        client_sock.settimeout(REQUEST_SECONDS)  # a client that stops reading is dropped
        client_sock.sendall(head + body)
    except Exception as error:  # the client left, or a header that is not ASCII
        log(f"could not send the response: {error!r}")
    close_gently(client_sock)


def close_gently(client_sock):
    """Close the connection, after reading (for a second at most) what the client still sends.

    An error may be answered before the whole request has arrived (a body that
    is too large, say). Closing a socket while received bytes wait unread makes
    the system reset the connection, and a reset can destroy the answer before
    the client has read it. So: say we are done sending, drop what still comes.
    """
    deadline = time.monotonic() + 1
    try:
        client_sock.shutdown(socket.SHUT_WR)
        while time.monotonic() < deadline:
            client_sock.settimeout(max(0.01, deadline - time.monotonic()))
            if not client_sock.recv(65536):  # b"": the client has closed too
                break
    except OSError:  # time is up, or the client is gone
        pass
    client_sock.close()


def response_head(status, headers, content_length):
    """The head of a response, as bytes: status line, headers and the empty line."""
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in headers]
    lines += [
        f"Content-Length: {content_length}",  # bytes, not characters: "é" is 2 bytes
        f"Date: {http_date()}",
        "Connection: close",  # one request per connection: we close after this response
    ]
    return ("".join(line + "\r\n" for line in lines) + "\r\n").encode("ascii")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: python3 {sys.argv[0]} PORT   (for example: {sys.argv[0]} 8080)")
    try:
        serve("", int(sys.argv[1]))
    except KeyboardInterrupt:
        log("Stopped.")
