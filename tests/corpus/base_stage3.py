"""Corpus base for stages 1-3: a sequential web server.

    python base_stage3.py PORT

Serves the files of the working directory and an /echo page built from the
query string, one connection at a time: accept, read the request, answer,
close. Written the way a careful student writes it after stage 3, standard
library only. The buggy variants in mutations.py are small edits of this file,
so every snippet they replace must stay exactly as it is here.
"""

import os
import socket
import sys
from html import escape
from urllib.parse import parse_qsl, unquote

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".png": "image/png",
}


def content_type_for(file_path):
    extension = os.path.splitext(file_path)[1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def read_request_head(connection):
    # TCP is a stream: the request may arrive in several pieces, so keep
    # reading until the blank line that ends the headers.
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(1024)
        if not chunk:
            break
        data += chunk
    return data


def send_response(connection, status, content_type, body):
    lines = [
        "HTTP/1.1 " + status,
        "Content-Type: " + content_type,
        "Content-Length: " + str(len(body)),
        "Connection: close",
    ]
    head = "\r\n".join(lines) + "\r\n\r\n"
    connection.sendall(head.encode("ascii") + body)


def send_error(connection, status):
    page = "<html><head><title>" + status + "</title></head>"
    page += "<body><h1>" + status + "</h1></body></html>"
    send_response(connection, status, "text/html", page.encode("utf-8"))


def echo_page(path, query):
    pairs = parse_qsl(query, keep_blank_values=True)
    text = ""
    for key, value in pairs:
        text += "key=" + escape(key) + "; value=" + escape(value) + "; "
    page = "<html><head><title>Echo</title></head><body>\n"
    page += "<p>You asked for " + escape(path) + "</p>\n"
    page += "<p>" + text.strip() + "</p>\n"
    page += "</body></html>\n"
    return page.encode("utf-8")


def find_file(path):
    """The file inside the document root that PATH names, or None."""
    root = os.path.realpath(os.getcwd())
    full_path = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if full_path != root and not full_path.startswith(root + os.sep):
        return None  # the path climbed out of the document root
    if os.path.isdir(full_path):
        full_path = os.path.join(full_path, "index.html")
    if not os.path.isfile(full_path):
        return None
    return full_path


def handle_request(connection):
    head = read_request_head(connection)
    if not head:
        return  # the client left without asking anything
    request_line = head.split(b"\r\n")[0].decode("latin-1")
    parts = request_line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        send_error(connection, "400 Bad Request")
        return
    method, target, version = parts
    if method != "GET":
        send_error(connection, "501 Not Implemented")
        return
    path, _, query = target.partition("?")
    path = unquote(path)
    if "\0" in path:
        send_error(connection, "400 Bad Request")
        return
    if path == "/echo":
        send_response(connection, "200 OK", "text/html", echo_page(path, query))
        return
    file_path = find_file(path)
    if file_path is None:
        send_error(connection, "404 Not Found")
        return
    with open(file_path, "rb") as file:
        body = file.read()
    send_response(connection, "200 OK", content_type_for(file_path), body)


def main():
    port = int(sys.argv[1])
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind(("", port))
    server_socket.listen(5)
    while True:
        connection, address = server_socket.accept()
        try:
            handle_request(connection)
        except OSError as error:
            print("connection from", address, "failed:", error)
        connection.close()


if __name__ == "__main__":
    main()
