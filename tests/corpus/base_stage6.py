"""Corpus base for stage 6: the threaded POST server of base_stage5.py, plus folders.

    python base_stage6.py PORT

As base_stage5.py (serve / handle_connection / delegate), and a path that
names a folder gets its index.html, or else a listing of its entries with
relative links; a folder asked for without the trailing slash gets a 301 to
the path with it (the query string kept). Names starting with "." are hidden:
never listed, never served. Standard library only. The variants in
mutations.py are small edits of this file, so every snippet they replace must
stay exactly as it is here.
"""

import os
import socket
import sys
import threading
from html import escape
from urllib.parse import parse_qs, quote, unquote, urlencode

MAX_HEAD_BYTES = 64 * 1024

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".png": "image/png",
}

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    400: "Bad Request",
    404: "Not Found",
    411: "Length Required",
    500: "Internal Server Error",
    501: "Not Implemented",
}


def serve(interface, port):
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind((interface, port))
    server_socket.listen(64)
    while True:
        client_sock, client_address = server_socket.accept()
        # One thread per connection: a slow client only holds up its own thread.
        thread = threading.Thread(
            target=handle_connection, args=(client_sock, client_address), daemon=True
        )
        thread.start()


def handle_connection(client_sock, client_address):
    try:
        answer(client_sock)
    except OSError:
        pass  # the client went away; there is nobody left to answer
    finally:
        client_sock.close()


def answer(client_sock):
    head, extra = read_head(client_sock)
    if head is None:
        return
    request = parse_head(head)
    if request is None:
        send_response(client_sock, *error_response(400))
        return
    method, target, headers = request
    path, _, query = target.partition("?")
    path = unquote(path)
    GET_data = parse_qs(query, keep_blank_values=True)
    POST_data = None
    if method == "POST":
        length = headers.get("content-length", "")
        if not length.isdigit():
            send_response(client_sock, *error_response(411))
            return
        body = read_body(client_sock, extra, int(length))
        POST_data = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    try:
        status, response_headers, body = delegate(method, path, headers, GET_data, POST_data)
    except Exception:
        # A bug in delegate must not cost the client its answer.
        status, response_headers, body = error_response(500)
    send_response(client_sock, status, response_headers, body)


def read_head(client_sock):
    """Read up to the blank line; return (head, bytes already read after it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD_BYTES:
            return b"", b""  # far too long to be a request head: answer 400
        chunk = client_sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
    head, _, extra = data.partition(b"\r\n\r\n")
    return head, extra


def parse_head(head):
    """(method, target, headers) from a request head, or None if malformed."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    method, target, _version = parts
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            return None
        headers[name.strip().lower()] = value.strip()
    return method, target, headers


def read_body(client_sock, already_read, length):
    # The body may arrive with the headers, after them, or in pieces:
    # Content-Length says when it is complete.
    body = already_read
    while len(body) < length:
        chunk = client_sock.recv(min(65536, length - len(body)))
        if not chunk:
            break
        body += chunk
    return body[:length]


def send_response(client_sock, status, headers, body):
    lines = ["HTTP/1.1 " + status]
    for name, value in headers:
        lines.append(name + ": " + value)
    lines.append("Content-Length: " + str(len(body)))
    lines.append("Connection: close")
    head = "\r\n".join(lines) + "\r\n\r\n"
    client_sock.sendall(head.encode("latin-1") + body)


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    """Decide the answer: (status, [(header, value), ...], body bytes)."""
    if request_type not in ("GET", "POST"):
        return error_response(501)
    if path == "/echo":
        page = echo_page(path, GET_data, POST_data or {})
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page
    full_path = find_path(path)
    if full_path is None:
        return error_response(404)
    if os.path.isdir(full_path):
        return folder_response(path, full_path, GET_data)
    return file_response(full_path)


def file_response(file_path):
    with open(file_path, "rb") as file:
        body = file.read()
    return "200 OK", [("Content-Type", content_type_for(file_path))], body


def folder_response(path, folder, GET_data):
    if not path.endswith("/"):
        # Without the slash, the relative links of the page would resolve in the parent folder.
        location = quote(path + "/")
        if GET_data:
            location += "?" + urlencode(GET_data, doseq=True)
        page = '<html><body><p>Moved to <a href="' + escape(location) + '">' + escape(location) + "</a></p></body></html>"
        return "301 Moved Permanently", [("Location", location), ("Content-Type", "text/html")], page.encode("utf-8")
    index = os.path.join(folder, "index.html")
    if os.path.isfile(index):
        return file_response(index)
    return "200 OK", [("Content-Type", "text/html; charset=utf-8")], listing_page(path, folder)


def listing_page(path, folder):
    names = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    items = ""
    for name in names:
        shown = name + "/" if os.path.isdir(os.path.join(folder, name)) else name
        items += '<li><a href="' + quote(shown) + '">' + escape(shown) + "</a></li>\n"
    page = '<html><head><meta charset="utf-8"><title>Index of ' + escape(path) + "</title></head><body>\n"
    page += "<h1>Index of " + escape(path) + "</h1>\n<ul>\n" + items + "</ul>\n</body></html>\n"
    return page.encode("utf-8")


def error_response(code):
    status = str(code) + " " + REASONS[code]
    page = "<html><body><h1>" + status + "</h1></body></html>"
    return status, [("Content-Type", "text/html")], page.encode("utf-8")


def echo_pairs(data):
    text = ""
    for key, values in data.items():
        for value in values:
            text += "key=" + escape(key) + "; value=" + escape(value) + "; "
    return text


def echo_page(path, GET_data, POST_data):
    pairs = echo_pairs(GET_data) + echo_pairs(POST_data)
    page = "<html><head><title>Echo</title></head><body>\n"
    page += "<p>Path: " + escape(path) + "</p>\n"
    page += "<p>" + pairs.strip() + "</p>\n"
    page += "</body></html>\n"
    return page.encode("utf-8")


def find_path(path):
    """The file or folder inside the document root that PATH names, or None."""
    if "\0" in path:
        return None
    root = os.path.realpath(os.getcwd())
    full_path = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if full_path != root and not full_path.startswith(root + os.sep):
        return None
    relative = full_path[len(root):]
    if any(part.startswith(".") for part in relative.split(os.sep)):
        return None  # hidden (.env, .git/...), at any depth
    if not os.path.exists(full_path):
        return None
    return full_path


def content_type_for(file_path):
    extension = os.path.splitext(file_path)[1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python " + sys.argv[0] + " PORT")
    serve("", int(sys.argv[1]))
