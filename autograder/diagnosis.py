"""Naming the cause of a failure in terms of the student's own code.

A check fails with what it saw on the wire (CheckFailed: bytes, symptom).
This module puts that together with what happened inside the run meanwhile
(watch.py: files opened, crashes, input()) and what the source says
(program.py), and returns the *fault*: a stable key, one sentence that names
it ("your server opened '/page.html' (line 23, `f = open(filename)`), an
absolute path ..."), and a hint for that fault only.

Rules are tried in order, most specific first, and each says only what was
observed; a failure no rule explains keeps the check's own message and hint.
The grader then names each fault once, in the first check where it shows,
and marks every later failure with the same key "because of ... (see that
check)" (grading.link_causes).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from autograder import watch as watching
from autograder.http_response import parse_response
from autograder.program import Program

STRUCTURAL = ("bad-status-line", "lf-only", "no-blank-line", "bad-header-line")


@dataclass(frozen=True)
class Fault:
    key: str  # the same key in two checks means the same root cause
    phrase: str  # names it, in the student's terms
    hint: str  # what to do about it


@dataclass
class Evidence:
    check: str
    failure: object  # the CheckFailed
    events: list  # watch.Event during the check
    program: Program
    root: Path  # the document root
    start: object = None  # runner.StartResult of the server's (last) start
    server_stopped: bool = False


def diagnose(evidence: Evidence) -> Fault | None:
    for rule in RULES:
        fault = rule(evidence)
        if fault is not None:
            return fault
    return None


# -- before it listens -------------------------------------------------------------


def before_listening(ev: Evidence) -> Fault | None:
    if ev.check != "1.starts-listening":
        return None
    program, crashes = ev.program, watching.crashes(ev.events)
    if program.python2:
        return Fault("python2", f"this is Python 2: {program.python2}; the course uses Python 3",
                     "Python 3 writes print(...) with parentheses, input() instead of raw_input(), and "
                     "`except OSError as error:`. Run it with python3 yourself and fix each line it names.")
    error = program.syntax_error
    if error is not None:
        kind = type(error).__name__
        where = program.where(error.lineno)
        return Fault("syntax", f"Python cannot read your file: {kind} ({error.msg}) at {where or 'an unknown line'}",
                     "Indent every block with 4 spaces, never tabs (tell your editor to insert spaces)."
                     if isinstance(error, IndentationError) else
                     "Run `python3 yourfile.py 8080` yourself: Python shows the line and a ^ under the problem.")
    missing = next((c for c in crashes if c.type == "ModuleNotFoundError"), None)
    if missing is not None:
        name = re.search(r"'([^']+)'", missing.message)
        name = name.group(1) if name else "a module"
        return Fault("missing-package",
                     f"your server imports {name} ({program.where(missing.line)}), which is not installed "
                     "where it is graded: the course allows only Python's standard library",
                     f"Remove `import {name}` and do the job with the standard library (socket, os, urllib.parse).")
    reads = watching.inputs(ev.events)
    eof = next((c for c in crashes if c.type == "EOFError"), None)
    if reads or eof or (program.input_lines and not ev.start.listening and ev.start.exit_code is not None
                        and not ev.start.other_ports and not crashes):
        line = reads[0].line if reads else (eof.line if eof else program.input_lines[0])
        return Fault("reads-stdin",
                     f"your server reads from the keyboard with input() ({program.where(line)}); the grader "
                     "types nothing, so it never gets a port",
                     "Take the port from the command line instead: port = int(sys.argv[1]).")
    port = ev.start.port if ev.start is not None else None
    elsewhere = [b for b in watching.binds(ev.events) if _bound_port(b) not in (None, 0, port)]
    if elsewhere:
        bound = elsewhere[0]
        return Fault("fixed-port", f"your server binds port {_bound_port(bound)} ({program.where(bound.line)}) "
                     "instead of the one in sys.argv[1]",
                     "The grader chooses a free port and passes it as the first argument: port = int(sys.argv[1]).")
    if crashes:
        return crash_fault(ev, crashes[0], stopped=True)
    if watching.finished(ev.events) and not watching.binds(ev.events):
        if program.commented_main_guard:
            phrase = (f"your `if __name__ == \"__main__\":` line is commented out "
                      f"({program.where(program.commented_main_guard)}), so the file only defines things and ends")
            return Fault("nothing-runs", phrase, "Remove the '#' so the block that starts the server runs.")
        if program.uncalled_entry_function:
            name = program.uncalled_entry_function
            return Fault("nothing-runs", f"your file defines {name}() but never calls it, so it ends without listening",
                         f"Call it at the end of the file: if __name__ == \"__main__\": {name}()")
        return Fault("nothing-runs", "your file ran to its end without listening: nothing in it starts the server",
                     "At the end of the file, create the socket, bind it to int(sys.argv[1]), listen() and accept "
                     "in a loop (or call the function that does).")
    if ev.start is not None and ev.start.other_ports:
        port = ev.start.other_ports[0]
        bound = next((b for b in watching.binds(ev.events) if str(port) in str(b.fields[0])), None)
        where = f" ({ev.program.where(bound.line)})" if bound and bound.line else ""
        return Fault("fixed-port", f"your server binds port {port}{where} instead of the one in sys.argv[1]",
                     "The grader chooses a free port and passes it as the first argument: port = int(sys.argv[1]).")
    return None


def _bound_port(bind: watching.Event) -> int | None:
    match = re.search(r"(\d+)\)\s*$", str(bind.fields[0]))
    return int(match.group(1)) if match else None


# -- crashes ------------------------------------------------------------------------

CRASH_HINTS = (
    ("UnicodeDecodeError", "", "Open the file with 'rb' and send its bytes as they are: text mode decodes them, and "
     "an image is not UTF-8 text."),
    ("UnicodeEncodeError", "", "Send bytes: encode text with .encode('utf-8'), and read files with 'rb'."),
    ("TypeError", "bytes-like", "send() takes bytes: encode text with .encode(), or read the file with 'rb'."),
    ("TypeError", "can't concat", "Mixing str and bytes: build the head as text, encode it, then add the file's bytes."),
    ("AttributeError", "'bytes' object has no attribute 'encode'", "The file's content is already bytes (opened "
     "with 'rb'): send it as it is, without .encode()."),
    ("IndexError", "", "The request was empty or shorter than you expected (a client may connect and send nothing): "
     "check what recv() returned before splitting it, and answer 400 to nonsense."),
    ("BrokenPipeError", "", "The client left before the answer was complete: catch OSError around the sending, "
     "so one client cannot stop the server."),
    ("ConnectionResetError", "", "The client left before the answer was complete: catch OSError around the "
     "sending, so one client cannot stop the server."),
    ("FileNotFoundError", "", "When open() fails, answer 404 Not Found instead of crashing: catch the error "
     "(try/except OSError) around opening the file."),
    ("IsADirectoryError", "", "The path names a folder, not a file: answer 404 (or the folder's index) instead of crashing."),
    ("NotADirectoryError", "", "Check that the path names a file before opening it; answer 404 when it does not."),
    ("PermissionError", "", "Catch OSError around opening the file and answer with an error status instead of crashing."),
    ("OSError", "Bad file descriptor", "A socket was used after close(): close each connection once, at the end, "
     "and never close the listening socket inside the accept loop."),
    ("ValueError", "invalid literal for int", "The port is the first command-line argument: port = int(sys.argv[1])."),
    ("NameError", "", "A name is used before it is defined (or misspelt): check the line shown."),
)


HANG_UP_ERRORS = ("BrokenPipeError", "ConnectionResetError", "ConnectionAbortedError")


def crash_fault(ev: Evidence, crash: watching.Crash, stopped: bool) -> Fault:
    program = ev.program
    where = program.where(crash.line) if crash.file == program.path.name else (
        f"{crash.file} line {crash.line}" if crash.file else "")
    who, what = ("your server", "crashed") if crash.in_main_thread else ("the thread serving this request", "died")
    message = crash.message.splitlines()[0][:160] if crash.message else ""
    phrase = f"{who} {what}: {crash.type}" + (f" at {where}" if where else "") + (f" ({message})" if message else "")
    hint = next((h for kind, part, h in CRASH_HINTS if crash.type == kind and part in crash.message), None)
    if hint is None:
        hint = "Read the traceback in your server's output (below) from the bottom up: the last line of your file " \
               "in it is where it went wrong."
    return Fault(f"crash:{crash.type}:{crash.line}", phrase, hint)


def shared_connection(ev: Evidence) -> Fault | None:
    """A stage-4 failure in a server whose threads use one global connection socket."""
    shared = ev.program.shared_connection
    if shared is None or not ev.check.startswith("4."):
        return None
    name, line = shared
    return Fault(f"shared-connection:{name}",
                 f"your threads share one global `{name}` ({ev.program.where(line)}): the accept loop replaces it "
                 "while an older thread still uses it, so answers go to the wrong client or to a closed socket",
                 f"Pass each connection to its own thread and use only that: Thread(target=handle, args=({name},)), "
                 f"and def handle({name}): with no `global {name}`.")


def crashed(ev: Evidence) -> Fault | None:
    crashes = watching.crashes(events_of(ev))
    if not crashes:
        return None
    # A file the server could not find is told by what it opened (wrong_path), not by the crash.
    if crashes[0].type == "FileNotFoundError" and wrong_path(ev):
        return None
    # The grader stopped reading (a deadline passed) and closed: a send() failing after that
    # is a consequence; the cause is why the answer took so long (the rules below).
    exchange = getattr(ev.failure, "exchange", None)
    gave_up = exchange is not None and exchange.timed_out
    crashes = [c for c in crashes if not (gave_up and c.type in HANG_UP_ERRORS)]
    if not crashes:
        return None
    return crash_fault(ev, crashes[0], stopped=ev.server_stopped)


# -- what it opened --------------------------------------------------------------------


def requested_file(ev: Evidence) -> str | None:
    """The existing file below the root that the check's request asked for, as a relative path."""
    target = _target(ev)
    if target is None:
        return None
    relative = unquote(urlsplit(target).path).lstrip("/")
    target = ev.root / relative
    try:
        if relative and ".." not in relative.split("/") and target.is_file():
            return relative
    except OSError:
        return None
    return None


def wrong_path(ev: Evidence) -> Fault | None:
    """The server opened a file that does not exist while the request named one that does."""
    wanted = requested_file(ev)
    if wanted is None:
        return None
    missing = [o for o in watching.opened(events_of(ev)) if not o.existed and o.line]
    if not missing:
        return None
    tried = missing[0]
    faults = _path_faults(tried.path, wanted)
    if not faults:
        return Fault(f"wrong-path:{tried.path}",
                     f"your server opened {tried.path!r} ({ev.program.where(tried.line)}), which does not exist; "
                     f"the request asked for {wanted!r}",
                     "Build the name from the request's path: strip the leading '/', decode %XX, cut the query, "
                     "and open it relative to the working directory.")
    key, what, hint = faults[0]
    also = [f[1] for f in faults[1:]]
    phrase = f"your server opened {tried.path!r} ({ev.program.where(tried.line)}): {what}"
    if also:
        phrase += "; also, " + "; ".join(also)
    return Fault(key, phrase, hint)


PATH_FAULTS = {
    "one-recv": ("only the first piece of the request had arrived when it read it",
                 "One recv() gives what has arrived so far. Keep calling recv() and appending until the data "
                 "holds b'\\r\\n\\r\\n', the end of the headers."),
    "wrong-folder": ("the document root is the folder your server runs in, so the file is {wanted!r}, not below {prefix!r}",
                     "Open the path relative to the working directory, with no folder in front of it: the grader "
                     "runs your server inside the document root."),
    "absolute-path": ("an absolute path (from the top of the disk); the file is {wanted!r} in the folder your server "
                      "runs in", "Strip the leading '/' from the path (path[1:] or path.lstrip('/')): the working "
                      "directory is the document root."),
    "not-percent-decoded": ("the name is still percent-encoded",
                            "Decode the path before opening it: urllib.parse.unquote(path) turns '%20' into a space."),
    "query-kept": ("the query string is still on the name",
                   "Cut the path at the first '?' before opening the file: path.split('?')[0], or "
                   "urllib.parse.urlsplit(target).path."),
}


def _path_faults(path: str, wanted: str) -> list[tuple[str, str, str]]:
    """What turned the wanted file's name into `path`, most important first."""
    found = []
    core = path.replace("\\", "/")
    if "?" in core:
        core = core.split("?", 1)[0]
        found.append("query-kept")
    if "%" in core and unquote(core) != core:
        core = unquote(core)
        found.append("not-percent-decoded")
    prefix = ""
    if core.endswith(wanted):
        prefix = core[: len(core) - len(wanted)]
    else:
        truncated = next((cut for cut in range(len(core)) if wanted.startswith(core[cut:]) and core[cut:]
                          and (cut == 0 or core[cut - 1] == "/")), None)
        if truncated is None:
            return []
        prefix = core[:truncated]
        found.insert(0, "one-recv")
    if prefix.strip("/"):
        found.insert(1 if found[:1] == ["one-recv"] else 0, "wrong-folder")
    elif prefix == "/":
        found.insert(1 if found[:1] == ["one-recv"] else 0, "absolute-path")
    elif prefix:
        return []
    result = []
    for key in found:
        what, hint = PATH_FAULTS[key]
        result.append((key, what.format(wanted=wanted, prefix=prefix), hint))
    return result


def events_of(ev: Evidence) -> list:
    """What happened while the check ran, and while the server answered the exchange it judged."""
    exchange = getattr(ev.failure, "exchange", None)
    during_exchange = list(getattr(exchange, "events", None) or [])
    return during_exchange + [e for e in ev.events if e not in during_exchange]


def folder_in_front(ev: Evidence) -> Fault | None:
    """A 404 (or other error) for an existing file, and the code puts a folder in front of the path."""
    if getattr(ev.failure, "symptom", None) != "status" or requested_file(ev) is None:
        return None
    if watching.opened(events_of(ev)):
        return None  # what it opened says more (wrong_path)
    prefix = ev.program.folder_prefix
    if prefix is None:
        return None
    folder, line = prefix
    return Fault("wrong-folder", f"your server looks for files below {folder!r} ({ev.program.where(line)}), but "
                 f"the document root is the folder it runs in: the file asked for is {requested_file(ev)!r} there",
                 "Open the path relative to the working directory, with no folder in front of it: the grader "
                 "runs your server inside the document root.")


def never_decodes(ev: Evidence) -> Fault | None:
    """The percent-decoding check got an error, and nothing in the program decodes %XX."""
    if ev.check != "2.percent-decoding" or getattr(ev.failure, "symptom", None) != "status":
        return None
    if re.search(r"\bunquote|\bunquote_plus|parse_qs|urlsplit|urlparse", ev.program.all_text):
        return None
    return Fault("not-percent-decoded", "your server never percent-decodes the path (nothing in it calls "
                 "urllib.parse.unquote), so '/with%20space.html' names no file",
                 "Decode the path before opening it: urllib.parse.unquote(path) turns '%20' into a space.")


def outside_root(ev: Evidence) -> Fault | None:
    """The traversal check got the secret, and the server opened a file outside the root."""
    if ev.check != "2.no-traversal":
        return None
    root = str(ev.root.resolve())
    outside = [o for o in watching.opened(events_of(ev)) if o.existed and o.line and not _inside(o.path, ev.root)]
    if not outside:
        return None
    tried = outside[0]
    how = "a path that starts with '/' after the first one names a file from the top of the disk" \
        if tried.path.startswith("/") and not tried.path.startswith(root) and ".." not in tried.path \
        else "'..' climbs out of the document root"
    return Fault("leaves-root", f"your server opened {tried.path!r} ({ev.program.where(tried.line)}), outside "
                 f"the document root: {how}",
                 "Resolve the name and refuse any that leaves the root: full = os.path.realpath(name); answer 403 "
                 "(or 404) unless full starts with os.path.realpath('.') + os.sep.")


def _inside(path: str, root: Path) -> bool:
    full = os.path.realpath(os.path.join(str(root), path))
    return full == str(root.resolve()) or full.startswith(str(root.resolve()) + os.sep)


def error_as_200(ev: Evidence) -> Fault | None:
    """An error answer (a missing file, a bad request) sent with status 200."""
    symptom = getattr(ev.failure, "symptom", None)
    response = parse_response(getattr(ev.failure, "received", None) or b"")
    if symptom != "status" or response.status != 200 or requested_file(ev) is not None:
        return None
    if not re.search(rb"(?i)not found|404|error|bad request", response.body[:2000]):
        return None
    return Fault("error-as-200", "your server sends its error page with the status line 'HTTP/1.1 200 OK': the "
                 "page says something went wrong, the status says all is well",
                 "Put the error's status in the status line: 'HTTP/1.1 404 Not Found' for a missing file, "
                 "'HTTP/1.1 400 Bad Request' for a request it cannot read.")


def _target(ev: Evidence) -> str | None:
    sent = getattr(ev.failure, "sent", None)
    if not isinstance(sent, bytes):
        return None
    parts = sent.split(b"\r\n", 1)[0].split(b" ")
    return parts[1].decode("latin-1") if len(parts) > 1 else None


# -- what it sent ------------------------------------------------------------------------


def malformed(ev: Evidence) -> Fault | None:
    received = getattr(ev.failure, "received", None)
    symptom = getattr(ev.failure, "symptom", None) or ""
    if not received:
        return None
    response = parse_response(received)
    structural = [p for p in response.problems if p.code in STRUCTURAL]
    if not structural:
        return None
    # Only failures that this malformation explains: the status or the body could not be found.
    related = symptom in ("unfinished", "no-status") or symptom in {f"problem:{code}" for code in STRUCTURAL} or (
        symptom in ("body", "") and not response.headers_complete) or response.status is None
    if not related:
        return None
    head = received.split(b"\n\n", 1)[0][:300]
    if b"\\r\\n" in head or b"\\n" in head:
        line = _source_line_with_backslashes(ev.program)
        return Fault("literal-backslash",
                     "your server sends a backslash and a letter ('\\\\r\\\\n', four characters) where a line "
                     "ending belongs" + (f" ({ev.program.where(line)})" if line else ""),
                     "Write \"\\r\\n\" with one backslash each: that is two bytes, carriage return and line feed. "
                     "With a raw string (r\"...\") or a doubled backslash the bytes are literally '\\' and 'r'.")
    problem = structural[0]
    if problem.code == "lf-only":
        line = _response_line(ev.program, lambda text: "\\n" in text and "\\r\\n" not in text)
        return Fault("lf-only", "your server ends its lines with \\n only" +
                     (f" ({ev.program.where(line)})" if line else "") + ": HTTP needs \\r\\n",
                     "End every line of the status line and headers with \"\\r\\n\", and the headers with an "
                     "empty line: \"...\\r\\n\\r\\n\".")
    if problem.code == "no-blank-line":
        return Fault("no-blank-line", "your server's headers never end: no blank line (\\r\\n\\r\\n) comes after them",
                     "After the last header send an empty line: the head ends with \"\\r\\n\\r\\n\"; then the body.")
    if problem.code == "bad-status-line":
        return Fault("bad-status-line", f"your server's first line is {response.status_line[:60]!r}, not a status line",
                     "Start the response with 'HTTP/1.1 200 OK\\r\\n' (or the status that applies).")
    return Fault("bad-header-line", problem.message, "Each header line is 'Name: value\\r\\n'.")


def _source_line_with_backslashes(program: Program) -> int | None:
    """The first line holding a doubled backslash before r or n (the characters \\\\r), or a raw string's \\r."""
    for number, line in enumerate(program.lines, start=1):
        if re.search(r"\\\\[rn]", line) or re.search(r"\br[\"'][^\"']*\\[rn]", line):
            return number
    return None


def _response_line(program: Program, test) -> int | None:
    for number, line in enumerate(program.lines, start=1):
        if ("HTTP/1" in line or "Content-" in line) and test(line):
            return number
    return None


# -- how it read and sent ---------------------------------------------------------------------


def one_recv(ev: Evidence) -> Fault | None:
    if ev.check != "1.request-in-pieces" or ev.program.recv_in_loop or ev.program.reads_with_makefile:
        return None
    if not ev.program.recv_lines:
        return None
    line = ev.program.recv_lines[0]
    return Fault("one-recv", f"your server calls recv() once ({ev.program.where(line)}) and works with the first "
                 "piece of the request; the rest came later",
                 "One recv() gives what has arrived so far. Keep calling recv() and appending until the data "
                 "holds b'\\r\\n\\r\\n', the end of the headers.")


def waits_for_more(ev: Evidence) -> Fault | None:
    """No answer at all: the server is still reading, for an end that never comes."""
    if getattr(ev.failure, "symptom", None) != "no-answer" or ev.server_stopped:
        return None
    sentinel = ev.program.read_sentinel
    if sentinel is None:
        return None
    kind, line = sentinel
    if kind == "lf-lf":
        return Fault("waits-for-lf-lf", f"your server reads until it sees '\\n\\n' ({ev.program.where(line)}), "
                     "but the headers of a request end with '\\r\\n\\r\\n', so it waits forever",
                     "Stop reading when the data holds b'\\r\\n\\r\\n' (the blank line that ends the headers).")
    return Fault("waits-for-close", f"your server reads until recv() returns b'' ({ev.program.where(line)}), "
                 "which happens only when the client closes; the client is waiting for your answer",
                 "Stop reading when the data holds b'\\r\\n\\r\\n' (the blank line that ends the headers).")


def byte_per_send(ev: Evidence) -> Fault | None:
    line = ev.program.byte_per_send
    exchange = getattr(ev.failure, "exchange", None)
    if line is None or exchange is None or not exchange.timed_out:
        return None
    wanted = requested_file(ev)
    body = parse_response(exchange.received).body
    if wanted is None or not (ev.root / wanted).read_bytes().startswith(body):
        return None  # what came is wrong, not just late
    got = len(exchange.received) if exchange is not None else 0
    seconds = exchange.elapsed if exchange is not None else 0
    amount = f"{got / 2**20:.1f} MiB arrived in {seconds:.0f} s" if got else "the file did not arrive in time"
    return Fault("byte-per-send", f"{amount}: one send() per byte ({ev.program.where(line)}) is too slow for a "
                 "large file", "Send the whole file in one call: connectionSocket.sendall(content).")


def fixed_file(ev: Evidence) -> Fault | None:
    """A complete 200 answer whose body is another file of the root than the one asked for."""
    response = parse_response(getattr(ev.failure, "received", None) or b"")
    wanted = requested_file(ev) or _missing_target(ev)
    if not response.body or wanted is None or response.status != 200 or not response.headers_complete:
        return None
    for path in sorted(ev.root.rglob("*")):
        try:
            if path.is_file() and path.stat().st_size == len(response.body) and path.read_bytes() == response.body:
                name = path.relative_to(ev.root).as_posix()
                if name != wanted:
                    return Fault("fixed-file", f"your server sent {name!r} when {wanted!r} was asked for",
                                 "Open the file the request names (the path in its first line), not a fixed one.")
        except OSError:
            continue
    return None


def threads(ev: Evidence) -> Fault | None:
    if not ev.check.startswith("4.") or getattr(ev.failure, "symptom", None) != "stalled":
        return None
    program = ev.program
    line = program.thread_target_called
    if line:
        return Fault("thread-target-called",
                     f"your server calls its handler in the accept loop ({program.where(line)}): "
                     "Thread(target=handle(conn)) runs handle() first and gives its result to Thread",
                     "Pass the function and its arguments separately: Thread(target=handle, args=(conn, addr)).")
    if not re.search(r"\b(threading|_thread|concurrent|selectors|select|asyncio|multiprocessing|socketserver)\b",
                     program.all_text):
        return Fault("no-threads", "your server has no threads (nothing in it imports threading), so it serves one "
                     "connection at a time: a client that sends nothing holds up everyone else",
                     "Hand each accepted connection to its own thread: threading.Thread(target=handle, "
                     "args=(connection, address), daemon=True).start().")
    waits = next((n for n, text in enumerate(program.lines, start=1) if re.search(r"\.(join|run)\(\s*\)", text)
                  and not re.search(r"['\"]\s*\.join|os\.path\.join", text)), None)
    if waits:
        return Fault("waits-for-thread", f"your accept loop waits for each thread ({program.where(waits)}), so it "
                     "serves one connection at a time although it starts threads",
                     "Call start() and go straight back to accept(): no join() in the accept loop, and start() "
                     "rather than run() (run() runs the handler in the accept loop's own thread).")
    return None


def text_mode(ev: Evidence) -> Fault | None:
    """The server opened the asked-for file in text mode, and that changed or broke the answer."""
    symptom = getattr(ev.failure, "symptom", None)
    wanted = requested_file(ev)
    if wanted is None or symptom not in ("body", "problem:length-mismatch", "status", "closed-empty"):
        return None
    # The audit event does not tell text from binary; the open() call on the student's line does.
    opened = [o for o in watching.opened(events_of(ev)) if o.existed
              and o.path.replace("\\", "/").lstrip("/").endswith(wanted)
              and "b" not in (ev.program.open_mode_at(o.line) or "b")]
    if not opened:
        return None
    content = (ev.root / wanted).read_bytes()
    where = ev.program.where(opened[0].line)
    if symptom in ("status", "closed-empty"):
        if _is_text(content):
            return None  # it could read this file: something else failed
        return Fault("text-mode", f"your server opened {wanted!r} in text mode ({where}): reading a file that is "
                     "not UTF-8 text (an image) then fails, and no file came back",
                     "Open files with open(path, 'rb') and send the bytes you read, unchanged.")
    body = parse_response(ev.failure.received or b"").body
    if body == content or body.startswith(content) or content.startswith(body):
        return None  # the bytes that came are right; something else is wrong
    return Fault("text-mode", f"your server opened {wanted!r} in text mode ({where}), so Python decoded the "
                 "file and encoded it again: the bytes it sent are not the file's",
                 "Open files with open(path, 'rb') and send the bytes you read, unchanged.")


def _is_text(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def length_in_characters(ev: Evidence) -> Fault | None:
    """Content-Length counts the characters of the text instead of its bytes."""
    if getattr(ev.failure, "symptom", None) != "problem:length-mismatch":
        return None
    wanted = requested_file(ev)
    response = parse_response(ev.failure.received or b"")
    if wanted is None or response.content_length is None:
        return None
    content = (ev.root / wanted).read_bytes()
    if not _is_text(content) or response.content_length != len(content.decode("utf-8")) or response.body != content:
        return None
    line = next((n for n, text in enumerate(ev.program.lines, start=1)
                 if "content-length" in text.lower() and "len(" in text), None)
    where = f" ({ev.program.where(line)})" if line else ""
    return Fault("length-in-characters",
                 f"your Content-Length is the number of characters ({response.content_length}){where}, but the file "
                 f"has {len(content)} bytes: a non-ASCII character takes two or more bytes in UTF-8",
                 "Compute Content-Length from the bytes you send: len(body) where body is bytes (read the file "
                 "with 'rb', or take len(text.encode('utf-8'))).")


def extra_bytes(ev: Evidence) -> Fault | None:
    """The file came, and something more after it (the classic `send("\\r\\n")` after the body)."""
    if getattr(ev.failure, "symptom", None) not in ("body", "problem:length-mismatch"):
        return None
    wanted = requested_file(ev)
    if wanted is None:
        return None
    body = parse_response(ev.failure.received or b"").body
    content = (ev.root / wanted).read_bytes()
    if not body.startswith(content) or len(body) == len(content):
        return None
    extra = body[len(content):]
    line = next((n for n, text in enumerate(ev.program.lines, start=1) if ".send" in text
                 and re.search(r"""\(\s*["']\\r\\n["']""", text)), None)
    where = f" ({ev.program.where(line)})" if line else ""
    return Fault("extra-bytes", f"your server sends {len(extra)} more byte(s) after the file ({extra[:20]!r}){where}",
                 "Send the file and nothing after it: the body ends where the file ends (the client knows "
                 "where from Content-Length).")


def no_headers(ev: Evidence) -> Fault | None:
    """Content-Length or Content-Type missing because the response has no headers at all."""
    symptom = getattr(ev.failure, "symptom", None)
    if symptom is not None and not symptom.startswith("problem:"):
        return None  # a wrong status or body is not explained by missing headers
    response = parse_response(getattr(ev.failure, "received", None) or b"")
    if response.status is None or response.headers or not response.headers_complete and not response.body:
        return None
    return Fault("no-headers", "your server sends a status line and no headers at all",
                 "After the status line send at least Content-Type and Content-Length, each as "
                 "'Name: value\\r\\n', then the blank line.")


def _missing_target(ev: Evidence) -> str | None:
    """The asked-for name when the request names no file at all (the 404 check's request)."""
    target = _target(ev)
    if not target or not target.startswith("/") or ".." in target:
        return None
    relative = unquote(urlsplit(target).path).lstrip("/")
    return relative if relative and not (ev.root / relative).exists() else None


def stopped_serving(ev: Evidence) -> Fault | None:
    """The program ended by itself (exit status 0) after answering: nothing loops around accept()."""
    if getattr(ev.failure, "symptom", None) not in ("no-connection", "closed-empty", "no-answer"):
        return None
    line = ev.program.closes_listening_socket_in_loop
    if not line and not watching.finished(events_of(ev)):
        return None
    if line:
        return Fault("stops-serving", f"your server closes its listening socket inside the loop "
                     f"({ev.program.where(line)}), so after one answer it takes no more connections and ends",
                     "Close only the connection socket after each answer; close the listening socket once, "
                     "after the loop (in practice never: the server runs until it is stopped).")
    return Fault("stops-serving", "your server's program ran to its end after answering (exit status 0): "
                 "nothing loops back to accept() the next connection",
                 "Put accept(), reading the request and answering inside `while True:`.")


# -- running scripts (stage 7) -------------------------------------------------------


def _script_runs(ev: Evidence) -> list:
    return watching.runs(events_of(ev))


def _where_run(ev: Evidence, run) -> str:
    return ev.program.where(run.line) if run.file == ev.program.path.name else (f"line {run.line} of {run.file}"
                                                                              if run.line else "your code")


def cgi_shell(ev: Evidence) -> Fault | None:
    """A script whose name has a space failed, and the server ran it through a shell."""
    if ev.check != "7.space-in-name":
        return None
    shell = next((run for run in _script_runs(ev) if run.shell), None)
    if shell is None:
        return None
    command = shell.argv[-1] if len(shell.argv) <= 3 else " ".join(shell.argv)
    return Fault("cgi-shell",
                 f"your server runs the script through a shell ({_where_run(ev, shell)}: `{command[:80]}`): the "
                 "shell reads the file name as a command line, so a space splits it in two (and a `;` in a name "
                 "would run a command of its own)",
                 "Give subprocess the program and its arguments as a list, with no shell=True: "
                 "subprocess.Popen([sys.executable, script_path], ...).")


def cgi_environment_not_passed(ev: Evidence) -> Fault | None:
    """The CGI variables were missing, and the server started the script with its own environment."""
    if ev.check not in ("7.cgi-environment", "7.query-string-raw", "7.request-headers-env", "7.post-stdin"):
        return None
    message = str(getattr(ev.failure, "message", ""))
    missing = re.findall(r"\b([A-Z_]+) is missing", message)
    if not missing:
        return None
    for run in _script_runs(ev):
        if run.shell:
            continue
        if run.env_names is None:
            return Fault("cgi-env-not-passed",
                         f"your server starts the script without an env= argument ({_where_run(ev, run)}), so the "
                         f"script gets the server's own environment: {', '.join(missing[:3])} and the other CGI "
                         "variables are not in it",
                         "Build a dict of the CGI variables (GATEWAY_INTERFACE, REQUEST_METHOD, QUERY_STRING, ...) "
                         "and pass it: subprocess.Popen([...], env=environment).")
        lacking = [name for name in missing if name not in run.env_names]
        if lacking:
            return Fault(f"cgi-env-lacks:{lacking[0]}",
                         f"the environment your server gives the script ({_where_run(ev, run)}) has no "
                         f"{', '.join(lacking[:3])}",
                         f"Add {lacking[0]} to the dict you pass as env= (RFC 3875 lists what each variable holds).")
    return None


def cgi_no_time_limit(ev: Evidence) -> Fault | None:
    """The sleeping script got no answer in time, and the code waits for scripts with no timeout."""
    if ev.check != "7.script-timeout" or getattr(ev.failure, "symptom", None) != "no-answer":
        return None
    lines = ev.program.waits_without_timeout
    if not lines or "timeout=" in ev.program.all_text:  # some wait has a limit: the cause is elsewhere
        return None
    return Fault("cgi-no-timeout",
                 f"your server waits for the script with no time limit ({ev.program.where(lines[0])}), so a script "
                 "that never ends holds its client for ever",
                 "Wait with a limit: process.communicate(body, timeout=5), and on subprocess.TimeoutExpired stop "
                 "the script and answer 504 Gateway Timeout.")


RULES = (before_listening, cgi_shell, cgi_environment_not_passed, cgi_no_time_limit, shared_connection, crashed, stopped_serving, outside_root, wrong_path, folder_in_front, never_decodes, error_as_200, malformed, no_headers, fixed_file, extra_bytes, length_in_characters, text_mode,
         one_recv, waits_for_more, byte_per_send, threads)
