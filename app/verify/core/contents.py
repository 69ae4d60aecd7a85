"""The credentials inside a learner record (CLR 2.0): each verified on its own, then summed up.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. The record's own proof says the school signed the bundle; it
says nothing of what happened since to each credential in it. So every embedded
credential goes through the whole pipeline (proofs, dates, status) and gets its
own report, and the record gets one "contents" line: a forged credential inside
makes the record not genuine; a revoked or suspended one is said in the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .fields import as_list
from .report import Outcome
from .report import Report
from .report import Verdict
from .run import Run

CLR_TYPE = "ClrCredential"
_WITHDRAWN = {Verdict.REVOKED: "revoked", Verdict.SUSPENDED: "suspended"}


def embedded_credentials(credential: dict[str, Any]) -> list[Any] | None:
    """The credentials a ClrCredential embeds (JSON objects or VC-JWT strings); None if not one."""
    if CLR_TYPE not in as_list(credential.get("type")):
        return None
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return []
    return as_list(subject.get("verifiableCredential"))


def check_contents(run: Run, parts: Sequence[Report], unreadable: int) -> None:
    """Add the record's "contents" line from the reports of its credentials."""
    total = len(parts) + unreadable
    if total == 0:
        run.add("contents", Outcome.PASSED, "The learner record holds no credential.")
        return
    forged = [part for part in parts if part.verdict is Verdict.NOT_VERIFIED]
    if forged or unreadable:
        count = len(forged) + unreadable
        run.add(
            "contents",
            Outcome.FAILED,
            f"{_of(count, total)} inside {_is(count)} not a genuine credential{_named(forged)}.",
        )
        return
    withdrawn = [part for part in parts if part.verdict in _WITHDRAWN]
    if withdrawn:
        run.facts.contents_withdrawn = True
        said = "; ".join(
            f"{_of(len(group), total)} was {word}{_named(group)}"
            for verdict, word in _WITHDRAWN.items()
            if (group := [part for part in withdrawn if part.verdict is verdict])
        )
        run.note("contents", f"Of the credentials inside: {said}.")
        return
    unchecked = [
        part for part in parts if part.verdict in (Verdict.UNCHECKED, Verdict.UNKNOWN_ISSUER)
    ]
    if unchecked:
        run.add(
            "contents",
            Outcome.UNKNOWN,
            f"{_of(len(unchecked), total)} inside could not be fully checked{_named(unchecked)}.",
        )
        return
    expired = sum(part.verdict is Verdict.EXPIRED for part in parts)
    note = f" ({expired} expired, still genuine records)" if expired else ""
    run.add("contents", Outcome.PASSED, f"All {total} credentials inside verify{note}.")


def _of(count: int, total: int) -> str:
    return f"{count} of {total} credentials" if total > 1 else "The credential"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def _named(parts: Sequence[Report]) -> str:
    names = [f"“{part.badge_name}”" for part in parts if part.badge_name]
    return f": {', '.join(names)}" if names else ""
