"""The credentials progress counts: issued before a moment and not revoked, best level first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.extensions import db


def level_rank(badge: Badge, level_id: str | None) -> float:
    """How high a level sits in its badge's rubric, from 0 (lowest) to 1 (highest).

    Rubrics differ in length, so levels of different badges compare by their place.
    """
    ids = [level["id"] for level in badge.rubric_levels]
    if level_id not in ids or len(ids) < 2:
        return 1.0
    return ids.index(level_id) / (len(ids) - 1)


def held_credentials(
    student_ids: Iterable[int], badges: Iterable[Badge], *, before: datetime
) -> list[IssuedCredential]:
    """Credentials of these students for these badges issued before `before`, not revoked.

    A suspension may be lifted, so a suspended credential still counts; a revoked one does not.
    """
    badge_ids = [b.id for b in badges] or [-1]
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(
                IssuedCredential.recipient_id.in_(list(student_ids) or [-1]),
                IssuedCredential.badge_id.in_(badge_ids),
                IssuedCredential.state != CredentialState.REVOKED,
                IssuedCredential.issued_at < before,
            )
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


def best_by_student_and_badge(
    credentials: Iterable[IssuedCredential],
) -> dict[tuple[int, int], IssuedCredential]:
    """One credential per (student, badge): the one at the highest level."""
    best: dict[tuple[int, int], IssuedCredential] = {}
    for credential in credentials:
        key = (credential.recipient_id, credential.badge_id)
        kept = best.get(key)
        if kept is None or level_rank(credential.badge, credential.level_id) > level_rank(
            kept.badge, kept.level_id
        ):
            best[key] = credential
    return best
