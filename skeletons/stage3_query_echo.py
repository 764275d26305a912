"""Stage 3 of the socket web-server lab: the /echo page and query strings.

Run it from the folder to serve (the document root), giving a port:

    python stage3_query_echo.py 8080

then open http://localhost:8080/echo?name=Ada&course=networks in a browser.

New in this stage: a page that is made by the program instead of read from a
file. A URL may end with a query string: "/echo?name=Ada&course=networks" is
the path "/echo" and the query string "name=Ada&course=networks", a list of
key=value pairs joined by "&", percent-encoded like the path ("+" is a
space). The /echo page shows each pair as "key=K; value=V; ".

The parts you write are between "#Fill in start" and "#Fill in end".
"""

import html
import mimetypes
import os
import socket
import sys
import time
import traceback
import urllib.parse

HEADER_END = b"\r\n\r\n"  # the blank line after the headers: CR LF, then CR LF again
RECEIVE_SIZE = 4096  # how many bytes to ask for in one recv()
MAX_HEADER_BYTES = 64 * 1024  # a larger request head is refused with 431
REQUEST_DEADLINE_SECONDS = 10  # the whole request must arrive within this time
SEND_TIMEOUT_SECONDS = 10  # give up on a client that stops reading our response
DRAIN_SECONDS = 1  # after an error, how long to read what the client still sends
SUPPORTED_METHODS = ("GET",)

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
<p><a href="/">Back to the start page</a></p>
</body>
</html>
"""


class HTTPError(Exception):
    """A request that gets an error status instead of the page it asked for.

    status is the status code and reason, e.g. "400 Bad Request";
    explanation is one sentence for the error page.
    """

    def __init__(self, status, explanation):
        super().__init__(f"{status}: {explanation}")
        self.status = status
        self.explanation = explanation


# ---------------------------------------------------------------- the server


def serve(interface, port):
    """Listen on (interface, port) and answer connections until stopped.

    interface "" means every network interface of this machine.
    """
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Without SO_REUSEADDR, restarting the server right after stopping it
    # fails with "Address already in use" while old connections time out.
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind((interface, port))
    server_socket.listen()
    log(f"Serving {os.getcwd()} on port {port} - press Ctrl-C to stop.")
    with server_socket:
        while True:
            try:
                client_sock, client_address = server_socket.accept()
            except OSError as error:
                # Rare, e.g. "Too many open files" under heavy load: the
                # server waits a moment and goes on instead of dying.
                log(f"accept() failed: {error}")
                time.sleep(0.1)
                continue
            handle_connection(client_sock, client_address)


def handle_connection(client_sock, client_address):
    """Read one request from client_sock, send one response, close the socket.

    client_address is where the client connects from; it is used in the log.
    Never raises and returns None: whatever goes wrong with one client, the
    server goes on with the next.
    """
    who = describe_address(client_address)
    with client_sock:  # closes the connection however this block ends
        try:
            status, headers, body = answer_request(client_sock, who)
        except ConnectionError:
            log(f"{who} left before sending a whole request")
            return
        except HTTPError as error:
            log(f"{who} {error}")
            status, headers, body = error_page(error.status, error.explanation)
            send_response(client_sock, status, headers, body, who)
            drain_before_closing(client_sock)
        except Exception as error:
            # A bug in the server. The client gets a short apology, never a
            # traceback; the details go to the log, for you.
            log_unexpected_error(who, error)
            status, headers, body = error_page(
                "500 Internal Server Error", "The server failed to answer this request."
            )
            send_response(client_sock, status, headers, body, who)
            drain_before_closing(client_sock)
        else:
            send_response(client_sock, status, headers, body, who)


def answer_request(client_sock, who):
    """Receive one request and choose its response: (status, headers, body)."""
    deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
    # What follows the blank line would be a body; GET requests have none.
    request_head, _after_head = read_request_head(client_sock, deadline)
    request_type, target, received_headers = parse_request_head(request_head)
    # The target may end with a query string: "/notes.txt?v=2" is the path
    # "/notes.txt" and the query string "v=2".
    path, _, query_string = target.partition("?")
    #Fill in start
    # Decode the query string into {key: [value, ...]} with urllib.parse.parse_qs;
    # it splits at "&" and "=" and decodes "+" and %XX (as UTF-8) for you.
    GET_data = {}
    #Fill in end
    status, headers, body = delegate(request_type, path, received_headers, GET_data)
    log(f"{who} {request_type} {shorten(target)} -> {status}")
    return status, headers, body


def send_response(client_sock, status, headers, body, who):
    """Send the whole response. A client that has gone away is only logged."""
    try:
        client_sock.settimeout(SEND_TIMEOUT_SECONDS)
        client_sock.sendall(build_response(status, headers, body))
    except Exception as error:  # the client left, or build_response failed
        log(f"{who} could not be sent the response: {error!r}")


def drain_before_closing(client_sock):
    """After an error: read and drop what the client still sends, for a moment.

    An error may be answered before the whole request has arrived (it was
    too long, say). Closing a socket while received bytes wait unread makes
    the operating system reset the connection, and a reset can destroy the
    response before the client has read it. So we say that we are done
    sending (shutdown), then discard input until the client closes too.
    """
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        client_sock.shutdown(socket.SHUT_WR)
        while True:
            receive_before(client_sock, deadline)
    except (HTTPError, OSError):  # time is up, or the client has closed
        pass


# ------------------------------------------------------ reading the request


def receive_before(client_sock, deadline):
    """Receive the next piece of the request; at most RECEIVE_SIZE bytes.

    Raises HTTPError 408 when the deadline (a time.monotonic() value) passes,
    and ConnectionError when the client closes the connection: then recv()
    returns b"" and no more bytes will ever come.
    """
    time_left = deadline - time.monotonic()
    if time_left <= 0:
        raise HTTPError("408 Request Timeout", "The request took too long to arrive.")
    # A client that sends nothing would otherwise block recv() forever.
    client_sock.settimeout(time_left)
    try:
        piece = client_sock.recv(RECEIVE_SIZE)
    except TimeoutError:  # socket.timeout is TimeoutError since Python 3.10
        raise HTTPError("408 Request Timeout", "The request took too long to arrive.") from None
    if not piece:
        raise ConnectionError("the client closed the connection")
    return piece


def read_request_head(client_sock, deadline):
    """Receive until the blank line that ends the request head.

    Returns (head, after): the head without the blank line, and the bytes
    that came after the blank line (the beginning of a body, if any).
    """
    received = b""
    # TCP delivers a stream of bytes, not messages: one recv() may return
    # half a request, or a request may come in several pieces. So: receive
    # until the blank line has arrived - and no further, because the client
    # keeps the connection open while it waits for our answer.
    while HEADER_END not in received:
        if len(received) > MAX_HEADER_BYTES:
            raise HTTPError(
                "431 Request Header Fields Too Large",
                f"The request head is longer than {MAX_HEADER_BYTES} bytes.",
            )
        received += receive_before(client_sock, deadline)
    head, _, after = received.partition(HEADER_END)
    return head, after


def parse_request_head(request_head):
    """Split a request head into (request_type, target, received_headers).

    The head is the request line, e.g. "GET /index.html HTTP/1.1", then one
    header per line, e.g. "Host: localhost:8080"; lines end with CR LF.
    received_headers maps each header name, as received, to its value.
    """
    # errors="replace": bytes that are not UTF-8 become "\ufffd" instead of
    # raising, so junk cannot crash the decoding; the check below rejects it.
    text = request_head.decode("utf-8", errors="replace")
    request_line, *header_lines = text.split("\r\n")
    words = request_line.split()
    if len(words) != 3 or not words[1].startswith("/") or not words[2].startswith("HTTP/"):
        raise HTTPError(
            "400 Bad Request", "The request line should look like: GET /path HTTP/1.1"
        )
    request_type, target, _version = words
    if request_type not in SUPPORTED_METHODS:
        raise HTTPError("501 Not Implemented", f"This server does not handle {request_type}.")
    return request_type, target, parse_header_lines(header_lines)


def parse_header_lines(header_lines):
    """{name: value} from header lines such as "Host: localhost:8080"."""
    received_headers = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if colon:
            received_headers[name.strip()] = value.strip()
    return received_headers


# ----------------------------------------------------- choosing the response


def delegate(request_type, path, received_headers, GET_data):
    """Choose the response to one request. No sockets here: easy to test.

    request_type      "GET"
    path              the target without its query string, still
                      percent-encoded, e.g. "/with%20space.html"
    received_headers  {header name as received: value}
    GET_data          the query string's pairs as urllib.parse.parse_qs
                      returns them: {key: [value, ...]}

    Returns (status, headers, body): status a str such as "200 OK", headers
    a list of (name, value) str pairs, body bytes. build_response adds
    Content-Length and Connection.
    """
    #Fill in start
    # The path "/echo" names no file: answer it with echo_page(path, GET_data).
    #Fill in end
    file_path = file_path_for(path)
    if file_path is None or not os.path.isfile(file_path):
        return error_page("404 Not Found", f"There is no file at {path}.")
    return file_response(file_path)


def file_path_for(path):
    """The file in the document root (the current folder) that a URL path names.

    Returns None when the path would lead outside the document root.
    """
    # Decode first, check after: "/%2e%2e/secret" is "/../secret" in
    # disguise, and only the decoded path shows it.
    decoded_path = urllib.parse.unquote(path)
    if "\0" in decoded_path:  # no file name holds a NUL byte
        return None
    root = os.path.realpath(os.getcwd())
    # realpath resolves "..", "." and symbolic links: the real location.
    file_path = os.path.realpath(os.path.join(root, decoded_path.lstrip("/")))
    # Inside the root means: the root itself, or below "root/". A plain
    # startswith(root) would let "/srv/www-secret" pass for root "/srv/www".
    if file_path != root and not file_path.startswith(root + os.sep):
        return None
    if os.path.isdir(file_path):
        file_path = os.path.join(file_path, "index.html")
    return file_path


def file_response(file_path):
    """A 200 OK response carrying the bytes of the file at file_path."""
    # "rb": the bytes exactly as stored. Text mode would decode them and
    # break images (and change line endings on some systems).
    with open(file_path, "rb") as file:
        body = file.read()
    return "200 OK", [("Content-Type", content_type_for(file_path))], body


def content_type_for(file_path):
    """The MIME type that tells the browser what the bytes are, e.g. "text/html"."""
    guessed_type, _encoding = mimetypes.guess_type(file_path)
    # Unknown extension: "some bytes" - the browser offers to save them.
    return guessed_type or "application/octet-stream"


def echo_page(path, GET_data):
    """The /echo page: the path, then key=K; value=V; for each query pair."""
    pairs = describe_pairs(GET_data)
    page = ECHO_PAGE.format(path=html.escape(path), pairs=pairs)
    return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")


def describe_pairs(data):
    """ "key=K; value=V; " for each value of each key of a parse_qs dict."""
    text = ""
    #Fill in start
    # For each key and each of its values, add "key=K; value=V; " to text
    # (one space after each ";"), with K and V passed through html.escape().
    #Fill in end
    return text


def error_page(status, explanation):
    """An error response with a small HTML page, e.g. for "404 Not Found"."""
    page = ERROR_PAGE.format(status=html.escape(status), explanation=html.escape(explanation))
    return status, [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")


# ------------------------------------------------------ sending the response


def build_response(status, headers, body):
    """The bytes of a whole response: status line, headers, blank line, body."""
    all_headers = headers + [
        # Content-Length counts bytes, not characters: "é" is 2 bytes in UTF-8.
        ("Content-Length", str(len(body))),
        # One request per connection: we close it after this response.
        ("Connection", "close"),
    ]
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in all_headers]
    # Every line ends with CR LF, and an empty line ends the head.
    head = "".join(line + "\r\n" for line in lines) + "\r\n"
    # The head is ASCII text; the body may hold any bytes at all.
    return head.encode("ascii") + body


# ---------------------------------------------------------------- the log


def log(message):
    """One line on standard error: the server's log."""
    print(message, file=sys.stderr, flush=True)


def log_unexpected_error(who, error):
    """Log an unexpected error in one line: what it was and where it happened."""
    where = traceback.extract_tb(error.__traceback__)[-1]
    log(f"{who} 500: {type(error).__name__}: {error} (line {where.lineno}, in {where.name})")


def describe_address(client_address):
    """ "host:port" for a (host, port) address; anything else as it is."""
    if isinstance(client_address, tuple) and len(client_address) >= 2:
        return f"{client_address[0]}:{client_address[1]}"
    return str(client_address)


def shorten(text, limit=80):
    """text, cut to limit characters for the log."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main():
    """Serve the current folder on the port given on the command line."""
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: python {sys.argv[0]} PORT   (for example: {sys.argv[0]} 8080)")
    port = int(sys.argv[1])
    try:
        serve("", port)
    except KeyboardInterrupt:
        log("Stopped.")
    except OSError as error:  # e.g. the port is taken by another program
        sys.exit(f"Cannot serve on port {port}: {error}")


if __name__ == "__main__":
    main()
