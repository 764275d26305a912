"""Small helpers for the walkthrough notebooks.

    import labhelpers as lab
    server = lab.Server(1)                  # the stage-1 reference solution, serving www/
    lab.show(lab.exchange(server.port, b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"))
    server.stop()

What the notebooks teach - building requests, reading the bytes that come
back - they do in their own cells. This module only holds the chores:
starting a server and making sure it stops, showing bytes with the line
endings visible, and writing a copy of a solution with one bug in it.

Every server started here stops again, however the notebook ends:
`server.stop()` or a `with` block; `stop_all()` in a notebook's last cell;
and a finalizer (weakref.finalize, which also runs at exit) for the case
where a cell fails halfway and the kernel is shut down or restarted. Each
server runs in a process group of its own, and the whole group is stopped.
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import atexit
import difflib
import html.parser
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import weakref
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent
PROJECT_ROOT = NOTEBOOKS.parent
# The notebooks work from a checkout even without `pip install -e .`.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

# These imports need the path above.
from autograder.http_response import escape_bytes
from autograder.sandbox import listening_ports
from autograder.stages import WWW, get_stage

HOST = "127.0.0.1"
SERVER_MARKER = "LAB_NOTEBOOK_SERVER"  # in the environment of every server started here
STARTUP_SECONDS = 10.0  # generous: the machine may be busy
STOP_SECONDS = 2.0  # after SIGTERM, how long before SIGKILL

_stoppers: list[weakref.finalize] = []  # one per server, for stop_all()
MARKER_LINE = re.compile(r"\s*#(Fill in (start|end)|Hint:|Placeholder:)")  # a solution's #Fill in markers


# ------------------------------------------------------------------ servers


def solution(stage: int) -> Path:
    """The reference solution of a stage, e.g. solutions/stage1_file_server.py."""
    return get_stage(stage).solution


def free_port() -> int:
    """A TCP port nobody uses right now: bind port 0 and the OS picks one."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """`python SCRIPT PORT` running in the background, serving root (www/).

    Server(3) runs the stage-3 reference solution; Server(path) any file.
    Use it in a `with` block, or call stop(); see the module docstring.
    """

    def __init__(self, script: int | str | Path, root: str | Path = WWW):
        self.script = solution(script) if isinstance(script, int) else Path(script).resolve()
        self.root = Path(root).resolve()
        self.port = free_port()
        log_fd, log_name = tempfile.mkstemp(prefix="labnotebook-", suffix=".log")
        os.close(log_fd)
        self.log_path = Path(log_name)
        # O_APPEND: the server's writes always go to the end of the log, so
        # reading it from here (which moves no shared offset) is safe.
        log_out = os.open(log_name, os.O_WRONLY | os.O_APPEND)
        try:
            self.process = subprocess.Popen(
                [sys.executable, str(self.script), str(self.port)],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log_out,
                stderr=log_out,
                env=dict(os.environ, **{SERVER_MARKER: "1", "PYTHONUNBUFFERED": "1"}),
                start_new_session=True,  # a process group of its own, stopped as a whole
            )
        finally:
            os.close(log_out)
        # Runs on stop(), when this object is garbage-collected, or at exit.
        self._stopper = weakref.finalize(self, _stop_process, self.process, self.log_path)
        _stoppers.append(self._stopper)
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log()
                self.stop()
                raise RuntimeError(f"{self.script.name} stopped at start-up:\n{log}")
            if self._listening():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.script.name} did not listen on port {self.port} within {STARTUP_SECONDS:.0f} s")

    def _listening(self) -> bool:
        if Path("/proc/net/tcp").exists():  # Linux: look, without a test connection in the log
            return self.port in listening_ports()
        try:
            socket.create_connection((HOST, self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        """What the server printed so far (its log goes to stderr)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:  # stopped: the log is gone
            return ""

    def stop(self) -> None:
        """Stop the server's whole process group. Safe to call twice."""
        self._stopper()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Server {self.script.name} on http://{HOST}:{self.port}/ ({state}, pid {self.process.pid})>"


def _stop_process(process: subprocess.Popen, log_path: Path) -> None:
    """SIGTERM to the process group, then SIGKILL if anything lingers.

    (Not SIGINT, Ctrl-C: a server with a bare `except:` around its accept
    loop swallows that, and this also runs while a kernel shuts down, which
    does not wait long.)
    """
    if process.returncode is None:  # not reaped yet, so its pid is still its own
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process.pid, signal.SIGKILL)  # anything left in the group
        process.wait()
    log_path.unlink(missing_ok=True)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already


def stop_all() -> int:
    """Stop every server this kernel started; how many were still running."""
    running = sum(1 for stopper in _stoppers if stopper.alive)
    for stopper in _stoppers:
        stopper()
    _stoppers.clear()
    return running


# -------------------------------------------------------------- the wire


def exchange(port: int, *pieces: bytes, pause: float = 0.0, timeout: float = 5.0) -> bytes:
    """Send the pieces of a request, pause seconds apart; return all that came back.

    Reads until the server closes the connection (our servers close after
    each response), or until timeout seconds pass without a byte.
    """
    received = b""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        for number, piece in enumerate(pieces):
            if number and pause:
                time.sleep(pause)
            sock.sendall(piece)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            print(f"(no byte came for {timeout} s and the connection is still open: stopped waiting)")
    return received


def get_request(target: str, host: str = HOST) -> bytes:
    """The bytes of a minimal GET request for target, e.g. "/HelloWorld.html"."""
    return f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def status_line(response: bytes) -> str:
    """The first line of a response, e.g. "HTTP/1.1 200 OK" ("" if nothing came)."""
    return response.split(b"\r\n", 1)[0].decode("iso-8859-1")


def show(data: bytes, limit: int | None = 1500) -> None:
    """Print bytes as they travel: \\r and \\n written out, other non-ASCII bytes as \\xNN."""
    print(escape_bytes(data, limit))


def split_response(response: bytes) -> tuple[bytes, bytes]:
    """(head, body): the bytes before the blank line, and those after it."""
    head, blank, body = response.partition(b"\r\n\r\n")
    if not blank:
        raise ValueError("no blank line (\\r\\n\\r\\n) in the response: it has no end of head")
    return head, body


def header(head: bytes, name: str) -> str | None:
    """The value of one header in a response head; names match in any case."""
    for line in head.decode("iso-8859-1").split("\r\n")[1:]:
        field_name, colon, value = line.partition(":")
        if colon and field_name.strip().lower() == name.lower():
            return value.strip()
    return None


def echoed_pairs(page: bytes) -> str:
    """The "key=K; value=V; " pairs of an /echo page, line breaks in values as \\r \\n."""
    text = page.decode("utf-8", errors="replace")
    start = text.find("key=")
    if start == -1:
        return "(no pairs)"
    end = text.rfind("; ") + 1  # the contract: one space after each ";"
    return text[start:end].replace("\r", "\\r").replace("\n", "\\n")


def hexdump(data: bytes, limit: int = 256, width: int = 16) -> None:
    """Offset, the bytes in hex, and the same bytes as characters ("." if unprintable)."""
    for offset in range(0, min(len(data), limit), width):
        row = data[offset:offset + width]
        hex_part = " ".join(f"{byte:02x}" for byte in row)
        text = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in row)
        print(f"{offset:04x}  {hex_part:<{width * 3}} {text}")
    if len(data) > limit:
        print(f"... {len(data) - limit} more bytes")


# ------------------------------------------------------ the solutions' code


def excerpt(stage: int, first_line: str, last_line: str | None = None) -> None:
    """Print a piece of a reference solution: from first_line to its "#Fill in end",
    or to the first line that starts with last_line.

    The #Fill in markers and the #Hint and #Placeholder lines (the skeleton's
    business) are left out.
    """
    lines = solution(stage).read_text(encoding="utf-8").splitlines()
    starts = [number for number, line in enumerate(lines) if line.strip() == first_line.strip()]
    if len(starts) != 1:
        raise ValueError(f"{first_line.strip()!r} is on {len(starts)} lines of {solution(stage).name}, not on one")
    block = []
    for line in lines[starts[0]:]:
        if last_line is None and line.strip() == "#Fill in end":
            break
        if not MARKER_LINE.match(line):
            block.append(line)
        if last_line is not None and line.strip().startswith(last_line.strip()):
            break
    else:
        raise ValueError(f"no end of the excerpt after {first_line.strip()!r} in {solution(stage).name}")
    print(textwrap.dedent("\n".join(block)).rstrip())


# ----------------------------------------------------------- broken copies

_scratch: Path | None = None


def scratch_folder() -> Path:
    """A temporary folder for this kernel, removed at exit."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="labnotebook-"))
        atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    return _scratch


def broken_copy(stage: int, old: str, new: str, name: str) -> Path:
    """A copy of the stage's reference solution with the line `old` replaced by `new`.

    `old` must appear exactly once (leading spaces do not matter), so the copy
    really has the bug - if the solution changes, this fails loudly instead
    of grading an unchanged copy. Prints the change as a diff.
    """
    original = solution(stage)
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    matches = [number for number, line in enumerate(lines) if line.strip() == old.strip()]
    if len(matches) != 1:
        raise ValueError(f"{old.strip()!r} is on {len(matches)} lines of {original.name}, not on exactly one")
    number = matches[0]
    indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
    changed = lines[:number] + [indent + new.strip() + "\n"] + lines[number + 1:]
    target = scratch_folder() / name
    target.write_text("".join(changed), encoding="utf-8")
    diff = difflib.unified_diff(lines, changed, original.name, target.name, n=1)
    # The markers are the skeleton's business: not shown, even as context.
    print("".join(line for line in diff if not MARKER_LINE.match(line[1:])), end="")
    return target


# ------------------------------------------------------------------ forms


class FormFields(html.parser.HTMLParser):
    """The named fields of each <form> in a page, as a browser would submit them.

    forms is a list of (attributes, [(name, value), ...]). Handles <input>
    (not checkboxes, files or buttons) and <textarea>: enough for www/form.html.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)  # "&lt;" in the page is "<" in the field
        self.forms: list[tuple[dict, list[tuple[str, str]]]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append((attributes, []))
        elif self.forms and tag == "input" and attributes.get("name"):
            if attributes.get("type", "text") not in ("checkbox", "radio", "file", "submit", "button"):
                self.forms[-1][1].append((attributes["name"], attributes.get("value", "")))
        elif self.forms and tag == "textarea":
            self._textarea, self._text = attributes.get("name", ""), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # HTML drops one newline right after <textarea>.
            text = text.removeprefix("\n")
            if self._textarea:
                self.forms[-1][1].append((self._textarea, text))
            self._textarea = None
