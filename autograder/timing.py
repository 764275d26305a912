"""Deadlines that stretch when the grading machine itself is overloaded.

The contract's deadlines (listen within 5 s, answer within 1 s while others
stall, ...) judge the student's server, not the machine it is graded on. On an
idle machine they apply exactly. When many gradings share the machine (a
batch with too many jobs, a busy CI runner), a correct server may simply not
get the CPU in time; then each deadline is multiplied by how much slower
tasks run right now (CPU pressure, see _slowdown), up to MAX_STRETCH, and the
report says so. The stage-4 answer windows are the exception (checks/stage4.py). A server that is wrong (never
listens, serves one connection at a time) fails either way: waiting longer
only costs time on failures, never turns one into a pass.
"""

from __future__ import annotations

import contextvars
import os
import time

MAX_STRETCH = 4.0
_cache = {"at": -1e9, "factor": 1.0}
# When the grading under way must be over (time.monotonic). A context
# variable, not a module global: two gradings in one process (threads of a
# test, of a batch) each keep their own deadline.
_run_ends: contextvars.ContextVar[float] = contextvars.ContextVar("run_ends", default=float("inf"))


def start_run(seconds: float) -> contextvars.Token:
    """From now on every wait of this grading ends within `seconds` (the contract's bound on a whole grading)."""
    return _run_ends.set(time.monotonic() + seconds)


def end_run(token: contextvars.Token | None = None) -> None:
    if token is not None:
        _run_ends.reset(token)
    else:
        _run_ends.set(float("inf"))


def bounded(seconds: float) -> float:
    """`seconds`, or less when the run's hard deadline comes first."""
    return max(0.0, min(seconds, _run_ends.get() - time.monotonic()))


def stretch_factor() -> float:
    """1.0 on a machine with a core to spare; up to MAX_STRETCH when overloaded."""
    now = time.monotonic()
    if now - _cache["at"] > 2.0:
        _cache.update(at=now, factor=max(1.0, min(MAX_STRETCH, _slowdown())))
    return _cache["factor"]


def _slowdown() -> float:
    """How many times slower a task runs now than on an idle machine, roughly.

    Linux's pressure-stall information says what share of the last 10 s some
    runnable task spent waiting for a CPU; a task then runs about
    1 / (1 - share) times slower. It follows the machine within seconds,
    where the load average lags for minutes after a burst (a fork-bomb test,
    say) is over. Elsewhere the load average per core stands in.
    """
    try:
        with open("/proc/pressure/cpu") as pressure:
            fields = dict(item.split("=") for item in pressure.readline().split()[1:])
        waiting = float(fields["avg10"]) / 100
        return 1 / max(1 - waiting, 1 / MAX_STRETCH)
    except (OSError, KeyError, ValueError):
        pass
    try:
        return os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:
        return 1.0


def stretched(seconds: float) -> float:
    """`seconds` times the machine's slowdown, never past the run's hard deadline."""
    return bounded(seconds * stretch_factor())
