"""The CGI part of the per-run document root (stage 7; contract §4, "Stage 7, CGI").

`add(docs)` writes a `cgi-bin/` of generated scripts into the root, with
random names and random outputs, so no response can be hard-coded:

- `echo`: prints its environment, its working folder and its standard input
  as JSON (header block ends in `\\n`, as print() makes it);
- `status`: `Status: 404 Not Found`, an extra header, a warning on stderr
  (`\\r\\n` header block);
- `binary`: a body holding all 256 byte values;
- `counted`: UTF-8 text with a `Content-Length` that counts characters, not
  bytes: the server must count the body itself;
- `fails`: prints a header block, then raises (a traceback on stderr, exit 1);
- `headless`: prints text and no header block;
- `sleeper`: sleeps (90 s, or until the run's folder is removed: for ever, as far
  as any check can tell, yet bounded where a runner cannot stop what a server
  started) and forks a child that
  sleeps too; each holds an
  flock() on a file of its own in the state folder, so the grader can tell
  afterwards whether either is alive (through bubblewrap's pid namespace and
  another user id, where pids would not do);
- `large`: a body of a little over 1 MiB;
- `spaced`: a script whose name has spaces (a shell=True server breaks on it).

and `.py` files that must never run (outside cgi-bin, or reached through a
disguised path such as `/cgi-bin/../x.py`); each, if run, creates a marker file
in the state folder. The state folder lies beside the root (outside it, so it
is never served and never listed), writable by whoever the submission runs as.

The script texts never contain what their output says they ran: the token a
script prints is joined from two literals at run time, so a server that sends
the source instead of running the script cannot pass.
"""

from __future__ import annotations

import os
import random
import string
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

FOLDER = "cgi-bin"
LARGE_LINES = 16_000  # lines of 66 bytes: a little over 1 MiB
PRELUDE = "#!/usr/bin/env python3\n# A CGI script the grader made for this run.\nimport os\nimport sys\n"


@dataclass
class Script:
    relative: str  # path below the root, "/" separators
    ran: str = ""  # what its output says when it ran (never in its source)

    @property
    def url_path(self) -> str:
        return "/" + quote(self.relative)

    @property
    def script_name(self) -> str:
        """SCRIPT_NAME as the server should pass it: the decoded path."""
        return "/" + self.relative


@dataclass
class Disguise:
    target: str  # the request target
    how: str  # what the disguise is, for the report
    marker: Path  # exists once the file it reaches has run
    ran: str  # what that file prints when it runs


@dataclass
class CgiRoot:
    folder: Path  # root / cgi-bin
    state: Path  # outside the root: markers and locks
    echo: Script = None
    status: Script = None
    status_body: bytes = b""
    status_warning: str = ""  # what `status` writes on stderr (never for the client)
    header_name: str = ""  # an extra header `echo` and `status` send
    header_value: str = ""
    binary: Script = None
    binary_body: bytes = b""
    counted: Script = None
    counted_body: bytes = b""
    counted_wrong_length: int = 0  # the character count the script claims
    fails: Script = None
    fails_message: str = ""  # on stderr, inside a traceback
    headless: Script = None
    sleeper: Script = None
    sleeper_lock: Path = None
    child_lock: Path = None
    large: Script = None
    spaced: Script = None
    never_run: list[Disguise] = field(default_factory=list)

    @property
    def large_body(self) -> bytes:
        """What `large` prints after its header block (made when asked: stages 1-6 never ask)."""
        return _large_body(self.large.ran)

    def markers_left(self) -> list[Disguise]:
        """The disguises whose file has run."""
        return [d for d in self.never_run if d.marker.exists()]


def add(docs, greetings) -> CgiRoot:
    """Write the CGI scripts into docs.root; called last by docroot.build (uses docs.rng last).

    `greetings`: non-ASCII lines (docroot's), for a page whose characters are not its bytes.
    """
    rng: random.Random = docs.rng
    tag = docs.token
    root: Path = docs.root
    state = root.parent / f"cgi-state-{tag(10)}"
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o777)  # the submission may run as another user (sandbox.py)
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    cgi = CgiRoot(folder=folder, state=state)

    def token() -> tuple[str, str]:
        """Two literals for a script's source, and what joining them gives."""
        first, second = tag(6), tag(6)
        return f"{first}-{second}", f"{first!r} + '-' + {second!r}"

    def write(relative: str, text: str) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)

    cgi.header_name, cgi.header_value = f"X-Script-{tag(5).capitalize()}", tag(12)

    ran, joined = token()
    cgi.echo = Script(f"{FOLDER}/echo-{tag()}.py", ran)
    write(cgi.echo.relative, PRELUDE + _ECHO.format(ran=joined, header=f"{cgi.header_name}: {cgi.header_value}"))

    ran, joined = token()
    warning, warning_joined = token()
    cgi.status = Script(f"{FOLDER}/missing-{tag()}.py", ran)
    cgi.status_warning = "warning " + warning
    cgi.status_body = f"no such record: {ran}\n".encode()
    write(cgi.status.relative, PRELUDE + _STATUS.format(
        ran=joined, warning=warning_joined, header=f"{cgi.header_name}: {cgi.header_value}"))

    every_byte = bytearray(range(256))  # one of each: no blank line hides inside
    rng.shuffle(every_byte)
    cgi.binary = Script(f"{FOLDER}/bytes-{tag()}.py")
    cgi.binary_body = bytes(every_byte)
    write(cgi.binary.relative, PRELUDE + _BINARY.format(hex=cgi.binary_body.hex()))

    text = f"<!DOCTYPE html>\n<p>{rng.choice(greetings)} {tag()}</p>\n"
    cgi.counted = Script(f"{FOLDER}/greeting-{tag()}.py")
    cgi.counted_body = text.encode("utf-8")
    cgi.counted_wrong_length = len(text)
    write(cgi.counted.relative, PRELUDE + _COUNTED.format(text=text))

    message, joined = token()
    cgi.fails = Script(f"{FOLDER}/broken-{tag()}.py")
    cgi.fails_message = "labgrade: this script fails on purpose " + message
    write(cgi.fails.relative, PRELUDE + _FAILS.format(message=joined))

    ran, joined = token()
    cgi.headless = Script(f"{FOLDER}/headless-{tag()}.py", ran)
    write(cgi.headless.relative, PRELUDE + _HEADLESS.format(ran=joined))

    cgi.sleeper = Script(f"{FOLDER}/sleeper-{tag()}.py")
    cgi.sleeper_lock = state / f"sleeper-{tag()}.lock"
    cgi.child_lock = state / f"child-{tag()}.lock"
    write(cgi.sleeper.relative, PRELUDE + _SLEEPER.format(mine=str(cgi.sleeper_lock), child=str(cgi.child_lock)))

    ran, joined = token()
    cgi.large = Script(f"{FOLDER}/large-{tag()}.py", ran)
    write(cgi.large.relative, PRELUDE + _LARGE.format(ran=joined, lines=LARGE_LINES))

    ran, joined = token()
    cgi.spaced = Script(f"{FOLDER}/with space {tag()}.py", ran)
    write(cgi.spaced.relative, PRELUDE + _PLAIN.format(ran=joined))

    cgi.never_run = _never_run(docs, cgi, token, write)
    return cgi


def _never_run(docs, cgi: CgiRoot, token, write) -> list[Disguise]:
    """Files that must never run, and the requests that try to make a server run them."""
    tag = docs.token
    disguises = []

    def planted(relative: str) -> tuple[Path, str]:
        ran, joined = token()
        marker = cgi.state / f"ran-{tag()}"
        write(relative, PRELUDE + _MARKER.format(marker=str(marker), ran=joined))
        return marker, ran

    top = f"tool-{tag()}.py"  # in the root, outside cgi-bin
    marker, ran = planted(top)
    disguises += [
        Disguise("/" + top, "a .py file in the root, outside /cgi-bin/", marker, ran),
        Disguise(f"/{FOLDER}/../{top}", "/cgi-bin/../ leads out of cgi-bin to a file in the root", marker, ran),
        Disguise(f"/{FOLDER}/%2e%2e/{top}", "/cgi-bin/%2e%2e/ (.. percent-encoded) leads out of cgi-bin", marker, ran),
    ]
    nested = f"{docs.sub_folder}/script-{tag()}.py"
    marker, ran = planted(nested)
    disguises.append(Disguise("/" + quote(nested), "a .py file in an ordinary folder", marker, ran))
    # A folder really called "%63gi-bin": /%63gi-bin/x.py decodes to /cgi-bin/x.py,
    # which does not exist; only a server that decides on one spelling of the
    # path and opens another runs this file.
    encoded = f"%63gi-bin/decoy-{tag()}.py"
    marker, ran = planted(encoded)
    disguises.append(Disguise("/" + encoded, "/%63gi-bin/ is cgi-bin only after decoding, and no such script is there",
                              marker, ran))
    upper = docs.root / "CGI-BIN"
    if not upper.exists():  # a case-sensitive disk: CGI-BIN is another folder
        shouted = f"CGI-BIN/shout-{tag()}.py"
        marker, ran = planted(shouted)
        disguises.append(Disguise("/" + shouted, "/CGI-BIN/ is another folder than /cgi-bin/ on a case-sensitive disk",
                                  marker, ran))
    text = f"{FOLDER}/notes-{tag()}.txt"  # Python code, but not a .py file
    marker, ran = planted(text)
    disguises.append(Disguise("/" + text, "a file in cgi-bin whose name does not end in .py", marker, ran))
    return disguises


def _large_body(ran: str) -> bytes:
    line = "%06d " + ran + " " + "x" * 45 + "\n"
    return "".join(line % number for number in range(LARGE_LINES)).encode("ascii")


# -- the scripts' texts (str.format templates: {{ }} are braces) --------------------------

_ECHO = """\
import base64
import json

length = int(os.environ.get("CONTENT_LENGTH") or 0)
body = b""
while len(body) < length:
    piece = sys.stdin.buffer.read(length - len(body))
    if not piece:
        break
    body += piece
report = {{
    "ran": {ran},
    "environ": dict(os.environ),
    "cwd": os.getcwd(),
    "stdin": base64.b64encode(body).decode("ascii"),
}}
print("Content-Type: application/json")
print("{header}")
print()
print(json.dumps(report))
"""

_STATUS = """\
sys.stderr.write("warning " + {warning} + "\\n")
sys.stderr.flush()
sys.stdout.write("Status: 404 Not Found\\r\\n")
sys.stdout.write("Content-Type: text/plain\\r\\n")
sys.stdout.write("{header}\\r\\n")
sys.stdout.write("\\r\\n")
sys.stdout.write("no such record: " + {ran} + "\\n")
"""

_BINARY = """\
sys.stdout.buffer.write(b"Content-Type: application/octet-stream\\r\\n\\r\\n")
sys.stdout.buffer.write(bytes.fromhex("{hex}"))
"""

_COUNTED = """\
text = {text!r}
# The script's own Content-Length counts characters: wrong for UTF-8 text.
sys.stdout.buffer.write(b"Content-Type: text/html; charset=utf-8\\n")
sys.stdout.buffer.write(b"Content-Length: " + str(len(text)).encode() + b"\\n\\n")
sys.stdout.buffer.write(text.encode("utf-8"))
"""

_FAILS = """\
print("Content-Type: text/plain")
print()
print("half a page, then")
sys.stdout.flush()
raise RuntimeError("labgrade: this script fails on purpose " + {message})
"""

_HEADLESS = """\
print("this script forgot its header block " + {ran})
print("and printed only text")
"""

_SLEEPER = """\
import time

try:
    import fcntl
except ImportError:  # Windows: no locks, no fork; it only sleeps
    fcntl = None


def sleep_on(path, seconds=90):
    # Asleep for ever as far as any check can tell, yet gone once the grader has removed
    # the run's state folder: a runner that cannot stop what a server started (the
    # portable one) still leaves nothing running for long.
    end = time.monotonic() + seconds
    while time.monotonic() < end and os.path.isdir(os.path.dirname(path)):
        time.sleep(0.2)


def hold(path):
    # An flock held as long as this process lives: the grader tries to take it.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, str(os.getpid()).encode())
    return fd


if fcntl is not None:
    mine = hold({mine!r})
    if os.fork() == 0:
        os.close(mine)  # (the lock stays with the script)
        quiet = os.open(os.devnull, os.O_RDWR)
        for number in (0, 1, 2):
            os.dup2(quiet, number)  # the child does not hold the script's output open
        hold({child!r})
        sleep_on({child!r})
        os._exit(0)
sleep_on({mine!r})  # far past any server's time limit: for the grader, for ever
"""

_LARGE = """\
out = sys.stdout.buffer
out.write(b"Content-Type: text/plain\\r\\n\\r\\n")
line = "%06d " + {ran} + " " + "x" * 45 + "\\n"
for start in range(0, {lines}, 1000):
    out.write("".join(line % number for number in range(start, min(start + 1000, {lines}))).encode("ascii"))
"""

_PLAIN = """\
print("Content-Type: text/plain")
print()
print("ran " + {ran})
"""

_MARKER = """\
# This file must never run: it lies outside cgi-bin or is no .py file.
open({marker!r}, "w").close()
print("Content-Type: text/plain")
print()
print("ran " + {ran})
"""
