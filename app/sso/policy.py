"""Whether a person may sign in with a password, by the school's sign-in policy."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.sso.models import SignInPolicy

PASSWORDS_OFF = (
    "Password sign-in is turned off for students and instructors at this school: sign in "
    "with your school account (the “Sign in with …” button below)."
)


def current_policy() -> SignInPolicy | None:
    return db.session.scalar(sa.select(SignInPolicy).order_by(SignInPolicy.id).limit(1))


def passwords_for_everyone() -> bool:
    policy = current_policy()
    return policy is None or policy.passwords_for_everyone


def password_refusal(user: User) -> str | None:
    """Why `user` may not sign in with a password, or None when they may.

    Admins always may: a broken provider must never lock the school out of Laurel.
    """
    if user.is_admin or passwords_for_everyone():
        return None
    return PASSWORDS_OFF
