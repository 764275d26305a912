# stage: 2
# story: A student serves from os.path.join('www', ...) because the kit's pages live in www/, and never percent-decodes the path.
# faults: serves-from-www-subfolder, no-percent-decode
import socket
import os
import sys

DOCROOT = "www"

def respond(conn, code, text, ctype, body):
    header = "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n".format(code, text, ctype, len(body))
    conn.sendall(header.encode() + body)

port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)
print("Serving", DOCROOT, "on port", port)

while True:
    conn, addr = server.accept()
    try:
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = conn.recv(1024)
            if not chunk:
                break
            req += chunk
        line = req.split(b"\r\n")[0].decode("latin-1").split()
        if len(line) != 3:
            respond(conn, 400, "Bad Request", "text/html", b"<h1>400 Bad Request</h1>")
        else:
            path = line[1].split("?")[0]
            filepath = os.path.join(DOCROOT, path.lstrip("/"))
            if ".." in path or not os.path.isfile(filepath):
                respond(conn, 404, "Not Found", "text/html", b"<h1>404 Not Found</h1>")
            else:
                with open(filepath, "rb") as f:
                    body = f.read()
                ctype = "image/png" if filepath.endswith(".png") else "text/plain" if filepath.endswith(".txt") else "text/html"
                respond(conn, 200, "OK", ctype, body)
    except Exception as e:
        print("error:", e)
    conn.close()
