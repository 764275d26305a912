# stage: 7
# story: A student found subprocess.check_output on Stack Overflow and runs "python3 " + script with shell=True, then sends whatever the script printed as the body of a 200 text/html page, with the query string decoded "to make it easier for the script".
# faults: cgi-shell-command, cgi-not-sys-executable, cgi-name-with-space-breaks, cgi-no-timeout, cgi-output-not-parsed (script headers in the body, Status ignored, no header block gives 200), cgi-query-string-decoded
from socket import *
import os, sys, html, threading, subprocess
from urllib.parse import unquote, quote, parse_qs, urlencode

root = os.path.realpath(".")
cgi_dir = os.path.join(root, "cgi-bin")
types = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".css": "text/css"}


def simple_page(title, msg=""):
    return ("<html><body><h1>" + title + "</h1><p>" + msg + "</p></body></html>").encode()


def echo_pairs(d):
    s = ""
    for k, vals in d.items():
        for v in vals:
            s += "key=" + html.escape(k) + "; value=" + html.escape(v) + "; "
    return s


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    path = unquote(path)
    local = os.path.realpath(os.path.join(root, path.lstrip("/")))
    inside = os.path.commonpath([root, local]) == root
    hidden = any(part.startswith(".") for part in os.path.relpath(local, root).split(os.sep) if part != ".")
    if path == "/echo":
        body = "<html><body><p>" + html.escape(path) + "</p><p>" + echo_pairs(GET_data) + echo_pairs(POST_data or {}) + "</p></body></html>"
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], body.encode()
    elif not inside or hidden or not os.path.exists(local):
        return "404 Not Found", [("Content-Type", "text/html")], simple_page("404 Not Found", "Not here.")
    elif os.path.isdir(local) and not path.endswith("/"):
        loc = quote(path) + "/"
        if GET_data:
            loc += "?" + urlencode(GET_data, doseq=True)
        return "301 Moved Permanently", [("Content-Type", "text/html"), ("Location", loc)], simple_page("Moved", loc)
    elif os.path.isdir(local) and os.path.isfile(os.path.join(local, "index.html")):
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], open(os.path.join(local, "index.html"), "rb").read()
    elif os.path.isdir(local):
        items = ""
        for name in sorted(os.listdir(local)):
            if name[0] == ".":
                continue
            if os.path.isdir(os.path.join(local, name)):
                name += "/"
            items += '<li><a href="' + quote(name) + '">' + html.escape(name) + "</a></li>\n"
        page = "<html><head><meta charset='utf-8'></head><body><h1>Index of " + html.escape(path) + "</h1><ul>\n" + items + "</ul></body></html>"
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")
    elif path.endswith("/"):
        return "404 Not Found", [("Content-Type", "text/html")], simple_page("404 Not Found")
    else:
        with open(local, "rb") as f:
            data = f.read()
        return "200 OK", [("Content-Type", types.get(os.path.splitext(local)[1].lower(), "application/octet-stream"))], data


def run_cgi(script_path, method, query, headers, body, client_address, server_port):
    env = dict(os.environ)
    env["GATEWAY_INTERFACE"] = "CGI/1.1"
    env["REQUEST_METHOD"] = method
    env["QUERY_STRING"] = unquote(query)   # decode it here so the script gets normal text
    env["SCRIPT_NAME"] = unquote(script_path[len(root):])
    env["SERVER_PROTOCOL"] = "HTTP/1.1"
    env["SERVER_NAME"] = "localhost"
    env["SERVER_PORT"] = str(server_port)
    env["SERVER_SOFTWARE"] = "MyServer/0.7"
    env["REMOTE_ADDR"] = client_address[0]
    if method == "POST":
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = headers.get("content-type", "")
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    try:
        output = subprocess.check_output("python3 " + script_path, shell=True, env=env, input=body, cwd=cgi_dir)
    except subprocess.CalledProcessError as e:
        print("script failed", e)
        return "500 Internal Server Error", [("Content-Type", "text/html")], simple_page("500 Internal Server Error", "The script crashed.")
    return "200 OK", [("Content-Type", "text/html")], output


def handle_connection(client_sock, client_address):
    try:
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = client_sock.recv(4096)
            if not chunk:
                client_sock.close()
                return
            req += chunk
        head, body = req.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        first = lines[0].split()
        if len(first) != 3 or not first[2].startswith("HTTP/"):
            status, hdrs, content = "400 Bad Request", [("Content-Type", "text/html")], simple_page("400 Bad Request")
        else:
            method, target = first[0], first[1]
            headers = {}
            for l in lines[1:]:
                if ":" in l:
                    headers[l.split(":", 1)[0].strip().lower()] = l.split(":", 1)[1].strip()
            path, _, query = target.partition("?")
            post = None
            if method == "POST":
                n = int(headers.get("content-length", "0"))
                while len(body) < n:
                    chunk = client_sock.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                body = body[:n]
                post = parse_qs(body.decode("utf-8", "replace"))
            script = os.path.realpath(os.path.join(root, unquote(path).lstrip("/")))
            if path.startswith("/cgi-bin/") and script.startswith(cgi_dir + os.sep) and script.endswith(".py") and os.path.isfile(script):
                status, hdrs, content = run_cgi(script, method, query, headers, body, client_address, client_sock.getsockname()[1])
            else:
                try:
                    status, hdrs, content = delegate(method, path, headers, parse_qs(query), post)
                except Exception as e:
                    print("delegate error", e)
                    status, hdrs, content = "500 Internal Server Error", [("Content-Type", "text/html")], simple_page("500 Internal Server Error")
        resp = "HTTP/1.1 " + status + "\r\n"
        for k, v in hdrs:
            resp += k + ": " + v + "\r\n"
        resp += "Content-Length: " + str(len(content)) + "\r\nConnection: close\r\n\r\n"
        client_sock.sendall(resp.encode() + content)
    except Exception as e:
        print("error:", e)
    client_sock.close()


def serve(interface, port):
    server = socket(AF_INET, SOCK_STREAM)
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    server.bind((interface, port))
    server.listen(50)
    print("Serving on port", port)
    while True:
        c, a = server.accept()
        threading.Thread(target=handle_connection, args=(c, a), daemon=True).start()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
