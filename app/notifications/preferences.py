"""Each user's choice per kind of notification: at once, in a daily digest, or never."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.errors import UserError
from app.extensions import db
from app.notifications.models import CHOOSABLE_KINDS
from app.notifications.models import Delivery
from app.notifications.models import NotificationKind
from app.notifications.models import NotificationPreference

DEFAULT_DELIVERY = Delivery.NOW


def preferences_of(user_id: int) -> dict[NotificationKind, Delivery]:
    """The user's delivery for every choosable kind (at once where they chose nothing)."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {kind: chosen.get(kind, DEFAULT_DELIVERY) for kind in CHOOSABLE_KINDS}


def delivery_for(user_id: int | None, kind: NotificationKind) -> Delivery:
    """How an email of `kind` reaches this user; invitations, digests and people without
    an account get theirs at once."""
    if user_id is None or kind not in CHOOSABLE_KINDS:
        return Delivery.NOW
    return preferences_of(user_id)[kind]


def set_preferences(user: User, choices: Mapping[str, str]) -> None:
    """Record the user's choices (flush only; the caller commits).

    :raises UserError: an unknown kind or delivery.
    """
    known = {kind.value for kind in CHOOSABLE_KINDS}
    for kind_name, delivery_name in choices.items():
        if kind_name not in known:
            raise UserError(
                gettext("“%(kind_name)s” is not a kind of notification.", kind_name=kind_name)
            )
        if delivery_name not in {d.value for d in Delivery}:
            raise UserError(
                gettext(
                    "“%(delivery_name)s” is not a choice: pick now, daily digest or never.",
                    delivery_name=delivery_name,
                )
            )
    current = {
        p.kind: p
        for p in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind_name, delivery_name in choices.items():
        kind, delivery = NotificationKind(kind_name), Delivery(delivery_name)
        if kind in current:
            current[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
    db.session.flush()
