"""Issuing a credential: level, validity, status slots, both proofs, and the stored bytes.

The caller hands down plain data (the badge, the learner, the evidence the learner
made public); issuance never reaches back into submissions.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.badges.achievement import achievement_data
from app.badges.achievement import achievement_image_url
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose
from app.credentials import status as bitstring
from app.credentials.document import EvidenceData
from app.credentials.document import SubjectData
from app.credentials.document import build_credential
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import SchemaError
from app.credentials.errors import UnknownContextError
from app.credentials.signing import SignedCredential
from app.credentials.signing import sign_credential
from app.errors import Conflict
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.profile import issuer_data
from app.issuing.profile import issuer_profile
from app.issuing.status_lists import status_list
from app.issuing.status_lists import take_slot
from app.issuing.urls import credential_url
from app.issuing.urls import status_list_url
from app.models_base import is_uuid
from app.models_base import new_uuid
from app.models_base import rows_changed


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months (31 January + 1 month = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _level(badge: Badge, level_id: str | None) -> dict[str, Any]:
    levels = badge.rubric_levels
    if not levels:
        raise UserError("This badge has no rubric levels.")
    wanted = level_id or badge.required_level_id or levels[-1]["id"]
    position = next((i for i, lv in enumerate(levels) if lv["id"] == wanted), None)
    if position is None:
        raise UserError("That level does not belong to this badge.")
    required = next((i for i, lv in enumerate(levels) if lv["id"] == badge.required_level_id), 0)
    if position < required:
        raise UserError(
            f"“{levels[position]['name']}” is below “{levels[required]['name']}”, "
            "the level needed to earn this badge. Request changes instead."
        )
    return levels[position]


def credential_for_submission(submission_id: int | None) -> IssuedCredential | None:
    """The credential issued for an approved submission, if any."""
    if submission_id is None:
        return None
    return db.session.scalar(
        sa.select(IssuedCredential).where(IssuedCredential.submission_id == submission_id)
    )


def _lock_badge(badge: Badge) -> None:
    """Mark the badge as issued under its version, unless it was edited since it was loaded."""
    result = db.session.execute(
        sa.update(Badge)
        .where(Badge.id == badge.id, Badge.revision == badge.revision)
        .values(issued_version=Badge.version)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise Conflict(
            "The badge was edited while this was being approved. Reload the page, check the "
            "badge's criteria again and approve once more."
        )
    db.session.refresh(badge)


def issue_credential(
    ctx: IssuingContext,
    *,
    badge: Badge,
    recipient: User,
    level_id: str | None,
    issued_by: User | None,
    now: datetime,
    submission_id: int | None = None,
    evidence: Sequence[EvidenceData] = (),
    reissue_of: IssuedCredential | None = None,
) -> IssuedCredential:
    """Build, sign and store the credential for `recipient` (flush only; the caller commits).

    Idempotent per submission: a second call returns the credential already issued.
    The learner's name is the one the school records now.
    :param reissue_of: the credential this one replaces: its award date and expiry are kept.
    :raises UserError: draft badge or a level below the one required.
    :raises Conflict: the badge was edited meanwhile, or a concurrent approval won.
    """
    existing = credential_for_submission(submission_id)
    if existing is not None:
        return existing
    if badge.state == BadgeState.DRAFT:
        raise UserError("Publish the badge before issuing it.")
    level = _level(badge, level_id)
    # The badge UPDATE comes first: it also opens the transaction on SQLite, so that
    # the savepoint below is nested in it (pysqlite starts transactions only at DML).
    _lock_badge(badge)
    try:
        with db.session.begin_nested():
            slots = {
                purpose: take_slot(status_list(purpose, ctx=ctx, now=now))
                for purpose in StatusPurpose
            }
            credential = IssuedCredential(
                id=new_uuid(),
                submission_id=submission_id,
                badge_id=badge.id,
                badge_version=badge.version,
                recipient_id=recipient.id,
                issued_by_id=issued_by.id if issued_by is not None else None,
                level_id=level["id"],
                level_name=level["name"],
                issued_at=now,
                valid_until=_valid_until(badge, now, reissue_of),
                revocation_index=slots[StatusPurpose.REVOCATION].index,
                suspension_index=slots[StatusPurpose.SUSPENSION].index,
                state=CredentialState.ACTIVE,
            )
            awarded = _awarded_at(reissue_of) if reissue_of is not None else now
            unsigned = _unsigned_credential(
                ctx, credential, badge, recipient, evidence, now=now, awarded=awarded
            )
            signed = _sign(ctx, unsigned, now)
            credential.json_text = signed.json_text
            credential.jwt_text = signed.jwt
            db.session.add(credential)
            db.session.flush()
            for slot in slots.values():
                slot.credential_id = credential.id
            db.session.flush()
    except IntegrityError:
        existing = credential_for_submission(submission_id)
        if existing is not None:
            return existing
        raise Conflict("This submission was approved by someone else at the same moment.") from None
    return credential


def _valid_until(
    badge: Badge, now: datetime, reissue_of: IssuedCredential | None
) -> datetime | None:
    if reissue_of is not None:
        return reissue_of.valid_until
    return add_months(now, badge.expiry_months) if badge.expiry_months else None


def _awarded_at(original: IssuedCredential) -> datetime:
    """When the original was awarded: a re-issue does not move the date the badge was earned."""
    awarded = json.loads(original.json_text).get("awardedDate")
    if isinstance(awarded, str):
        return datetime.fromisoformat(awarded)
    return original.issued_at


def _sign(ctx: IssuingContext, unsigned: dict[str, Any], now: datetime) -> SignedCredential:
    """Sign with both proofs; content the engine refuses becomes a 4xx, not a crash."""
    try:
        return sign_credential(unsigned, keystore=ctx.keystore, now=now)
    except (InputError, SchemaError, DroppedTermError, UnknownContextError) as error:
        raise UserError(f"This credential cannot be issued as it stands: {error}") from error


def _unsigned_credential(
    ctx: IssuingContext,
    credential: IssuedCredential,
    badge: Badge,
    recipient: User,
    evidence: Sequence[EvidenceData],
    *,
    now: datetime,
    awarded: datetime,
) -> dict[str, Any]:
    # The OB 3.0 schemas allow one credentialStatus object, so only the revocation entry
    # travels in the credential; the suspension slot is reserved for Laurel's own checks.
    entries = [
        bitstring.status_entry(
            list_url=status_list_url(ctx.public_url, StatusPurpose.REVOCATION, 1),
            index=credential.revocation_index,
            purpose=StatusPurpose.REVOCATION.value,
        )
    ]
    return build_credential(
        credential_id=credential_url(ctx.public_url, credential),
        issuer=issuer_data(issuer_profile(ctx.public_url), ctx),
        achievement=achievement_data(badge, ctx.public_url),
        subject=SubjectData(
            id=recipient.subject_id,
            email=recipient.email,
            salt=recipient.identity_salt,
            name=recipient.name,
        ),
        valid_from=now,
        achieved_level_id=credential.level_id,
        evidence=tuple(evidence),
        valid_until=credential.valid_until,
        awarded_date=awarded,
        status_entries=entries,
        name=badge.name,
        image_url=achievement_image_url(badge, ctx.public_url),
    )


def get_credential(credential_id: str) -> IssuedCredential:
    """The issued credential with this id (its uuid, the last segment of its URL).

    :raises NotFound: no such credential; anything but a uuid is not even looked up, so
        odd text (a NUL byte, which PostgreSQL refuses) answers the same as an unknown id.
    """
    if not is_uuid(credential_id):
        raise NotFound("There is no credential with that id.")
    credential = db.session.get(IssuedCredential, credential_id)
    if credential is None:
        raise NotFound("There is no credential with that id.")
    return credential
