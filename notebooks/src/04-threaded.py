# Source of notebooks/04-threaded.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 04 · Stage 4: a thread per connection
#
# The servers of stages 1 to 3 answer one connection at a time: accept it,
# read the request, answer, close, and only then accept the next. That is fine
# while every client is quick. But a client that connects and then sends its
# request slowly - or nothing at all - holds up everybody behind it, for as
# long as it likes: the stage-3 server has no deadline.
#
# Stage 4 changes one thing: the accept loop hands each connection to a thread
# of its own and goes straight back to `accept()`. And since each connection
# now costs a thread, a request gets a deadline (10 seconds), after which a
# stalled client gets `408 Request Timeout` and its thread is free.

# %%
import io
import socket
import threading
import time

import labhelpers as lab
from IPython.display import Image, display
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from autograder.grading import grade
from autograder.report_terminal import render

one_at_a_time = lab.Server(3)  # the stage-3 solution: no threads
threaded = lab.Server(4)  # the stage-4 solution
print(one_at_a_time)
print(threaded)

# %% [markdown]
# ## One silent client
#
# We open a connection and say nothing, then ask for a page on a second
# connection, waiting at most two seconds for the answer.

# %%
def ask_while_one_is_silent(port):
    with socket.create_connection(("127.0.0.1", port)):  # the silent client
        began = time.monotonic()
        response = lab.exchange(port, lab.get_request("/HelloWorld.html"), timeout=2)
        waited = time.monotonic() - began
    return lab.status_line(response) or "(no answer)", waited


for name, server in [("one at a time", one_at_a_time), ("threaded", threaded)]:
    status, waited = ask_while_one_is_silent(server.port)
    print(f"{name:14} {status:18} after {waited:.2f} s")

# %% [markdown]
# The one-at-a-time server never answered: it is sitting in `recv()` for the
# silent client. Yet our second connection was *accepted* - `connect()`
# returned at once. The operating system completes connections by itself and
# queues them (the `listen()` backlog) until the program calls `accept()`.
#
# ## A timeline
#
# To see what happens over time, five clients talk to each server. The first
# sends half of its request, stalls for 1.5 seconds, then sends the rest; four
# quick clients start 0.2 seconds apart and ask for a page at once. Each client
# records when it started, when it had sent its whole request, and when the
# answer was complete.

# %%
STALL = 1.5  # seconds the slow client pauses in the middle of its request
QUICK_CLIENTS = 4


def client(port, t0, delay=0.0, stall=0.0):
    """One request; returns (start, request sent, answer complete) in seconds after t0."""
    time.sleep(delay)
    start = time.monotonic() - t0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /HelloWorld.html HTTP/1.1\r\n")
        time.sleep(stall)
        sock.sendall(b"Host: 127.0.0.1\r\n\r\n")
        sent = time.monotonic() - t0
        while sock.recv(4096):  # read until the server closes
            pass
    return start, sent, time.monotonic() - t0


def timeline(port):
    """Run the slow client and the quick ones at once; {name: (start, sent, done)}."""
    t0 = time.monotonic()
    plans = {"slow client": (0.0, STALL)}
    plans.update({f"client {n}": (0.2 * n, 0.0) for n in range(1, QUICK_CLIENTS + 1)})
    results = {}

    def run(name, delay, stall):
        results[name] = client(port, t0, delay, stall)

    threads = [threading.Thread(target=run, args=(name, *plan)) for name, plan in plans.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {name: results[name] for name in plans}


timelines = {
    "stage 3: one connection at a time": timeline(one_at_a_time.port),
    "stage 4: a thread per connection": timeline(threaded.port),
}
for title, times in timelines.items():
    print(title)
    for name, (start, sent, done) in times.items():
        print(f"  {name:12} started {start:4.2f} s, answered {done:4.2f} s: waited {done - sent:4.2f} s")

# %% [markdown]
# The same numbers as a picture. Each bar is one client: light while it is still
# sending its request, dark while it waits for the answer; the black tick is the
# moment the answer was complete. (A `Figure` object
# draws with matplotlib's Agg renderer - no window, no global state - and we
# show the PNG it makes.)

# %%
SENDING, WAITING = "#9ecae1", "#08519c"  # light and dark blue

figure = Figure(figsize=(10, 3.4), layout="constrained")
axes = figure.subplots(1, 2, sharex=True, sharey=True)
for ax, (title, times) in zip(axes, timelines.items()):
    names = list(times)
    for row, name in enumerate(names):
        start, sent, done = times[name]
        ax.barh(row, sent - start, left=start, color=SENDING)
        ax.barh(row, done - sent, left=sent, color=WAITING)
        ax.plot(done, row, marker="|", markersize=14, color="black")  # the answer is complete
        label = "slow to send" if sent - start > 0.1 else f"waited {done - sent:.2f} s"
        ax.text(done + 0.04, row, label, va="center", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("seconds since the first client connected")
    ax.grid(axis="x", alpha=0.3)
axes[0].invert_yaxis()  # the first client on top (the axes share y: invert once)
axes[0].set_xlim(0, STALL + 0.9)
legend = [
    Patch(color=SENDING, label="sending the request"),
    Patch(color=WAITING, label="waiting for the answer"),
]
axes[1].legend(handles=legend, loc="lower right", fontsize=8)

png = io.BytesIO()
figure.savefig(png, format="png", dpi=100)
display(Image(png.getvalue()))

# %% [markdown]
# On the left, every quick client waits until the slow one is done: their
# answers all arrive just after 1.5 seconds, however early they asked.
# On the right, each quick client is answered as soon as it asks; only the slow
# client waits, for itself.
#
# ## What changed in the code
#
# One block, in the accept loop of `main()`:

# %%
lab.excerpt(4, "worker = threading.Thread(")

# %% [markdown]
# This is safe because `handle_client` already looked after exactly one
# connection and shared nothing with the others: its variables are local, the
# socket is its own. Threads go wrong where they share changing data - a global
# counter, a cache - and this server has none. (The grader reports, without
# scoring, module-level state that connections could share.)
#
# `daemon=True` lets Ctrl-C stop the server without waiting for threads that
# are still talking to slow clients.
#
# The deadline, given in the stage-4 skeleton, sits in the receiving loop:
# before each `recv()` the socket's timeout is set to the time the request has
# left, so a client that sends a byte now and then cannot keep its thread
# either.

# %%
lab.excerpt(4, "deadline = time.monotonic() + REQUEST_SECONDS", "connection_socket.settimeout(REQUEST_SECONDS)")
#
# ## The grader
#
# Stage 4's checks hold connections open - silent, or with half a request - and
# expect other clients to be answered within a second.

# %%
print(render(grade(lab.solution(4), 4, seed=2024)))

# %% [markdown]
# The classic mistake: calling `run()` instead of `start()`. Both exist on a
# `Thread`, and `run()` does call the target - but in the *current* thread, so
# the accept loop waits for it, exactly as before. Nothing crashes; the server
# is simply one-at-a-time again.

# %%
run_not_start = lab.broken_copy(4, "worker.start()", "worker.run()", name="stage4_run_not_start.py")
print(render(grade(run_not_start, 4, seed=2024)))

# %% [markdown]
# ## Summary
#
# * One slow client blocks a one-at-a-time server for everybody.
# * A thread per connection: the accept loop starts a thread and goes back to
#   `accept()`; `start()` it, don't `run()` it.
# * Threads are easy when connections share nothing.
#
# Next: `05-post`, forms that send their fields in the request body.

# %%
one_at_a_time.stop()
threaded.stop()
print("servers still running:", lab.stop_all())
