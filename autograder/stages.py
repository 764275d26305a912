"""The stage ladder: numbers, slugs and file names (contract §1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = PROJECT_ROOT / "solutions"
SKELETONS = PROJECT_ROOT / "skeletons"
WWW = PROJECT_ROOT / "www"


@dataclass(frozen=True)
class Stage:
    number: int
    slug: str
    file_name: str
    adds: str

    @property
    def solution(self) -> Path:
        return SOLUTIONS / self.file_name

    @property
    def skeleton(self) -> Path:
        return SKELETONS / self.file_name


STAGES = (
    Stage(1, "file-server", "stage1_file_server.py", "serve files from the document root"),
    Stage(2, "not-found", "stage2_not_found.py", "404, safe paths, 400 for malformed requests"),
    Stage(3, "query-echo", "stage3_query_echo.py", "/echo page built from the query string"),
    Stage(4, "threaded", "stage4_threaded.py", "a thread per connection"),
    Stage(5, "post", "stage5_post.py", "POST form bodies; serve / handle_connection / delegate"),
)
LAST_STAGE = STAGES[-1].number


class UnknownStage(ValueError):
    pass


def get_stage(number_or_slug: str | int) -> Stage:
    """Stage 3 from 3, "3" or "query-echo"."""
    text = str(number_or_slug).strip().lower()
    for stage in STAGES:
        if text in (str(stage.number), stage.slug):
            return stage
    choices = ", ".join(f"{s.number} ({s.slug})" for s in STAGES)
    raise UnknownStage(f"unknown stage {number_or_slug!r}; choose one of {choices}")
