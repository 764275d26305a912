"""Corpus base for stages 6-7: base_stage5.py plus folders and CGI scripts.

    python base_stage7.py PORT

As base_stage5.py (a thread per connection; serve / handle_connection /
delegate), and: a folder answers with its index.html or a listing, /DIR
without its slash gets a 301, hidden names are 404; a .py file under
/cgi-bin/ runs as a CGI/1.1 script (run_cgi): [sys.executable, script], no
shell, in the script's folder, the CGI environment, the body on stdin, 5
seconds and then its whole process group is killed (504). Written the way a
careful student writes it; standard library only. The variants in
mutations.py are small edits of this file, so every snippet they replace must
stay exactly as it is here.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
from html import escape
from urllib.parse import parse_qs, quote, unquote

MAX_HEAD_BYTES = 64 * 1024
CGI_FOLDER = "/cgi-bin/"
CGI_SECONDS = 5
SERVER_SOFTWARE = "corpus-server/7.0"

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
    502: "Bad Gateway",
    504: "Gateway Timeout",
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
        answer(client_sock, client_address)
    except OSError:
        pass  # the client went away; there is nobody left to answer
    finally:
        client_sock.close()


def answer(client_sock, client_address):
    head, extra = read_head(client_sock)
    if head is None:
        return
    request = parse_head(head)
    if request is None:
        send_response(client_sock, *error_response(400))
        return
    method, target, version, headers = request
    path, _, query = target.partition("?")
    path = unquote(path)
    GET_data = parse_qs(query, keep_blank_values=True)
    POST_data = None
    body = b""
    if method == "POST":
        length = headers.get("content-length", "")
        if not length.isdigit():
            send_response(client_sock, *error_response(411))
            return
        body = read_body(client_sock, extra, int(length))
        POST_data = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    script = cgi_script(path)
    if script is not None and method in ("GET", "POST"):
        cgi_request = {"method": method, "path": path, "query": query, "headers": headers, "body": body,
                       "version": version, "client": client_address, "port": client_sock.getsockname()[1]}
        send_response(client_sock, *run_cgi(script, cgi_request))
        return
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
    """(method, target, version, headers) from a request head, or None if malformed."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    method, target, version = parts
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            return None
        headers[name.strip().lower()] = value.strip()
    return method, target, version, headers


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
    file_path = find_file(path)
    if file_path is None:
        return error_response(404)
    if os.path.isdir(file_path):
        if not path.endswith("/"):
            return redirect_to(path + "/", GET_data)
        return listing(path, file_path)
    with open(file_path, "rb") as file:
        body = file.read()
    return "200 OK", [("Content-Type", content_type_for(file_path))], body


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


def find_file(path):
    """The file (or folder without index.html) inside the document root that PATH names, or None."""
    if "\0" in path:
        return None
    root = os.path.realpath(os.getcwd())
    full_path = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if full_path != root and not full_path.startswith(root + os.sep):
        return None
    inside = os.path.relpath(full_path, root)
    if any(part.startswith(".") and part != "." for part in inside.split(os.sep)):
        return None  # hidden: .env, .git/config
    if os.path.isdir(full_path) and path.endswith("/"):
        index = os.path.join(full_path, "index.html")
        if os.path.isfile(index):
            return index
    if not os.path.exists(full_path):
        return None
    return full_path


def redirect_to(location, GET_data):
    query = "&".join(quote(key) + "=" + quote(value) for key, values in GET_data.items() for value in values)
    location = quote(location) + ("?" + query if query else "")
    page = "<html><body><p>Moved to <a href=\"" + escape(location) + "\">" + escape(location) + "</a></p></body></html>"
    return "301 Moved Permanently", [("Location", location), ("Content-Type", "text/html")], page.encode("utf-8")


def listing(path, folder):
    page = "<html><head><title>Index of " + escape(path) + "</title></head><body>\n<ul>\n"
    for name in sorted(os.listdir(folder)):
        if name.startswith("."):
            continue
        slash = "/" if os.path.isdir(os.path.join(folder, name)) else ""
        page += "<li><a href=\"" + quote(name) + slash + "\">" + escape(name) + slash + "</a></li>\n"
    page += "</ul>\n</body></html>\n"
    return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")


# -- CGI ------------------------------------------------------------------------


def cgi_script(path):
    """The script a /cgi-bin/ path names, or None (decided on the real, resolved path)."""
    file_path = find_file(path)
    if file_path is None or not os.path.isfile(file_path) or not file_path.endswith(".py"):
        return None
    cgi_bin = os.path.realpath(os.path.join(os.getcwd(), CGI_FOLDER.strip("/")))
    if not file_path.startswith(cgi_bin + os.sep):
        return None
    return file_path


def cgi_environment(script, request):
    env = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": request["method"],
        "QUERY_STRING": request["query"],
        "SCRIPT_NAME": request["path"],
        "SERVER_PROTOCOL": request["version"],
        "SERVER_NAME": request["headers"].get("host", "127.0.0.1").split(":")[0],
        "SERVER_PORT": str(request["port"]),
        "SERVER_SOFTWARE": SERVER_SOFTWARE,
        "REMOTE_ADDR": request["client"][0],
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    if request["method"] == "POST":
        env["CONTENT_LENGTH"] = str(len(request["body"]))
        env["CONTENT_TYPE"] = request["headers"].get("content-type", "")
    for name, value in request["headers"].items():
        if name not in ("content-length", "content-type"):
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def run_cgi(script, request):
    """Run a CGI script; its output becomes (status, headers, body)."""
    process = subprocess.Popen(
        [sys.executable, script],
        cwd=os.path.dirname(script),
        env=cgi_environment(script, request),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: we can stop all it starts
    )
    try:
        output, errors = process.communicate(request["body"], timeout=CGI_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return error_response(504)
    if errors:
        print("CGI", script, "said:", errors.decode("utf-8", "replace"), file=sys.stderr)
    if process.returncode != 0:
        return error_response(500)
    return cgi_response(output)


def cgi_response(output):
    """Split a script's output into status, headers and body."""
    ends = [(output.find(blank), len(blank)) for blank in (b"\r\n\r\n", b"\n\n") if blank in output]
    if not ends:
        return error_response(502)
    end, size = min(ends)
    head, body = output[:end], output[end + size:]
    status = "200 OK"
    headers = []
    for line in head.decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if not colon:
            return error_response(502)
        name, value = name.strip(), value.strip()
        if name.lower() == "status":
            status = value
        elif name.lower() != "content-length":
            headers.append((name, value))
    return status, headers, body


def content_type_for(file_path):
    extension = os.path.splitext(file_path)[1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python " + sys.argv[0] + " PORT")
    serve("", int(sys.argv[1]))
