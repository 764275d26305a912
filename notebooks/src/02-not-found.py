# Source of notebooks/02-not-found.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 02 · Stage 2: not found, bad requests, safe paths
#
# A stage-1 server only knows how to succeed: the first request it cannot
# serve stops it with a traceback. Stage 2 teaches it to say no, politely and
# in HTTP:
#
# * a path that names no file gets `404 Not Found`, with a small HTML page;
# * a request that is not HTTP at all gets `400 Bad Request`;
# * the server reads the method now: `HEAD` gets the headers of a `GET` and
#   no body, a method it does not know `501 Not Implemented`;
# * paths are percent-decoded (`%20` is a space) ...
# * ... and no path, however it is written, leads out of the document root.
#
# The last point is the serious one: a server that can be talked into sending
# any file on the machine is a security hole. Once it holds, the server may
# listen on every interface (stage 1 kept to 127.0.0.1).

# %%
import os
import urllib.parse

import labhelpers as lab

from autograder.grading import grade
from autograder.report_terminal import render

server = lab.Server(2)
print(server)

# %% [markdown]
# ## 404 Not Found
#
# An error is still a complete response: a status line, headers with a correct
# `Content-Length`, an empty line and a body - a page the browser can show.

# %%
lab.show(lab.exchange(server.port, lab.get_request("/no-such-page.html")))

# %% [markdown]
# ## HEAD, and methods the server does not know
#
# `HEAD` asks for the headers a `GET` would get - the same status, type and
# length - without the body (`curl -I` sends it). Any other method gets 501.

# %%
lab.show(lab.exchange(server.port, b"HEAD /socket.png HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
print()
print(lab.status_line(lab.exchange(server.port, b"DELETE /HelloWorld.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")))

# %% [markdown]
# ## Percent-encoding
#
# A URL cannot contain spaces and a few other characters, so browsers write
# them as `%` and two hex digits: the byte's value. A space is `%20`.
# `urllib.parse` converts both ways.

# %%
name = "about this kit.html"
encoded = urllib.parse.quote(name)
print(encoded)
print(urllib.parse.unquote(encoded))
print(lab.status_line(lab.exchange(server.port, lab.get_request("/" + encoded))))

# %% [markdown]
# ## Staying inside the document root
#
# The server serves `www/`. One folder up is the project itself, with
# `pyproject.toml` in it - a file this server must never send. `..` means
# "the folder above", and a request can spell it in many ways. A browser or
# `curl` would tidy `..` out of a URL before sending it, so an attacker does not
# use one: a raw socket sends exactly what we write.

# %%
print("the root:  ", lab.WWW)
print("next to it:", (lab.WWW.parent / "pyproject.toml").exists())

attempts = [
    "/../pyproject.toml",
    "/%2e%2e/pyproject.toml",  # ".." percent-encoded
    "/..%2fpyproject.toml",  # the "/" percent-encoded
    "/guide/../../pyproject.toml",  # down one folder, up two
]
for target in attempts:
    response = lab.exchange(server.port, lab.get_request(target))
    print(f"{target:32} -> {lab.status_line(response)}")

# %% [markdown]
# Checking the request for `..` does not work: `%2e%2e` has no dots until it is
# decoded, and a file name may contain two dots legitimately (`notes..txt`).
# The reliable way is to build the full path, let the operating system resolve
# it - `os.path.realpath` removes `..` and follows links - and check that the
# result lies inside the root: the longest path the two have in common,
# `os.path.commonpath`, must be the root itself.

# %%
root = "/srv/www"
for path in ["/srv/www/guide/a.html", "/srv/www/../etc/passwd"]:
    real = os.path.normpath(path)  # what realpath does, without asking the disk
    print(f"{path:24} -> {real:22} inside: {os.path.commonpath([root, real]) == root}")

# %% [markdown]
# Why not just `startswith(root)`? Because a *folder beside* the root may
# share the beginning of its name; `commonpath` compares whole folder names:

# %%
neighbour = "/srv/www-private/passwords.txt"
print("startswith(root):            ", neighbour.startswith(root))
print("commonpath(...) == root:     ", os.path.commonpath([root, neighbour]) == root)

# %% [markdown]
# ## 400 Bad Request
#
# Anything that is not a request line with three words - method, a target that
# starts with `/`, a version that starts with `HTTP/` - gets 400. The server
# answers and goes on serving: one broken client must not stop it.

# %%
for request in [b"NONSENSE\r\n\r\n", b"GET /HelloWorld.html\r\n\r\n"]:
    response = lab.exchange(server.port, request)
    print(f"{request!r:34} -> {lab.status_line(response)}")
print("and then:", lab.status_line(lab.exchange(server.port, lab.get_request("/HelloWorld.html"))))

# %% [markdown]
# ## The grader
#
# Stages are cumulative: grading at stage 2 runs the checks of stages 1 and 2.

# %%
print(render(grade(lab.solution(2), 2, seed=2024)))

# %% [markdown]
# And a copy with the `startswith(root)` mistake. The requests with `..` still
# fail, so a quick test by hand looks fine; the grader puts a secret in a folder
# *beside* the root whose name starts with the root's name, and asks for it.

# %%
prefix_bug = lab.broken_copy(
    2,
    "if os.path.commonpath([root, file_name]) != root:",
    "if not file_name.startswith(root):",
    name="stage2_prefix_check.py",
)
print(render(grade(prefix_bug, 2, seed=2024)))

# %% [markdown]
# ## Summary
#
# * Errors are full responses: status line, headers, empty line, a page.
# * Decode first (`unquote`), then resolve (`realpath`), then check: inside the
#   root means `os.path.commonpath([root, path]) == root`.
# * Answer junk with 400 and carry on; `HEAD` gets headers only, unknown
#   methods 501.
#
# Next: `03-query-echo`, a page the server makes itself.

# %%
server.stop()
print("servers still running:", lab.stop_all())
