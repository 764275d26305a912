"""Stage 5's module checks, run as a separate process in the submission's sandbox.

    python module_probe.py ENTRY FILE_TARGET

Imports the submission as a module (not as __main__), watching for side
effects, then calls delegate() and handle_connection() directly. Each step
writes one JSON line to the original stdout; the submission's own prints go
to files, so they can neither mix with the results nor fake them. The parent
(stage5.py) judges the results; this script only observes.

Standalone on purpose: it imports nothing from the grader, so it runs the
same inside any sandbox.
"""

import base64
import importlib.machinery
import importlib.util
import json
import os
import socket
import sys
import tempfile
import threading
import time
import traceback

CALL_SECONDS = 3.0
RESULTS_FD = os.dup(1)


def report(step, **fields):
    fields["step"] = step
    os.write(RESULTS_FD, (json.dumps(fields) + "\n").encode())


def capture_output():
    """Point fds 1 and 2 at files; returns a function reading what was written."""
    files = []
    for fd in (1, 2):
        sys.stdout.flush() if fd == 1 else sys.stderr.flush()
        handle = tempfile.TemporaryFile()
        os.dup2(handle.fileno(), fd)
        files.append(handle)

    def read():
        sys.stdout.flush()
        sys.stderr.flush()
        texts = []
        for handle in files:
            handle.seek(0)
            texts.append(handle.read(2000).decode("utf-8", "replace"))
            handle.seek(0)
            handle.truncate()
        return texts

    return read


def watch_sockets(calls):
    """Record (and refuse) bind/listen/accept on any socket during the import."""
    originals = {}
    for name in ("bind", "listen", "accept", "connect"):
        original = getattr(socket.socket, name)
        originals[name] = original

        def refused(self, *args, _name=name):
            calls.append(f"socket.{_name}{args!r}")
            raise OSError(f"labgrade: socket.{_name}() called while importing the module")

        setattr(socket.socket, name, refused)
    return originals


def with_timeout(function, *args):
    """(finished, value, traceback) of function(*args), given CALL_SECONDS."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException:  # noqa: BLE001 - we report whatever the student raised
            outcome["error"] = traceback.format_exc(limit=6)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(CALL_SECONDS)
    if worker.is_alive():
        return False, None, None
    return True, outcome.get("value"), outcome.get("error")


def import_submission(entry):
    read_output = capture_output()
    calls = []
    originals = watch_sockets(calls)
    threads_before = threading.active_count()
    started = time.monotonic()
    report("import-started")
    sys.path.insert(0, os.path.dirname(os.path.abspath(entry)))
    loader = importlib.machinery.SourceFileLoader("submission", entry)
    spec = importlib.util.spec_from_loader("submission", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    error = None
    try:
        loader.exec_module(module)
    except BaseException:  # noqa: BLE001
        error = traceback.format_exc(limit=6)
    for name, original in originals.items():
        setattr(socket.socket, name, original)
    stdout, stderr = read_output()
    report(
        "import", ok=error is None, error=error, stdout=stdout, stderr=stderr, sockets=calls,
        threads=threading.active_count() - threads_before, seconds=time.monotonic() - started,
        functions={name: callable(getattr(module, name, None)) for name in ("serve", "handle_connection", "delegate")},
    )
    return module if error is None else None, read_output


def describe(value):
    """A JSON-safe picture of what delegate returned."""
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, (list, tuple)):
        return {"type": type(value).__name__, "items": [describe(item) for item in value]}
    return {"repr": repr(value)[:300], "type": type(value).__name__}


def call_delegate(module, step, *args):
    finished, value, error = with_timeout(module.delegate, *args)
    report(step, finished=finished, error=error, value=describe(value) if finished and not error else None)


def talk_through_socketpair(module, step, request):
    server_side, client_side = socket.socketpair()
    client_side.settimeout(CALL_SECONDS)
    outcome = {}

    def serve_one():
        outcome["started"] = True
        try:
            outcome["value"] = module.handle_connection(server_side, ("127.0.0.1", 40000))
        except BaseException:  # noqa: BLE001
            outcome["error"] = traceback.format_exc(limit=6)

    worker = threading.Thread(target=serve_one, daemon=True)
    worker.start()
    client_side.sendall(request)
    received = b""
    deadline = time.monotonic() + CALL_SECONDS
    while time.monotonic() < deadline:
        try:
            chunk = client_side.recv(65536)
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        received += chunk
    client_side.close()  # a server that drains the rest of the request sees the end at once
    worker.join(max(0.1, deadline - time.monotonic()))
    report(
        step, received=base64.b64encode(received).decode(), finished=not worker.is_alive(),
        error=outcome.get("error"), returned=repr(outcome.get("value"))[:200],
        returned_none=outcome.get("value") is None,
    )


def main():
    entry, file_target = sys.argv[1], sys.argv[2]
    module, read_output = import_submission(entry)
    if module is None:
        return
    if callable(getattr(module, "delegate", None)):
        headers = {"Host": "127.0.0.1", "User-Agent": "labgrade/1.0"}
        call_delegate(module, "delegate-get", "GET", "/echo", headers, {"name": ["test", "test2"]})
        post_headers = dict(headers, **{"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "17"})
        call_delegate(module, "delegate-post", "POST", "/echo", post_headers, {"a": ["1"]}, {"b": ["2"], "c": ["x y"]})
    if callable(getattr(module, "handle_connection", None)):
        get = f"GET {file_target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        talk_through_socketpair(module, "handle-connection", get)
        if callable(getattr(module, "delegate", None)):
            def failing_delegate(*args, **kwargs):
                raise RuntimeError("labgrade: delegate failed on purpose")

            module.delegate = failing_delegate
            echo = b"GET /echo?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            talk_through_socketpair(module, "delegate-error", echo)
    report("done")


if __name__ == "__main__":
    try:
        main()
    finally:
        os._exit(0)  # do not wait for threads the submission left behind
