"""The check registry: each check is a small named function (check50 style).

    @check("2.missing-file-404", points=2,
           description="a missing file gives 404 Not Found with an HTML body",
           hint="When open() fails, send a 404 status line and a small HTML page.")
    def missing_file_404(ctx):
        ...                    # raise CheckFailed(...) to fail; return to pass

Names are stable (`N.slug`): gradebooks, tests and the Gradescope JSON key on
them. A check runs only when the checks it depends on passed; by default a
check that talks to the server depends on `1.responds`, so a server that never
starts is one clear failure instead of thirty.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

# What a check needs before it can run.
NEEDS_NOTHING = "nothing"  # reads the source code only
NEEDS_SERVER = "server"  # talks to the running server
NEEDS_MODULE = "module"  # imports the submission in a separate process
NEEDS_CLIENT = "client"  # runs the submission as a client against the grader's fake server (stage 8)

STAGE_MODULES = (
    "autograder.checks.static",
    "autograder.checks.stage1",
    "autograder.checks.stage2",
    "autograder.checks.stage3",
    "autograder.checks.stage4",
    "autograder.checks.stage5",
    "autograder.checks.stage6",
    "autograder.checks.stage7",
    "autograder.checks.stage8",
)


@dataclass(frozen=True)
class Check:
    name: str
    stage: int
    points: float
    description: str
    hint: str
    depends: tuple[str, ...]
    advisory: bool
    needs: str
    run: Callable

    @property
    def slug(self) -> str:
        return self.name.split(".", 1)[1]


class CheckFailed(Exception):
    """Raised by a check: what went wrong, with the evidence.

    `exchange` (a wire.Exchange) supplies the bytes sent and received; `sent`
    and `received` may be given directly instead. `expected` says what a
    correct server does; `hint` overrides the check's general hint when the
    failure calls for a more specific one.
    """

    def __init__(self, message, *, exchange=None, sent=None, received=None, expected="", hint="", recipe=None,
                 symptom=None):
        super().__init__(message)
        # What kind of failure this is, for naming its cause (diagnosis.py):
        # "no-answer", "unfinished", "status", "body", "problem:lf-only", ...
        self.symptom = symptom
        self.message = message
        self.sent = sent if sent is not None else (exchange.sent if exchange is not None else None)
        self.received = received if received is not None else (exchange.received if exchange is not None else None)
        self.exchange = exchange
        self.expected = expected
        self.hint = hint
        self.recipe = recipe  # how to try it by hand when one curl of `sent` cannot show it


_REGISTRY: dict[str, Check] = {}
SERVER_BASICS = ("1.starts-listening", "1.responds")  # the checks 1.responds itself needs


def check(name, *, description, hint, points=1, depends=None, advisory=False, needs=NEEDS_SERVER):
    stage = int(name.split(".", 1)[0])
    # A check that talks to the server needs one that answers: 1.responds comes
    # first, whatever else `depends` names (it adds to this default).
    if isinstance(depends, str):
        raise TypeError(f"{name}: depends takes a tuple of check names, not the string {depends!r}")
    default = ("1.responds",) if needs == NEEDS_SERVER and name not in SERVER_BASICS else ()
    depends = tuple(dict.fromkeys(default + tuple(depends or ())))

    def register(function):
        if name in _REGISTRY and _REGISTRY[name].run is not function:
            raise ValueError(f"two checks are called {name}")
        _REGISTRY[name] = Check(
            name=name,
            stage=stage,
            points=0 if advisory else points,
            description=description,
            hint=hint,
            depends=tuple(depends),
            advisory=advisory,
            needs=needs,
            run=function,
        )
        return function

    return register


def all_checks() -> list[Check]:
    """Every check, in the order they run: by stage, then as written."""
    for module in STAGE_MODULES:
        importlib.import_module(module)
    order = {name: index for index, name in enumerate(_REGISTRY)}
    written = sorted(_REGISTRY.values(), key=lambda c: (c.stage, order[c.name]))
    return _after_their_dependencies(written)


def _after_their_dependencies(checks: list[Check]) -> list[Check]:
    """The same checks, each moved after the checks it depends on (otherwise kept in order).

    A misspelt dependency is an error here, when the registry loads: silently
    counting it as satisfied would hand out points for checks that never ran.
    """
    known = {c.name for c in checks}
    for c in checks:
        unknown = [d for d in c.depends if d not in known]
        if unknown:
            raise ValueError(f"check {c.name} depends on unknown check(s) {', '.join(unknown)}")
    placed: list[Check] = []
    done: set[str] = set()
    waiting = list(checks)
    while waiting:
        ready = next((c for c in waiting if set(c.depends) <= done), None)
        if ready is None:
            raise ValueError(f"checks depend on each other in a cycle: {', '.join(c.name for c in waiting)}")
        waiting.remove(ready)
        placed.append(ready)
        done.add(ready.name)
    return placed


def checks_up_to(stage: int) -> list[Check]:
    """The checks graded at `stage`: those of stages 1..stage (the server stages are
    cumulative), or a standalone stage's own checks only (stage 8, the client)."""
    from autograder.stages import is_standalone

    if is_standalone(stage):
        return [c for c in all_checks() if c.stage == stage]
    return [c for c in all_checks() if c.stage <= stage and not is_standalone(c.stage)]


def get_check(name: str) -> Check:
    all_checks()
    return _REGISTRY[name]
