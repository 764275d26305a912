# stage: 4
# story: A student wrote Thread(target=handle(conn, addr)), which runs handle in the accept loop itself, so one slow client blocks everyone.
# faults: thread-target-called
import socket
import threading
import sys
import os
import html
from urllib.parse import unquote, parse_qsl

def reply(conn, status, ctype, body):
    head = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode() + body)

def handle(conn, addr):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(1024)
        if not chunk:
            conn.close()
            return
        data += chunk
    words = data.decode("latin-1").split("\r\n")[0].split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        reply(conn, "400 Bad Request", "text/html", b"<h1>400 Bad Request</h1>")
    else:
        path, _, query = words[1].partition("?")
        path = unquote(path)
        if path == "/echo":
            page = "<html><body><p>/echo</p>"
            for k, v in parse_qsl(query):
                page += f"key={html.escape(k)}; value={html.escape(v)}; "
            reply(conn, "200 OK", "text/html", (page + "</body></html>").encode())
        elif ".." in path.split("/") or not os.path.isfile(path[1:]):
            reply(conn, "404 Not Found", "text/html", b"<h1>404 Not Found</h1>")
        else:
            with open(path[1:], "rb") as f:
                body = f.read()
            types = {".html": "text/html", ".txt": "text/plain", ".png": "image/png"}
            reply(conn, "200 OK", types.get(os.path.splitext(path)[1], "application/octet-stream"), body)
    conn.close()

port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(20)
print("Threaded server running on port", port)

while True:
    conn, addr = server.accept()
    # start a new thread for every client
    t = threading.Thread(target=handle(conn, addr))
    t.start()
