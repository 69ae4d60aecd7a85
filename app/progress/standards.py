"""Standards as the progress plots see them: the alignments of badges, one entry per standard."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.badges.models import Badge


@dataclass(frozen=True)
class Standard:
    framework: str
    code: str
    name: str
    url: str

    @property
    def key(self) -> str:
        """What the `standard` filter names: the code, or the name of a standard without one."""
        return self.code or self.name

    @property
    def short_label(self) -> str:
        """A label that fits under a plot: the key, its start cut when it is long."""
        return self.key if len(self.key) <= 20 else "…" + self.key[-19:]


def _standard(alignment: dict[str, Any]) -> Standard:
    return Standard(
        framework=alignment.get("framework") or "",
        code=alignment.get("code") or "",
        name=alignment.get("name") or "",
        url=alignment.get("url") or "",
    )


def standards_of(badges: Iterable[Badge]) -> list[Standard]:
    """Every standard the badges align to, once each (by key), sorted by framework and code."""
    found: dict[str, Standard] = {}
    for badge in badges:
        for alignment in badge.alignments:
            standard = _standard(alignment)
            found.setdefault(standard.key, standard)
    return sorted(found.values(), key=lambda s: (s.framework, s.key))


def keys_of(badge: Badge) -> set[str]:
    """The keys of the standards `badge` aligns to."""
    return {_standard(alignment).key for alignment in badge.alignments}
