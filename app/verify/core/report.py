"""The result of verifying a credential: one line per check and a verdict for a person.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. The web verify page, the JSON API and `laurel verify` all
render a `Report`; `to_json()` is the machine form of the same facts.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.credentials.words import N_

from .trust import IssuerIdentity


class Outcome(StrEnum):
    """The state of one check."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "could not check"


class Verdict(StrEnum):
    """The overall answer, in the order of precedence the pipeline applies."""

    NOT_VERIFIED = "not verified"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    # A genuine learner record holding a credential revoked or suspended since.
    PARTLY_WITHDRAWN = "partly withdrawn"
    UNCHECKED = "could not check"
    EXPIRED = "expired"
    UNKNOWN_ISSUER = "unknown issuer"
    VERIFIED = "verified"


@dataclass(frozen=True)
class Check:
    """One step of verification: its name, outcome and a sentence for a person."""

    name: str
    outcome: Outcome
    message: str
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The check as plain JSON values."""
        return {
            "name": self.name,
            "outcome": self.outcome.value,
            "message": self.message,
            "detail": self.detail,
        }


# What an embedded endorsement is about, as a sentence names it.
ENDORSED = {
    "credential": N_("the credential"),
    "achievement": N_("the achievement"),
    "issuer": N_("the issuer"),
}


@dataclass(frozen=True)
class EndorsementResult:
    """One endorsement the credential embeds, and what its verification found.

    `outcome` is PASSED when it is genuine, in force and names what it endorses; the
    endorser's id and name are as the endorsement states them (its `report` says whether
    anyone vouches for that key).
    """

    about: str
    endorsed_id: str | None
    endorsement_id: str | None
    endorser_id: str | None
    endorser_name: str | None
    outcome: Outcome
    reason: str | None
    report: Report | None = None

    @property
    def verified(self) -> bool:
        return self.outcome is Outcome.PASSED

    @property
    def line(self) -> str:
        """The endorsement in a sentence for a person."""
        who = self.endorser_name or self.endorser_id or N_("An endorser who gives no name")
        about = ENDORSED.get(self.about, self.about)
        if self.verified:
            return N_("%(who)s, endorsing %(about)s: verified", who=who, about=about)
        return N_(
            "%(who)s, endorsing %(about)s: %(reason)s", who=who, about=about, reason=self.reason
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "about": self.about,
            "endorsed_id": self.endorsed_id,
            "id": self.endorsement_id,
            "endorser": {"id": self.endorser_id, "name": self.endorser_name},
            "verified": self.verified,
            "outcome": "verified" if self.verified else self.outcome.value,
            "reason": self.reason,
            "verdict": self.report.verdict.value if self.report is not None else None,
            "checks": [check.to_json() for check in self.report.checks] if self.report else [],
        }


@dataclass
class Report:
    """Everything a verify page shows about one credential.

    The descriptive fields (issuer, badge, dates, evidence) are read from the
    credential as presented; they are only trustworthy when `verified` (or the
    verdict is expired, revoked or suspended, which all mean a genuine document).
    """

    verdict: Verdict
    headline: str
    checks: list[Check]
    source_format: str
    credential: dict[str, Any] | None = None
    jwt: str | None = None
    source_url: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    is_own_issuer: bool | None = None
    subject_id: str | None = None
    subject_hashed_identifiers: list[dict[str, Any]] = field(default_factory=list)
    badge_name: str | None = None
    badge_description: str | None = None
    criteria: dict[str, str] | None = None
    achievement_image_url: str | None = None
    issued_on: datetime | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    evidence: list[dict[str, str]] = field(default_factory=list)
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    issuer_identity: IssuerIdentity | None = None
    learner_name: str | None = None
    # A learner record's credentials, each with its own report.
    parts: list[Report] = field(default_factory=list)
    # The endorsements the credential embeds, each verified (the top credential's only).
    endorsements: list[EndorsementResult] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """True only when every check passed."""
        return self.verdict is Verdict.VERIFIED

    @property
    def learner_statement(self) -> str:
        """The learner's name as the signed credential gives it, or that it gives none."""
        if self.learner_name:
            return N_(
                "Learner: %(name)s (the name is part of the signed credential).",
                name=self.learner_name,
            )
        return N_("No signed learner name is present in this credential.")

    @property
    def issuer_phrase(self) -> str:
        """Who issued it, as established: see `IssuerIdentity.phrase`."""
        if self.issuer_identity is not None:
            return self.issuer_identity.phrase
        return self.issuer_name or self.issuer_id or N_("an unnamed issuer")

    @property
    def valid(self) -> bool:
        """True when every check passed, whoever the issuer is: what a W3C verifier calls
        "verified" (Laurel's own word also needs an issuer someone vouches for)."""
        return self.verdict in (Verdict.VERIFIED, Verdict.UNKNOWN_ISSUER)

    @property
    def genuine(self) -> bool:
        """True when the document is authentic, even if expired, revoked or suspended."""
        return self.verdict in (
            Verdict.VERIFIED,
            Verdict.EXPIRED,
            Verdict.REVOKED,
            Verdict.SUSPENDED,
            Verdict.PARTLY_WITHDRAWN,
        )

    def matches_email(self, email: str) -> bool:
        """Tell whether `email` is the address the credential was issued to.

        OB 3.0 "Verify the Recipient Using an Identifier": hash the address followed
        by the salt and compare with each email IdentityObject. Laurel hashes the
        trimmed, lower-cased address; the address as typed is tried too, for
        credentials from issuers that hash it unchanged.
        """
        candidates = list(dict.fromkeys([email, email.strip(), email.strip().lower()]))
        for identifier in self.subject_hashed_identifiers:
            if identifier.get("identityType") != "emailAddress":
                continue
            expected = str(identifier.get("identityHash", ""))
            if any(_identity_matches(expected, candidate, identifier) for candidate in candidates):
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready values (dates in ISO 8601)."""
        return {
            "verified": self.verified,
            "verdict": self.verdict.value,
            "headline": self.headline,
            "checks": [check.to_json() for check in self.checks],
            "source_format": self.source_format,
            "source_url": self.source_url,
            "issuer": {
                "id": self.issuer_id,
                "name": self.issuer_name,
                "is_own": self.is_own_issuer,
                "established": (
                    self.issuer_identity.to_json() if self.issuer_identity is not None else None
                ),
            },
            "learner_name": self.learner_name,
            "learner": self.learner_statement,
            "subject": {
                "id": self.subject_id,
                "hashed_identifiers": self.subject_hashed_identifiers,
            },
            "badge": {
                "name": self.badge_name,
                "description": self.badge_description,
                "criteria": self.criteria,
                "image_url": self.achievement_image_url,
            },
            "issued_on": _iso(self.issued_on),
            "valid_from": _iso(self.valid_from),
            "valid_until": _iso(self.valid_until),
            "evidence": self.evidence,
            "status_reason": self.status_reason,
            "status_changed_at": _iso(self.status_changed_at),
            "credential": self.credential,
            "jwt": self.jwt,
            "credentials": [_part_json(part) for part in self.parts],
            "endorsements": [endorsement.to_json() for endorsement in self.endorsements],
        }


def _part_json(part: Report) -> dict[str, Any]:
    """A credential inside a learner record: its report, without repeating the document."""
    found = part.to_json()
    del found["credential"], found["jwt"], found["credentials"], found["endorsements"]
    found["id"] = (part.credential or {}).get("id")
    return found


def _identity_matches(expected: str, candidate: str, identifier: dict[str, Any]) -> bool:
    if identifier.get("hashed") is not True:
        return hmac.compare_digest(expected.encode(), candidate.encode())
    algorithm, _, digest = expected.partition("$")
    if algorithm not in ("sha256", "md5") or not digest:
        return False
    salt = identifier.get("salt") or ""
    computed = hashlib.new(algorithm, (candidate + str(salt)).encode("utf-8")).hexdigest()
    return hmac.compare_digest(computed, digest.lower())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
