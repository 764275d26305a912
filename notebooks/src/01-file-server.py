# Source of notebooks/01-file-server.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 01 · Stage 1: a file server
#
# The first server reads a request, finds the file it names in the document
# root (the folder it runs in) and sends it back: status line, headers, empty
# line, the file's bytes. One connection at a time, one request per connection.
# It is the classic first socket program: students write every socket call,
# the receiving loop, the response and the closing; the skeleton gives only a
# table of file types and the date in HTTP's format. It checks no paths yet,
# so it listens on 127.0.0.1 only, and says so when it starts.
#
# Three mistakes make most stage-1 servers fail, and each of them works fine in
# a quick test with a browser on your own machine:
#
# 1. calling `recv` once, against a request that arrives in pieces;
# 2. reading a binary file (a PNG) as text;
# 3. counting `Content-Length` in characters instead of bytes.
#
# We look at why each happens, then let the grader find them.

# %%
import socket

import labhelpers as lab

from autograder.grading import grade
from autograder.report_terminal import render

server = lab.Server(1)
print(server)
print(server.log())

# %% [markdown]
# ## A file, byte for byte
#
# `socket.png` is a small picture. Its response carries `Content-Type:
# image/png` - the browser decides from this header, not from the name, that
# the bytes are a picture.

# %%
response = lab.exchange(server.port, lab.get_request("/socket.png"))
head, body = lab.split_response(response)
lab.show(head)
print()
lab.hexdump(body, limit=32)
print()
print("identical to the file:", body == (lab.WWW / "socket.png").read_bytes())

# %% [markdown]
# Every PNG file starts with the same eight bytes, `89 50 4e 47 0d 0a 1a 0a`.
# The designers of PNG chose them to catch mistakes: `89` is not ASCII, `0d 0a`
# is a Windows line ending, `0a` a Unix one. A program that treats the file as
# text changes some of them, and the picture is recognised as damaged at once.
# We come back to that in mistake 2.

# %% [markdown]
# ## Mistake 1: one `recv` against a request in pieces
#
# TCP delivers a *stream* of bytes. It keeps their order, but it does not keep
# the boundaries of the sender's `send` calls: one `recv` returns whatever has
# arrived so far - half a request, or one and a half.
#
# A pair of connected sockets shows it without any network: the client sends
# a request in two pieces, and the server calls `recv` once in between.

# %%
client, server_side = socket.socketpair()
client.sendall(b"GET /Hello")
first = server_side.recv(4096)
client.sendall(b"World.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
print("one recv() got:", first)
client.close()
server_side.close()

# %% [markdown]
# A server that parses `GET /Hello` as the whole request answers the wrong
# question. Why does nobody notice? On your own machine a browser's request
# is small and arrives in one piece nearly every time. Over a real network, or
# from a slow client, it does not.
#
# The fix is a loop: receive until the empty line that ends the head has
# arrived. This is the loop of the reference solution:

# %%
lab.excerpt(1, 'while b"\\r\\n\\r\\n" not in request:')

# %% [markdown]
# The loop stops at the empty line and not when the client closes the
# connection: the client keeps it open, waiting for the answer.
#
# The reference server gets its request in three pieces, 0.3 seconds apart:

# %%
pieces = (b"GET /Hello", b"World.html HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n\r\n")
response = lab.exchange(server.port, *pieces, pause=0.3)
print(lab.status_line(response))

# %% [markdown]
# ## Mistake 2: a PNG read as text
#
# `open(name)` opens a file in *text* mode: Python decodes the bytes into
# characters. A picture is not text, and decoding it fails:

# %%
png_path = lab.WWW / "socket.png"
try:
    png_path.read_text(encoding="utf-8")
except UnicodeDecodeError as error:
    print("UnicodeDecodeError:", error)

# %% [markdown]
# A student who "fixes" this with another encoding, say Latin-1 (which maps
# every byte to a character, so it never fails), still breaks the picture:
# text mode also translates line endings, and turns the `\r\n` of the PNG
# signature into `\n`.

# %%
with open(png_path, encoding="latin-1") as text_file:  # text mode: newline translation
    as_text = text_file.read()
as_bytes = png_path.read_bytes()
print("bytes in the file:      ", len(as_bytes))
print("after a text round trip:", len(as_text.encode("latin-1")))
print("signature before:", as_bytes[:8])
print("signature after: ", as_text.encode("latin-1")[:8])

# %% [markdown]
# The rule: a file server never decodes what it serves. `open(path, "rb")`
# gives the bytes exactly as stored, for HTML and pictures alike.
#
# ## Mistake 3: Content-Length in characters
#
# We met it in `00-on-the-wire`: `len()` of a `str` counts characters, and
# `Content-Length` counts bytes. For an ASCII page the two agree, which is why
# the mistake survives testing with `HelloWorld.html`.
#
# ## The grader on the reference solution
#
# The grader starts the file as a student's submission, in a fresh document root
# with files of random names and contents (so no answer can be hard-coded), and
# runs the checks of stage 1. The seed fixes those random choices, so the report
# is the same every time in class.

# %%
result = grade(lab.solution(1), 1, seed=2024)
print(render(result))

# %% [markdown]
# ## The grader on a broken copy
#
# Now the same solution with mistake 1 in it: `while` becomes `if`, so the
# server calls `recv` once. One line changed:

# %%
one_recv = lab.broken_copy(
    1,
    'while b"\\r\\n\\r\\n" not in request:',
    'if b"\\r\\n\\r\\n" not in request:',
    name="stage1_one_recv.py",
)

# %% [markdown]
# Every check that sends its request in one piece still passes. Only the check
# that sends it in pieces fails - and the report shows what was sent, what came
# back, and a hint.

# %%
print(render(grade(one_recv, 1, seed=2024)))

# %% [markdown]
# The other two mistakes, one line each. For these we print only the checks
# that failed and what the grader said.

# %%
png_as_text = lab.broken_copy(
    1,
    "body = file.read()",
    'body = file.read().decode("utf-8", errors="replace").encode("utf-8")',
    name="stage1_png_as_text.py",
)
length_in_characters = lab.broken_copy(
    1,
    'head = response_head("200 OK", content_type_for(path, body), len(body))',
    'head = response_head("200 OK", content_type_for(path, body), len(body.decode("utf-8", errors="replace")))',
    name="stage1_length_in_characters.py",
)

# %%
for broken in (png_as_text, length_in_characters):
    print(broken.name)
    for check in grade(broken, 1, seed=2024).checks:
        if not check.passed:
            print(f"  {check.name}: {check.message}")

# %% [markdown]
# ## Summary
#
# * Read until `\r\n\r\n`, not once: TCP keeps the order of bytes, not the
#   boundaries of messages.
# * Serve files as bytes (`"rb"`); never decode what you pass on.
# * `Content-Length` is `len()` of the bytes you send.
#
# Next: `02-not-found`, for requests the server cannot answer with a file.

# %%
server.stop()
print("servers still running:", lab.stop_all())
