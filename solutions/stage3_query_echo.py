"""Stage 3 of the socket web-server lab: the /echo page and query strings.

Run it in the folder to serve:  python3 stage3_query_echo.py 8080
then open http://127.0.0.1:8080/echo?name=Ada&course=networks in a browser.

New in this stage: a page the program makes instead of reading it from a file.
A target may end with a query string: "/echo?name=Ada&course=networks" is the
path "/echo" and the query string "name=Ada&course=networks", key=value pairs
joined by "&" and percent-encoded like a path ("+" is a space). The /echo page
shows each pair as "key=K; value=V; ", HTML-escaped.

The parts you write are between "#Fill in start" and "#Fill in end".
"""

import email.utils
import html
import os
import socket
import sys
import time
import urllib.parse

INTERFACE = ""  # every interface: no path leads out of the folder any more
MAX_HEAD_BYTES = 64 * 1024  # a longer request head is refused with 431
METHODS = ("GET", "HEAD")  # HEAD asks for the headers of a GET, without the body

ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{status}</title></head>
<body>
<h1>{status}</h1>
<p>{explanation}</p>
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
    """A request that gets an error page instead of a file.

    status is e.g. "404 Not Found"; explanation one sentence for the page;
    method the request's method when it is known (a HEAD gets no page).
    """

    def __init__(self, status, explanation, method=None):
        super().__init__(f"{status}: {explanation}")
        self.status = status
        self.explanation = explanation
        self.method = method


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


def main(port):
    """Serve the files of the current folder on port, one connection at a time."""
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # SO_REUSEADDR: a restart right after a stop does not fail with "Address already in use".
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind((INTERFACE, port))
    server_socket.listen()
    log(f"Serving {os.getcwd()} on port {port}, every interface - Ctrl-C stops it.")
    while True:
        connection_socket, client_address = server_socket.accept()
        handle_client(connection_socket, client_address)


def handle_client(connection_socket, client_address):
    """Answer one client; whatever goes wrong, the server goes on with the next."""
    try:
        answer(connection_socket)
    except HTTPError as error:
        send_error(connection_socket, error.status, error.explanation, error.method)
    except Exception as error:  # a bug, or a client that vanished
        log(f"{client_address[0]}: {error!r}")
        send_error(connection_socket, "500 Internal Server Error", "The server failed to answer.")


def answer(connection_socket):
    """Read one request from connection_socket, send the file it asks for, close.

    A request it cannot serve raises HTTPError: handle_client sends its page.
    """
    request = b""
    while b"\r\n\r\n" not in request:
        if len(request) > MAX_HEAD_BYTES:  # a client may send headers forever
            raise HTTPError("431 Request Header Fields Too Large", "The request head is too long.")
        piece = connection_socket.recv(4096)
        if not piece:  # b"": the client closed the connection before a whole request
            connection_socket.close()
            return
        request += piece
    request_line = request.split(b"\r\n")[0].decode("utf-8", errors="replace")
    words = request_line.split()
    if len(words) != 3 or not words[1].startswith("/") or not words[2].startswith("HTTP/"):
        raise HTTPError("400 Bad Request", "A request line looks like: GET /path HTTP/1.1")
    method, target, version = words
    #Fill in start
    #Hint: Split target at the first "?" into path and query_string, and decode the query
    #Hint: into GET_data with urllib.parse.parse_qs: {key: [value, ...]}. It splits at "&"
    #Hint: and "=", and decodes "+" and %XX (as UTF-8) for you.
    #Placeholder: path = target.partition("?")[0]  # "/notes.txt?v=2" asks for the file /notes.txt
    #Placeholder: GET_data = {}
    path, _, query_string = target.partition("?")
    GET_data = urllib.parse.parse_qs(query_string)
    #Fill in end
    if method not in METHODS:
        raise HTTPError("501 Not Implemented", f"This server does not handle {method} requests.")
    #Fill in start
    #Hint: The path "/echo" (exactly) names no file: send the page echo_page(path, GET_data)
    #Hint: makes with send_page(connection_socket, "200 OK", ..., method), then return.
    if path == "/echo":
        send_page(connection_socket, "200 OK", echo_page(path, GET_data), method)
        return
    #Fill in end
    file_name = file_name_for(path)
    if file_name is None:
        raise HTTPError("404 Not Found", f"There is no file at {path}.", method)
    # "rb": the bytes exactly as stored. Text mode would decode them and break a PNG.
    with open(file_name, "rb") as file:
        body = file.read()
    head = response_head("200 OK", content_type_for(path, body), len(body))
    if method == "HEAD":  # the headers a GET would get, and no body
        body = b""
    connection_socket.sendall(head + body)
    connection_socket.close()
    log(f"{method} {target} -> 200 OK")


def file_name_for(path):
    """The file in the document root (the current folder) that a URL path names.

    None when there is no such file, or when the path would lead out of the root.
    """
    root = os.path.realpath(os.getcwd())
    # Decode first, check after: "/%2e%2e/secret" is "/../secret" in disguise.
    decoded_path = urllib.parse.unquote(path)
    if "\0" in decoded_path:  # no file name holds a NUL byte
        return None
    # realpath resolves "..", "." and symbolic links: where the path really leads.
    file_name = os.path.realpath(os.path.join(root, decoded_path.lstrip("/")))
    if os.path.commonpath([root, file_name]) != root:
        return None
    return file_name if os.path.isfile(file_name) else None


def response_head(status, content_type, content_length):
    """The head of a response, as bytes: status line, headers and the empty line."""
    lines = [
        f"HTTP/1.1 {status}",
        f"Content-Type: {content_type}",
        f"Content-Length: {content_length}",  # bytes, not characters: "é" is 2 bytes
        f"Date: {http_date()}",
        "Connection: close",  # one request per connection: we close after this response
    ]
    return ("".join(line + "\r\n" for line in lines) + "\r\n").encode("ascii")


def echo_page(path, GET_data):
    """The /echo page: the path, then key=K; value=V; for each pair of GET_data."""
    return ECHO_PAGE.format(path=html.escape(path), pairs=describe_pairs(GET_data))


def describe_pairs(data):
    """ "key=K; value=V; " for each value of each key of a dict parse_qs made."""
    text = ""
    #Fill in start
    #Hint: For each key and each of its values, add "key=K; value=V; " to text (one space
    #Hint: after each ";"), with K and V passed through html.escape().
    for key, values in data.items():
        for value in values:
            # html.escape: a value such as "<script>" shows as text, it does not become page.
            text += f"key={html.escape(key)}; value={html.escape(value)}; "
    #Fill in end
    return text


def send_error(connection_socket, status, explanation, method=None):
    """Send an error response: a small HTML page saying what went wrong."""
    log(f"{status}: {explanation}")
    page = ERROR_PAGE.format(status=html.escape(status), explanation=html.escape(explanation))
    send_page(connection_socket, status, page, method)


def send_page(connection_socket, status, page, method=None):
    """Send a page the server made (HTML text), then close the connection."""
    body = page.encode("utf-8")
    head = response_head(status, "text/html; charset=utf-8", len(body))
    if method == "HEAD":
        body = b""
    try:
        connection_socket.sendall(head + body)
    except OSError:  # the client has gone already: nothing to do
        pass
    close_gently(connection_socket)


def close_gently(connection_socket):
    """Close the connection, after reading (for a second at most) what the client still sends.

    An error may be answered before the whole request has arrived (a head that
    is too long, say). Closing a socket while received bytes wait unread makes
    the system reset the connection, and a reset can destroy the answer before
    the client has read it. So: say we are done sending, drop what still comes.
    """
    deadline = time.monotonic() + 1
    try:
        connection_socket.shutdown(socket.SHUT_WR)
        while time.monotonic() < deadline:
            connection_socket.settimeout(max(0.01, deadline - time.monotonic()))
            if not connection_socket.recv(65536):  # b"": the client has closed too
                break
    except OSError:  # time is up, or the client is gone
        pass
    connection_socket.close()


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: python3 {sys.argv[0]} PORT   (for example: {sys.argv[0]} 8080)")
    try:
        main(int(sys.argv[1]))
    except KeyboardInterrupt:
        log("Stopped.")
