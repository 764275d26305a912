"""Hostile submission: answers exactly one request correctly, then exits."""
import mimetypes
import socket
import sys
from urllib.parse import unquote, urlsplit

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
client, _ = server.accept()
request = b""
while b"\r\n\r\n" not in request:
    piece = client.recv(4096)
    if not piece:
        break
    request += piece
path = unquote(urlsplit(request.split(b" ")[1].decode("latin-1")).path)
with open("." + path, "rb") as wanted:
    body = wanted.read()
kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
head = f"HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
client.sendall(head.encode() + body)
client.close()
print("labgrade-hostile: one request is enough", flush=True)
