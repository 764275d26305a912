"""Correct corpus server for stage 1 only, in the textbook's minimal style.

    python stage1_minimal.py PORT

No functions beyond what is needed, a flat accept loop, the file name taken
from the request line. It knows nothing about 404 or /echo, which is fine at
stage 1. Different from base_stage3.py on purpose: HTTP/1.0, header names in
another order, Content-Type from the mimetypes module, and the body sent in a
separate sendall() after the head.
"""

import mimetypes
import os
import socket
import sys

if __name__ == "__main__":
    port = int(sys.argv[1])
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind(("", port))
    server_socket.listen(1)
    while True:
        connection_socket, addr = server_socket.accept()
        message = b""
        while b"\r\n\r\n" not in message:
            piece = connection_socket.recv(2048)
            if not piece:
                break
            message += piece
        try:
            target = message.split()[1].decode("latin-1")
            filename = target.split("?")[0][1:]
            with open(filename, "rb") as f:
                output_data = f.read()
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            header = "HTTP/1.0 200 OK\r\n"
            header += "Content-Length: %d\r\n" % len(output_data)
            header += "Content-Type: %s\r\n" % content_type
            header += "Connection: close\r\n\r\n"
            connection_socket.sendall(header.encode())
            connection_socket.sendall(output_data)
        except (IndexError, OSError):
            # Stage 1 only promises existing files; anything else gets a bare 404.
            connection_socket.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        connection_socket.close()
