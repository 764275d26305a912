"""How a score is written, everywhere (terminal report, gradebook, progress): 39 and 25.5, never 25.0."""

from __future__ import annotations


def format_score(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")
