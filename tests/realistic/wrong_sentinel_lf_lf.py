# stage: 1
# story: A student read that headers end with an empty line and loops until b'\n\n' shows up, which never happens with CRLF requests, so every client hangs.
# faults: wrong-sentinel
import socket
import sys

PORT = int(sys.argv[1])
TYPES = {"html": "text/html", "txt": "text/plain", "png": "image/png"}

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", PORT))
server.listen(5)
print("ready on", PORT)

while True:
    conn, addr = server.accept()
    request = b""
    # keep reading until the empty line at the end of the headers
    while not request.endswith(b"\n\n"):
        piece = conn.recv(1024)
        if not piece:
            break
        request += piece
    try:
        path = request.split()[1].decode().split("?")[0]
        with open(path[1:], "rb") as f:
            body = f.read()
        ctype = TYPES.get(path.rsplit(".", 1)[-1], "application/octet-stream")
        status = "200 OK"
    except (IndexError, OSError):
        body = b"<h1>404 Not Found</h1>"
        ctype = "text/html"
        status = "404 Not Found"
    head = "HTTP/1.1 " + status + "\r\n"
    head += "Content-Type: " + ctype + "\r\n"
    head += "Content-Length: " + str(len(body)) + "\r\n"
    head += "Connection: close\r\n\r\n"
    conn.sendall(head.encode() + body)
    conn.close()
