"""The endorsements a credential embeds: where they sit, and what their verification means.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. Open Badges 3.0 lets a credential carry `EndorsementCredential`s
of itself (`endorsement`), of its achievement (`credentialSubject.achievement.endorsement`)
and of its issuer (`issuer.endorsement`), each a credential signed by the endorser
(a JSON object or a VC-JWT). The pipeline verifies each one through every stage
(`pipeline.py`) and `judge` turns its report into one line: verified, or failed or
not checked with the reason, and who the endorser says they are. An endorsement never
changes the verdict of the credential it travels in: it is a third party's word about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.credentials.words import N_

from .fields import as_list
from .fields import first_dict
from .fields import issuer_id_of
from .fields import text
from .local_status import RecordedStatus
from .report import EndorsementResult
from .report import Outcome
from .report import Report
from .report import Verdict


@dataclass(frozen=True)
class Embedded:
    """One endorsement in a credential: what it endorses (its kind and id), and the item."""

    about: str
    endorsed_id: str | None
    item: Any


# An endorsement that names something else than what carries it.
_OTHER_THAN = {
    "credential": N_("It endorses something other than this credential."),
    "achievement": N_("It endorses something other than this achievement."),
    "issuer": N_("It endorses something other than this issuer."),
}


def embedded_endorsements(credential: dict[str, Any]) -> list[Embedded]:
    """The endorsements `credential` carries, of itself, its achievement and its issuer."""
    achievement = first_dict(first_dict(credential.get("credentialSubject")).get("achievement"))
    issuer = credential.get("issuer")
    holders = (
        ("credential", text(credential.get("id")), credential),
        ("achievement", text(achievement.get("id")), achievement),
        ("issuer", issuer_id_of(credential), issuer if isinstance(issuer, dict) else {}),
    )
    return [
        Embedded(about, endorsed_id, item)
        for about, endorsed_id, holder in holders
        for item in as_list(holder.get("endorsement"))
    ]


def endorser_of(document: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(id, name) of the endorser, as the endorsement states them (signed, not established)."""
    if document is None:
        return None, None
    issuer = document.get("issuer")
    name = text(issuer.get("name")) if isinstance(issuer, dict) else None
    return issuer_id_of(document), name


def unreadable(found: Embedded, reason: str) -> EndorsementResult:
    """The line of an endorsement that is no credential at all."""
    document = found.item if isinstance(found.item, dict) else None
    endorser_id, endorser_name = endorser_of(document)
    return EndorsementResult(
        about=found.about,
        endorsed_id=found.endorsed_id,
        endorsement_id=text(document.get("id")) if document else None,
        endorser_id=endorser_id,
        endorser_name=endorser_name,
        outcome=Outcome.FAILED,
        reason=N_("It cannot be read: %(error)s", error=reason),
    )


def judge(found: Embedded, report: Report, recorded: RecordedStatus | None) -> EndorsementResult:
    """The line of an endorsement verified into `report`.

    :param recorded: what the issuing school recorded about the endorsement (withdrawn), if any.
    """
    document = report.credential or {}
    endorser_id, endorser_name = endorser_of(document)
    outcome, reason = _outcome(found, report, recorded)
    return EndorsementResult(
        about=found.about,
        endorsed_id=found.endorsed_id,
        endorsement_id=text(document.get("id")),
        endorser_id=endorser_id,
        endorser_name=endorser_name,
        outcome=outcome,
        reason=reason,
        report=report,
    )


def _outcome(
    found: Embedded, report: Report, recorded: RecordedStatus | None
) -> tuple[Outcome, str | None]:
    failed = [check for check in report.checks if check.outcome is Outcome.FAILED]
    if report.verdict is Verdict.NOT_VERIFIED:
        return Outcome.FAILED, failed[0].message if failed else report.headline
    if recorded is not None:
        if recorded.reason:
            return Outcome.FAILED, N_(
                "The school that keeps it withdrew this endorsement (%(reason)s).",
                reason=recorded.reason,
            )
        return Outcome.FAILED, N_("The school that keeps it withdrew this endorsement.")
    if report.verdict in (Verdict.REVOKED, Verdict.SUSPENDED, Verdict.EXPIRED):
        return Outcome.FAILED, failed[0].message if failed else report.headline
    named = text(first_dict((report.credential or {}).get("credentialSubject")).get("id"))
    if named is None or named != found.endorsed_id:
        return Outcome.FAILED, _OTHER_THAN[found.about]
    if report.verdict is Verdict.UNCHECKED:
        unknown = [check for check in report.checks if check.outcome is Outcome.UNKNOWN]
        return Outcome.UNKNOWN, unknown[0].message if unknown else report.headline
    return Outcome.PASSED, None
