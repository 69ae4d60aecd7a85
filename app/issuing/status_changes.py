"""Revoking, suspending and reinstating an issued credential: one rule table, one function.

Each change flips one bit in one signed status list and records the new state
with its reason, date and actor. The same rules hold for a badge credential and for
a credential the VC-API signed with the school's status entries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.status_lists import set_status_bit
from app.vcapi.models import ApiCredential


class StatusChange(enum.StrEnum):
    REVOKE = "revoke"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


@dataclass(frozen=True)
class _Rule:
    """Which states a change applies to, which bit it sets, and the state it leads to."""

    allowed_from: frozenset[CredentialState]
    purpose: StatusPurpose
    bit: bool
    to: CredentialState
    refused: str


RULES: dict[StatusChange, _Rule] = {
    StatusChange.REVOKE: _Rule(
        allowed_from=frozenset({CredentialState.ACTIVE, CredentialState.SUSPENDED}),
        purpose=StatusPurpose.REVOCATION,
        bit=True,
        to=CredentialState.REVOKED,
        refused="This credential is already revoked.",
    ),
    StatusChange.SUSPEND: _Rule(
        allowed_from=frozenset({CredentialState.ACTIVE}),
        purpose=StatusPurpose.SUSPENSION,
        bit=True,
        to=CredentialState.SUSPENDED,
        refused="Only an active credential can be suspended; this one is {state}.",
    ),
    StatusChange.REINSTATE: _Rule(
        allowed_from=frozenset({CredentialState.SUSPENDED}),
        purpose=StatusPurpose.SUSPENSION,
        bit=False,
        to=CredentialState.ACTIVE,
        refused="Only a suspended credential can be reinstated; this one is {state}.",
    ),
}


def change_credential_status(
    credential: IssuedCredential | ApiCredential,
    change: StatusChange,
    *,
    ctx: IssuingContext,
    actor: User | None,
    reason: str,
    now: datetime,
) -> IssuedCredential | ApiCredential:
    """Apply `change`: flip the bit, republish the signed list, record state and reason.

    A revocation is final; a suspension lasts until reinstated.

    :param actor: a reviewer of the badge, or None for the command line (run by
        whoever holds the server) and the VC-API (which checks its client itself).
    :raises NotAllowed: the actor does not review the credential's badge (no person
        reviews a VC-API credential).
    :raises UserError: no reason given.
    :raises Conflict: the credential's state does not allow the change, or it carries
        no entry in the school's status lists.
    """
    if actor is not None and not (
        isinstance(credential, IssuedCredential) and credential.badge.can_review(actor)
    ):
        raise NotAllowed(gettext("Only the badge's reviewers can change this credential's status."))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(
            gettext("Give a reason: it is shown to the learner and on the verification page.")
        )
    rule = RULES[change]
    if credential.state not in rule.allowed_from:
        raise Conflict(rule.refused.format(state=credential.state.value))
    index = (
        credential.revocation_index
        if rule.purpose == StatusPurpose.REVOCATION
        else credential.suspension_index
    )
    if index is None:
        raise Conflict(
            gettext(
                "This credential was issued without the school's status "
                "entries: its status cannot change."
            )
        )
    set_status_bit(index, rule.purpose, rule.bit, ctx=ctx, now=now)
    credential.state = rule.to
    credential.status_reason = reason
    credential.status_changed_at = now
    credential.status_changed_by_id = actor.id if actor is not None else None
    db.session.flush()
    return credential
