# stage: 6
# story: A student who copies what Apache does answers in HTTP/1.0 with lower-case header names, lists folders before files with absolute links, refuses hidden names with 403, and redirects to a full http://HOST/dir/ URL built from the Host header, query and all.
# faults: none
import socket, threading, os, sys, html
from urllib.parse import unquote, quote, parse_qs, urlencode

KINDS = {"html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8",
         "png": "image/png", "css": "text/css", "js": "text/javascript", "ico": "image/x-icon"}
HOME = os.path.realpath(".")


def small_page(title, text=""):
    return ("<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>"
            % (title, title, text)).encode("utf-8")


def find_header(headers, name):
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


def echo_lines(data):
    return "".join("key=%s; value=%s; " % (html.escape(k), html.escape(v)) for k in data for v in data[k])


def folder_page(url, folder):
    dirs, files = [], []
    for name in sorted(os.listdir(folder)):
        if name.startswith("."):
            continue  # hidden
        if os.path.isdir(os.path.join(folder, name)):
            dirs.append(name + "/")
        else:
            files.append(name)
    rows = ""
    for name in dirs + files:  # folders first, like a file manager
        rows += '<li><a href="%s">%s</a></li>\n' % (quote(url + name), html.escape(name))
    return ("<html><head><meta charset='utf-8'><title>Index of %s</title></head><body><h1>Index of %s</h1>\n<ul>\n%s</ul></body></html>"
            % (html.escape(url), html.escape(url), rows)).encode("utf-8")


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    url = unquote(path)
    parts = [p for p in url.split("/") if p]
    disk = os.path.realpath(os.path.join(HOME, *parts))
    if url == "/echo":
        text = "<p>%s</p><p>%s%s</p>" % (html.escape(url), echo_lines(GET_data), echo_lines(POST_data or {}))
        return "200 OK", [("content-type", "text/html; charset=utf-8")], ("<html><body>" + text + "</body></html>").encode()
    elif any(p.startswith(".") and p != "." for p in parts) or os.path.commonpath([HOME, disk]) != HOME:
        return "403 Forbidden", [("content-type", "text/html")], small_page("403 Forbidden", "Not allowed.")
    elif os.path.isdir(disk) and not url.endswith("/"):
        host = find_header(received_headers, "host")
        where = quote(url) + "/"
        if host:
            where = "http://" + host + where
        if GET_data:
            where += "?" + urlencode(GET_data, doseq=True)
        return "301 Moved Permanently", [("content-type", "text/html"), ("location", where)], \
            small_page("301 Moved Permanently", 'Moved to <a href="%s">%s</a>' % (html.escape(where), html.escape(where)))
    elif os.path.isdir(disk) and os.path.isfile(os.path.join(disk, "index.html")):
        with open(os.path.join(disk, "index.html"), "rb") as f:
            return "200 OK", [("content-type", KINDS["html"])], f.read()
    elif os.path.isdir(disk):
        return "200 OK", [("content-type", "text/html; charset=utf-8")], folder_page(url, disk)
    elif os.path.isfile(disk) and not url.endswith("/"):
        with open(disk, "rb") as f:
            body = f.read()
        return "200 OK", [("content-type", KINDS.get(disk.rsplit(".", 1)[-1].lower(), "application/octet-stream"))], body
    else:
        return "404 Not Found", [("content-type", "text/html")], small_page("404 Not Found", "No such file.")


def send_reply(conn, status, headers, body):
    top = "HTTP/1.0 %s\r\n" % status
    for k, v in headers:
        top += "%s: %s\r\n" % (k, v)
    top += "content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
    conn.sendall(top.encode("latin-1") + body)


def handle_connection(client_sock, client_address):
    with client_sock:
        try:
            raw = b""
            while b"\r\n\r\n" not in raw:
                got = client_sock.recv(4096)
                if not got:
                    return
                raw += got
            head, rest = raw.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            words = lines[0].split(" ")
            if len(words) != 3 or not words[2].startswith("HTTP/"):
                return send_reply(client_sock, "400 Bad Request", [("content-type", "text/html")], small_page("400 Bad Request"))
            headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
            headers = {k.strip(): v.strip() for k, v in headers.items()}
            path, _, query = words[1].partition("?")
            form = None
            if words[0] == "POST":
                size = find_header(headers, "content-length")
                if size is None or not size.isdigit():
                    return send_reply(client_sock, "411 Length Required", [("content-type", "text/html")], small_page("411 Length Required"))
                while len(rest) < int(size):
                    got = client_sock.recv(65536)
                    if not got:
                        return
                    rest += got
                form = parse_qs(rest[:int(size)].decode("utf-8", "replace"))
            try:
                answer = delegate(words[0], path, headers, parse_qs(query), form)
            except Exception as problem:
                print("delegate crashed:", problem, file=sys.stderr)
                answer = ("500 Internal Server Error", [("content-type", "text/html")], small_page("500 Internal Server Error"))
            send_reply(client_sock, *answer)
        except Exception as problem:
            print("problem with", client_address, problem, file=sys.stderr)


def serve(interface, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((interface, port))
    srv.listen(64)
    while True:
        conn, addr = srv.accept()
        threading.Thread(target=handle_connection, args=(conn, addr), daemon=True).start()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
