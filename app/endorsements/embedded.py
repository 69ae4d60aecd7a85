"""A badge's endorsements as its Achievement embeds them in the credentials issued from now on."""

from __future__ import annotations

import json
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from app.credentials.document import AchievementData
from app.endorsements.models import Endorsement
from app.extensions import db


def _embedded() -> sa.ColumnElement[bool]:
    """The endorsements a credential embeds: its badge's own (not one credential's), not
    withdrawn."""
    return sa.and_(Endorsement.credential_id.is_(None), Endorsement.withdrawn_at.is_(None))


def has_endorsements(badge_id: int) -> sa.Exists:
    """Whether the badge has endorsements to embed, to read along with another statement."""
    return sa.exists().where(Endorsement.badge_id == badge_id, _embedded())


def badge_endorsement_documents(badge_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each badge's own endorsements (not one credential's), oldest first, not withdrawn."""
    if not badge_ids:
        return {}
    rows = db.session.execute(
        sa.select(Endorsement.badge_id, Endorsement.json_text)
        .where(Endorsement.badge_id.in_(badge_ids), _embedded())
        .order_by(Endorsement.issued_at, Endorsement.id)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for badge_id, json_text in rows:
        found.setdefault(badge_id, []).append(json.loads(json_text))
    return found


def with_endorsements(
    achievements: Mapping[int, AchievementData], *, endorsed: Collection[int]
) -> dict[int, AchievementData]:
    """The achievements (by badge id) with their badges' endorsements embedded, in one query.

    :param endorsed: the badges that have endorsements (`has_endorsements`, read in this
        transaction); the others are not looked up, and no query runs when there are none.
    """
    documents = badge_endorsement_documents(
        [badge_id for badge_id in achievements if badge_id in endorsed]
    )
    return {
        badge_id: replace(achievement, endorsements=tuple(documents.get(badge_id, ())))
        for badge_id, achievement in achievements.items()
    }
