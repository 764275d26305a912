"""Finding the entry point of a submission (contract §3).

A submission is one Python file (any name, `.py` optional), or a folder or
`.zip` holding one entry point: `server.py`, `webserve.py`, `webserve`, or
else the only `*.py` file. Zips from real students come with a nested folder,
`__MACOSX/` junk and editor backups, so those are looked through or ignored.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

ENTRY_NAMES = ("server.py", "webserve.py", "webserve")
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



def resolve(submission: Path, unpack_to: Path) -> Entry:
    """The entry point of `submission`; zips are unpacked into `unpack_to`."""
    submission = Path(submission)
    if not submission.exists():
        raise NoSuchSubmission(f"no such file or folder: {submission}")
    if submission.is_file() and zipfile.is_zipfile(submission):
        folder = unpack_to / "unzipped"
        _safe_unzip(submission, folder)
        return _entry_in_folder(submission, folder)
    if submission.is_dir():
        return _entry_in_folder(submission, submission)
    return Entry(submission, submission.parent, Path(submission.name))


def _entry_in_folder(source: Path, folder: Path) -> Entry:
    candidates = [p for p in folder.rglob("*") if p.is_file() and not _ignored(p, folder)]
    for name in ENTRY_NAMES:
        named = [p for p in candidates if p.name == name]
        if named:
            return _shallowest(source, folder, named)
    python_files = [p for p in candidates if p.suffix == ".py"]
    if len(python_files) == 1:
        return _as_entry(source, python_files[0])
    if not python_files:
        raise NoEntryPoint(f"{source.name} holds no Python file (expected server.py)")
    raise NoEntryPoint(
        f"{source.name} holds several Python files ({_listing(folder, python_files)}) "
        "and none is called server.py or webserve.py: rename your entry point to server.py"
    )


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
