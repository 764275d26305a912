"""The per-run document root (contract §3).

A fresh copy of `www/` plus files made for this run with random names and
random contents, so that no response can be hard-coded: UTF-8 HTML with
non-ASCII text, plain text, a PNG holding all 256 byte values, a file with a
space in its name, a file over 1 MiB, files in nested folders, and 32 small
distinct files for the concurrency check. For stage 6 (added last, so the
names above stay what they were for a seed): folders with and without
index.html, a nested listing, names that need percent-encoding and HTML
escaping, and hidden files and folders at several depths (`add_folders`).

The traversal secret is *not* written here when the root is built: it exists
in the run folder (the root's parent) only while the traversal check runs
(`DocumentRoot.secret()`), so a submission that goes looking for it at
start-up finds nothing.
"""

from __future__ import annotations

import random
import shutil
import string
import struct
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from autograder import cgi_root
from autograder.cgi_root import CgiRoot  # noqa: F401 (the type of DocumentRoot.cgi)
from autograder.stages import WWW

LARGE_FILE_BYTES = 5 * 1024 * 1024  # over 1 MiB (contract), and over a 4 MiB send buffer
CONCURRENT_FILES = 32

GREETINGS = [
    "Grüße aus Köln — ça va?",
    "Ein naïver Café-Besuch: 3 €, bitte.",
    "日本語のページです。",
    "Привет, мир!",
    "¡Hola! ¿Qué tal? Ünïcödé ✓",
    "Ελληνικά γράμματα: αβγ",
]


@dataclass
class GeneratedFile:
    relative: str  # path below the root, with "/" separators
    content: bytes

    @property
    def url_path(self) -> str:
        """The request target for this file: "/" plus the percent-encoded path."""
        return "/" + quote(self.relative)

    @property
    def raw_path(self) -> str:
        """The request target with nothing encoded (spaces left as they are)."""
        return "/" + self.relative


@dataclass
class DocumentRoot:
    root: Path
    seed: int
    html: GeneratedFile = None
    text: GeneratedFile = None
    png: GeneratedFile = None
    spaced: GeneratedFile = None
    large: GeneratedFile = None
    nested: GeneratedFile = None
    nested_text: GeneratedFile = None
    many: list[GeneratedFile] = field(default_factory=list)
    sub_folder: str = ""  # a folder that exists, for /sub/../../SECRET
    folders: "Folders" = None  # stage 6: folders with and without index.html, odd names, hidden files
    cgi: "CgiRoot" = None  # stage 7: cgi-bin/ and the files that must never run (cgi_root.py)
    rng: random.Random = None

    def token(self, length: int = 8) -> str:
        return "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=length))

    def missing_name(self, suffix: str = ".html") -> str:
        """A file name that certainly does not exist in the root."""
        while True:
            name = f"missing-{self.token()}{suffix}"
            if not (self.root / name).exists():
                return name

    @contextmanager
    def secret(self):
        """Write the secret beside the root for the duration of a `with` block."""
        name = f"secret-{self.token(12)}.txt"
        path = self.root.parent / name
        content = f"SECRET {self.token(32)}\n".encode()
        path.write_bytes(content)
        try:
            yield name, content, path
        finally:
            path.unlink(missing_ok=True)

    @contextmanager
    def sibling_secret(self):
        """A secret in a folder beside the root whose name starts with the root's name.

        Catches the check `full_path.startswith(root)`: "/run/root-x" starts
        with "/run/root" but is outside it.
        """
        sibling = f"{self.root.name}-{self.token(6)}"
        folder = self.root.parent / sibling
        folder.mkdir()
        name = f"secret-{self.token(12)}.txt"
        content = f"SECRET {self.token(32)}\n".encode()
        (folder / name).write_bytes(content)
        try:
            yield sibling, name, content
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def build(root: Path, seed: int) -> DocumentRoot:
    """Fill `root` (an empty folder) and describe what is in it."""
    rng = random.Random(seed)
    if WWW.is_dir():
        shutil.copytree(WWW, root, dirs_exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    docs = DocumentRoot(root=root, seed=seed, rng=rng)
    tag = docs.token

    docs.html = _write(root, f"page-{tag()}.html", _html_page(rng, tag()))
    docs.text = _write(root, f"notes-{tag()}.txt", _text(rng, 40))
    docs.png = _write(root, f"image-{tag()}.png", _png_with_every_byte(rng))
    docs.spaced = _write(root, f"with space {tag()}.html", _html_page(rng, "a name with a space"))
    docs.large = _write(root, f"large-{tag()}.txt", _bulk_text(rng, LARGE_FILE_BYTES + rng.randint(5000, 90000)))
    docs.sub_folder = f"sub-{tag()}"
    docs.nested = _write(root, f"{docs.sub_folder}/deeper-{tag()}/page-{tag()}.html", _html_page(rng, "nested"))
    docs.nested_text = _write(root, f"{docs.sub_folder}/readme-{tag()}.txt", _text(rng, 5))
    many_folder = f"many-{tag()}"
    docs.many = [
        _write(root, f"{many_folder}/file-{number:02d}-{tag(4)}.txt", _text(rng, rng.randint(20, 200)))
        for number in range(CONCURRENT_FILES)
    ]
    add_folders(docs)
    docs.cgi = cgi_root.add(docs, GREETINGS)  # last: the names above stay as stages 1-6 know them
    return docs


def _write(root: Path, relative: str, content: bytes) -> GeneratedFile:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return GeneratedFile(relative, content)


def _html_page(rng: random.Random, title: str) -> bytes:
    greeting = rng.choice(GREETINGS)
    number = rng.randint(10**6, 10**9)
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{greeting}</h1>\n"
        f"<p>Random number for this run: {number}.</p>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


def _text(rng: random.Random, lines: int) -> bytes:
    alphabet = string.ascii_letters + string.digits + "     .,;-"
    return "".join(
        "".join(rng.choices(alphabet, k=59)) + "\n" for _ in range(lines)
    ).encode("ascii")


def _bulk_text(rng: random.Random, size: int) -> bytes:
    """`size` bytes of random printable text in lines, made fast (no per-character loop)."""
    alphabet = (string.ascii_letters + string.digits + " .,;-").encode()
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    text = bytearray(rng.randbytes(size).translate(table))
    text[59::60] = b"\n" * len(text[59::60])
    return bytes(text)


def _png_with_every_byte(rng: random.Random) -> bytes:
    """A valid 1x1 PNG with a private chunk holding all 256 byte values, shuffled.

    Bytes like \\r\\n, \\x00 and \\xff break any server that reads the file
    as text or decodes it; a viewer still shows the image.
    """
    every_byte = bytearray(range(256)) * 2
    rng.shuffle(every_byte)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixel = zlib.compress(b"\x00" + bytes(rng.randrange(256) for _ in range(3)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"raNd", bytes(every_byte))
        + chunk(b"IDAT", pixel)
        + chunk(b"IEND", b"")
    )


# -- stage 6: folders -------------------------------------------------------------


@dataclass
class FolderEntry:
    name: str  # as on disk
    folder: "Folder | None" = None  # for a sub-folder
    file: GeneratedFile | None = None  # for a file

    @property
    def is_folder(self) -> bool:
        return self.folder is not None


@dataclass
class Folder:
    """A folder of the root, for the stage-6 checks: what it holds, and what it hides."""

    relative: str  # below the root, "/" separators, no slash at either end ("" is the root)
    entries: list[FolderEntry] = field(default_factory=list)  # visible (not hidden) entries
    hidden: list[str] = field(default_factory=list)  # names starting with "."
    index: GeneratedFile | None = None  # its index.html, if it has one

    @property
    def url_path(self) -> str:
        """`/dirs-x/`: the folder's URL, percent-encoded, with its trailing slash."""
        return "/" + (quote(self.relative) + "/" if self.relative else "")

    @property
    def bare_path(self) -> str:
        """`/dirs-x`: the same without the trailing slash (a correct server answers 301)."""
        return "/" + quote(self.relative)

    def entry(self, name: str) -> FolderEntry:
        return next(e for e in self.entries if e.name == name)


@dataclass
class Folders:
    """Stage 6's part of the root (DocumentRoot.folders)."""

    listed: Folder = None  # no index.html: gets a listing; plain names, mixed case, a file and folder each hidden
    with_index: Folder = None  # holds index.html and more: index.html is served
    odd_names: Folder = None  # no index.html; names with a space, <, &, #, %, non-ASCII (those the disk allows)
    markup_name: str = ""  # the entry of odd_names written like a tag, "<b>x.txt" ("" where the disk refuses it)
    hidden_files: list[GeneratedFile] = field(default_factory=list)  # dot-files and files in dot-folders, any depth
    hidden_folders: list[str] = field(default_factory=list)  # dot-folders, relative paths


def add_folders(docs: DocumentRoot) -> Folders:
    """Stage 6's folders, added after everything else so the names of stages 1-5 stay as they were.

    Small: about thirty files of a few hundred bytes.
    """
    root, rng, tag = docs.root, docs.rng, docs.token
    folders = Folders()

    # A folder without index.html. The names start with distinct letters (one in
    # upper case), so every sensible order - by code point, ignoring case, folders
    # first - is the same up to that letter; created in a shuffled order so the
    # disk's own order (os.listdir) is not sorted by chance.
    listed = Folder(f"dirs-{tag()}")
    letters = rng.sample(string.ascii_lowercase, 8)
    capital = rng.randrange(8)
    letters[capital] = letters[capital].upper()  # one name in capitals: code-point and caseless orders differ
    kinds = [".txt", ".html", ".txt", ".png", "/index", "/list", ".txt", ".html"]
    rng.shuffle(kinds)
    plan = list(zip(letters, kinds))
    rng.shuffle(plan)
    for letter, kind in plan:
        name = f"{letter}{tag(5)}"
        if kind == "/index":
            sub = Folder(f"{listed.relative}/{name}")
            sub.index = _write(root, f"{sub.relative}/index.html", _html_page(rng, f"index of {name}"))
            sub.entries.append(FolderEntry("index.html", file=sub.index))
            listed.entries.append(FolderEntry(name, folder=sub))
        elif kind == "/list":  # a listing inside the listing, with a folder inside that
            sub = Folder(f"{listed.relative}/{name}")
            inner = _write(root, f"{sub.relative}/inner-{tag(4)}.txt", _text(rng, 3))
            deeper = Folder(f"{sub.relative}/deeper-{tag(4)}")
            deepest = _write(root, f"{deeper.relative}/last-{tag(4)}.html", _html_page(rng, "deepest"))
            deeper.entries.append(FolderEntry(deepest.relative.rsplit("/", 1)[1], file=deepest))
            sub.entries += [FolderEntry(inner.relative.rsplit("/", 1)[1], file=inner),
                            FolderEntry(deeper.relative.rsplit("/", 1)[1], folder=deeper)]
            hidden = _write(root, f"{sub.relative}/.hidden-{tag(4)}.txt", _secret_text(docs))
            sub.hidden.append(hidden.relative.rsplit("/", 1)[1])
            folders.hidden_files.append(hidden)
            listed.entries.append(FolderEntry(name, folder=sub))
        else:
            content = _png_with_every_byte(rng) if kind == ".png" else (
                _html_page(rng, name) if kind == ".html" else _text(rng, 4))
            listed.entries.append(FolderEntry(name + kind, file=_write(root, f"{listed.relative}/{name}{kind}", content)))
    dot_file = _write(root, f"{listed.relative}/.secret-{tag(4)}.txt", _secret_text(docs))
    dot_folder = f"{listed.relative}/.cache-{tag(4)}"
    in_dot_folder = _write(root, f"{dot_folder}/data-{tag(4)}.txt", _secret_text(docs))
    listed.hidden += [dot_file.relative.rsplit("/", 1)[1], dot_folder.rsplit("/", 1)[1]]
    folders.hidden_files += [dot_file, in_dot_folder]
    folders.hidden_folders.append(dot_folder)
    folders.listed = listed

    # A folder with index.html beside other files: the index is served, not a listing.
    site = Folder(f"site-{tag()}")
    site.index = _write(root, f"{site.relative}/index.html", _html_page(rng, "a folder's index.html"))
    other = _write(root, f"{site.relative}/other-{tag(4)}.txt", _text(rng, 2))
    site.entries += [FolderEntry("index.html", file=site.index), FolderEntry(other.relative.rsplit("/", 1)[1], file=other)]
    folders.with_index = site

    # Names that need percent-encoding in a link and escaping in the page. A disk
    # that refuses a name (Windows: < and >) simply does not get that entry.
    odd = Folder(f"odd names {tag(6)}")
    (root / odd.relative).mkdir()
    token = tag(4)
    wanted = [
        (f"with space {token}.txt", False), (f"<b>{token}.txt", False), (f"R&D {token}.txt", False),
        (f"#{token} notes.txt", False), (f"report%20{token}.txt", False), (f"café {token} ✓.txt", False),
        (f"sub folder {token}", True), (f"Übung-{token}", True),
    ]
    for name, is_folder in wanted:
        try:
            if is_folder:
                sub = Folder(f"{odd.relative}/{name}")
                inside = _write(root, f"{sub.relative}/file {tag(4)}.txt", _text(rng, 2))
                sub.entries.append(FolderEntry(inside.relative.rsplit("/", 1)[1], file=inside))
                odd.entries.append(FolderEntry(name, folder=sub))
            else:
                odd.entries.append(FolderEntry(name, file=_write(root, f"{odd.relative}/{name}", _text(rng, 2))))
        except (OSError, UnicodeError):
            continue
        if name.startswith("<"):
            folders.markup_name = name
    folders.odd_names = odd

    # Hidden at the root and deeper: /.env, SUB/.git/config.
    folders.hidden_files.append(_write(root, ".env", _secret_text(docs)))
    git = f"{docs.sub_folder}/.git"
    folders.hidden_files.append(_write(root, f"{git}/config", _secret_text(docs)))
    folders.hidden_folders.append(git)
    docs.folders = folders
    return folders


def _secret_text(docs: DocumentRoot) -> bytes:
    return f"HIDDEN {docs.token(24)}\n".encode()
