"""An invitation to endorse the school's badge, or Sam's credential of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.endorsements import services
from app.extensions import db
from app.models_base import utcnow

ENDORSER = {
    "name": "Dana Ruiz",
    "organisation": "Riverside Garage",
    "email": "dana@garage.example",
    "url": "https://garage.example",
    "comment": "Sam rebuilt the **brakes** on our tow truck; it passed inspection.",
    "subject": services.BADGE_SUBJECT,
}


@pytest.fixture
def make_invite(school):
    """make_invite(credential=None, age=timedelta(0)) -> the link's token, for the badge.

    The endorser's page checks expiry against the real clock, so invitations are made
    `age` before now.
    """

    def make(credential=None, age: timedelta = timedelta(0)) -> str:
        badge = credential.badge if credential is not None else school.badge
        token = services.create_invite(
            badge=badge,
            credential=credential,
            invitee="Dana Ruiz, Riverside Garage",
            actor=school.instructor,
            now=utcnow() - age,
        )
        db.session.commit()
        return token

    return make
