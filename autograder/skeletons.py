"""Generate skeletons/ from solutions/: the kit's `#Fill in` blocks.

A reference solution marks each part that students write at its stage:

        #Fill in start
        #Hint: Bind the socket to (host, port), then listen().
        #Placeholder: raise SystemExit("TODO: bind and listen")
        sock.bind((host, port))
        sock.listen()
        #Fill in end

The rules of the marker syntax:

- `#Fill in start` and `#Fill in end` are whole lines (indentation aside),
  spelled exactly so; blocks do not nest.
- Right after `#Fill in start` come one or more `#Hint: text` lines (at least
  one), then zero or more `#Placeholder: code` lines, then the solution code.
- In the skeleton, each hint becomes a comment `# text`, each placeholder
  becomes the line `code` (indented like the marker; spaces after the first one
  following the colon are kept, for nested code), and the solution code is
  gone. Where nothing would be left to make the file valid Python (a function
  body, say), the generator adds `pass`.
- A placeholder keeps a skeleton running, or makes it stop with a clear
  message: `path, query = target, ""`, `return {}`,
  `raise NotImplementedError("TODO: ...")`, `raise SystemExit("TODO: ...")`.
  Where a block rewrites code of the stage before, its placeholder is that
  code, so the skeleton shows the student's own lines where they stood
  (tests/test_ladder.py holds the solutions to it).

Mistakes in the markers are errors (MarkerError) naming the file and line:
an unclosed block, a start inside a block, an end without a start, a block
without a hint, hint or placeholder lines anywhere else, and lines that look
like a marker but are spelled differently ("# fill in start").

`main(check)` regenerates every skeleton or, with check=True, only reports
the skeletons that differ from what the generator makes; the command line
calls it as `python -m autograder skeletons [--check]`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

START = "#Fill in start"
END = "#Fill in end"
HINT = "#Hint:"
PLACEHOLDER = "#Placeholder:"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = PROJECT_ROOT / "solutions"
SKELETONS_DIR = PROJECT_ROOT / "skeletons"

# A comment that is almost a marker: "# Fill in start", "#fill in END", "#Fillin end".
_NEAR_MARKER = re.compile(r"#\s*fill\s*in\s*(start|end)\b", re.IGNORECASE)


class MarkerError(ValueError):
    """A `#Fill in` marker mistake, with the file and line where it is."""

    def __init__(self, filename: str, line: int, problem: str):
        super().__init__(f"{filename}:{line}: {problem}")
        self.filename = filename
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class Block:
    """One `#Fill in` block. Line numbers are 1-based, into the solution's lines."""

    start_line: int  # the `#Fill in start` line
    end_line: int  # the `#Fill in end` line
    indent: str  # the markers' indentation
    hints: tuple[str, ...]
    placeholder: tuple[str, ...]  # code lines, without the marker's indentation
    code: tuple[str, ...]  # the solution's lines between the hints and the end marker

    def skeleton_lines(self, add_pass: bool) -> list[str]:
        """The lines that stand between the markers in the skeleton."""
        lines = [f"{self.indent}# {hint}".rstrip() for hint in self.hints]
        lines += [f"{self.indent}{code}" for code in self.placeholder]
        if add_pass:
            lines.append(f"{self.indent}pass")
        return lines


def find_blocks(text: str, filename: str = "<solution>") -> list[Block]:
    """The `#Fill in` blocks of a solution's text, in order; MarkerError on mistakes."""
    blocks: list[Block] = []
    current: dict | None = None  # the open block: start line, indent, hints, ...
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == START:
            if current is not None:
                raise MarkerError(
                    filename, number, f"{START} inside the block opened on line {current['start']}"
                )
            current = {"start": number, "indent": line[: len(line) - len(line.lstrip())],
                       "hints": [], "placeholder": [], "code": []}
        elif stripped == END:
            if current is None:
                raise MarkerError(filename, number, f"{END} without a {START} before it")
            if not current["hints"]:
                raise MarkerError(
                    filename, current["start"], f"the block has no {HINT} line after {START}"
                )
            blocks.append(Block(current["start"], number, current["indent"],
                                tuple(current["hints"]), tuple(current["placeholder"]),
                                tuple(current["code"])))
            current = None
        elif stripped.startswith(HINT):
            if current is None or current["placeholder"] or current["code"]:
                raise MarkerError(filename, number, f"{HINT} lines belong right after {START}")
            current["hints"].append(stripped[len(HINT):].strip())
        elif stripped.startswith(PLACEHOLDER):
            if current is None or current["code"] or not current["hints"]:
                raise MarkerError(
                    filename, number, f"{PLACEHOLDER} lines belong right after the {HINT} lines"
                )
            code = stripped[len(PLACEHOLDER):]
            current["placeholder"].append(code[1:] if code.startswith(" ") else code)
        elif _NEAR_MARKER.match(stripped):
            raise MarkerError(
                filename, number, f"{stripped!r} looks like a marker; write {START!r} or {END!r}"
            )
        elif current is not None:
            current["code"].append(line)
    if current is not None:
        raise MarkerError(filename, current["start"], f"the block is never closed with {END}")
    return blocks


def _replace_blocks(text: str, blocks: list[Block], add_pass: dict[int, bool]) -> str:
    """text with the lines inside each of blocks replaced by its skeleton lines."""
    lines = text.splitlines()
    for block in sorted(blocks, key=lambda b: b.start_line, reverse=True):
        # The lines strictly between the markers: indexes start_line .. end_line-2.
        lines[block.start_line : block.end_line - 1] = block.skeleton_lines(
            add_pass[block.start_line]
        )
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def _needs_pass(text: str, block: Block, filename: str) -> bool:
    """Whether the skeleton needs `pass` in this block to stay valid Python."""
    if block.placeholder:
        return False
    without_pass = _replace_blocks(text, [block], {block.start_line: False})
    try:
        compile(without_pass, filename, "exec")
    except SyntaxError:
        return True
    return False


def blank_block(text: str, index: int, filename: str = "<solution>") -> str:
    """The solution with only its block number `index` (0-based) replaced by
    the block's hints and placeholder: what the load-bearing tests grade."""
    blocks = find_blocks(text, filename)
    if not 0 <= index < len(blocks):
        raise IndexError(f"{filename} has {len(blocks)} blocks; there is no block {index}")
    block = blocks[index]
    return _replace_blocks(text, [block], {block.start_line: _needs_pass(text, block, filename)})


def make_skeleton(text: str, filename: str = "<solution>") -> str:
    """The skeleton of a solution: every block replaced by its hints and placeholder."""
    blocks = find_blocks(text, filename)
    add_pass = {block.start_line: _needs_pass(text, block, filename) for block in blocks}
    skeleton = _replace_blocks(text, blocks, add_pass)
    try:
        compile(skeleton, filename, "exec")
    except SyntaxError as error:
        raise MarkerError(
            filename, error.lineno or 0, f"the skeleton would not compile: {error.msg}"
        ) from None
    return skeleton


def solution_files(solutions_dir: Path = SOLUTIONS_DIR) -> list[Path]:
    """The reference solutions, stage by stage (stage1_*.py ... stage5_*.py)."""
    return sorted(solutions_dir.glob("stage[0-9]*.py"))


def main(check: bool = False) -> int:
    """Write skeletons/ from solutions/; with check, only report stale skeletons.

    Returns the exit status: 0 when done (or, with check, all up to date),
    1 when a skeleton is out of date (check) or a solution has a marker
    mistake, 2 when there are no solutions to read.
    """
    solutions = solution_files()
    if not solutions:
        print(f"No solutions found in {SOLUTIONS_DIR}", file=sys.stderr)
        return 2
    stale = []
    for solution in solutions:
        label = f"solutions/{solution.name}"
        try:
            skeleton = make_skeleton(solution.read_text(encoding="utf-8"), label)
        except MarkerError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        target = SKELETONS_DIR / solution.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == skeleton:
            continue
        if check:
            stale.append(target)
            print(f"out of date: skeletons/{solution.name} (run: python -m autograder skeletons)")
        else:
            SKELETONS_DIR.mkdir(exist_ok=True)
            target.write_text(skeleton, encoding="utf-8", newline="\n")
            print(f"wrote skeletons/{solution.name}")
    if check and not stale:
        print(f"All {len(solutions)} skeletons are up to date.")
    return 1 if stale else 0
