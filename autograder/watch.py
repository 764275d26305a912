"""Watching a run from inside (contract §3): what the submission did while a check ran.

The submission is started through `watch_inside.py`, which runs the student's
file exactly as a plain run would and appends one line per event to a file
in the run folder: files opened (and from which line), sockets bound,
`input()` calls, exceptions that nobody caught (in any thread), and whether
the file ran to its end. The grader reads the lines that came during a
check to explain that check's failure.

These events only ever explain a failure seen on the wire; they never pass
or fail a check. A submission that writes fake events can at most confuse
its own hints, never raise its score.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

INSIDE = Path(__file__).with_name("watch_inside.py")
MAX_EVENT_BYTES = 1024 * 1024  # read at most this much per look: a flood cannot slow the grader


@dataclass(frozen=True)
class Event:
    kind: str  # open | bind | input | run | crash | exit | finished
    fields: tuple
    file: str | None = None  # the student's file and line where it happened
    line: int | None = None

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line else "your code"


@dataclass(frozen=True)
class Opened:
    path: str
    mode: str
    existed: bool
    file: str | None
    line: int | None


@dataclass(frozen=True)
class Run:
    """A program the submission started (a CGI script, at stage 7)."""

    argv: tuple
    shell: bool  # through /bin/sh -c (shell=True, os.system)
    cwd: str | None
    env_names: tuple | None  # None: the server's own environment, inherited
    file: str | None
    line: int | None


@dataclass(frozen=True)
class Crash:
    thread: str
    type: str
    message: str
    file: str | None
    line: int | None

    @property
    def in_main_thread(self) -> bool:
        return self.thread == "MainThread"


class Watch:
    """The grader's side: where the events go, and reading them back."""

    def __init__(self, run_dir: Path):
        self.folder = Path(run_dir) / "watch"
        self.folder.mkdir(exist_ok=True)
        self.inside = self.folder / INSIDE.name
        shutil.copy2(INSIDE, self.inside)
        self.events_path = self.folder / "events"
        self.events_path.touch()
        self.events_path.chmod(0o666)  # the run's own user id appends to it
        self.folder.chmod(0o755)

    def argv(self, python: str, entry: Path, port: int) -> list[str]:
        return [python, str(self.inside), str(self.events_path), str(entry), str(port)]

    def mark(self) -> int:
        try:
            return self.events_path.stat().st_size
        except OSError:
            return 0

    def since(self, mark: int) -> list[Event]:
        try:
            with open(self.events_path, "rb") as events:
                events.seek(mark)
                data = events.read(MAX_EVENT_BYTES)
        except OSError:
            return []
        return [event for event in map(_parse, data.decode("utf-8", "replace").splitlines()) if event]


def _parse(line: str) -> Event | None:
    try:
        fields = ast.literal_eval(line)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(fields, tuple) or not fields or not isinstance(fields[0], str):
        return None
    kind, rest = fields[0], fields[1:]
    if kind in ("open", "bind", "input", "run", "crash", "exit") and len(rest) >= 2:
        file, line_number = rest[-2], rest[-1]
        return Event(kind, rest[:-2], file if isinstance(file, str) else None,
                     line_number if isinstance(line_number, int) else None)
    return Event(kind, rest)


def opened(events: list[Event]) -> list[Opened]:
    return [Opened(str(e.fields[0]), str(e.fields[1]), bool(e.fields[2]), e.file, e.line)
            for e in events if e.kind == "open" and len(e.fields) == 3]


def crashes(events: list[Event]) -> list[Crash]:
    return [Crash(str(e.fields[0]), str(e.fields[1]), str(e.fields[2]), e.file, e.line)
            for e in events if e.kind == "crash" and len(e.fields) == 3]


def runs(events: list[Event]) -> list[Run]:
    found = []
    for e in events:
        if e.kind == "run" and len(e.fields) == 4 and isinstance(e.fields[0], list):
            argv, shell, cwd, names = e.fields
            found.append(Run(tuple(map(str, argv)), bool(shell), cwd if isinstance(cwd, str) else None,
                             tuple(map(str, names)) if isinstance(names, list) else None, e.file, e.line))
    return found


def inputs(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "input"]


def finished(events: list[Event]) -> bool:
    """The student's file ran to its end, or called sys.exit() with status 0 (nothing kept it serving)."""
    return any(e.kind == "finished" or (e.kind == "exit" and e.fields[:1] in (("None",), ("0",))) for e in events)


def binds(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "bind"]
