"""Stage 5 of the socket web-server lab: form bodies sent with POST.

Run it in the folder to serve:  python3 stage5_post.py 8080
then open http://127.0.0.1:8080/form.html in a browser and send the POST form.

New in this stage: POST requests. A browser sends a form's fields in the
request body, after the empty line, encoded like a query string
(name=Ada&course=networks). The server reads exactly Content-Length bytes of
body, decodes the pairs and shows them on the /echo page after the pairs of
the query string.

And the server gets its final shape: three functions, each of which can be
used, and tested, on its own.

    serve(interface, port)                          accept connections, a thread each
    handle_connection(client_sock, client_address)  read one request, send one response
    delegate(request_type, path, received_headers, GET_data, POST_data=None)
                                                    choose the response; no sockets

Importing this file only defines things; the server starts when the file is
run as a program.

The parts you write are between "#Fill in start" and "#Fill in end".
"""

import email.utils
import html
import os
import socket
import sys
import threading
import time
import urllib.parse

MAX_HEAD_BYTES = 64 * 1024  # a longer request head is refused with 431
MAX_BODY_BYTES = 1024 * 1024  # a longer request body is refused with 413
METHODS = ("GET", "HEAD", "POST")  # HEAD asks for the headers of a GET, without the body
REQUEST_SECONDS = 10  # a request must arrive within this time, or it gets 408
FORM_TYPE = "application/x-www-form-urlencoded"

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
    #Fill in start
    # Your stage-4 main(), moved here: create the socket (with SO_REUSEADDR), bind it
    # to (interface, port) and listen; then accept connections in a loop, each in a
    # daemon thread that runs handle_connection(client_sock, client_address).
    raise SystemExit("TODO: serve() - move the accept loop of your stage-4 main() here")
    #Fill in end


def handle_connection(client_sock, client_address):
    """Read one request from client_sock, send one response, close the connection.

    client_address, (host, port), is where the client connects from: for the log.
    Never raises and returns None: whatever fails - even delegate - the client
    gets an error page (500 for a bug in the server) and the server goes on.
    """
    #Fill in start
    # Your stage-4 handle_client() and answer(), moved here and split up. Start the
    # request's deadline; receive_head() and parse_head() read the request; for a POST,
    # content_length_of(), read_body() and parse_form() give POST_data; delegate()
    # chooses (status, headers, body), and send_response(..., method) sends it (a HEAD
    # without the body). Keep the try/except of handle_client(): an HTTPError becomes
    # error_response(error.status, error.explanation), a TimeoutError 408, any other
    # Exception 500 (log it); a ConnectionError means the client left: just close.
    raise NotImplementedError("TODO: handle_connection() - move your stage-4 code here")
    #Fill in end


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    """Choose the response to one request. No sockets here: easy to test.

    request_type      "GET", "HEAD" or "POST"
    path              the target without its query string, still percent-encoded
    received_headers  {header name as received: value}
    GET_data          the query string's pairs as urllib.parse.parse_qs gives them
    POST_data         the form body's pairs, the same way; None without a body

    Returns (status, headers, body): status a str such as "200 OK", headers a
    list of (name, value) pairs, body bytes. send_response adds Content-Length,
    Date and Connection, and leaves the body out for HEAD.
    """
    #Fill in start
    # Your stage-4 choices, moved here: returned, not sent. "/echo" gives the echo page,
    # page_response("200 OK", echo_page(path, GET_data, POST_data)); a POST to any other
    # path gets error_response("405 Method Not Allowed", ...) plus an ("Allow", "GET, HEAD")
    # header; otherwise the file, or error_response("404 Not Found", ...).
    raise NotImplementedError("TODO: delegate() - move your choice of the response here")
    #Fill in end


# ------------------------------------------------------ reading the request


def receive_head(client_sock, deadline):
    """Receive until the empty line that ends the request head.

    Returns (head, after_head): the head without the empty line, and the bytes
    that came after it (the start of a body). Raises ConnectionError when the
    client closes first, TimeoutError when the deadline (a time.monotonic()
    value) passes, HTTPError 431 when the head is longer than MAX_HEAD_BYTES.
    """
    #Fill in start
    # Your stage-4 receiving loop, moved here, with its deadline and its cap. Where
    # recv() returns b"", raise ConnectionError(...): handle_connection closes then.
    # Split what came at the first b"\r\n\r\n" into head and after_head.
    raise NotImplementedError("TODO: receive_head() - move your receiving loop here")
    #Fill in end


def parse_head(head):
    """Split a request head into (method, target, received_headers).

    received_headers maps each header name, as received, to its value. Raises
    HTTPError 400 for a malformed request line, 501 for a method not in METHODS.
    """
    request_line, *header_lines = head.decode("utf-8", errors="replace").split("\r\n")
    #Fill in start
    # Your stage-4 request-line checks (400, 501), moved here. New: each header line
    # "Name: value" goes into received_headers (partition at the first ":", strip both
    # sides; a line without ":" is skipped).
    raise NotImplementedError("TODO: parse_head() - move your request-line code here")
    #Fill in end
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
    #Fill in start
    # Find the Content-Length header with header_value() (any case of the name).
    # Missing: raise HTTPError("411 Length Required", ...). Not a whole number of
    # digits: 400 Bad Request. More than MAX_BODY_BYTES: 413 Content Too Large.
    # Otherwise return the number as an int.
    return 0
    #Fill in end


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
    #Fill in start
    # Like receive_head: set the timeout and recv() until body holds content_length
    # bytes; recv() returning b"" is a ConnectionError. Do not wait for the client to
    # close: it keeps the connection open, waiting for your answer.
    #Fill in end
    return body[:content_length]


def parse_form(received_headers, body):
    """The pairs of a form body as {key: [values]}; {} if the body is no form."""
    content_type = header_value(received_headers, "Content-Type") or ""
    #Fill in start
    # The media type is content_type before any ";" (compare without case).
    # If it is FORM_TYPE, decode body (UTF-8, errors="replace") and parse it with
    # urllib.parse.parse_qs, exactly like a query string. Otherwise return {}.
    return {}
    #Fill in end


# ------------------------------------------------------ choosing the response


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


def echo_page(path, GET_data, POST_data=None):
    """The /echo page: the path, then key=K; value=V; for each pair of the query
    string, then for each pair of the form."""
    pairs = describe_pairs(GET_data)
    #Fill in start
    # Add the pairs of POST_data (when there are any) after those of the query.
    #Fill in end
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
