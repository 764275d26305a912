"""Stage 2 of the socket web-server lab: not found, bad requests, safe paths.

Run it in the folder to serve:  python3 stage2_not_found.py 8080
then open http://127.0.0.1:8080/no-such-page.html in a browser.

New in this stage: the server says "no" in HTTP instead of stopping. A path
that names no file gets 404 Not Found, a request that is not HTTP 400 Bad
Request, a method it does not know 501 Not Implemented; HEAD gets the headers
of a GET without the body. Paths are percent-decoded ("%20" is a space) and
never lead out of the document root, however they are written, so the server
may now listen on every interface: other machines can visit it.

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
    #Fill in start
    #Hint: Call answer(connection_socket) inside try/except. An HTTPError (400, 404, ...)
    #Hint: becomes its page: send_error(connection_socket, error.status, error.explanation,
    #Hint: error.method). Any other Exception is a bug: log it, and send_error() a
    #Hint: "500 Internal Server Error". One bad request must never stop the server.
    #Placeholder: answer(connection_socket)
    try:
        answer(connection_socket)
    except HTTPError as error:
        send_error(connection_socket, error.status, error.explanation, error.method)
    except Exception as error:  # a bug, or a client that vanished
        log(f"{client_address[0]}: {error!r}")
        send_error(connection_socket, "500 Internal Server Error", "The server failed to answer.")
    #Fill in end


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
    #Fill in start
    #Hint: Decode the request line with errors="replace" (junk must not raise), then split it.
    #Hint: Unless it has three words - a method, a target starting with "/" and a version
    #Hint: starting with "HTTP/" - raise HTTPError("400 Bad Request", ...).
    #Placeholder: request_line = request.split(b"\r\n")[0].decode("utf-8")
    #Placeholder: method, target, version = request_line.split()
    request_line = request.split(b"\r\n")[0].decode("utf-8", errors="replace")
    words = request_line.split()
    if len(words) != 3 or not words[1].startswith("/") or not words[2].startswith("HTTP/"):
        raise HTTPError("400 Bad Request", "A request line looks like: GET /path HTTP/1.1")
    method, target, version = words
    #Fill in end
    path = target.partition("?")[0]  # "/notes.txt?v=2" asks for the file /notes.txt
    if method not in METHODS:
        raise HTTPError("501 Not Implemented", f"This server does not handle {method} requests.")
    #Fill in start
    #Hint: Take the file's name from file_name_for(path) (below). When it is None - no such
    #Hint: file, or outside the root - raise HTTPError("404 Not Found", ..., method).
    #Placeholder: file_name = path[1:]  # "/guide/a.html" is the file guide/a.html in this folder
    file_name = file_name_for(path)
    if file_name is None:
        raise HTTPError("404 Not Found", f"There is no file at {path}.", method)
    #Fill in end
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
    #Fill in start
    #Hint: Percent-decode path into decoded_path with urllib.parse.unquote
    #Hint: ("/about%20this%20kit.html" names "about this kit.html").
    #Placeholder: decoded_path = path
    # Decode first, check after: "/%2e%2e/secret" is "/../secret" in disguise.
    decoded_path = urllib.parse.unquote(path)
    #Fill in end
    if "\0" in decoded_path:  # no file name holds a NUL byte
        return None
    # realpath resolves "..", "." and symbolic links: where the path really leads.
    file_name = os.path.realpath(os.path.join(root, decoded_path.lstrip("/")))
    #Fill in start
    #Hint: Return None unless file_name lies inside root: os.path.commonpath([root, file_name])
    #Hint: is root itself. (Not file_name.startswith(root): think of "/srv/www-secret".)
    if os.path.commonpath([root, file_name]) != root:
        return None
    #Fill in end
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
