"""Correct corpus server for stages 1-4 without threads: one select() loop.

    python select_server.py PORT

Stage 4 asks that a slow client never holds up the others. Threads are the
lab's way; this server does it the event-loop way instead: every socket is
non-blocking, select() says which ones can be read or written, and each
connection keeps its own input and output buffers. A stalled client only
leaves a half-filled buffer behind. Standard library only.
"""

import os
import select
import socket
import sys
from html import escape
from urllib.parse import parse_qsl, unquote

MAX_HEAD = 64 * 1024
TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".png": "image/png"}
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented"}


def response(code, body, content_type="text/html"):
    head = "HTTP/1.1 %d %s\r\n" % (code, REASONS[code])
    head += "Content-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (content_type, len(body))
    return head.encode("ascii") + body


def error(code):
    return response(code, ("<html><body><h1>%d %s</h1></body></html>" % (code, REASONS[code])).encode())


def echo(path, query):
    pairs = "".join(
        "key=%s; value=%s; " % (escape(key), escape(value))
        for key, value in parse_qsl(query, keep_blank_values=True)
    )
    page = "<html><body><p>%s</p><p>%s</p></body></html>" % (escape(path), pairs.strip())
    return response(200, page.encode("utf-8"))


def local_file(path):
    root = os.path.realpath(".")
    full = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if os.path.commonpath([root, full]) != root:
        return None
    if os.path.isdir(full):
        full = os.path.join(full, "index.html")
    return full if os.path.isfile(full) else None


def answer(head):
    """The whole response to a request head, as bytes."""
    words = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return error(400)
    if words[0] != "GET":
        return error(501)
    path, _, query = words[1].partition("?")
    path = unquote(path)
    if "\0" in path:
        return error(400)
    if path == "/echo":
        return echo(path, query)
    found = local_file(path)
    if found is None:
        return error(404)
    with open(found, "rb") as file:
        body = file.read()
    return response(200, body, TYPES.get(os.path.splitext(found)[1].lower(), "application/octet-stream"))


class Loop:
    def __init__(self, listener):
        self.listener = listener
        self.incoming = {}  # socket -> request bytes so far
        self.outgoing = {}  # socket -> response bytes not yet sent

    def run(self):
        while True:
            readable, writable, _ = select.select([self.listener, *self.incoming], list(self.outgoing), [])
            for sock in readable:
                if sock is self.listener:
                    self.accept()
                else:
                    self.read(sock)
            for sock in writable:
                self.write(sock)

    def accept(self):
        try:
            client, _ = self.listener.accept()
        except BlockingIOError:
            return  # another select() round will bring it
        client.setblocking(False)
        self.incoming[client] = b""

    def read(self, sock):
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            self.forget(sock)
            return
        if not chunk:
            self.forget(sock)
            return
        data = self.incoming[sock] + chunk
        if b"\r\n\r\n" in data or len(data) > MAX_HEAD:
            del self.incoming[sock]
            self.outgoing[sock] = answer(data) if b"\r\n\r\n" in data else error(400)
        else:
            self.incoming[sock] = data

    def forget(self, sock):
        """The client left before finishing its request."""
        del self.incoming[sock]
        sock.close()

    def write(self, sock):
        try:
            sent = sock.send(self.outgoing[sock])
        except OSError:
            sent = len(self.outgoing[sock])  # the client left; drop the rest
        rest = self.outgoing[sock][sent:]
        if rest:
            self.outgoing[sock] = rest
        else:
            del self.outgoing[sock]
            sock.close()


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("", int(sys.argv[1])))
    listener.listen(64)
    listener.setblocking(False)
    Loop(listener).run()


if __name__ == "__main__":
    main()
