"""Build the walkthrough notebooks from their plain-text sources.

    python notebooks/build.py            # write notebooks/NN-name.ipynb from notebooks/src/NN-name.py
    python notebooks/build.py --check    # exit 1 when a committed .ipynb differs from its source

Why sources at all: a notebook is JSON with outputs, execution counts and
metadata mixed in, so a one-word change shows up in review as noise. The
sources are plain Python files in the "percent" cell format, which reads (and
diffs) like a script:

    # %% [markdown]
    # ## A heading
    # Markdown text, each line behind "# " ("#" alone is an empty line).

    # %%
    print("a code cell: the lines as they are")

Comment lines before the first "# %%" are a header for the file's reader and
go nowhere. The format is the one jupytext calls "percent", so jupytext can
open the sources too - but the kit does not need it: this file is the whole
builder, nbformat the only library (it writes the notebook JSON).

The .ipynb files are committed without outputs, in deterministic JSON (sorted
keys, cell ids made from the cell's content), so building twice gives the same
bytes and --check can compare text with text. Run a notebook in Jupyter and
save it, and --check says so: edit the source, rebuild, commit both.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent
SOURCES = NOTEBOOKS / "src"

CELL_MARKER = "# %%"
MARKDOWN_TAGS = ("[markdown]", "[md]")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class SourceError(ValueError):
    """A source file that does not follow the cell format; says where."""


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    text: str
    line: int  # where the cell's marker is in the source, for error messages


def parse(source: str, name: str = "<source>") -> list[Cell]:
    """Split a percent-format source into cells."""
    cells: list[Cell] = []
    lines: list[str] = []
    current: Cell | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        if line == CELL_MARKER or line.startswith(CELL_MARKER + " "):
            _finish(current, lines, cells, name)
            tag = line[len(CELL_MARKER):].strip()
            if tag and tag not in MARKDOWN_TAGS:
                raise SourceError(f"{name}:{number}: unknown cell tag {tag!r}; use '# %%' or '# %% [markdown]'")
            current, lines = Cell("markdown" if tag else "code", "", number), []
        elif current is None:
            if line.strip() and not line.startswith("#"):
                raise SourceError(f"{name}:{number}: code before the first '# %%' marker")
        elif current.kind == "markdown":
            lines.append(_markdown_line(line, f"{name}:{number}"))
        else:
            lines.append(line)
    _finish(current, lines, cells, name)
    if not cells:
        raise SourceError(f"{name}: no cells (a cell starts with a line '# %%' or '# %% [markdown]')")
    return cells


def _markdown_line(line: str, where: str) -> str:
    """ "# text" -> "text", "#" -> "" (an empty line between paragraphs)."""
    if line == "#" or not line.strip():
        return ""
    if line.startswith("# "):
        return line[2:]
    raise SourceError(f"{where}: a markdown line must start with '# ' (or be '#' alone)")


def _finish(cell: Cell | None, lines: list[str], cells: list[Cell], name: str) -> None:
    if cell is None:
        return
    # Blank lines around a cell only separate it from its neighbours.
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise SourceError(f"{name}:{cell.line}: empty cell")
    cell.text = "\n".join(lines)
    cells.append(cell)


def to_notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    """A notebook without outputs whose JSON depends on nothing but the cells."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    seen: dict[str, int] = {}
    for cell in cells:
        make = nbformat.v4.new_markdown_cell if cell.kind == "markdown" else nbformat.v4.new_code_cell
        node = make(cell.text)
        node.id = _cell_id(cell, seen)
        notebook.cells.append(node)
    nbformat.validate(notebook)
    return notebook


def _cell_id(cell: Cell, seen: dict[str, int]) -> str:
    """An id from the cell's content: stable across builds, unique in the notebook.

    (nbformat would pick random ids, and every build would differ.)
    """
    digest = hashlib.sha1(f"{cell.kind}\n{cell.text}".encode()).hexdigest()[:8]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def render(source_path: Path) -> str:
    """The .ipynb text for one source file."""
    cells = parse(source_path.read_text(encoding="utf-8"), source_path.name)
    return nbformat.writes(to_notebook(cells)) + "\n"


def notebook_path(source_path: Path, out_dir: Path = NOTEBOOKS) -> Path:
    return out_dir / (source_path.stem + ".ipynb")


def sources(src_dir: Path = SOURCES) -> list[Path]:
    return sorted(src_dir.glob("[0-9][0-9]-*.py"))


def build(src_dir: Path = SOURCES, out_dir: Path = NOTEBOOKS) -> list[Path]:
    """Write every notebook whose text changed; the paths written."""
    written = []
    for source_path in sources(src_dir):
        target = notebook_path(source_path, out_dir)
        text = render(source_path)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def check(src_dir: Path = SOURCES, out_dir: Path = NOTEBOOKS) -> list[str]:
    """Problems: notebooks that differ from their sources, or that have none."""
    problems = []
    expected = {}
    for source_path in sources(src_dir):
        expected[notebook_path(source_path, out_dir)] = (source_path, render(source_path))
    for target, (source_path, text) in expected.items():
        if not target.exists():
            problems.append(f"{target.name} is missing: run python notebooks/build.py")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{target.name} differs from src/{source_path.name}:\n" + _short_diff(target, text))
    for target in sorted(out_dir.glob("*.ipynb")):
        if target not in expected:
            problems.append(f"{target.name} has no source in src/: notebooks are built from src/NN-name.py")
    return problems


def _short_diff(target: Path, text: str, limit: int = 20) -> str:
    diff = list(difflib.unified_diff(
        target.read_text(encoding="utf-8").splitlines(), text.splitlines(),
        f"committed {target.name}", "built from its source", lineterm="",
    ))
    shown = diff[:limit] + ([f"... ({len(diff) - limit} more diff lines)"] if len(diff) > limit else [])
    return "\n".join("    " + line for line in shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(SOURCES, NOTEBOOKS)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print("Rebuild with: python notebooks/build.py", file=sys.stderr)
                return 1
            print(f"{len(sources(SOURCES))} notebooks match their sources.")
            return 0
        written = build(SOURCES, NOTEBOOKS)
    except SourceError as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.name}")
    print(f"{len(sources(SOURCES))} notebooks up to date ({len(written)} rewritten).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
