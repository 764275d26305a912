# stage: 1
# story: A student who read RFC 1945 answers with an HTTP/1.0 status line and writes all header names in lower case.
# faults: none
import socket
import sys
import os

types = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".png": "image/png"}

port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", port))
sock.listen(5)
print("HTTP/1.0 server on port %d" % port)

while True:
    client, address = sock.accept()
    request = b""
    while b"\r\n\r\n" not in request:
        data = client.recv(1024)
        if not data:
            break
        request += data
    fields = request.split()
    if len(fields) >= 2:
        path = fields[1].decode("latin-1").split("?")[0]
        name = path.lstrip("/")
        if os.path.isfile(name):
            with open(name, "rb") as f:
                body = f.read()
            head = "HTTP/1.0 200 OK\r\n"
            head += "content-type: " + types.get(os.path.splitext(name)[1], "application/octet-stream") + "\r\n"
        else:
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            head = "HTTP/1.0 404 Not Found\r\ncontent-type: text/html\r\n"
        head += "content-length: " + str(len(body)) + "\r\n"
        head += "connection: close\r\n\r\n"
        client.sendall(head.encode("ascii") + body)
    client.close()
