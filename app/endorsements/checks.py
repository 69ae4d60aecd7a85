"""The endorsements of a credential, as its share and verification pages show them.

A credential carries its badge's endorsements inside its achievement
(`achievement.endorsement`), signed by each endorser; endorsements of the one
credential are kept by the school beside it. Each is checked by Laurel's verifier
like any credential (its signer's did:web resolved, the SSRF guards as usual) and
must name this credential or its achievement. One the school has withdrawn since
is not shown; the page says how many were left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.credentials.errors import CredentialError
from app.endorsements import services
from app.i18n import gettext
from app.main.filters import say
from app.verify.core.fields import as_list
from app.verify.core.report import Report
from app.verify.service import own_credential
from app.verify.service import own_endorsement
from app.verify.service import verify_json_credential


@dataclass(frozen=True)
class CheckedEndorsement:
    """One endorsement and what Laurel's verifier found."""

    document: dict[str, Any]
    report: Report | None
    of_credential: bool
    problem: str | None = None

    @property
    def genuine(self) -> bool:
        return self.problem is None and self.report is not None and self.report.verified

    @property
    def endorser_name(self) -> str:
        issuer = self.document.get("issuer")
        name = issuer.get("name") if isinstance(issuer, dict) else None
        return name if isinstance(name, str) else "An endorser who gives no name"

    @property
    def organisation(self) -> str | None:
        issuer = self.document.get("issuer")
        value = issuer.get("description") if isinstance(issuer, dict) else None
        return value if isinstance(value, str) else None

    @property
    def comment(self) -> str:
        subject = self.document.get("credentialSubject")
        value = subject.get("endorsementComment") if isinstance(subject, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def signer(self) -> str:
        issuer = self.document.get("issuer")
        value = issuer.get("id") if isinstance(issuer, dict) else issuer
        return value if isinstance(value, str) else ""

    @property
    def valid_from(self) -> str | None:
        value = self.document.get("validFrom")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class EndorsementChecks:
    """The endorsements to show, and how many the school has withdrawn since (not shown)."""

    endorsements: list[CheckedEndorsement]
    withdrawn: int


def _embedded(credential: dict[str, Any]) -> list[dict[str, Any]]:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if not isinstance(achievement, dict):
        return []
    return [item for item in as_list(achievement.get("endorsement")) if isinstance(item, dict)]


def _achievement_id(credential: dict[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    value = achievement.get("id") if isinstance(achievement, dict) else None
    return value if isinstance(value, str) else None


def _check(
    document: dict[str, Any], endorsed_id: str | None, now: datetime, *, of_credential: bool
):
    subject = document.get("credentialSubject")
    named = subject.get("id") if isinstance(subject, dict) else None
    try:
        report = verify_json_credential(document, now=now)
    except CredentialError as error:
        return CheckedEndorsement(
            document, None, of_credential, gettext("It cannot be read: %(error)s", error=say(error))
        )
    if named != endorsed_id:
        return CheckedEndorsement(
            document,
            report,
            of_credential,
            gettext("It endorses something other than this credential."),
        )
    return CheckedEndorsement(document, report, of_credential)


def endorsement_checks(credential: dict[str, Any] | None, *, now: datetime) -> EndorsementChecks:
    """The endorsements a verified credential carries, and this school's of that credential."""
    if not isinstance(credential, dict):
        return EndorsementChecks([], 0)
    checked: list[CheckedEndorsement] = []
    withdrawn = 0
    achievement_id = _achievement_id(credential)
    for document in _embedded(credential):
        document_id = document.get("id")
        own = own_endorsement(document_id) if isinstance(document_id, str) else None
        if own is not None and own.withdrawn:
            withdrawn += 1
            continue
        checked.append(_check(document, achievement_id, now, of_credential=False))
    credential_id = credential.get("id")
    row = own_credential(credential_id) if isinstance(credential_id, str) else None
    if row is not None:
        for endorsement in services.standing_endorsements(credential_id=row.id):
            document = json.loads(endorsement.json_text)
            checked.append(_check(document, credential_id, now, of_credential=True))
    return EndorsementChecks(checked, withdrawn)
