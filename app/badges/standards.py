"""How Laurel names a standard a badge aligns to, the same on every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def standard_label(framework: str | None, code: str | None, name: str | None) -> str:
    """ "ASE A5 — Brakes": framework and code, then the name."""
    prefix = " ".join(part for part in (framework, code) if part)
    name = name or ""
    return f"{prefix} — {name}" if prefix and name else prefix or name


def alignment_label(alignment: Mapping[str, Any]) -> str:
    """The label of an alignment as a badge stores it (a dict with framework, code and name)."""
    return standard_label(alignment.get("framework"), alignment.get("code"), alignment.get("name"))
