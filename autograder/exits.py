"""Why a process ended, in a sentence for a student (one place for every report)."""

from __future__ import annotations

import signal

# The limits the Linux sandbox sets (sandbox.py), named when a signal says one was hit.
CPU_SECONDS = 30
OUTPUT_BYTES = 8 * 1024**2


def describe_exit(returncode: int | None) -> str:
    """A sentence for a student about why the server process ended."""
    if returncode is None:
        return "is still running"
    if returncode >= 0:
        return f"exited with status {returncode}"
    signum = -returncode
    reasons = {
        getattr(signal, "SIGXCPU", None): f"was stopped after using {CPU_SECONDS} s of CPU time (an endless loop?)",
        getattr(signal, "SIGXFSZ", None): f"was stopped for printing more than {OUTPUT_BYTES // 1024**2} MiB of output",
        getattr(signal, "SIGKILL", None): "was killed (SIGKILL)",
        signal.SIGSEGV: "crashed (segmentation fault)",
    }
    if signum in reasons:
        return reasons[signum]
    try:
        return f"was ended by signal {signal.Signals(signum).name}"
    except ValueError:
        return f"was ended by signal {signum}"
