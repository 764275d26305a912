# stage: 1
# story: A student sends each header line with its own CRLF but forgot the empty line, so the body is glued onto the headers.
# faults: no-blank-line, single-recv
import socket
import sys
import os

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(5)
print("Listening on port " + str(port))

mime = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
        ".png": "image/png", ".ico": "image/x-icon"}

while True:
    conn, addr = s.accept()
    req = conn.recv(1024).decode("utf-8", "replace")
    print(req.split("\r\n")[0])
    parts = req.split()
    if len(parts) < 2:
        conn.close()
        continue
    path = parts[1].split("?")[0]
    name = path.lstrip("/")
    if os.path.isfile(name):
        with open(name, "rb") as f:
            body = f.read()
        ext = os.path.splitext(name)[1].lower()
        lines = ["HTTP/1.1 200 OK",
                 "Content-Type: " + mime.get(ext, "application/octet-stream"),
                 "Content-Length: " + str(len(body)),
                 "Connection: close"]
        head = ""
        for line in lines:
            head += line + "\r\n"
        # head is complete now
        conn.sendall(head.encode() + body)
    else:
        body = b"<html><body>404 Not Found</body></html>"
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n" + body)
    conn.close()
