"""What an entry of the realistic corpus says (tests/realistic/manifest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cause:
    """A real fault of the submission, and how the grader must name it."""

    key: str | None  # the diagnosis's fault key (a crash's without its line: "crash:UnicodeDecodeError");
    # None: the check's own message names the fault ("there is no Content-Length header")
    first: str  # the first check where it shows: it is named there, with its hint
    says: tuple[str, ...]  # words the named cause must contain (what, and the student's line)


@dataclass(frozen=True)
class Submission:
    path: str  # below tests/realistic/: a file, or a folder of several
    stage: int  # the stage it is handed in for
    story: str  # who wrote it and what it does
    causes: tuple[Cause, ...] = ()
    fails: tuple[str, ...] = ()  # every scored check that fails or is not run; all others must pass
    notes: str = field(default="", compare=False)

    @property
    def correct(self) -> bool:
        return not self.fails
