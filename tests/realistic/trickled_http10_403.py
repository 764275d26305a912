# stage: 2
# story: A careful student answers in HTTP/1.0 with lower-case header names, sends the head and the body in small pieces with pauses (to "be nice to slow clients"), refuses '..' with 403 and keeps every path inside the folder it runs in.
# faults: none
import os
import sys
import time
from socket import *
from urllib.parse import unquote

TYPES = {".html": "text/html", ".txt": "text/plain", ".png": "image/png"}
ROOT = os.path.realpath(".")


def trickle(conn, data, piece=65536):
    # pretend to be a slow link: a piece, then a short rest
    for start in range(0, len(data), piece):
        conn.sendall(data[start:start + piece])
        time.sleep(0.002)


def answer(conn, status, ctype, body):
    head = "HTTP/1.0 " + status + "\r\ncontent-type: " + ctype + "\r\n"
    head += "content-length: " + str(len(body)) + "\r\nconnection: close\r\n\r\n"
    for line in head.split("\r\n")[:-1]:
        conn.sendall((line + "\r\n").encode())
        time.sleep(0.01)
    trickle(conn, body)


server = socket(AF_INET, SOCK_STREAM)
server.bind(("", int(sys.argv[1])))
server.listen(5)
while True:
    conn, addr = server.accept()
    try:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(2048)
            if not chunk:
                break
            request += chunk
        words = request.split(b"\r\n")[0].split()
        if len(words) != 3 or not words[2].startswith(b"HTTP/"):
            answer(conn, "400 Bad Request", "text/html", b"<h1>400 Bad Request</h1>")
            continue
        path = unquote(words[1].decode("latin-1").split("?")[0])
        if ".." in path.split("/"):
            answer(conn, "403 Forbidden", "text/html", b"<h1>403 Forbidden</h1>")
            continue
        full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
            answer(conn, "404 Not Found", "text/html", b"<h1>404 Not Found</h1>")
            continue
        with open(full, "rb") as f:
            body = f.read()
        answer(conn, "200 OK", TYPES.get(os.path.splitext(full)[1], "application/octet-stream"), body)
    except OSError as e:
        print("client trouble:", e)
    finally:
        conn.close()
