"""Stage 1 of the socket web-server lab: a file server.

Run it in the folder to serve:  python3 stage1_file_server.py 8080
then open http://127.0.0.1:8080/HelloWorld.html in a browser. One connection
at a time; a missing file stops it with a traceback (stage 2 answers 404).
You write the parts between "#Fill in start" and "#Fill in end".
"""

import email.utils
import os
import socket
import sys

INTERFACE = "127.0.0.1"  # this machine only: stage 1 does not keep paths inside the folder

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
    #Fill in start
    # Create a TCP socket: socket.socket(socket.AF_INET, socket.SOCK_STREAM).
    raise SystemExit("TODO: create server_socket - the first #Fill in block in main()")
    #Fill in end
    # SO_REUSEADDR: a restart right after a stop does not fail with "Address already in use".
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    #Fill in start
    # Bind server_socket to the address (INTERFACE, port), then listen() for connections.
    raise SystemExit("TODO: bind and listen - the second #Fill in block in main()")
    #Fill in end
    log(f"Serving {os.getcwd()} at http://127.0.0.1:{port}/ to this machine only "
        "(stage 1 checks no paths) - Ctrl-C stops it.")
    while True:
        #Fill in start
        # server_socket.accept() waits for a client: it returns (connection_socket, address).
        raise SystemExit("TODO: accept a connection - the third #Fill in block in main()")
        #Fill in end
        answer(connection_socket)


def answer(connection_socket):
    """Read one request from connection_socket, send the file it asks for, close."""
    #Fill in start
    # recv(4096) into request until it holds b"\r\n\r\n", the end of the head: one
    # recv() may return half a request. b"" means the client closed: close, return.
    raise SystemExit("TODO: receive the request - the first #Fill in block in answer()")
    #Fill in end
    #Fill in start
    # Split the first line ("GET /notes.txt?v=2 HTTP/1.1") into method, target and
    # version; path is the target up to any "?".
    raise SystemExit("TODO: split the request line - the second #Fill in block in answer()")
    #Fill in end
    #Fill in start
    # The file's name is path without its first "/". Read it into body in mode "rb".
    raise SystemExit("TODO: read the file - the third #Fill in block in answer()")
    #Fill in end
    head = response_head("200 OK", content_type_for(path, body), len(body))
    #Fill in start
    # sendall() head + body (send() may send only a part), then close the connection.
    raise SystemExit("TODO: send the response and close - the last #Fill in block in answer()")
    #Fill in end
    log(f"{method} {target} -> 200 OK")


def response_head(status, content_type, content_length):
    """The head of a response, as bytes: status line, headers and the empty line."""
    #Fill in start
    # "HTTP/1.1 " + status, then Content-Type, Content-Length, Date (http_date()) and
    # "Connection: close" as "Name: value" lines, each ending "\r\n", then one more "\r\n".
    raise SystemExit("TODO: the status line and headers - the #Fill in block in response_head()")
    #Fill in end


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: python3 {sys.argv[0]} PORT   (for example: {sys.argv[0]} 8080)")
    try:
        main(int(sys.argv[1]))
    except KeyboardInterrupt:
        log("Stopped.")
