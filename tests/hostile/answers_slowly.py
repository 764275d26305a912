"""Hostile submission: a correct file server that waits 2.5 s before every answer.

Each answer comes just inside the grader's read timeout, so every check
passes slowly; without a deadline on the whole run, grading it at stage 5
would take minutes. The contract bounds any grading at 60 seconds.
"""
import mimetypes
import os
import socket
import sys
import threading
import time
from urllib.parse import unquote, urlsplit


def answer(client):
    with client:
        request = b""
        while b"\r\n\r\n" not in request:
            piece = client.recv(4096)
            if not piece:
                return
            request += piece
        time.sleep(2.5)
        path = "." + unquote(urlsplit(request.split(b" ")[1].decode("latin-1")).path)
        if os.path.isfile(path):
            with open(path, "rb") as wanted:
                body, status = wanted.read(), "200 OK"
        else:
            body, status = b"<h1>404</h1>", "404 Not Found"
        kind = mimetypes.guess_type(path)[0] or "text/html"
        head = f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        client.sendall(head.encode() + body)


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(64)
while True:
    client, _ = server.accept()
    threading.Thread(target=answer, args=(client,), daemon=True).start()
