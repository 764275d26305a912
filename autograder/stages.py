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
    # A standalone stage is a program of its own, graded on its own checks only
    # (stage 8, the client); the others are cumulative: stage N runs 1..N.
    standalone: bool = False
    # What the grader starts: a server it talks to, or a client that talks to it.
    kind: str = "server"

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
    Stage(6, "directories", "stage6_directories.py", "folders: index.html, a listing, 301 to the trailing slash; hidden files stay hidden"),
    Stage(7, "cgi", "stage7_cgi.py", "run scripts under /cgi-bin/ as CGI/1.1, safely"),
    Stage(8, "client", "stage8_client.py", "an HTTP client on raw sockets (a program of its own, graded on its own)",
          standalone=True, kind="client"),
)
# Go through STAGES (or SERVER_STAGES) rather than counting from 1 to a number:
# a course may leave stages out, and stage 8 is not a server.
SERVER_STAGES = tuple(stage for stage in STAGES if stage.kind == "server")
LAST_STAGE = SERVER_STAGES[-1].number  # the default for --stage: the whole server
STANDALONE = frozenset(stage.number for stage in STAGES if stage.standalone)


def is_standalone(number: int) -> bool:
    """Whether grading at this stage runs its own checks only (stage 8)."""
    return number in STANDALONE


def is_client(number: int) -> bool:
    return any(stage.number == number and stage.kind == "client" for stage in STAGES)


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
