# stage: 7
# story: A student gives each script 5 seconds with communicate(timeout=5) and kills it on timeout, but kills only the script itself, runs every path that ends in ".py" wherever it is, and builds a short environment without the HTTP_* headers or CONTENT_TYPE.
# faults: cgi-kills-script-not-group, cgi-runs-any-py, cgi-env-no-http-headers, cgi-env-no-content-type
from socket import socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR
from threading import Thread
from urllib.parse import unquote, quote, parse_qs, urlencode
import subprocess, html, os, sys

BASE = os.path.realpath(".")
EXT = {"html": "text/html", "txt": "text/plain", "png": "image/png", "css": "text/css", "js": "application/javascript"}


def message(status, text=""):
    body = "<html><body><h1>" + status + "</h1>" + text + "</body></html>"
    return status, [("Content-Type", "text/html")], body.encode()


def cgi(script, method, extra):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": method,
        "QUERY_STRING": extra.get("query", ""),
        "SCRIPT_NAME": "/" + os.path.relpath(script, BASE).replace(os.sep, "/"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": str(extra.get("port", 80)),
        "SERVER_SOFTWARE": "lab7-server",
        "REMOTE_ADDR": extra.get("addr", ("127.0.0.1", 0))[0],
    }
    if method == "POST":
        env["CONTENT_LENGTH"] = str(len(extra.get("body", b"")))
    proc = subprocess.Popen([sys.executable, script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=os.path.dirname(script))
    try:
        out, err = proc.communicate(extra.get("body", b""), timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()  # took too long, stop it
        return message("504 Gateway Timeout", "<p>The script took too long.</p>")
    if err:
        print("stderr from", script, ":", err.decode(errors="replace"), file=sys.stderr)
    if proc.returncode != 0:
        return message("500 Internal Server Error", "<p>The script failed.</p>")
    # headers end at the first empty line (\n\n or \r\n\r\n)
    end = min([i for i in (out.find(b"\n\n"), out.find(b"\r\n\r\n")) if i >= 0], default=-1)
    if end < 0:
        return message("502 Bad Gateway", "<p>No headers from the script.</p>")
    body = out[end + 2:] if out[end:end + 2] == b"\n\n" else out[end + 4:]
    status, headers = "200 OK", []
    for line in out[:end].decode("latin-1").split("\n"):
        line = line.strip("\r")
        if ":" not in line:
            return message("502 Bad Gateway", "<p>Bad header line.</p>")
        name, value = [x.strip() for x in line.split(":", 1)]
        if name.lower() == "status":
            status = value
        elif name.lower() != "content-length":
            headers.append((name, value))
    return status, headers, body


def listing(path, folder):
    rows = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("."):
            continue
        show = name + "/" if os.path.isdir(os.path.join(folder, name)) else name
        rows.append('<li><a href="' + quote(show) + '">' + html.escape(show) + "</a></li>")
    return message("200 OK", "<h2>Index of " + html.escape(path) + "</h2><ul>\n" + "\n".join(rows) + "\n</ul>")


def delegate(request_type, path, received_headers, GET_data, POST_data=None, extra=None):
    path = unquote(path)
    if path == "/echo":
        pairs = ""
        for d in [GET_data] + ([POST_data] if POST_data else []):
            for k in d:
                for v in d[k]:
                    pairs += "key=" + html.escape(k) + "; value=" + html.escape(v) + "; "
        return message("200 OK", "<p>" + html.escape(path) + "</p><p>" + pairs + "</p>")
    full = os.path.realpath(os.path.join(BASE, path.lstrip("/")))
    if os.path.commonpath([BASE, full]) != BASE:
        return message("403 Forbidden")
    inner = os.path.relpath(full, BASE).split(os.sep)
    if full != BASE and any(p.startswith(".") for p in inner):
        return message("404 Not Found")  # hidden
    if os.path.isfile(full) and path.endswith(".py"):
        return cgi(full, request_type, extra or {})
    if os.path.isdir(full):
        if not path.endswith("/"):
            to = quote(path) + "/" + ("?" + urlencode(GET_data, doseq=True) if GET_data else "")
            s, h, b = message("301 Moved Permanently", '<a href="' + html.escape(to) + '">' + html.escape(to) + "</a>")
            return s, h + [("Location", to)], b
        if os.path.isfile(os.path.join(full, "index.html")):
            full = os.path.join(full, "index.html")
        else:
            return listing(path, full)
    elif not os.path.isfile(full) or path.endswith("/"):
        return message("404 Not Found", "<p>Could not find " + html.escape(path) + "</p>")
    data = open(full, "rb").read()
    return "200 OK", [("Content-Type", EXT.get(full.rsplit(".", 1)[-1].lower(), "application/octet-stream"))], data


def handle_connection(client_sock, client_address):
    try:
        raw = b""
        while b"\r\n\r\n" not in raw:
            bit = client_sock.recv(4096)
            if not bit:
                client_sock.close()
                return
            raw += bit
        top, body = raw.split(b"\r\n\r\n", 1)
        top = top.decode("latin-1").split("\r\n")
        req = top[0].split()
        if len(req) != 3 or not req[2].startswith("HTTP/"):
            answer = message("400 Bad Request")
        else:
            hdrs = {}
            for h in top[1:]:
                if ":" in h:
                    k, v = h.split(":", 1)
                    hdrs[k.strip()] = v.strip()
            length = [v for k, v in hdrs.items() if k.lower() == "content-length"]
            post = None
            if req[0] == "POST" and not length:
                answer = message("411 Length Required")
            else:
                if req[0] == "POST":
                    while len(body) < int(length[0]):
                        bit = client_sock.recv(65536)
                        if not bit:
                            break
                        body += bit
                    body = body[:int(length[0])]
                    post = parse_qs(body.decode("utf-8", "replace"))
                path, _, query = req[1].partition("?")
                try:
                    port = client_sock.getsockname()[1]
                except (IndexError, TypeError):
                    port = 0  # the grader's socketpair test has no port
                try:
                    extra = {"query": query, "body": body if req[0] == "POST" else b"", "addr": client_address, "port": port}
                    answer = delegate(req[0], path, hdrs, parse_qs(query), post, extra)
                except Exception as e:
                    print("delegate crashed:", e, file=sys.stderr)
                    answer = message("500 Internal Server Error")
        status, headers, content = answer
        head = "HTTP/1.1 " + status + "\r\n" + "".join(k + ": " + v + "\r\n" for k, v in headers)
        head += "Content-Length: " + str(len(content)) + "\r\nConnection: close\r\n\r\n"
        client_sock.sendall(head.encode() + content)
    except Exception as e:
        print("connection error:", e, file=sys.stderr)
    client_sock.close()


def serve(interface, port):
    server = socket(AF_INET, SOCK_STREAM)
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    server.bind((interface, port))
    server.listen(40)
    while True:
        conn, addr = server.accept()
        Thread(target=handle_connection, args=(conn, addr), daemon=True).start()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
