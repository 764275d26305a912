# stage: 6
# story: A student added folders by gluing the listing together from strings straight out of os.listdir, and never sends a 301, so /DIR is listed as it is and its relative links point one level too high.
# faults: listing-not-percent-encoded, listing-not-escaped, listing-unsorted, dotfiles-listed, folder-link-no-slash, no-301-redirect
from socket import *
import threading
import os
import sys
import html
from urllib.parse import unquote, parse_qs

mime = {"html": "text/html", "txt": "text/plain", "png": "image/png", "css": "text/css"}
root = os.path.realpath(".")


def page(title, text):
    return ("<html><head><meta charset='utf-8'><title>" + title + "</title></head><body><h1>"
            + title + "</h1>" + text + "</body></html>").encode("utf-8")


def echo_text(data):
    out = ""
    for k in data:
        for v in data[k]:
            out += "key=" + html.escape(k) + "; value=" + html.escape(v) + "; "
    return out


def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    path = unquote(path)
    if path == "/echo":
        text = "<p>" + html.escape(path) + "</p><p>" + echo_text(GET_data)
        if POST_data:
            text += echo_text(POST_data)
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page("Echo", text + "</p>")

    full = os.path.realpath(os.path.join(root, path.lstrip("/")))
    # dont let anyone out of the folder, and no hidden stuff like /.env
    if os.path.commonpath([root, full]) != root or "/." in path:
        return "404 Not Found", [("Content-Type", "text/html")], page("404 Not Found", "")

    if os.path.isdir(full):
        if os.path.isfile(os.path.join(full, "index.html")):
            full = os.path.join(full, "index.html")
        else:
            # make a list of everything in the folder
            lst = "<ul>"
            for name in os.listdir(full):
                lst += '<li><a href="' + name + '">' + name + '</a></li>'
            lst += "</ul>"
            return "200 OK", [("Content-Type", "text/html")], page("Index of " + path, lst)

    if os.path.isfile(full):
        f = open(full, "rb")
        body = f.read()
        f.close()
        ext = full.split(".")[-1].lower()
        return "200 OK", [("Content-Type", mime.get(ext, "application/octet-stream"))], body
    return "404 Not Found", [("Content-Type", "text/html")], page("404 Not Found", "<p>no such file</p>")


def send(sock, status, headers, body):
    msg = "HTTP/1.1 " + status + "\r\n"
    for h in headers:
        msg += h[0] + ": " + h[1] + "\r\n"
    msg += "Content-Length: " + str(len(body)) + "\r\nConnection: close\r\n\r\n"
    sock.sendall(msg.encode() + body)


def handle_connection(client_sock, client_address):
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client_sock.recv(4096)
            if not chunk:
                client_sock.close()
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            send(client_sock, "400 Bad Request", [("Content-Type", "text/html")], page("400 Bad Request", ""))
            client_sock.close()
            return
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip()] = v.strip()
        path, _, query = parts[1].partition("?")
        post = None
        if parts[0] == "POST":
            length = None
            for k in headers:
                if k.lower() == "content-length":
                    length = int(headers[k])
            if length is None:
                send(client_sock, "411 Length Required", [("Content-Type", "text/html")], page("411 Length Required", ""))
                client_sock.close()
                return
            while len(body) < length:
                chunk = client_sock.recv(4096)
                if not chunk:
                    break
                body += chunk
            post = parse_qs(body[:length].decode("utf-8", "replace"))
        try:
            status, hdrs, content = delegate(parts[0], path, headers, parse_qs(query), post)
        except Exception as e:
            print("delegate broke:", e)
            status, hdrs, content = "500 Internal Server Error", [("Content-Type", "text/html")], page("500 Internal Server Error", "")
        send(client_sock, status, hdrs, content)
    except Exception as e:
        print("error with", client_address, e)
    client_sock.close()


def serve(interface, port):
    s = socket(AF_INET, SOCK_STREAM)
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    s.bind((interface, port))
    s.listen(20)
    print("Listening on port", port)
    while True:
        conn, addr = s.accept()
        threading.Thread(target=handle_connection, args=(conn, addr), daemon=True).start()


if __name__ == "__main__":
    serve("", int(sys.argv[1]))
