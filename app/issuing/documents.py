"""The document Laurel signs for one award: level, validity, award date, and both proofs.

Pure of database writes: the single approval (`issuance.issue_credential`) and the
batch (`batch.issue_batch`) both build and sign through `sign_award`, and store what
it returns their own way.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext

from app.accounts.models import User
from app.badges.achievement import achievement_image_url
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose
from app.credentials import status as bitstring
from app.credentials.document import AchievementData
from app.credentials.document import EvidenceData
from app.credentials.document import Issuer
from app.credentials.document import SubjectData
from app.credentials.document import build_credential
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import SchemaError
from app.credentials.errors import UnknownContextError
from app.credentials.signing import SignedCredential
from app.credentials.signing import sign_credential
from app.errors import UserError
from app.issuing.context import IssuingContext
from app.issuing.urls import status_list_url


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months (31 January + 1 month = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def awarded_level(badge: Badge, level_id: str | None) -> dict[str, Any]:
    """The rubric level to award (the required one when none is named).

    :raises UserError: draft badge, a level of another badge, or one below the required level.
    """
    if badge.state == BadgeState.DRAFT:
        raise UserError(gettext("Publish the badge before issuing it."))
    levels = badge.rubric_levels
    if not levels:
        raise UserError(gettext("This badge has no rubric levels."))
    wanted = level_id or badge.required_level_id or levels[-1]["id"]
    position = next((i for i, lv in enumerate(levels) if lv["id"] == wanted), None)
    if position is None:
        raise UserError(gettext("That level does not belong to this badge."))
    required = next((i for i, lv in enumerate(levels) if lv["id"] == badge.required_level_id), 0)
    if position < required:
        raise UserError(
            gettext(
                "“%(position_name)s” is below “%(required_name)s”, the level "
                "needed to earn this badge. Request changes instead.",
                position_name=levels[position]["name"],
                required_name=levels[required]["name"],
            )
        )
    return levels[position]


def valid_until(
    badge: Badge, now: datetime, reissue_of: IssuedCredential | None
) -> datetime | None:
    """The expiry: a re-issue keeps the original's, a new award counts the badge's months."""
    if reissue_of is not None:
        return reissue_of.valid_until
    return add_months(now, badge.expiry_months) if badge.expiry_months else None


def awarded_at(reissue_of: IssuedCredential | None, now: datetime) -> datetime:
    """When the badge was earned: a re-issue does not move the original's date."""
    if reissue_of is None:
        return now
    awarded = json.loads(reissue_of.json_text).get("awardedDate")
    if isinstance(awarded, str):
        return datetime.fromisoformat(awarded)
    return reissue_of.issued_at


@dataclass(frozen=True)
class Award:
    """Everything one credential states, already decided (ids, level, status slots, dates)."""

    credential_url: str
    issuer: Issuer
    achievement: AchievementData
    badge: Badge
    recipient: User
    level_id: str
    evidence: Sequence[EvidenceData]
    revocation_index: int
    valid_until: datetime | None
    awarded: datetime


def sign_award(ctx: IssuingContext, award: Award, *, now: datetime) -> SignedCredential:
    """Build the OB 3.0 credential and sign it with both proofs.

    Content the engine refuses becomes a UserError (a 4xx), not a crash.
    """
    # The OB 3.0 schemas allow one credentialStatus object, so only the revocation entry
    # travels in the credential; the suspension slot is reserved for Laurel's own checks.
    entries = [
        bitstring.status_entry(
            list_url=status_list_url(ctx.public_url, StatusPurpose.REVOCATION, 1),
            index=award.revocation_index,
            purpose=StatusPurpose.REVOCATION.value,
        )
    ]
    recipient = award.recipient
    unsigned = build_credential(
        credential_id=award.credential_url,
        issuer=award.issuer,
        achievement=award.achievement,
        subject=SubjectData(
            id=recipient.subject_id,
            email=recipient.email,
            salt=recipient.identity_salt,
            name=recipient.name,
        ),
        valid_from=now,
        achieved_level_id=award.level_id,
        evidence=tuple(award.evidence),
        valid_until=award.valid_until,
        awarded_date=award.awarded,
        status_entries=entries,
        name=award.badge.name,
        image_url=achievement_image_url(award.badge, ctx.public_url),
    )
    try:
        return sign_credential(unsigned, keystore=ctx.keystore, now=now)
    except (InputError, SchemaError, DroppedTermError, UnknownContextError) as error:
        raise UserError(
            gettext("This credential cannot be issued as it stands: %(error)s", error=error)
        ) from error
