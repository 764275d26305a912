"""Exact edits of a base program: how both corpora (servers, clients) make their variants.

An edit is an (old, new) text replacement; `apply_edits` refuses an edit whose
`old` text does not occur exactly once (after the edits before it), so a
change to a base cannot make a variant silently stop applying.
"""

from __future__ import annotations


class EditDoesNotApply(Exception):
    pass


def apply_edits(text: str, edits, name: str, base: str) -> str:
    """`text` (the base's) with every edit applied in order."""
    for old, new in edits:
        count = text.count(old)
        if count != 1:
            raise EditDoesNotApply(
                f"{name}: expected the snippet once in {base} "
                f"(after earlier edits), found it {count} times:\n{old}"
            )
        text = text.replace(old, new)
    return text
