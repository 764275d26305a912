# Source of notebooks/08-client.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 08 · Stage 8: the other side, an HTTP client
#
# Until now the browser, curl and the grader were the client, and we wrote the
# server. Stage 8 writes the client: `python stage8_client.py HOST PORT PATH`
# connects, sends one `GET`, and prints what comes back - the **body** on
# standard output, byte for byte, the **status line and headers** on standard
# error. Its exit status says how it went: 0 for a 2xx answer, 1 for any other
# status, 2 when no usable answer came.
#
# Our client talks to the stage-5 reference server, serving `www/` in the
# background; the last cell stops it.

# %%
import subprocess
import sys

import labhelpers as lab

from autograder.fake_server import FakeServer
from autograder.grading import grade
from autograder.report_terminal import render

server = lab.Server(5)
print(server)

CLIENT = lab.solution(8)  # solutions/stage8_client.py


def client(port, path):
    """Run `python stage8_client.py 127.0.0.1 PORT PATH`, as a student does in a terminal."""
    return subprocess.run([sys.executable, str(CLIENT), "127.0.0.1", str(port), path],
                          capture_output=True, timeout=30)

# %% [markdown]
# ## One request
#
# `capture_output=True` keeps the two output streams apart, as a terminal with
# `> file` would: `stdout` holds bytes (the body), `stderr` what the client
# printed about the answer (the head).

# %%
done = client(server.port, "/HelloWorld.html")
print("exit status:", done.returncode)
print("--- standard error (the head):")
print(done.stderr.decode())
print("--- standard output (the body), as bytes:")
lab.show(done.stdout, limit=300)

# %% [markdown]
# ## The bytes it sends
#
# What exactly did the client send? The grader finds out by playing the server:
# `FakeServer` (the grader's own, `autograder/fake_server.py`) listens on a free
# port of 127.0.0.1, records the request, and answers with bytes we choose. We
# ask for `/about this kit.html`: a space would end the target early, so the
# client sends it as `%20`. Each line ends with `\r\n`; `Host` is required in
# HTTP/1.1, and `Connection: close` asks the server to close after its answer.

# %%
answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n"
with FakeServer([answer]) as fake:
    done = client(fake.port, "/about this kit.html")
lab.show(fake.request)
print("exit status:", done.returncode, "- standard output:", done.stdout)

# %% [markdown]
# ## Standard output is for the body alone
#
# Because the body goes to standard output untouched, `> copy.png` saves a
# picture whole. Here the client fetches `socket.png`, and its standard output
# is compared with the file on the server's disk:

# %%
done = client(server.port, "/socket.png")
original = (server.root / "socket.png").read_bytes()
print("exit status:", done.returncode)
print(len(done.stdout), "bytes on standard output;", len(original), "bytes in www/socket.png;",
      "identical" if done.stdout == original else "DIFFERENT")
lab.hexdump(done.stdout, limit=32)

# %% [markdown]
# `print(body.decode())` would break this twice: a PNG is not UTF-8 text, and
# `print` adds a `\n` at the end. The client writes the bytes with
# `sys.stdout.buffer.write(body)`.
#
# ## Exit status: 0, 1 or 2
#
# A 404 is still an answer: its body (the server's error page) is written, and
# the exit status is 1. A port where nothing listens is no answer at all: one
# line on standard error says so, the exit status is 2, and there is no
# traceback.

# %%
missing = client(server.port, "/no-such-page.html")
print("404:    exit status", missing.returncode, "-", missing.stderr.decode().splitlines()[0])
print("        standard output starts", missing.stdout[:60])
nobody = client(lab.free_port(), "/index.html")  # a free port: nothing listens there
print("refused: exit status", nobody.returncode, "- standard error:", nobody.stderr.decode().strip())

# %% [markdown]
# ## Where does the body end?
#
# The client cannot wait for the server to close: `Connection: close` is a
# request, and an HTTP/1.1 server may keep the connection open anyway. So it
# reads exactly `Content-Length` bytes:

# %%
lab.excerpt(8, 'if "content-length" in headers:')

# %% [markdown]
# Some answers have no `Content-Length`: a server that produces a page as it
# goes sends it **chunked** (`Transfer-Encoding: chunked`). Each chunk is its
# size in hexadecimal, `\r\n`, the bytes, `\r\n`; a chunk of size 0 ends the
# body. Our fake server sends such an answer in two pieces with a pause, and
# then keeps the connection open: the client must stop at the size-0 chunk.

# %%
pieces = [b"<p>Chunked: ", "each piece comes with its length, ".encode(), "Grüße!</p>\n".encode()]
encoded = b"".join(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for piece in pieces) + b"0\r\n\r\n"
head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
with FakeServer([head + encoded[:20], 0.3, encoded[20:]], after="keep-open") as fake:
    done = client(fake.port, "/chunked.html")
print("--- what the server sent:")
lab.show(head + encoded)
print("--- what the client wrote on standard output (exit status %d):" % done.returncode)
print(done.stdout.decode("utf-8"))

# %% [markdown]
# The decoding loop of the reference solution:

# %%
lab.excerpt(8, "def read_chunked(client_socket, data):", "data = data[size + 2:]")

# %% [markdown]
# ## The grader
#
# At stage 8 the grader runs the client checks only. Each check starts a fake
# server of its own (a response in pieces, a 404, chunked, binary, a server that
# keeps the connection open, one that says nothing, one that closes early) and
# runs the client against it. The silent server takes the longest: a correct
# client waits its 10 seconds, then gives up with exit status 2.

# %%
print(render(grade(CLIENT, 8, seed=2024)))

# %% [markdown]
# The planted bug: the body printed as text, the habit of every program before
# this one. The HTML pages still look right on a terminal - but the grader
# compares bytes, and says what it found.

# %%
prints_text = lab.broken_copy(
    8,
    "sys.stdout.buffer.write(body)",
    'print(body.decode("utf-8", errors="replace"))',
    name="stage8_prints_text.py",
)
print(render(grade(prints_text, 8, seed=2024)))

# %% [markdown]
# ## Summary
#
# * The client builds the request the server used to read: request line,
#   `Host`, `Connection: close`, the empty line, a space sent as `%20`.
# * The body goes to standard output as bytes, the head to standard error.
# * The body ends at `Content-Length`, at the size-0 chunk, or - with neither -
#   when the server closes; never wait for a close you were not promised.
# * Exit status 0, 1 or 2, and one line on standard error instead of a traceback.

# %%
server.stop()
print("servers still running:", lab.stop_all())
