"""Re-issuing a credential after the school corrected the learner's name.

A signed credential never changes, so a corrected name means a fresh credential:
same badge, level, evidence, award date and expiry, the name as recorded now;
the earlier one is revoked with a reason that says why.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.credentials.document import EvidenceData
from app.credentials.document import signed_name
from app.errors import Conflict
from app.errors import NotAllowed
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.issuance import issue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status

REISSUE_REASON = "Re-issued with corrected name"


def credential_name(credential: IssuedCredential) -> str | None:
    """The learner's name as signed in the credential (None for credentials issued without)."""
    return signed_name(json.loads(credential.json_text))


def needs_reissue(credential: IssuedCredential) -> bool:
    """Active, and its signed name is not the name the school records now."""
    return (
        credential.state == CredentialState.ACTIVE
        and credential_name(credential) != credential.recipient.name
    )


def credentials_to_reissue(learner: User) -> list[IssuedCredential]:
    """The learner's active credentials that carry another name than the recorded one."""
    credentials = db.session.scalars(
        sa.select(IssuedCredential)
        .where(
            IssuedCredential.recipient_id == learner.id,
            IssuedCredential.state == CredentialState.ACTIVE,
        )
        .order_by(IssuedCredential.issued_at)
    )
    return [c for c in credentials if needs_reissue(c)]


def _evidence(item: Any) -> EvidenceData | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    return EvidenceData(
        id=str(item.get("id") or ""),
        name=item["name"],
        narrative=item.get("narrative"),
        description=item.get("description"),
        genre=item.get("genre"),
    )


def signed_evidence(credential: IssuedCredential) -> tuple[EvidenceData, ...]:
    """The evidence exactly as the credential listed it (what the learner had made public)."""
    items = json.loads(credential.json_text).get("evidence") or []
    return tuple(e for e in (_evidence(item) for item in items) if e is not None)


def reissue_credential(
    credential: IssuedCredential, *, ctx: IssuingContext, actor: User, now: datetime
) -> IssuedCredential:
    """Issue a fresh credential with the recorded name and revoke `credential` (flush only).

    The new credential takes over the link to the approved submission, so the
    learner sees it wherever they saw the old one.

    :raises NotAllowed: the actor does not review the credential's badge.
    :raises Conflict: the credential is not active, or already carries the recorded name.
    """
    if not credential.badge.can_review(actor):
        raise NotAllowed(gettext("Only the badge's reviewers can re-issue this credential."))
    if credential.state != CredentialState.ACTIVE:
        raise Conflict(
            gettext(
                "Only an active credential can be re-issued; this one is %(state_value)s.",
                state_value=credential.state.value,
            )
        )
    if not needs_reissue(credential):
        raise Conflict(
            gettext(
                "This credential already carries the name "
                "“%(recipient_name)s”; there is nothing to re-issue.",
                recipient_name=credential.recipient.name,
            )
        )
    submission_id = credential.submission_id
    credential.submission_id = None
    db.session.flush()
    fresh = issue_credential(
        ctx,
        badge=credential.badge,
        recipient=credential.recipient,
        level_id=credential.level_id,
        issued_by=actor,
        now=now,
        submission_id=submission_id,
        evidence=signed_evidence(credential),
        reissue_of=credential,
    )
    change_credential_status(
        credential, StatusChange.REVOKE, ctx=ctx, actor=actor, reason=REISSUE_REASON, now=now
    )
    return fresh
