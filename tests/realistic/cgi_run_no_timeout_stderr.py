# stage: 7
# story: A student runs scripts with subprocess.run(capture_output=True) and parses the header block properly, but never gives the script a timeout, shows the script's stderr on the 500 page "so you can debug it from the browser", and forgets that Status: changes the status.
# faults: cgi-no-timeout, cgi-stderr-to-client, cgi-status-ignored
import socket
import subprocess
import threading
import html
import os
import re
import sys
import urllib.parse

ROOT = os.path.realpath(os.getcwd())
CGI_BIN = os.path.join(ROOT, "cgi-bin")
MIME = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".png": "image/png",
        ".css": "text/css", ".js": "text/javascript"}


def html_response(status, content):
    page = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>%s</title></head><body>%s</body></html>" % (status, content)
    return status, [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")


def run_script(script, request_type, received_headers, raw_query, raw_body, client):
    env = {"PATH": os.environ.get("PATH", ""),
           "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": request_type, "QUERY_STRING": raw_query,
           "SCRIPT_NAME": "/" + os.path.relpath(script, ROOT), "SERVER_PROTOCOL": "HTTP/1.1",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": sys.argv[1] if len(sys.argv) > 1 else "80",
           "SERVER_SOFTWARE": "student-server/1.0", "REMOTE_ADDR": client[0]}
    if request_type == "POST":
        env["CONTENT_LENGTH"] = str(len(raw_body))
        env["CONTENT_TYPE"] = received_headers.get("content-type", "")
    for name, value in received_headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    result = subprocess.run([sys.executable, script], capture_output=True, input=raw_body, env=env,
                            cwd=os.path.dirname(script))
    if result.returncode != 0:
        # show what went wrong
        err = html.escape(result.stderr.decode("utf-8", "replace"))
        return html_response("500 Internal Server Error", "<h1>Script error</h1><pre>" + err + "</pre>")
    out = result.stdout
    blank = re.search(rb"\r?\n\r?\n", out)
    if not blank:
        return html_response("502 Bad Gateway", "<h1>The script sent no headers</h1>")
    headers = []
    for line in out[:blank.start()].decode("latin-1").splitlines():
        if ":" not in line:
            return html_response("502 Bad Gateway", "<h1>Bad header from script</h1>")
        name, value = line.split(":", 1)
        if name.strip().lower() != "content-length":  # I count it myself
            headers.append((name.strip(), value.strip()))
    return "200 OK", headers, out[blank.end():]


def delegate(request_type, path, received_headers, GET_data, POST_data=None, raw_query="", raw_body=b"", client=("127.0.0.1", 0)):
    decoded = urllib.parse.unquote(path)
    if decoded == "/echo":
        pairs = ""
        for data in (GET_data, POST_data or {}):
            for key, values in data.items():
                for value in values:
                    pairs += "key=%s; value=%s; " % (html.escape(key), html.escape(value))
        return html_response("200 OK", "<p>%s</p><p>%s</p>" % (html.escape(decoded), pairs))
    target = os.path.realpath(os.path.join(ROOT, decoded.lstrip("/")))
    if os.path.commonpath([ROOT, target]) != ROOT or "\0" in decoded:
        return html_response("404 Not Found", "<h1>404 Not Found</h1>")
    rel = os.path.relpath(target, ROOT)
    if rel != "." and any(piece.startswith(".") for piece in rel.split(os.sep)):
        return html_response("404 Not Found", "<h1>404 Not Found</h1>")
    if path.startswith("/cgi-bin/") and target.endswith(".py") and os.path.isfile(target) \
            and os.path.commonpath([CGI_BIN, target]) == CGI_BIN:
        return run_script(target, request_type, received_headers, raw_query, raw_body, client)
    if os.path.isdir(target):
        if not decoded.endswith("/"):
            query = raw_query or urllib.parse.urlencode(GET_data, doseq=True)
            where = urllib.parse.quote(decoded) + "/" + ("?" + query if query else "")
            status, hdrs, body = html_response("301 Moved Permanently", '<a href="%s">moved</a>' % html.escape(where))
            return status, hdrs + [("Location", where)], body
        if os.path.isfile(os.path.join(target, "index.html")):
            target = os.path.join(target, "index.html")
        else:
            links = ""
            for entry in sorted(os.listdir(target)):
                if not entry.startswith("."):
                    entry += "/" if os.path.isdir(os.path.join(target, entry)) else ""
                    links += '<li><a href="%s">%s</a></li>\n' % (urllib.parse.quote(entry), html.escape(entry))
            return html_response("200 OK", "<h1>Index of %s</h1><ul>\n%s</ul>" % (html.escape(decoded), links))
    elif not os.path.isfile(target) or decoded.endswith("/"):
        return html_response("404 Not Found", "<h1>404 Not Found</h1><p>%s is not here.</p>" % html.escape(decoded))
    with open(target, "rb") as f:
        content = f.read()
    return "200 OK", [("Content-Type", MIME.get(os.path.splitext(target)[1].lower(), "application/octet-stream"))], content


def handle_connection(client_sock, client_address):
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            piece = client_sock.recv(8192)
            if not piece:
                return
            data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        first, *rest = head.decode("latin-1").split("\r\n")
        parts = first.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            status, headers, content = html_response("400 Bad Request", "<h1>400 Bad Request</h1>")
        else:
            received = {}
            for line in rest:
                key, sep, value = line.partition(":")
                if sep:
                    received[key.strip().lower()] = value.strip()
            path, _, query = parts[1].partition("?")
            form = None
            if parts[0] == "POST":
                length = int(received.get("content-length", 0))
                while len(body) < length:
                    piece = client_sock.recv(65536)
                    if not piece:
                        break
                    body += piece
                body = body[:length]
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            try:
                status, headers, content = delegate(parts[0], path, received, urllib.parse.parse_qs(query), form,
                                                    raw_query=query, raw_body=body, client=client_address)
            except Exception as e:
                print("delegate raised", repr(e), file=sys.stderr)
                status, headers, content = html_response("500 Internal Server Error", "<h1>500 Internal Server Error</h1>")
        top = "HTTP/1.1 %s\r\n" % status + "".join("%s: %s\r\n" % h for h in headers)
        top += "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(content)
        client_sock.sendall(top.encode("latin-1") + content)
    except Exception as e:
        print("connection failed:", repr(e), file=sys.stderr)
    finally:
        client_sock.close()


def serve(interface, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((interface, port))
    sock.listen(100)
    while True:
        conn, addr = sock.accept()
        threading.Thread(target=handle_connection, args=(conn, addr), daemon=True).start()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
