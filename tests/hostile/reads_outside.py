"""Hostile submission: snoops outside its document root, then serves any path at all.

At start it reports (one JSON line on stdout) what it could see: the run
folder above its root, the grader's home, other users' homes, the project
that runs the grader. Then it serves files without checking `..`, so a
traversal request returns whatever it names.
"""
import json
import mimetypes
import os
import socket
import sys
from urllib.parse import unquote, urlsplit

PROBES = {
    "parent_listing": lambda: sorted(os.listdir("..")),
    "root_listing": lambda: sorted(os.listdir("/root")),
    "root_bashrc": lambda: open("/root/.bashrc").read(64),
    "home_listing": lambda: sorted(os.listdir("/home")),
    "work_listing": lambda: sorted(os.listdir("/work")),
    "work_main_listing": lambda: sorted(os.listdir("/work/main")),  # where this kit's own tests run
    "etc_shadow": lambda: open("/etc/shadow").read(64),
    "own_home": lambda: os.path.expanduser("~"),
    "environment": lambda: sorted(os.environ),
    "user_id": lambda: os.getuid(),
}


def probe():
    report = {}
    for name, look in PROBES.items():
        try:
            report[name] = look()
        except Exception as problem:  # noqa: BLE001 - record what stopped it
            report[name] = f"refused: {type(problem).__name__}"
    print(json.dumps({"labgrade-hostile-reads": report}), flush=True)


def answer(client):
    request = b""
    while b"\r\n\r\n" not in request:
        piece = client.recv(4096)
        if not piece:
            return
        request += piece
    path = unquote(urlsplit(request.split(b" ")[1].decode("latin-1")).path)
    try:
        with open("." + path, "rb") as wanted:  # no check for "..": that is the point
            body = wanted.read()
    except OSError:
        client.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    head = f"HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    client.sendall(head.encode() + body)


probe()
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(50)
while True:
    client, _ = server.accept()
    try:
        answer(client)
    except (OSError, IndexError, ValueError):
        pass
    client.close()
