# stage: 6
# story: A student wrote a tidy listing (quoted, escaped, sorted, "/" on folders) but redirects to path + "/" without the query, and hides a file only when its own name starts with ".", so a file inside a hidden folder is served.
# faults: redirect-drops-query, hidden-check-last-segment-only
import socket
import sys
import os
import html
import threading
import urllib.parse

TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".png": "image/png",
         ".css": "text/css", ".js": "text/javascript"}


def html_page(title, inner=""):
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>{inner}</body></html>".encode()


def reply(status, body, ctype="text/html; charset=utf-8", extra=None):
    headers = [("Content-Type", ctype)] + (extra or [])
    return status, headers, body


def pairs_text(data):
    s = ""
    for key, values in data.items():
        for value in values:
            s += f"key={html.escape(key)}; value={html.escape(value)}; "
    return s


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    path = urllib.parse.unquote(path)
    if path == "/echo":
        text = pairs_text(GET_data) + pairs_text(POST_data or {})
        return reply("200 OK", html_page("Echo", f"<p>{html.escape(path)}</p><p>{text}</p>"))

    root = os.path.realpath(os.getcwd())
    local = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if os.path.commonpath([root, local]) != root:
        return reply("404 Not Found", html_page("404 Not Found"))
    # hidden files (.env, .htaccess) are private
    if os.path.basename(path).startswith("."):
        return reply("404 Not Found", html_page("404 Not Found"))

    if os.path.isdir(local):
        if not path.endswith("/"):
            # folder without the slash -> send the browser to the right url
            new_url = urllib.parse.quote(path) + "/"
            return reply("301 Moved Permanently", html_page("Moved", f'<a href="{html.escape(new_url)}">here</a>'),
                         extra=[("Location", new_url)])
        index = os.path.join(local, "index.html")
        if os.path.isfile(index):
            with open(index, "rb") as f:
                return reply("200 OK", f.read())
        else:
            items = ""
            for name in sorted(os.listdir(local)):
                if name.startswith("."):
                    continue
                if os.path.isdir(os.path.join(local, name)):
                    name += "/"
                items += f'<li><a href="{urllib.parse.quote(name)}">{html.escape(name)}</a></li>\n'
            return reply("200 OK", html_page("Index of " + html.escape(path), "<ul>\n" + items + "</ul>"))

    if os.path.isfile(local) and not path.endswith("/"):
        with open(local, "rb") as f:
            data = f.read()
        return reply("200 OK", data, TYPES.get(os.path.splitext(local)[1].lower(), "application/octet-stream"))
    return reply("404 Not Found", html_page("404 Not Found", "<p>Nothing here.</p>"))


def get_length(headers):
    for name, value in headers.items():
        if name.lower() == "content-length":
            return int(value)
    return None


def handle_connection(client_sock, client_address):
    try:
        buf = b""
        while b"\r\n\r\n" not in buf:
            more = client_sock.recv(2048)
            if not more:
                return
            buf += more
        head, body = buf.split(b"\r\n\r\n", 1)
        request_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
        words = request_line.split(" ")
        if len(words) != 3 or not words[2].startswith("HTTP/") or not words[1].startswith("/"):
            status, headers, content = reply("400 Bad Request", html_page("400 Bad Request"))
        else:
            method, target, version = words
            received = {}
            for line in header_lines:
                if ":" in line:
                    name, value = line.split(":", 1)
                    received[name.strip()] = value.strip()
            path, _, query = target.partition("?")
            form = None
            if method == "POST":
                length = get_length(received)
                if length is None:
                    length = 0  # no body then
                while len(body) < length:
                    more = client_sock.recv(65536)
                    if not more:
                        break
                    body += more
                form = urllib.parse.parse_qs(body[:length].decode("utf-8", "replace"))
            try:
                status, headers, content = delegate(method, path, received, urllib.parse.parse_qs(query), form)
            except Exception as err:
                print("delegate failed:", repr(err), file=sys.stderr)
                status, headers, content = reply("500 Internal Server Error", html_page("500 Internal Server Error"))
        out = f"HTTP/1.1 {status}\r\n"
        for name, value in headers:
            out += f"{name}: {value}\r\n"
        out += f"Content-Length: {len(content)}\r\nConnection: close\r\n\r\n"
        client_sock.sendall(out.encode() + content)
    except Exception as err:
        print("connection error", client_address, err, file=sys.stderr)
    finally:
        client_sock.close()


def serve(interface, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((interface, port))
    listener.listen(32)
    while True:
        client_sock, client_address = listener.accept()
        t = threading.Thread(target=handle_connection, args=(client_sock, client_address))
        t.daemon = True
        t.start()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
