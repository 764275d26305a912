# stage: 7
# story: A student who read RFC 3875 and the nginx docs serves with a ThreadPoolExecutor, answers HTTP/1.0, hands scripts the whole os.environ plus the CGI variables, answers 502 Bad Gateway for a script that fails or prints no header block, and kills the script's whole process group after 5 seconds.
# faults: none
import html
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

DOCS = os.path.realpath(os.getcwd())
SCRIPTS = os.path.join(DOCS, "cgi-bin")
TIME_LIMIT = 5
TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".png": "image/png",
         ".css": "text/css", ".js": "text/javascript", ".ico": "image/x-icon"}


def error(status, why=""):
    text = f"<!DOCTYPE html><html><head><title>{status}</title></head><body><h1>{status}</h1><p>{html.escape(why)}</p></body></html>"
    return status, [("Content-Type", "text/html; charset=utf-8")], text.encode()


def resolve(path):
    """decoded url path -> real file/folder inside DOCS, or None (outside, hidden, missing)"""
    real = os.path.realpath(os.path.join(DOCS, path.lstrip("/")))
    if "\x00" in path or os.path.commonpath([DOCS, real]) != DOCS:
        return None
    if real != DOCS and any(p.startswith(".") for p in os.path.relpath(real, DOCS).split(os.sep)):
        return None
    return real if os.path.exists(real) else None


def run_cgi(script, env, stdin):
    proc = subprocess.Popen([sys.executable, script], cwd=os.path.dirname(script), env=env, start_new_session=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(stdin, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the script and anything it forked
        proc.communicate()
        return error("504 Gateway Timeout", "The script ran too long.")
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # leftovers in the background
    except ProcessLookupError:
        pass
    if err:
        print(f"[cgi] {script}: {err.decode('utf-8', 'replace').rstrip()}", file=sys.stderr)
    if proc.returncode != 0:
        return error("502 Bad Gateway", "The script failed.")
    match = re.search(rb"\r?\n\r?\n", out)
    if match is None:
        return error("502 Bad Gateway", "The script sent no header block.")
    status, headers = "200 OK", []
    for line in out[:match.start()].decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if not colon:
            return error("502 Bad Gateway", "Malformed header from the script.")
        if name.strip().lower() == "status":
            status = value.strip()
        elif name.strip().lower() != "content-length":
            headers.append((name.strip(), value.strip()))
    return status, headers, out[match.end():]


def cgi_env(method, path, headers, query, body, client, server):
    env = dict(os.environ)
    env.update(GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD=method, QUERY_STRING=query, SCRIPT_NAME=path,
               SERVER_PROTOCOL="HTTP/1.0", SERVER_NAME=server[0], SERVER_PORT=str(server[1]),
               SERVER_SOFTWARE="poolserver/0.7", REMOTE_ADDR=client[0])
    if method == "POST":
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = headers.get("content-type", "")
    for name, value in headers.items():
        if name != "proxy":
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def delegate(request_type, path, received_headers, GET_data, POST_data=None, cgi_info=None):
    decoded = urllib.parse.unquote(path)
    real = resolve(decoded)
    if decoded == "/echo":
        pairs = "".join(f"key={html.escape(k)}; value={html.escape(v)}; "
                        for data in (GET_data, POST_data or {}) for k, vs in data.items() for v in vs)
        page = f"<html><body><p>Path: {html.escape(decoded)}</p><p>{pairs}</p></body></html>"
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode()
    if real is None:
        return error("404 Not Found", f"{decoded} does not exist.")
    if path.startswith("/cgi-bin/") and real.endswith(".py") and os.path.isfile(real) \
            and os.path.commonpath([SCRIPTS, real]) == SCRIPTS:
        info = cgi_info or {}
        env = cgi_env(request_type, decoded, received_headers, info.get("query", urllib.parse.urlencode(GET_data, doseq=True)),
                      info.get("body", b""), info.get("client", ("127.0.0.1", 0)), info.get("server", ("127.0.0.1", 0)))
        return run_cgi(real, env, info.get("body", b""))
    if os.path.isdir(real) and not decoded.endswith("/"):
        target = urllib.parse.quote(decoded) + "/"
        if GET_data:
            target += "?" + urllib.parse.urlencode(GET_data, doseq=True)
        status, hdrs, body = error("301 Moved Permanently", "Now at " + target)
        return status, hdrs + [("Location", target)], body
    if os.path.isdir(real) and os.path.isfile(os.path.join(real, "index.html")):
        real = os.path.join(real, "index.html")
    elif os.path.isdir(real):
        items = []
        for name in sorted(os.listdir(real)):
            if name.startswith("."):
                continue
            slash = "/" if os.path.isdir(os.path.join(real, name)) else ""
            items.append(f'<li><a href="{urllib.parse.quote(name)}{slash}">{html.escape(name)}{slash}</a></li>')
        page = f"<html><head><meta charset='utf-8'></head><body><h1>Index of {html.escape(decoded)}</h1><ul>\n" + "\n".join(items) + "\n</ul></body></html>"
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode()
    elif decoded.endswith("/"):
        return error("404 Not Found", f"{decoded} is not a folder.")
    with open(real, "rb") as f:
        return "200 OK", [("Content-Type", TYPES.get(os.path.splitext(real)[1].lower(), "application/octet-stream"))], f.read()


def read_and_answer(client_sock, client_address):
    """(status, headers, body) for one request, or None when the client left early"""
    data = b""
    while b"\r\n\r\n" not in data:
        more = client_sock.recv(4096)
        if not more:
            return None
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    words = lines[0].split(" ")
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return error("400 Bad Request", "Malformed request line.")
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if ":" in l)}
    path, _, query = words[1].partition("?")
    form = None
    if words[0] == "POST":
        if not headers.get("content-length", "").isdigit():
            return error("411 Length Required", "POST needs a Content-Length.")
        size = int(headers["content-length"])
        while len(body) < size:
            more = client_sock.recv(65536)
            if not more:
                return None
            body += more
        body = body[:size]
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    info = {"query": query, "body": body if words[0] == "POST" else b"", "client": client_address}
    if path.startswith("/cgi-bin/"):
        info["server"] = client_sock.getsockname()
    try:
        return delegate(words[0], path, headers, urllib.parse.parse_qs(query), form, info)
    except Exception as e:
        print("delegate failed:", repr(e), file=sys.stderr)
        return error("500 Internal Server Error")


def handle_connection(client_sock, client_address):
    try:
        reply = read_and_answer(client_sock, client_address)
        if reply is not None:
            status, headers, body = reply
            head = f"HTTP/1.0 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
            head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            client_sock.sendall(head.encode("latin-1") + body)
    except Exception as e:
        print("client", client_address, repr(e), file=sys.stderr)
    finally:
        client_sock.close()


def serve(interface, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((interface, port))
    listener.listen(128)
    with ThreadPoolExecutor(max_workers=64) as pool:
        while True:
            client_sock, client_address = listener.accept()
            pool.submit(handle_connection, client_sock, client_address)


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
