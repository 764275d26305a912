# Source of notebooks/07-cgi.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 07 · Stage 7: CGI, programs that write pages
#
# Until now every answer was either a file or a page the server's own code
# built. In stage 7 a request can name a **program**: the server runs a `.py`
# file under `/cgi-bin/` and sends what it prints. The rules for handing the
# request to the program and its output back are CGI/1.1 (RFC 3875).
#
# The server passes the request in **environment variables** and the body on
# **standard input**; the script prints a **header block**, an empty line and
# the body; the server turns that into an HTTP response. And because a request
# now starts a program, the server has to be careful: only `cgi-bin`, no shell,
# five seconds, and the whole process group stopped after them.
#
# We run the stage-7 reference solution on a copy of `www/` with a few extra
# scripts.

# %%
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import labhelpers as lab

from autograder.grading import grade
from autograder.report_terminal import render
from autograder.stages import WWW

root = lab.scratch_folder() / "www"
shutil.copytree(WWW, root)
scripts = {
    # prints the CGI variables it got, and its standard input
    "env.py": """
        import json, os, sys
        length = int(os.environ.get("CONTENT_LENGTH") or 0)
        body = sys.stdin.buffer.read(length)
        names = ["GATEWAY_INTERFACE", "REQUEST_METHOD", "QUERY_STRING", "SCRIPT_NAME", "SERVER_PROTOCOL",
                 "SERVER_NAME", "SERVER_PORT", "REMOTE_ADDR", "HTTP_USER_AGENT", "CONTENT_LENGTH", "CONTENT_TYPE"]
        print("Content-Type: application/json")
        print()
        print(json.dumps({"environ": {name: os.environ.get(name) for name in names},
                          "stdin": body.decode("utf-8", "replace")}, indent=1))
    """,
    # fails halfway, with a traceback on stderr
    "fails.py": """
        print("Content-Type: text/plain")
        print()
        print("half a page")
        open("/no/such/file")
    """,
    # starts a child, and both sleep far longer than the server allows
    "sleeps.py": """
        import os, sys, time
        child = os.fork()
        if child == 0:
            os.close(1); os.close(2)  # the child keeps nothing of the script's output open
            time.sleep(30)
            os._exit(0)
        with open(sys.argv[0] + ".pids", "w") as pids:
            pids.write(f"{os.getpid()} {child}")
        time.sleep(30)
    """,
}
for name, text in scripts.items():
    (root / "cgi-bin" / name).write_text(textwrap.dedent(text))

server = lab.Server(7, root=root)
print(server)

# %% [markdown]
# ## A script's page, on the wire
#
# `www/cgi-bin/hello.py` reads `name` from the query string. The request is an
# ordinary GET; nothing in it says "program":

# %%
request = lab.get_request("/cgi-bin/hello.py?name=Ada%20Lovelace")
lab.show(request)
response = lab.exchange(server.port, request)
lab.show(response)

# %% [markdown]
# What the script printed was only `Content-Type: ...`, an empty line and the
# page. The status line, `Content-Length` (counted by the server), `Date` and
# `Connection` are the server's. Run the script by hand to see its own output:
# the same page, after a header block that ends in `\r\n\r\n` here (a script
# may use `\n` as well).

# %%
environment = {"PATH": os.environ["PATH"], "REQUEST_METHOD": "GET", "QUERY_STRING": "name=Ada%20Lovelace",
               "SCRIPT_NAME": "/cgi-bin/hello.py"}
by_hand = subprocess.run([sys.executable, "hello.py"], cwd=root / "cgi-bin", env=environment,
                         capture_output=True, timeout=10)
lab.show(by_hand.stdout, limit=200)

# %% [markdown]
# ## What the script gets
#
# `env.py` prints the CGI variables it was given. Note `QUERY_STRING`: the
# server hands it over **as it came**, `%20`, `+` and all; decoding it is the
# script's job. Each request header becomes `HTTP_` + its name in capitals,
# with `-` turned into `_`.

# %%
request = (
    "GET /cgi-bin/env.py?q=caf%C3%A9+au+lait&x=1%262 HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "User-Agent: notebook/7\r\n"
    "\r\n"
).encode()
head, body = lab.split_response(lab.exchange(server.port, request))
print(json.dumps(json.loads(body)["environ"], indent=1))

# %% [markdown]
# For a POST the body is the script's standard input, exactly `Content-Length`
# bytes, and `CONTENT_LENGTH` and `CONTENT_TYPE` say what it is:

# %%
form = b"name=Grace+Hopper&rank=rear+admiral"
request = (
    "POST /cgi-bin/env.py HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    f"Content-Length: {len(form)}\r\n"
    "\r\n"
).encode() + form
report = json.loads(lab.split_response(lab.exchange(server.port, request))[1])
print({name: report["environ"][name] for name in ("REQUEST_METHOD", "CONTENT_LENGTH", "CONTENT_TYPE")})
print("stdin:", report["stdin"])

# %% [markdown]
# The reference solution's environment, from the request:

# %%
lab.excerpt(7, "environment.update({")

# %% [markdown]
# ## A script that fails
#
# `fails.py` prints half a page, then raises. Its exit status is 1, so the
# client gets `500 Internal Server Error` and a short page - and the
# traceback goes to the server's log, where the programmer reads it. A
# traceback on the page would show a stranger file names and code.

# %%
response = lab.exchange(server.port, lab.get_request("/cgi-bin/fails.py"))
print(lab.status_line(response))
print("traceback in the response:", b"Traceback" in response)
print("in the server's log:")
print("\n".join(line for line in server.log().splitlines() if "fails.py" in line or "Error" in line)[-600:])

# %% [markdown]
# ## A script that never ends
#
# `sleeps.py` starts a child and both sleep for 30 s. The server gives a script
# `CGI_SECONDS` (5 s): then it stops the script's whole **process group** - the
# script ran with `start_new_session=True`, so its child is in the group too -
# and answers `504 Gateway Timeout`. Meanwhile other clients are served: the
# script holds up only its own connection's thread.

# %%
import socket

began = time.monotonic()
slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
slow.sendall(lab.get_request("/cgi-bin/sleeps.py"))
time.sleep(0.5)
other = lab.exchange(server.port, lab.get_request("/cgi-bin/hello.py?name=meanwhile"))
print(f"{time.monotonic() - began:4.1f} s  another client: {lab.status_line(other)}")
answer = b""
while chunk := slow.recv(65536):
    answer += chunk
slow.close()
print(f"{time.monotonic() - began:4.1f} s  the sleeping script's client: {lab.status_line(answer)}")

# %% [markdown]
# Are the script and its child gone? On Linux `/proc/PID/stat` says whether a
# process exists and its state; `Z` (a zombie) has ended already, only its exit
# status waits to be collected. Elsewhere `os.kill(pid, 0)` sends no signal and
# only asks whether the process exists.

# %%
def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


script_pid, child_pid = map(int, (root / "cgi-bin" / "sleeps.py.pids").read_text().split())
time.sleep(0.2)
print("script alive:", alive(script_pid), "  child alive:", alive(child_pid))

# %% [markdown]
# How the solution stops a script: its group, with `os.killpg`, not only the
# script with `process.kill()`.

# %%
lab.excerpt(7, "def stop_script(process):", "process.wait()")

# %% [markdown]
# ## The grader
#
# At stage 7 the grader puts scripts of its own into `cgi-bin/`, with random
# names and outputs: its environment as JSON, `Status: 404`, all 256 byte
# values, a failing one, one with no header block, a sleeper with a child, a
# megabyte of output, a name with spaces, and `.py` files reached through
# `/cgi-bin/../`, `/%63gi-bin/` and `/CGI-BIN/` that must never run. The
# timeout check alone takes 5 seconds.

# %%
print(render(grade(lab.solution(7), 7, seed=2024)))

# %% [markdown]
# The planted bug: stop the script with `process.kill()` instead of its group.
# The client still gets its 504 in time - but the child the sleeper started
# runs on.

# %%
kills_only_the_script = lab.broken_copy(
    7,
    "os.killpg(process.pid, signal.SIGKILL)",
    "process.kill()",
    name="stage7_kills_only_the_script.py",
)
print(render(grade(kills_only_the_script, 7, seed=2024)))

# %% [markdown]
# ## Summary
#
# * CGI hands the request to a program in environment variables (the query
#   string raw) and the body on stdin; the program prints a header block, an
#   empty line and the body; the server adds the status line and counts
#   `Content-Length`.
# * `Status:` sets the status; a failing script is a 500, one without a header
#   block a 502; stderr goes to the log.
# * Safety: only `.py` files really inside `cgi-bin`, a list instead of a
#   shell, a time limit, and the whole process group stopped.

# %%
server.stop()
print("servers still running:", lab.stop_all())
