"""Issuing many credentials in the caller's transaction, with the database work done per chunk.

A chunk costs a fixed handful of statements whatever its size: one SELECT for the
credentials already issued to its submissions (none after an approval, whose own
UPDATE settles that), one conditional UPDATE ... RETURNING per distinct badge (which
also reads the issuer profile's stamp for the cached Issuer and whether the badge has
endorsements), one INSERT ... RETURNING of the status slots of both purposes, one
SELECT of the endorsements of the badges that have any (none for most badges), one
multi-row INSERT of the credentials and one executemany UPDATE tying the slots to
them. Signing is the rest.
`issuance.issue_credential` (one approval) is a chunk of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.badges.achievement import achievement_data
from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose
from app.badges.models import StatusSlot
from app.credentials.document import EvidenceData
from app.endorsements.embedded import has_endorsements
from app.endorsements.embedded import with_endorsements
from app.errors import Conflict
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.documents import Award
from app.issuing.documents import awarded_at
from app.issuing.documents import awarded_level
from app.issuing.documents import sign_award
from app.issuing.documents import valid_until
from app.issuing.profile import IssuerStamp
from app.issuing.profile import current_issuer
from app.issuing.profile import issuer_stamp_columns
from app.issuing.status_lists import take_slots
from app.issuing.urls import credential_url_for_id
from app.models_base import insert_or_skip
from app.models_base import new_uuid


@dataclass(frozen=True)
class IssueRequest:
    """One credential to issue: the badge, the learner, the level and what they made public."""

    badge: Badge
    recipient: User
    level_id: str | None
    evidence: Sequence[EvidenceData] = ()
    submission_id: int | None = None


def issue_batch(
    ctx: IssuingContext,
    requests: Sequence[IssueRequest],
    *,
    issued_by: User | None,
    now: datetime,
    just_approved: bool = False,
) -> list[IssuedCredential]:
    """Issue every request in the caller's transaction (flush only; the caller commits).

    One credential per request, in order; idempotent per submission like issue_credential.
    In a batch of several, a refusal names the request it is about ("Request 2 (email,
    badge): ..."); a batch of one says only what is wrong, as issue_credential does.
    :param just_approved: see `issue_requests`.
    """
    return issue_requests(
        ctx,
        requests,
        issued_by=issued_by,
        now=now,
        name_requests=len(requests) > 1,
        just_approved=just_approved,
    )


@dataclass(frozen=True)
class _Planned:
    position: int
    request: IssueRequest
    level: dict[str, Any]
    replaces: IssuedCredential | None


def issue_requests(
    ctx: IssuingContext,
    requests: Sequence[IssueRequest],
    *,
    issued_by: User | None,
    now: datetime,
    name_requests: bool,
    replaces: Sequence[IssuedCredential | None] = (),
    just_approved: bool = False,
) -> list[IssuedCredential]:
    """The work behind issue_batch and issue_credential (see the module's docstring).

    :param name_requests: start a validation error with the request's number and learner.
    :param replaces: per request, the credential it re-issues (its award date and
        expiry are kept), or None; empty for none at all.
    :param just_approved: the caller moved every request's submission to APPROVED in
        this transaction (a conditional UPDATE from SUBMITTED, a state no submission
        with a credential returns to), so none has a credential yet and the lookup is
        skipped. A credential stored meanwhile all the same is still caught by the
        INSERT ... ON CONFLICT, as for any race.
    :raises UserError: a request cannot be issued (nothing is written then).
    :raises Conflict: a badge was edited meanwhile, or a concurrent issuance of the
        same submission failed in a way that left no credential.
    """
    issued = {} if just_approved else _already_issued(requests)
    planned: list[_Planned] = []
    seen: set[int] = set()
    for position, request in enumerate(requests):
        sid = request.submission_id
        if sid is not None and (sid in issued or sid in seen):
            continue
        if sid is not None:
            seen.add(sid)
        try:
            level = awarded_level(request.badge, request.level_id)
        except UserError as error:
            if not name_requests:
                raise
            raise _named(error, position, request) from error
        planned.append(_Planned(position, request, level, replaces[position] if replaces else None))
    if planned:
        issued.update(_store(ctx, planned, issued_by=issued_by, now=now, name=name_requests))
    return [issued[_key(position, request)] for position, request in enumerate(requests)]


def _named(error: UserError, position: int, request: IssueRequest) -> UserError:
    """The error, saying which request of a batch it is about."""
    return UserError(
        gettext(
            "Request %(position)s (%(email)s, “%(badge_name)s”): %(error)s",
            position=position + 1,
            email=request.recipient.email,
            badge_name=request.badge.name,
            error=error,
        )
    )


def _key(position: int, request: IssueRequest) -> int | str:
    """Where a request's credential is filed: by its submission, else by its position."""
    return request.submission_id if request.submission_id is not None else f"#{position}"


def _already_issued(requests: Sequence[IssueRequest]) -> dict[int | str, IssuedCredential]:
    """The credentials already issued for the requests' submissions, by submission id."""
    submission_ids = {r.submission_id for r in requests if r.submission_id is not None}
    if not submission_ids:
        return {}
    found = db.session.scalars(
        sa.select(IssuedCredential).where(IssuedCredential.submission_id.in_(submission_ids))
    )
    return {c.submission_id: c for c in found if c.submission_id is not None}


def _store(
    ctx: IssuingContext,
    planned: list[_Planned],
    *,
    issued_by: User | None,
    now: datetime,
    name: bool,
) -> dict[int | str, IssuedCredential]:
    """Lock the badges, take the slots, sign, insert; the credentials by `_key`.

    Validation is done before: a UserError from here (content the engine refuses to
    sign) leaves rows in the transaction, which the caller rolls back.
    """
    badges = {p.request.badge.id: p.request.badge for p in planned}
    # One order for every writer, so batches cannot deadlock.
    locks = [_lock_badge(badges[badge_id]) for badge_id in sorted(badges)]
    slots = take_slots({purpose: len(planned) for purpose in StatusPurpose}, ctx=ctx, now=now)
    issuer = current_issuer(ctx, stamp=locks[-1].issuer)
    achievements = with_endorsements(
        {badge_id: achievement_data(b, ctx.public_url) for badge_id, b in badges.items()},
        endorsed=[lock.badge_id for lock in locks if lock.endorsed],
    )
    rows: list[dict[str, Any]] = []
    slot_of: dict[str, list[int]] = {}
    for number, plan in enumerate(planned):
        request = plan.request
        credential_id = new_uuid()
        revocation_slot, revocation_index = slots[StatusPurpose.REVOCATION][number]
        suspension_slot, suspension_index = slots[StatusPurpose.SUSPENSION][number]
        expires = valid_until(request.badge, now, plan.replaces)
        award = Award(
            credential_url=credential_url_for_id(ctx.public_url, credential_id),
            issuer=issuer,
            achievement=achievements[request.badge.id],
            badge=request.badge,
            recipient=request.recipient,
            level_id=plan.level["id"],
            evidence=request.evidence,
            revocation_index=revocation_index,
            valid_until=expires,
            awarded=awarded_at(plan.replaces, now),
        )
        try:
            signed = sign_award(ctx, award, now=now)
        except UserError as error:
            if not name:
                raise
            raise _named(error, plan.position, request) from error
        rows.append(
            {
                "id": credential_id,
                "submission_id": request.submission_id,
                "badge_id": request.badge.id,
                "badge_version": request.badge.version,
                "recipient_id": request.recipient.id,
                "issued_by_id": issued_by.id if issued_by is not None else None,
                "level_id": plan.level["id"],
                "level_name": plan.level["name"],
                "issued_at": now,
                "valid_until": expires,
                "json_text": signed.json_text,
                "jwt_text": signed.jwt,
                "revocation_index": revocation_index,
                "suspension_index": suspension_index,
                "state": CredentialState.ACTIVE,
            }
        )
        slot_of[credential_id] = [revocation_slot, suspension_slot]
    stored = _insert(rows)
    lost = [plan for plan, row in zip(planned, rows, strict=True) if row["id"] not in stored]
    if lost:
        _release([slot for row in rows if row["id"] not in stored for slot in slot_of[row["id"]]])
    if stored:
        db.session.execute(
            sa.update(StatusSlot),
            [{"id": slot, "credential_id": cid} for cid in stored for slot in slot_of[cid]],
        )
    result = {
        _key(plan.position, plan.request): stored[row["id"]]
        for plan, row in zip(planned, rows, strict=True)
        if row["id"] in stored
    }
    result.update(_winners(lost))
    return result


class _BadgeLock(NamedTuple):
    """What the UPDATE marking a badge as issued read along with it."""

    badge_id: int
    issuer: IssuerStamp
    endorsed: bool


def _lock_badge(badge: Badge) -> _BadgeLock:
    """Mark the badge as issued under its version, unless it was edited since it was loaded.

    The new values come back with the UPDATE (RETURNING), so the badge is not reloaded;
    so do the issuer profile's stamp, which tells `current_issuer` whether its cached
    Issuer still holds, and whether the badge has endorsements to embed, each without a
    statement of its own.
    """
    row = db.session.execute(
        sa.update(Badge)
        .where(Badge.id == badge.id, Badge.revision == badge.revision)
        .values(issued_version=Badge.version)
        .returning(
            Badge.issued_version,
            Badge.updated_at,
            *issuer_stamp_columns(),
            # By value: RETURNING names columns unqualified, so Badge.id would read as
            # the endorsement's own id inside the subquery.
            has_endorsements(badge.id).label("endorsed"),
        )
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        raise Conflict(
            gettext(
                "The badge was edited while this was being approved. Reload "
                "the page, check the badge's criteria again and approve once "
                "more."
            )
        )
    set_committed_value(badge, "issued_version", row.issued_version)
    set_committed_value(badge, "updated_at", row.updated_at)
    return _BadgeLock(badge.id, IssuerStamp(row.issuer_id, row.issuer_updated_at), row.endorsed)


def _insert(rows: list[dict[str, Any]]) -> dict[str, IssuedCredential]:
    """Insert the credentials in one statement; those a concurrent issuance beat are skipped."""
    dialect = db.session.get_bind().dialect.name
    inserted = db.session.scalars(
        insert_or_skip(dialect, IssuedCredential).returning(IssuedCredential), rows
    )
    return {credential.id: credential for credential in inserted}


def _release(slot_ids: list[int]) -> None:
    """Give back the slots taken for credentials that were not stored."""
    db.session.execute(
        sa.delete(StatusSlot)
        .where(StatusSlot.id.in_(slot_ids))
        .execution_options(synchronize_session=False)
    )


def _winners(lost: list[_Planned]) -> dict[int | str, IssuedCredential]:
    """The credentials concurrent issuances stored for the submissions of `lost`."""
    if not lost:
        return {}
    found = _already_issued([plan.request for plan in lost])
    if len(found) != len(lost):
        raise Conflict(gettext("This submission was approved by someone else at the same moment."))
    return found
