# stage: 2
# story: A tidy student split the server into main.py and an http_utils helper module, but never percent-decodes the path and only blocks paths that start with '..'.
# faults: no-percent-decode, path-traversal
import os
import socket
import sys

import http_utils


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(1024)
        if not chunk:
            break
        data += chunk
    return data


def handle(conn):
    request = read_request(conn)
    if not request:
        return
    first = request.split(b"\r\n")[0].decode("latin-1").split()
    if len(first) != 3 or not first[2].startswith("HTTP/"):
        conn.sendall(http_utils.bad_request())
        return
    path = first[1].split("?")[0]
    name = path[1:]
    if name.startswith(".."):
        conn.sendall(http_utils.not_found())
        return
    if os.path.isfile(name):
        with open(name, "rb") as f:
            body = f.read()
        conn.sendall(http_utils.build_response(200, "OK", http_utils.guess_type(name), body))
    else:
        conn.sendall(http_utils.not_found())


def main():
    port = int(sys.argv[1])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(5)
    print("Server started on port", port)
    while True:
        conn, addr = server.accept()
        try:
            handle(conn)
        except Exception as e:
            print("Error while handling", addr, e)
        conn.close()


if __name__ == "__main__":
    main()
