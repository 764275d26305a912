"""Correct corpus server for stages 1-4 on asyncio streams instead of threads.

    python asyncio_server.py PORT

asyncio is part of the standard library and is not one of the modules the lab
forbids (http.server, socketserver, wsgiref, web frameworks); its streams sit
directly on sockets. One coroutine per connection gives what stage 4 asks
for: a silent client only parks its own coroutine.
"""

import asyncio
import os
import sys
from html import escape
from urllib.parse import parse_qsl, unquote

KINDS = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".png": "image/png"}
PHRASES = {200: "OK", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented"}


def make_response(code, body, kind="text/html"):
    head = f"HTTP/1.1 {code} {PHRASES[code]}\r\nContent-Type: {kind}\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode("ascii") + body


def error_page(code):
    return make_response(code, f"<html><body><h1>{code} {PHRASES[code]}</h1></body></html>".encode())


def echo_page(path, query):
    pairs = " ".join(
        f"key={escape(key)}; value={escape(value)};" for key, value in parse_qsl(query, keep_blank_values=True)
    )
    return make_response(200, f"<html><body><p>{escape(path)}</p><p>{pairs}</p></body></html>".encode())


def respond_to(head):
    words = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return error_page(400)
    method, target, _ = words
    if method != "GET":
        return error_page(501)
    path, _, query = target.partition("?")
    path = unquote(path)
    if "\0" in path:
        return error_page(400)
    if path == "/echo":
        return echo_page(path, query)
    root = os.path.realpath(os.getcwd())
    full = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if os.path.isdir(full):
        full = os.path.join(full, "index.html")
    if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
        return error_page(404)
    with open(full, "rb") as file:
        return make_response(200, file.read(), KINDS.get(os.path.splitext(full)[1].lower(), "application/octet-stream"))


async def handle(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        writer.write(respond_to(head))
        await writer.drain()
    except asyncio.IncompleteReadError:
        pass  # the client left before the blank line
    except asyncio.LimitOverrunError:
        writer.write(error_page(400))
        await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
