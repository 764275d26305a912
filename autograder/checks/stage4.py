"""Stage 4, threaded: a slow or silent client must not hold up the others."""

from __future__ import annotations

import time

from autograder import wire
from autograder.checks.expect import expect_file
from autograder.checks.registry import CheckFailed, check

ANSWER_WITHIN = 1.0  # seconds (contract §4, stage 4); never stretched: a longer window would let
# a server that serves one client at a time, dropping each stalled one after a short timeout, pass
STALL_BY_HAND = (
    "in one terminal `nc 127.0.0.1 8080` (type nothing: a stalled client), "
    "in another `curl -i http://127.0.0.1:8080/HelloWorld.html`; curl must not wait for nc"
)
THREAD_HINT = (
    "Hand each accepted connection to its own thread: "
    "threading.Thread(target=handle_client, args=(connection, address), daemon=True).start(). "
    "Call start(), not run() (run() works in the accept loop's own thread), and do not join() "
    "the thread in the accept loop."
)


def hold_open(ctx, partial: int, silent: int) -> list[wire.Connection]:
    """Clients that connect and stall: `partial` sent half a request, `silent` sent nothing."""
    holders = wire.open_many(ctx.port, partial + silent)
    for connection in holders[:partial]:
        connection.send(f"GET {ctx.docroot.html.url_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
    ctx.settle()
    return holders


def expect_answer_while_stalled(ctx, partial: int, silent: int, file) -> None:
    holders = hold_open(ctx, partial, silent)
    try:
        exchange = ctx.send(ctx.request(file.url_path), timeout=ANSWER_WITHIN, stretch=False, alone=False)
        who = _describe(partial, silent)
        try:
            expect_file(exchange, file, hint=THREAD_HINT)
        except CheckFailed as failure:
            failure.message = f"while {who} held a connection open, another request failed: {failure.message}"
            if exchange.got_nothing:
                failure.message = f"while {who} held a connection open, another client " + (
                    "was hung up on without an answer" if exchange.closed_by_server or exchange.reset
                    else f"got no answer within {exchange.elapsed:.1f} s")
                failure.symptom = "stalled"  # why (no threads, a dead thread, ...) is the diagnosis's to say
            failure.expected = f"the other client's file within {ANSWER_WITHIN:.0f} s, whatever the stalled clients do"
            if exchange.got_nothing:
                failure.hint, failure.recipe = THREAD_HINT, STALL_BY_HAND
            raise
    finally:
        for connection in holders:
            connection.close()


def _no_answer(exchange) -> str:
    if exchange.closed_by_server or exchange.reset:
        return "the server closed that connection without an answer"
    return f"got no answer within {exchange.elapsed:.1f} s"


def _describe(partial: int, silent: int) -> str:
    parts = []
    if partial:
        parts.append("a client that sent half a request" if partial == 1 else f"{partial} clients that sent half a request")
    if silent:
        parts.append("a client that sent nothing" if silent == 1 else f"{silent} clients that sent nothing")
    return " and ".join(parts)


@check(
    "4.stalled-client", points=3,
    description="a client that sent part of a request, or nothing, does not block another client",
    hint=THREAD_HINT,
)
def stalled_client(ctx):
    expect_answer_while_stalled(ctx, partial=1, silent=0, file=ctx.docroot.text)
    expect_answer_while_stalled(ctx, partial=0, silent=1, file=ctx.docroot.html)


@check(
    "4.five-stalled-clients", points=2,
    description="five stalled clients at once do not block another client",
    hint=THREAD_HINT + " A fixed pool of a few workers runs out when that many clients stall.",
)
def five_stalled_clients(ctx):
    expect_answer_while_stalled(ctx, partial=3, silent=2, file=ctx.docroot.png)


@check(
    "4.reverse-order", points=2,
    description="connections opened in order are answered when they send last-first",
    hint=THREAD_HINT,
)
def reverse_order(ctx):
    files = [ctx.docroot.many[i] for i in range(5)]
    connections = wire.open_many(ctx.port, len(files))
    try:
        for number in reversed(range(len(files))):
            connection = connections[number]
            started = time.monotonic()
            connection.send(ctx.request(files[number].url_path))
            exchange = connection.read_response(timeout=ANSWER_WITHIN, stretch=False)
            exchange.elapsed = time.monotonic() - started
            try:
                expect_file(exchange, files[number], hint=THREAD_HINT)
            except CheckFailed as failure:
                quiet = number  # connections 1..number are still open and quiet
                failure.message = (
                    f"connection {number + 1} of {len(files)} sent its request first (the others were open "
                    f"and quiet) and {_no_answer(exchange) if exchange.got_nothing else 'failed: ' + failure.message}"
                )
                if quiet:
                    failure.message += ": the server is still waiting on an earlier connection"
                if exchange.got_nothing:
                    failure.hint, failure.recipe = THREAD_HINT, STALL_BY_HAND
                    failure.symptom = "stalled"
                raise
    finally:
        for connection in connections:
            connection.close()


@check(
    # Needs concurrency first: a server that answers one client at a time gets the 32 right
    # trivially (the untouched skeleton would earn these points).
    "4.concurrent-32", points=3, depends=("4.stalled-client",),
    description="32 clients at once, their requests interleaved, each get their own file whole",
    hint="Keep everything about one request in local variables of the thread's function. A global "
    "buffer, path or file shared by all threads mixes up the requests of clients that arrive together.",
)
def concurrent_32(ctx):
    files = ctx.docroot.many
    # One by one: a burst of 32 connects would overflow a small listen() backlog,
    # and the kernel would reset clients a correct threaded server serves.
    connections = wire.open_one_by_one(ctx.port, len(files))
    try:
        requests = [ctx.request(file.url_path) for file in files]
        for connection, request in zip(connections, requests):
            connection.send(request[: len(request) // 2])
        time.sleep(0.05)
        for connection, request in zip(connections, requests):
            connection.send(request[len(request) // 2 :])
        wire.read_many([c for c in connections if c.sock is not None], timeout=8)
        for number, (connection, file) in enumerate(zip(connections, files), start=1):
            try:
                expect_file(connection.exchange, file)
            except CheckFailed as failure:
                wrong = [f.relative for f in files if f is not file and connection.exchange.received.endswith(f.content)]
                failure.message = f"client {number} of 32 asked for {file.relative}: {failure.message}"
                if wrong:
                    failure.message += f" (it got {wrong[0]}, another client's file)"
                raise
    finally:
        for connection in connections:
            connection.close()


@check(
    # Threads first: a one-at-a-time server survives churn by stage 2's rules alone.
    "4.survives-churn", points=2, depends=("4.stalled-client",),
    description="clients that connect and leave at once, or send junk, do not stop the server",
    hint="Each thread must catch its own errors (try/except around the handler, close the socket in "
    "finally); an exception in a thread must never reach the accept loop.",
)
def survives_churn(ctx):
    leavers = wire.open_many(ctx.port, 12)
    for number, connection in enumerate(leavers):
        if number % 3 == 0:
            connection.abort()
        elif number % 3 == 1:
            connection.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(200)))
            connection.close()
        else:
            connection.close()
    time.sleep(0.1)
    for file in (ctx.docroot.text, ctx.docroot.nested):
        exchange = ctx.send(ctx.request(file.url_path), timeout=2, alone=False)
        try:
            expect_file(exchange, file)
        except CheckFailed as failure:
            failure.message = "after 12 clients connected and left (some sending junk), a normal request failed: " + failure.message
            raise
