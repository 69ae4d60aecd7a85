"""Word-level differences between two versions of a proposal, for the side-by-side view."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

# Words and the spaces after them stay together, so a changed word shows with its spacing.
_TOKENS = re.compile(r"\S+\s*|\s+")

Kind = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """One field on both sides: the older text with removals, the newer with additions."""

    label: str
    before: tuple[Piece, ...]
    after: tuple[Piece, ...]

    @property
    def changed(self) -> bool:
        return any(p.kind != "same" for p in (*self.before, *self.after))


def diff_text(label: str, before: str, after: str) -> FieldDiff:
    """The two texts cut into unchanged, removed and added runs of words."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    left: list[Piece] = []
    right: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left.append(Piece("same", "".join(old[i1:i2])))
            right.append(Piece("same", "".join(new[j1:j2])))
            continue
        if i2 > i1:
            left.append(Piece("removed", "".join(old[i1:i2])))
        if j2 > j1:
            right.append(Piece("added", "".join(new[j1:j2])))
    return FieldDiff(label=label, before=tuple(left), after=tuple(right))
