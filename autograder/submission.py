"""Finding the entry point of a submission (contract §3).

A submission is one Python file (any name, `.py` optional), or a folder or
`.zip` holding one entry point: the first that exists of `server.py`,
`webserve.py`, `webserve`, `main.py`, the kit's file name for the stage
(`stage2_not_found.py`, ...), else the only `*.py` that runs something (a
`__main__` block or statements at top level beyond definitions). Test files
(`test_*.py`, `*_test.py`) never count; the other files are its modules.
Zips from real students come with a nested folder, `__MACOSX/` junk and
editor backups, so those are looked through or ignored.
"""

from __future__ import annotations

import ast
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.stages import STAGES

ENTRY_NAMES = ("server.py", "webserve.py", "webserve", "main.py")
IGNORED_PARTS = ("__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints")
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


class NoSuchSubmission(FileNotFoundError):
    """The path does not exist: the grader cannot do its job (exit 2)."""


class NoEntryPoint(ValueError):
    """The submission exists but holds no single entry point (graded as failing)."""


@dataclass
class Entry:
    source: Path  # what the student handed in
    folder: Path  # the folder to copy for the run (the entry's own folder)
    relative: Path  # the entry point, relative to `folder`

    @property
    def path(self) -> Path:
        return self.folder / self.relative



def resolve(submission: Path, unpack_to: Path, stage: int | None = None, hand_in: str | None = None) -> Entry:
    """The entry point of `submission`; zips are unpacked into `unpack_to`.

    `stage` adds the kit's file name for that stage to the names looked for,
    and `hand_in` (a course's file name for students) comes before them all.
    """
    submission = Path(submission)
    if not submission.exists():
        raise NoSuchSubmission(f"no such file or folder: {submission}")
    if submission.is_file() and zipfile.is_zipfile(submission):
        folder = unpack_to / "unzipped"
        _safe_unzip(submission, folder)
        return _entry_in_folder(submission, folder, stage, hand_in)
    if submission.is_dir():
        return _entry_in_folder(submission, submission, stage, hand_in)
    return Entry(submission, submission.parent, Path(submission.name))


def _entry_in_folder(source: Path, folder: Path, stage: int | None = None, hand_in: str | None = None) -> Entry:
    candidates = [p for p in folder.rglob("*") if p.is_file() and not _ignored(p, folder) and not _is_test(p)]
    for name in ([hand_in] if hand_in else []) + _entry_names(stage):
        named = [p for p in candidates if p.name == name]
        if named:
            return _shallowest(source, folder, named)
    python_files = [p for p in candidates if p.suffix == ".py"]
    if len(python_files) == 1:
        return _as_entry(source, python_files[0])
    if not python_files:
        raise NoEntryPoint(f"{source.name} holds no Python file (expected server.py)")
    running = [p for p in python_files if _runs_something(p)]
    if len(running) == 1:
        return _as_entry(source, running[0])
    names = " or ".join(_entry_names(stage)[:2] + _entry_names(stage)[3:])
    raise NoEntryPoint(
        f"{source.name} holds several Python files ({_listing(folder, python_files)}); "
        + ("more than one of them starts something" if running else "none of them starts anything")
        + f" and none is called {names}: rename the file that starts your server to server.py"
    )


def _entry_names(stage: int | None) -> list[str]:
    names = list(ENTRY_NAMES)
    if any(s.number == stage and s.kind == "client" for s in STAGES):
        names = ["client.py"] + names  # the classic assignment's name for the client
    names += [s.file_name for s in STAGES if s.number == stage]
    return names


def _is_test(path: Path) -> bool:
    return path.suffix == ".py" and (path.name.startswith("test_") or path.stem.endswith("_test"))


def _runs_something(path: Path) -> bool:
    """A `__main__` block, or a top-level statement that is not a definition, import or constant."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError, RecursionError):
        return False
    quiet = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    for node in tree.body:
        if isinstance(node, quiet):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and not any(isinstance(n, ast.Call) for n in ast.walk(node)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        return True
    return False


def _shallowest(source: Path, folder: Path, named: list[Path]) -> Entry:
    """The one entry point nearest the top (a zip often wraps a folder)."""
    depth = min(len(p.parts) for p in named)
    top = [p for p in named if len(p.parts) == depth]
    if len(top) > 1:
        raise NoEntryPoint(
            f"{source.name} holds {len(top)} files called {top[0].name} "
            f"({_listing(folder, top)}): keep one"
        )
    return _as_entry(source, top[0])


def _as_entry(source: Path, path: Path) -> Entry:
    return Entry(source, path.parent, Path(path.name))


def _listing(folder: Path, paths: list[Path]) -> str:
    return ", ".join(sorted(str(p.relative_to(folder)) for p in paths)[:6])


def _ignored(path: Path, folder: Path) -> bool:
    parts = path.relative_to(folder).parts
    return any(part in IGNORED_PARTS or part.startswith("._") for part in parts) or path.name.endswith("~")


def _safe_unzip(archive: Path, destination: Path) -> None:
    """Unzip without letting a member escape `destination` or fill the disk."""
    destination.mkdir(parents=True, exist_ok=True)
    total = 0
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.infolist():
            target = (destination / member.filename).resolve()
            if not target.is_relative_to(destination.resolve()) or member.filename.startswith("/"):
                continue
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            total += member.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise NoEntryPoint(f"{archive.name} unpacks to more than 50 MB")
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
