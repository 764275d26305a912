"""Stage 1 of the socket web-server lab: a file server.

Run it in the folder to serve (the document root):  python3 stage1_file_server.py 8080
then open http://127.0.0.1:8080/HelloWorld.html in a browser.

It answers one connection at a time, one request per connection. A request it
cannot serve (a missing file, something that is not HTTP) stops it with a
traceback: stage 2 teaches it to answer those. It checks no paths yet, so it
listens on 127.0.0.1 only: no other machine can reach it.

The parts you write are between "#Fill in start" and "#Fill in end".
"""

import email.utils
import os
import socket
import sys

INTERFACE = "127.0.0.1"  # this machine only: stage 1 does not keep paths inside the folder

# Given: the MIME type of each kind of file. A browser decides from the
# Content-Type header, never from the file's name, what the bytes are.
CONTENT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
}


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
    # Create a TCP socket, server_socket: socket.socket(socket.AF_INET, socket.SOCK_STREAM).
    raise SystemExit("TODO: create server_socket - the first #Fill in block in main()")
    #Fill in end
    # Without SO_REUSEADDR, restarting the server right after stopping it
    # fails with "Address already in use" for a minute.
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    #Fill in start
    # Bind server_socket to the address (INTERFACE, port), then listen() for connections.
    raise SystemExit("TODO: bind and listen - the second #Fill in block in main()")
    #Fill in end
    log(f"Serving {os.getcwd()} at http://127.0.0.1:{port}/ to this machine only "
        "(stage 1 checks no paths) - Ctrl-C stops it.")
    while True:
        #Fill in start
        # Wait for the next client: server_socket.accept() returns a new socket for
        # this connection, connection_socket, and the client's address.
        raise SystemExit("TODO: accept a connection - the third #Fill in block in main()")
        #Fill in end
        answer(connection_socket)


def answer(connection_socket):
    """Read one request from connection_socket, send the file it asks for, close."""
    #Fill in start
    # Receive into request until it holds the empty line b"\r\n\r\n" that ends the head:
    # one recv(4096) returns what has arrived so far, maybe half a request. When recv()
    # returns b"", the client has closed the connection: close it too, and return.
    raise SystemExit("TODO: receive the request - the first #Fill in block in answer()")
    #Fill in end
    #Fill in start
    # The request line is the first line, e.g. "GET /notes.txt?v=2 HTTP/1.1". Decode it
    # and split it into method, target and version; path is the target up to any "?".
    raise SystemExit("TODO: split the request line - the second #Fill in block in answer()")
    #Fill in end
    #Fill in start
    # The file's name is path without its first "/". Read the whole file into body,
    # as bytes: open it in binary mode, "rb".
    raise SystemExit("TODO: read the file - the third #Fill in block in answer()")
    #Fill in end
    head = response_head("200 OK", content_type_for(path, body), len(body))
    #Fill in start
    # Send head and body with sendall(): send() may send only a part of them. Then
    # close the connection: that tells the client the response is complete.
    raise SystemExit("TODO: send the response and close - the last #Fill in block in answer()")
    #Fill in end
    log(f"{method} {target} -> 200 OK")


def response_head(status, content_type, content_length):
    """The head of a response, as bytes: status line, headers and the empty line."""
    #Fill in start
    # The status line "HTTP/1.1 " + status, then the headers Content-Type, Content-Length,
    # Date (http_date()) and "Connection: close", one "Name: value" per line. Every line
    # ends with "\r\n", and one more "\r\n" makes the empty line. Return it as bytes.
    raise SystemExit("TODO: the status line and headers - the #Fill in block in response_head()")
    #Fill in end


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: python3 {sys.argv[0]} PORT   (for example: {sys.argv[0]} 8080)")
    try:
        main(int(sys.argv[1]))
    except KeyboardInterrupt:
        log("Stopped.")
