"""The per-run document root (contract §3).

A fresh copy of `www/` plus files made for this run with random names and
random contents, so that no response can be hard-coded: UTF-8 HTML with
non-ASCII text, plain text, a PNG holding all 256 byte values, a file with a
space in its name, a file over 1 MiB, files in nested folders, and 32 small
distinct files for the concurrency check.

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
    docs.cgi = cgi_root.add(docs)  # last: the names above stay as stages 1-6 know them
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
