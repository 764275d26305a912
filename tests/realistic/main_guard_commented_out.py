# stage: 2
# story: A student commented out the __main__ block while debugging in a notebook and handed in the file that way, so running it does nothing.
# faults: main-guard-commented-out
import socket
import sys
import os
from urllib.parse import unquote

def make_response(status, ctype, body):
    head = "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (status, ctype, len(body))
    return head.encode() + body

def handle(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(1024)
        if not more:
            return
        data += more
    parts = data.split(b"\r\n")[0].decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        conn.sendall(make_response("400 Bad Request", "text/html", b"<h1>400 Bad Request</h1>"))
        return
    path = unquote(parts[1].split("?")[0])
    if ".." in path.split("/"):
        conn.sendall(make_response("403 Forbidden", "text/html", b"<h1>403 Forbidden</h1>"))
        return
    name = path.lstrip("/")
    if not os.path.isfile(name):
        conn.sendall(make_response("404 Not Found", "text/html", b"<h1>404 Not Found</h1>"))
        return
    kinds = {".html": "text/html", ".txt": "text/plain", ".png": "image/png"}
    with open(name, "rb") as f:
        conn.sendall(make_response("200 OK", kinds.get(os.path.splitext(name)[1], "application/octet-stream"), f.read()))

def main():
    port = int(sys.argv[1])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(5)
    print("listening on", port)
    while True:
        conn, addr = s.accept()
        try:
            handle(conn)
        except OSError as e:
            print("error:", e)
        finally:
            conn.close()

#if __name__ == "__main__":
#    main()
