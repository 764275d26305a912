# stage: 2
# story: A course student's serve/handle_connection/delegate homework that percent-decodes the path but joins it to the root without any '..' check, so the secret next to the root leaks.
# faults: path-traversal
import socket
import sys
import os
from urllib.parse import unquote

ROOT = os.getcwd()


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    full = os.path.join(ROOT, path.lstrip("/"))
    if not os.path.isfile(full):
        return 404, [("Content-Type", "text/html")], b"<html><body><h1>404 Not Found</h1></body></html>"
    with open(full, "rb") as f:
        body = f.read()
    ext = os.path.splitext(full)[1]
    ctype = {".html": "text/html", ".txt": "text/plain", ".png": "image/png"}.get(ext, "application/octet-stream")
    return 200, [("Content-Type", ctype)], body


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


def handle_connection(client_sock, client_address):
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = client_sock.recv(1024)
        if not chunk:
            return
        raw += chunk
    head = raw.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    request = head[0].split()
    if len(request) != 3 or not request[2].startswith("HTTP/"):
        status, headers, body = 400, [("Content-Type", "text/html")], b"<h1>400 Bad Request</h1>"
    else:
        headers_in = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        path = unquote(request[1].split("?")[0])
        status, headers, body = delegate(request[0], path, headers_in, {})
    reply = "HTTP/1.1 %d %s\r\n" % (status, REASONS[status])
    for name, value in headers:
        reply += name + ": " + value + "\r\n"
    reply += "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    client_sock.sendall(reply.encode() + body)


def serve(interface, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((interface, port))
    s.listen(5)
    while True:
        client_sock, client_address = s.accept()
        try:
            handle_connection(client_sock, client_address)
        except Exception as e:
            print("error:", e)
        client_sock.close()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
