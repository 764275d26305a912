# stage: 1
# story: A data-science student imports pandas to keep a request log in a DataFrame; the grader's Python has no pandas, so it dies on import.
# faults: missing-third-party-package
import socket
import sys
import datetime
import pandas as pd

log = pd.DataFrame(columns=["time", "path", "status"])

TYPES = {"html": "text/html", "txt": "text/plain", "png": "image/png"}

port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(5)
print("serving on", port)

while True:
    conn, addr = server.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = conn.recv(1024)
        if not chunk:
            break
        req += chunk
    try:
        path = req.split()[1].decode().split("?")[0]
        with open(path[1:], "rb") as f:
            body = f.read()
        status = "200 OK"
        ctype = TYPES.get(path.rsplit(".", 1)[-1], "application/octet-stream")
    except (OSError, IndexError):
        path = "?"
        status = "404 Not Found"
        body = b"<h1>404 Not Found</h1>"
        ctype = "text/html"
    conn.sendall(("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                  % (status, ctype, len(body))).encode() + body)
    conn.close()
    log.loc[len(log)] = [datetime.datetime.now(), path, status]
    print(log.tail(1))
