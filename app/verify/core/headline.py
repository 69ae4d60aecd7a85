"""The report assembled from a finished run: what the credential says, and one sentence first.

Pure module. The descriptive fields are read from the credential as presented;
the headline puts the verdict first, and says "could not check the signature"
rather than repeating a document's claims when no signature was checked.
"""

from __future__ import annotations

from typing import Any

from app.credentials.document import signed_name
from app.credentials.words import N_
from app.credentials.words import Text

from .fields import as_list
from .fields import first_dict
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
    said = _what_it_says(report)
    verdict = report.verdict
    reason = report.status_reason
    if verdict is Verdict.VERIFIED:
        return N_("Genuine — %(said)s.", said=said)
    if verdict is Verdict.UNKNOWN_ISSUER:
        return N_(
            "Unknown issuer — the signature is valid, but Laurel cannot tell who made it: "
            "%(said)s. A name written inside a credential proves nothing.",
            said=said,
        )
    if verdict is Verdict.EXPIRED:
        return N_(
            "Expired on %(date)s, still a genuine record — %(said)s.",
            date=report.valid_until,
            said=said,
        )
    if verdict is Verdict.REVOKED:
        if reason:
            return N_(
                "Revoked — %(said)s, has been withdrawn by the issuer. Reason: %(reason)s",
                said=said,
                reason=reason,
            )
        return N_("Revoked — %(said)s, has been withdrawn by the issuer.", said=said)
    if verdict is Verdict.SUSPENDED:
        if reason:
            return N_(
                "Suspended — %(said)s, is on hold by the issuer. Reason: %(reason)s",
                said=said,
                reason=reason,
            )
        return N_("Suspended — %(said)s, is on hold by the issuer.", said=said)
    if verdict is Verdict.PARTLY_WITHDRAWN:
        contents = next(check for check in checks if check.name == "contents")
        return N_(
            "Genuine record, not every credential in it stands — %(said)s. %(contents)s",
            said=said,
            contents=contents.message,
        )
    if verdict is Verdict.UNCHECKED:
        unknown = next(check for check in checks if check.outcome is Outcome.UNKNOWN)
        if not any(c.name == "proof" and c.outcome is Outcome.PASSED for c in checks):
            # Without a checked signature, what the document says is only a claim.
            return N_("Could not check the signature — %(unknown)s", unknown=unknown.message)
        if expired:
            # What is known comes first: the expiry and the signature, then what was not checked.
            if offline and unknown.name == "status":
                return N_(
                    "Expired on %(date)s; signature genuine; status could not be checked "
                    "offline — %(said)s.",
                    date=report.valid_until,
                    said=said,
                )
            return N_(
                "Expired on %(date)s; signature genuine; not everything was checked: "
                "%(unknown)s — %(said)s.",
                date=report.valid_until,
                unknown=unknown.message,
                said=said,
            )
        return N_(
            "Could not check everything — %(said)s. %(unknown)s",
            said=said,
            unknown=unknown.message,
        )
    failed = [check for check in checks if check.outcome is Outcome.FAILED]
    if not_yet_valid and len(failed) == 1:
        return N_(
            "Not yet valid — %(said)s; it takes effect on %(date)s.",
            said=said,
            date=report.valid_from,
        )
    return N_("Not genuine — %(failed)s", failed=failed[0].message)


def _what_it_says(report: Report) -> Text:
    """“Badge”, issued by the issuer to the learner on a day: what the credential claims."""
    badge = (
        N_("“%(badge)s”", badge=report.badge_name) if report.badge_name else N_("This credential")
    )
    if report.learner_name:
        recipient: str = report.learner_name
    elif report.subject_hashed_identifiers:
        recipient = (
            N_("a hashed email address")
            if any(
                item.get("identityType") == "emailAddress"
                for item in report.subject_hashed_identifiers
            )
            else N_("a hashed identifier")
        )
    else:
        recipient = report.subject_id or N_("an unnamed learner")
    if report.issued_on:
        return N_(
            "%(badge)s, issued by %(issuer)s to %(recipient)s on %(date)s",
            badge=badge,
            issuer=report.issuer_phrase,
            recipient=recipient,
            date=report.issued_on,
        )
    return N_(
        "%(badge)s, issued by %(issuer)s to %(recipient)s",
        badge=badge,
        issuer=report.issuer_phrase,
        recipient=recipient,
    )


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
