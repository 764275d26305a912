# Source of notebooks/05-post.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 05 · Stage 5: three layers, then forms sent with POST
#
# Stage 5 first reorganises the server. Until stage 4, one function, `answer`,
# received the request, decided what to send and sent it; now the students
# split it into three functions (below), moving their own code in. Then the
# server learns POST.
#
# A form sent with GET puts its fields in the URL, where they are limited in
# length, saved in the browser's history and written to server logs. A form
# sent with **POST** puts them in the request **body**, after the empty line.
# The server now has to read a body - and the only thing that tells it where
# the body ends is `Content-Length`.
#
# We follow the form of `www/form.html` from the page to the bytes on the wire
# and back.

# %%
import importlib.util
import urllib.parse

import labhelpers as lab

from autograder.grading import grade
from autograder.report_terminal import render

server = lab.Server(5)
print(server)

# %% [markdown]
# ## The form
#
# We fetch `form.html` from the server, as a browser would, and read its forms
# with Python's HTML parser. The second form is the POST one: its `action` says
# where the browser sends it, `enctype` how it encodes the fields.

# %%
page = lab.split_response(lab.exchange(server.port, lab.get_request("/form.html")))[1]
parser = lab.FormFields()
parser.feed(page.decode("utf-8"))
attributes, fields = next(form for form in parser.forms if form[0].get("method") == "post")
print(attributes)
for name, value in fields:
    print(f"  {name} = {value!r}")

# %% [markdown]
# The page wrote the symbol as `&lt;&amp;&gt;`; the parser turned the HTML
# entities back into the characters `<&>`, as a browser does. The field's value
# is the characters, not the HTML.
#
# ## The body a browser builds
#
# `application/x-www-form-urlencoded` is the query-string format again:
# `name=value` pairs joined by `&`, spaces as `+`, everything else that is not a
# letter, a digit or one of `-._` as `%XX` (UTF-8 bytes). One more browser
# habit: line breaks in a text area are sent as `\r\n`, whatever the page had.

# %%
submitted = [(name, value.replace("\r\n", "\n").replace("\n", "\r\n")) for name, value in fields]
body = urllib.parse.urlencode(submitted).encode("ascii")
print(body.decode("ascii"))
print(len(body), "bytes")

# %% [markdown]
# (`urlencode` and a browser agree on these fields. They differ only on `*`
# and `~`, which one side encodes and the other does not; a server decodes both
# spellings the same way.)
#
# ## The request
#
# The target comes from the form's `action`, query string included. The headers
# say what the body is and how long it is, in bytes - here the body is ASCII
# anyway, because the encoding turned `ü` into `%C3%BC`.

# %%
head = (
    f"POST {attributes['action']} HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    f"Content-Type: {attributes['enctype']}\r\n"
    f"Content-Length: {len(body)}\r\n"
    "\r\n"
).encode("ascii")
lab.show(head + body)

# %%
response = lab.exchange(server.port, head + body)
lab.show(response)

# %% [markdown]
# The echo page lists the query string's pair first, then the form's, decoded
# and HTML-escaped:

# %%
print(lab.echoed_pairs(response))

# %% [markdown]
# ## Where does the body end?
#
# For a GET, the empty line ends the request. For a POST it does not: the body
# follows, and the client keeps the connection open, waiting for the answer.
# "Read until the client closes" would wait forever. So the server reads exactly
# `Content-Length` bytes.
#
# Those bytes may already have arrived with the head (one `recv` returned both),
# or come later, in pieces. Here the body follows the head after a pause, in
# two pieces:

# %%
half = len(body) // 2
response = lab.exchange(server.port, head, body[:half], body[half:], pause=0.3)
print(lab.status_line(response))
print(lab.echoed_pairs(response))

# %% [markdown]
# Before a large body some clients ask first: `Expect: 100-continue` means "may I
# send it?", and they wait (curl: one second) for the interim answer
# `HTTP/1.1 100 Continue`. The reference server gives it at once, before it
# reads the body, so nobody waits:

# %%
import socket

asking = head.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n", 1)
with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
    sock.sendall(asking)
    interim = sock.recv(4096)  # before we send a byte of the body
    sock.sendall(body)
    rest = b""
    while chunk := sock.recv(65536):
        rest += chunk
lab.show(interim)
print(lab.status_line(rest))

# %% [markdown]
# The reading loop in the reference solution - the same idea as the loop for
# the head in stage 1:

# %%
lab.excerpt(5, "body = already_received")

# %% [markdown]
# ## Three layers
#
# The stage-5 file is organised so that each part can be tested alone:
#
# * `serve(interface, port)` accepts connections, a thread each (stage 4's
#   `main`);
# * `handle_connection(client_sock, client_address)` reads one request and
#   sends one response (stage 4's `handle_client` and the socket half of
#   `answer`);
# * `delegate(request_type, path, received_headers, GET_data, POST_data)`
#   chooses the response, with no sockets at all (the deciding half of
#   `answer`: a 404 is now returned, not raised).
#
# Importing the file only defines these functions (the server starts only
# when the file is run as a program), so we can call `delegate` directly:

# %%
spec = importlib.util.spec_from_file_location("stage5_post", lab.solution(5))
stage5 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stage5)

status, headers, page = stage5.delegate(
    "POST", "/echo", {"Content-Type": "application/x-www-form-urlencoded"},
    {"from": ["form"]}, urllib.parse.parse_qs(body.decode("ascii")),
)
print(status, headers)
print(lab.echoed_pairs(page))

# %% [markdown]
# ## The grader
#
# At stage 5 the grader runs the checks of all five stages, and imports the
# file in a separate process for the module checks.

# %%
print(render(grade(lab.solution(5), 5, seed=2024)))

# %% [markdown]
# The mistake of this stage is the mistake of stage 1 again: one `recv` for the
# body. A copy with `while` turned into `if` passes whenever the body arrives
# with the head - which is nearly always, on one machine - and fails for a body
# that comes later or is large.

# %%
one_recv_body = lab.broken_copy(
    5,
    "while len(body) < content_length:",
    "if len(body) < content_length:",
    name="stage5_one_recv_body.py",
)
print(render(grade(one_recv_body, 5, seed=2024)))

# %% [markdown]
# ## Summary
#
# * A POST form's fields travel in the body, urlencoded like a query string.
# * `Content-Length` is the only end marker of a body: read exactly that many
#   bytes, in as many `recv` calls as it takes.
# * Keep the layers apart: `delegate` has no sockets and is easy to test.
#
# That is the whole lab: a web server from raw sockets, in five stages.

# %%
server.stop()
print("servers still running:", lab.stop_all())
