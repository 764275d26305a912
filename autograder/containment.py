"""Which runner contains a submission: the Linux sandbox, or the portable one.

    box = containment.sandbox_for(run_dir)

On Linux with /proc the full sandbox (sandbox.py: a launcher that is a
subreaper, rlimits, a user id of its own, cgroups, bubblewrap where each is
available); elsewhere (Windows, macOS), or with LABGRADE_SANDBOX=portable,
the portable runner (portable.py: a process group, no limits). Both offer the
runner the same methods, and `describe()` says which layers are active; the
report shows it.
"""

from __future__ import annotations

from pathlib import Path

from autograder.portable import PortableSandbox, portable_wanted


def sandbox_for(run_dir: Path):
    if portable_wanted():
        return PortableSandbox(run_dir)
    from autograder.sandbox import Sandbox  # Linux only: prctl, /proc, rlimits

    return Sandbox(run_dir)
