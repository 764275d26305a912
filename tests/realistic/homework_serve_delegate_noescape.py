# stage: 4
# story: A course student's serve/handle_connection/delegate homework, threaded per connection, but the echo page puts keys and values in the HTML unescaped and reads the request with one recv.
# faults: echo-no-html-escape, single-recv
import socket
import sys
import os
import threading
from urllib.parse import unquote, parse_qs

TYPES = {".html": "text/html", ".txt": "text/plain", ".png": "image/png"}


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    """Decide what to send back. Returns (status, headers, body)."""
    if path == "/echo":
        body = "<html><body><h2>" + path + "</h2>"
        for key, values in GET_data.items():
            for value in values:
                body += "key=" + key + "; value=" + value + "; "
        body = (body + "</body></html>").encode()
        return "200 OK", [("Content-Type", "text/html")], body
    name = path.lstrip("/")
    if ".." in path.split("/") or not os.path.isfile(name):
        return "404 Not Found", [("Content-Type", "text/html")], b"<h1>404 Not Found</h1>"
    with open(name, "rb") as f:
        body = f.read()
    return "200 OK", [("Content-Type", TYPES.get(os.path.splitext(name)[1], "application/octet-stream"))], body


def handle_connection(client_sock, client_address):
    try:
        data = client_sock.recv(4096).decode("latin-1")
        lines = data.split("\r\n")
        words = lines[0].split()
        if len(words) != 3:
            status, headers, body = "400 Bad Request", [("Content-Type", "text/html")], b"<h1>400 Bad Request</h1>"
        else:
            received_headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    received_headers[k.strip().lower()] = v.strip()
            path, _, query = words[1].partition("?")
            status, headers, body = delegate(words[0], unquote(path), received_headers, parse_qs(query))
        out = "HTTP/1.1 " + status + "\r\n"
        for k, v in headers + [("Content-Length", str(len(body))), ("Connection", "close")]:
            out += k + ": " + v + "\r\n"
        client_sock.sendall((out + "\r\n").encode() + body)
    except OSError as e:
        print("client error", client_address, e)
    finally:
        client_sock.close()


def serve(interface, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((interface, port))
    server.listen(50)
    print("serving on", interface, port)
    while True:
        client_sock, client_address = server.accept()
        threading.Thread(target=handle_connection, args=(client_sock, client_address)).start()


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]))
