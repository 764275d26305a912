# Source of notebooks/00-on-the-wire.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 00 · What travels on the wire
#
# A browser and a web server talk over a TCP connection, and all they ever say
# to each other is bytes. Before writing a server, we look at one request and
# one response byte by byte: what your server will have to read, and what it
# has to send back.
#
# The server we talk to is the stage-1 reference solution, serving the folder
# `www/`. It runs in the background while we work; the last cell stops it.

# %%
import socket

import labhelpers as lab  # notebooks/labhelpers.py: starts servers, shows bytes

server = lab.Server(1)  # runs `python solutions/stage1_file_server.py PORT` in www/
print(server)

# %% [markdown]
# ## A request is a few lines of text
#
# A request starts with the **request line**: a method (`GET`), a target (the
# path of what we want) and the protocol version. Then come **headers**, one
# per line, `Name: value`. Then an **empty line**.
#
# Every line ends with two bytes, carriage return and line feed: `\r\n`, or
# CR LF. (The pair goes back to teleprinters, which needed one to return the
# print head and one to feed the paper; internet protocols kept it.)

# %%
request = (
    b"GET /HelloWorld.html HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\n"
    b"\r\n"
)
lab.hexdump(request)

# %% [markdown]
# Read the dump row by row: `47 45 54` is `GET`, `20` is a space, and each line
# ends with `0d 0a`, CR LF. The request ends with `0d 0a 0d 0a`: the end of the
# last header line, then the empty line.
#
# Those four bytes matter more than any others. TCP gives the server a stream
# of bytes with no idea of where one message ends; the empty line is how the
# server knows that the request head is complete and it is its turn to speak.
#
# `Host` names the site the browser wants (one server may host many). HTTP/1.1
# requires it; the servers in this lab may ignore it.

# %% [markdown]
# ## Sending it
#
# A client connects a socket to the server's port, sends the bytes and reads
# until the server closes the connection. `recv(4096)` returns *up to* 4096
# bytes - whatever has arrived - and returns `b""`, no bytes at all, only when
# the other side has closed. Our servers close after each response, so "read
# until closed" gets the whole response.

# %%
with socket.create_connection(("127.0.0.1", server.port)) as sock:
    sock.sendall(request)
    response = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:  # b"": the server has closed the connection
            break
        response += chunk

print(len(response), "bytes came back")

# %% [markdown]
# ## The response
#
# `lab.show` prints bytes as they travel, with `\r` and `\n` written out, so
# every line ending is visible.

# %%
lab.show(response)

# %% [markdown]
# The response mirrors the request:
#
# * the **status line**: the version, a status code for programs (`200`) and a
#   reason phrase for people (`OK`);
# * **headers**: `Content-Type` says what the bytes are - the browser never
#   sees the file name's extension, only this header; `Content-Length` says
#   how many bytes the body has; `Date` says when the answer was made;
#   `Connection: close` warns that the server closes the connection after
#   this response;
# * the **empty line**;
# * the **body**: the file, byte for byte.
#
# Splitting at the first `\r\n\r\n` separates the head from the body.

# %%
head, body = lab.split_response(response)
status, *header_lines = head.decode("ascii").split("\r\n")
print("status line:", status)
for line in header_lines:
    print("header:     ", line)
print("body:       ", len(body), "bytes")

# %% [markdown]
# ## Content-Length counts bytes, not characters
#
# The client uses `Content-Length` to know when the body is complete. For
# `HelloWorld.html` the three numbers below agree.

# %%
print("Content-Length says:", lab.header(head, "Content-Length"))
print("the body has:       ", len(body), "bytes")
print("the file has:       ", (lab.WWW / "HelloWorld.html").stat().st_size, "bytes")

# %% [markdown]
# That page is plain ASCII, where one character is one byte. Most of the world's
# text is not: in UTF-8, `é` takes two bytes, `世` three, `👋` four.

# %%
for character in "aé世👋":
    print(character, "is the UTF-8 bytes", character.encode("utf-8").hex(" "))

page = (lab.WWW / "greetings.html").read_text(encoding="utf-8")
print()
print("greetings.html:", len(page), "characters,", len(page.encode("utf-8")), "bytes")

# %% [markdown]
# **The classic mistake** is to build the page as a `str`, take `len()` of it
# for `Content-Length`, and encode it afterwards. The header then promises fewer
# bytes than are sent, and a browser that trusts it (as it should) cuts the page
# short; when the connection is kept open, the left-over bytes are even read as
# the start of the next response. The rule: encode first, then count the bytes.
#
# The reference server gets it right:

# %%
response = lab.exchange(server.port, lab.get_request("/greetings.html"))
head, body = lab.split_response(response)
print("Content-Length:", lab.header(head, "Content-Length"), "- body:", len(body), "bytes")
heading = next(line for line in body.decode("utf-8").splitlines() if line.startswith("<h1>"))
print(heading)

# %% [markdown]
# ## What a browser really sends
#
# A browser sends many more headers than we did. A server reads them all (it has
# to find the empty line) but may use none of them. Note that header names are
# case-insensitive: `host` and `Host` are the same header.

# %%
browser_request = (
    b"GET /HelloWorld.html HTTP/1.1\r\n"
    b"host: 127.0.0.1\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-GB,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate\r\n"
    b"Connection: keep-alive\r\n"
    b"\r\n"
)
response = lab.exchange(server.port, browser_request)
lab.show(lab.split_response(response)[0])

# %% [markdown]
# The browser asked to keep the connection open for more requests
# (`Connection: keep-alive`); the server answered `Connection: close`. That is
# allowed - the server decides - and it keeps our servers simple: one request
# per connection.
#
# ## The server's side
#
# The server logs one line per request on its standard error:

# %%
print(server.log())

# %% [markdown]
# ## Summary
#
# * A request is a request line, headers and an empty line; lines end with `\r\n`.
# * A response is a status line, headers, an empty line and the body.
# * The empty line `\r\n\r\n` ends a head; `Content-Length` (in bytes) ends a body.
#
# Next: `01-file-server`, a server that answers such requests with files.

# %%
server.stop()
print("servers still running:", lab.stop_all())
