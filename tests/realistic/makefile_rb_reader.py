# stage: 2
# story: A student who likes files reads the request with conn.makefile('rb') and readline() until the empty line, then answers with sendall.
# faults: none
import socket
import sys
import os
import urllib.parse

TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".png": "image/png"}

def answer(conn, status, ctype, body):
    conn.sendall(("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                  % (status, ctype, len(body))).encode() + body)

def handle(conn):
    rfile = conn.makefile("rb")
    request_line = rfile.readline()
    while True:                       # skip the headers
        line = rfile.readline()
        if line in (b"\r\n", b"\n", b""):
            break
    rfile.close()
    parts = request_line.decode("latin-1").split()
    if not request_line:
        return
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return answer(conn, "400 Bad Request", "text/html", b"<html><body>400 Bad Request</body></html>")
    path = urllib.parse.unquote(urllib.parse.urlsplit(parts[1]).path)
    root = os.getcwd()
    target = os.path.abspath(os.path.join(root, path.lstrip("/")))
    if os.path.commonpath([root, target]) != root or not os.path.isfile(target):
        return answer(conn, "404 Not Found", "text/html", b"<html><body>404 Not Found</body></html>")
    with open(target, "rb") as f:
        data = f.read()
    answer(conn, "200 OK", TYPES.get(os.path.splitext(target)[1].lower(), "application/octet-stream"), data)

port = int(sys.argv[1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)
print("ready on", port)
while True:
    conn, addr = server.accept()
    try:
        handle(conn)
    except OSError as err:
        print("oops:", err)
    finally:
        conn.close()
