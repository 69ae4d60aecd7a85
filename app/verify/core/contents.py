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

from app.credentials.words import N_
from app.credentials.words import N_plural
from app.credentials.words import Text

from .fields import as_list
from .report import Outcome
from .report import Report
from .report import Verdict
from .run import Run

CLR_TYPE = "ClrCredential"
_WITHDRAWN = (Verdict.REVOKED, Verdict.SUSPENDED)


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
        run.add("contents", Outcome.PASSED, N_("The learner record holds no credential."))
        return
    forged = [part for part in parts if part.verdict is Verdict.NOT_VERIFIED]
    if forged or unreadable:
        run.add("contents", Outcome.FAILED, _forged(len(forged) + unreadable, total, forged))
        return
    withdrawn = [part for part in parts if part.verdict in _WITHDRAWN]
    if withdrawn:
        run.facts.contents_withdrawn = True
        said = [
            _withdrawn(verdict, group, total)
            for verdict in _WITHDRAWN
            if (group := [part for part in withdrawn if part.verdict is verdict])
        ]
        run.note(
            "contents",
            N_("Of the credentials inside: %(said)s.", said=said[0])
            if len(said) == 1
            else N_(
                "Of the credentials inside: %(first)s; %(second)s.", first=said[0], second=said[1]
            ),
        )
        return
    unchecked = [
        part for part in parts if part.verdict in (Verdict.UNCHECKED, Verdict.UNKNOWN_ISSUER)
    ]
    if unchecked:
        run.add("contents", Outcome.UNKNOWN, _unchecked(unchecked, total))
        return
    run.add(
        "contents",
        Outcome.PASSED,
        _all_verify(total, expired=sum(part.verdict is Verdict.EXPIRED for part in parts)),
    )


def _forged(count: int, total: int, named: Sequence[Report]) -> Text:
    if total == 1:
        return N_(
            "The credential inside is not a genuine credential%(names)s.", names=_named(named)
        )
    return N_plural(
        "%(num)s of %(total)s credentials inside is not a genuine credential%(names)s.",
        "%(num)s of %(total)s credentials inside are not genuine credentials%(names)s.",
        count,
        total=total,
        names=_named(named),
    )


def _withdrawn(verdict: Verdict, group: Sequence[Report], total: int) -> Text:
    names = _named(group)
    if verdict is Verdict.REVOKED:
        if total == 1:
            return N_("The credential was revoked%(names)s", names=names)
        return N_plural(
            "%(num)s of %(total)s credentials was revoked%(names)s",
            "%(num)s of %(total)s credentials were revoked%(names)s",
            len(group),
            total=total,
            names=names,
        )
    if total == 1:
        return N_("The credential was suspended%(names)s", names=names)
    return N_plural(
        "%(num)s of %(total)s credentials was suspended%(names)s",
        "%(num)s of %(total)s credentials were suspended%(names)s",
        len(group),
        total=total,
        names=names,
    )


def _unchecked(unchecked: Sequence[Report], total: int) -> Text:
    if total == 1:
        return N_(
            "The credential inside could not be fully checked%(names)s.", names=_named(unchecked)
        )
    return N_plural(
        "%(num)s of %(total)s credentials inside could not be fully checked%(names)s.",
        "%(num)s of %(total)s credentials inside could not be fully checked%(names)s.",
        len(unchecked),
        total=total,
        names=_named(unchecked),
    )


def _all_verify(total: int, *, expired: int) -> Text:
    if expired:
        return N_plural(
            "The credential inside verifies (expired, still a genuine record).",
            "All %(num)s credentials inside verify (%(expired)s expired, still genuine records).",
            total,
            expired=expired,
        )
    return N_plural(
        "The credential inside verifies.", "All %(num)s credentials inside verify.", total
    )


def _named(parts: Sequence[Report]) -> str:
    """The badges' names (the same in every language), after a colon; empty if none has one."""
    names = [f"“{part.badge_name}”" for part in parts if part.badge_name]
    return f": {', '.join(names)}" if names else ""
