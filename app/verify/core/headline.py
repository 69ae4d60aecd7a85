"""The report assembled from a finished run: what the credential says, and one sentence first.

Pure module. The descriptive fields are read from the credential as presented;
the headline puts the verdict first, and says "could not check the signature"
rather than repeating a document's claims when no signature was checked.
"""

from __future__ import annotations

from typing import Any

from app.credentials.document import signed_name

from .fields import as_list
from .fields import first_dict
from .fields import format_day
from .fields import parse_date
from .fields import text
from .report import Outcome
from .report import Report
from .report import Verdict
from .run import Run


def build_report(run: Run, *, source_url: str | None) -> Report:
    """The Report of a run whose stages have all been made."""
    credential = run.credential
    issuer = credential.get("issuer")
    subject = first_dict(credential.get("credentialSubject"))
    achievement = first_dict(subject.get("achievement"))
    criteria = achievement.get("criteria")
    valid_from = parse_date(credential.get("validFrom", credential.get("issuanceDate")))
    report = Report(
        verdict=run.verdict(),
        headline="",
        checks=run.checks,
        source_format=run.parsed.source_format,
        credential=credential,
        jwt=run.parsed.jwt,
        source_url=source_url,
        issuer_id=run.issuer_id,
        issuer_name=text(issuer.get("name")) if isinstance(issuer, dict) else None,
        is_own_issuer=run.is_own if run.own_issuer_id is not None else None,
        subject_id=text(subject.get("id")),
        subject_hashed_identifiers=[
            item for item in as_list(subject.get("identifier")) if isinstance(item, dict)
        ],
        badge_name=text(achievement.get("name")) or text(credential.get("name")),
        badge_description=text(achievement.get("description")),
        criteria={
            key: value
            for key, value in criteria.items()
            if key in ("id", "narrative") and isinstance(value, str)
        }
        if isinstance(criteria, dict)
        else None,
        achievement_image_url=_image_url(achievement.get("image")),
        issued_on=parse_date(credential.get("awardedDate")) or valid_from,
        valid_from=valid_from,
        valid_until=parse_date(credential.get("validUntil", credential.get("expirationDate"))),
        evidence=_public_evidence(credential.get("evidence")),
        status_reason=run.status_reason,
        status_changed_at=run.status_changed_at,
        issuer_identity=run.identity,
        learner_name=signed_name(credential),
    )
    report.headline = _headline(
        report,
        not_yet_valid=run.facts.not_yet_valid,
        expired=run.facts.expired,
        offline=run.fetcher is None,
    )
    return report


def _headline(report: Report, *, not_yet_valid: bool, expired: bool, offline: bool) -> str:
    """One sentence for a person: the verdict first, then what the credential says."""
    checks = report.checks
    badge = f"“{report.badge_name}”" if report.badge_name else "This credential"
    issuer = report.issuer_phrase
    if report.learner_name:
        recipient = report.learner_name
    elif report.subject_hashed_identifiers:
        recipient = (
            "a hashed email address"
            if any(
                item.get("identityType") == "emailAddress"
                for item in report.subject_hashed_identifiers
            )
            else "a hashed identifier"
        )
    else:
        recipient = report.subject_id or "an unnamed learner"
    day = format_day(report.issued_on)
    said = f"{badge}, issued by {issuer} to {recipient}" + (f" on {day}" if day else "")
    verdict = report.verdict
    reason = f" Reason: {report.status_reason}" if report.status_reason else ""
    if verdict is Verdict.VERIFIED:
        return f"Genuine — {said}."
    if verdict is Verdict.UNKNOWN_ISSUER:
        return (
            f"Unknown issuer — the signature is valid, but Laurel cannot tell who made it: "
            f"{said}. A name written inside a credential proves nothing."
        )
    if verdict is Verdict.EXPIRED:
        return f"Expired on {format_day(report.valid_until)}, still a genuine record — {said}."
    if verdict is Verdict.REVOKED:
        return f"Revoked — {said}, has been withdrawn by the issuer.{reason}"
    if verdict is Verdict.SUSPENDED:
        return f"Suspended — {said}, is on hold by the issuer.{reason}"
    if verdict is Verdict.PARTLY_WITHDRAWN:
        contents = next(check for check in checks if check.name == "contents")
        return f"Genuine record, not every credential in it stands — {said}. {contents.message}"
    if verdict is Verdict.UNCHECKED:
        unknown = next(check for check in checks if check.outcome is Outcome.UNKNOWN)
        if not any(c.name == "proof" and c.outcome is Outcome.PASSED for c in checks):
            # Without a checked signature, what the document says is only a claim.
            return f"Could not check the signature — {unknown.message}"
        if expired:
            # What is known comes first: the expiry and the signature, then what was not checked.
            missing = (
                "status could not be checked offline"
                if offline and unknown.name == "status"
                else f"{unknown.message[:1].lower()}{unknown.message[1:].rstrip('.')}"
            )
            return (
                f"Expired on {format_day(report.valid_until)}; signature genuine; {missing} — "
                f"{said}."
            )
        return f"Could not check everything — {said}. {unknown.message}"
    failed = [check for check in checks if check.outcome is Outcome.FAILED]
    if not_yet_valid and len(failed) == 1:
        return f"Not yet valid — {said}; it takes effect on {format_day(report.valid_from)}."
    return f"Not genuine — {failed[0].message}"


def _image_url(image: Any) -> str | None:
    if isinstance(image, dict):
        return text(image.get("id"))
    return text(image)


def _public_evidence(evidence: Any) -> list[dict[str, str]]:
    """The evidence items in the credential: the student chose what to make public at issuance."""
    fields = ("id", "name", "narrative", "description", "genre")
    return [
        {name: item[name] for name in fields if isinstance(item.get(name), str)}
        for item in as_list(evidence)
        if isinstance(item, dict)
    ]
