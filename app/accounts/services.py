"""Account operations: users, classes, invitations, passwords.

Services take the actor and the clock as arguments, raise LaurelErrors with a sentence
for a person, and flush; the caller (view, CLI, test) commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from app.accounts.emails import normalize_email
from app.accounts.models import ClassMembership
from app.accounts.models import Invitation
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.accounts.models import new_session_token
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.models_base import rows_changed

INVITATION_LIFETIME = timedelta(days=14)
MIN_PASSWORD_LENGTH = 10
# Checked when there is no password to check (unknown email, invited account), with the
# method and cost of a real one, so every sign-in attempt costs one scrypt.
_UNKNOWN_USER_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


def check_password_strength(password: str) -> None:
    """:raises UserError: the password is too short to protect a school account."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            gettext(
                "Choose a password of at least %(min_password_length)s characters.",
                min_password_length=MIN_PASSWORD_LENGTH,
            )
        )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(*, email: str, name: str, role: Role, password: str | None = None) -> User:
    """Add a user; without a password they sign in after following an invitation.

    :raises UserError: bad email, empty name, weak password, or the email is taken.
    """
    address = normalize_email(email)
    name = name.strip()
    if not name:
        raise UserError(gettext("Enter the person's name."))
    if find_user_by_email(address) is not None:
        raise Conflict(gettext("There is already an account for %(address)s.", address=address))
    user = User(email=address, name=name, role=role)
    if password is not None:
        check_password_strength(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the reason is not told).

    Exactly one password hash is checked whatever the account's state (unknown, invited
    with no password yet, deactivated), so the answer time does not tell which it is.
    """
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else None
    matches = check_password_hash(stored or _UNKNOWN_USER_HASH, password)
    if user is None or stored is None or not matches or not user.is_active:
        return None
    return user


def user_for_session(session_id: str) -> User | None:
    """The active user a session cookie's `<user id>:<session token>` names, if still valid."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def end_all_sessions(user: User) -> None:
    """Sign `user` out everywhere: every session cookie issued so far stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password and end every session opened with the old one.

    :raises UserError: the current password is wrong or the new one is too weak.
    """
    if not user.check_password(current):
        raise UserError(gettext("Your current password is not right."))
    check_password_strength(new)
    user.set_password(new)
    end_all_sessions(user)


def _admin_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.role == Role.ADMIN, User.is_active_account.is_(True)
            )
        )
        or 0
    )


def change_role(user: User, role: Role, *, actor: User) -> None:
    """:raises NotAllowed: an admin tried to remove their own admin role."""
    if user.id == actor.id and role != Role.ADMIN:
        raise NotAllowed(gettext("You cannot remove your own admin role. Ask another admin."))
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (the user can no longer sign in; nothing is deleted) or reactivate."""
    if not active and user.id == actor.id:
        raise NotAllowed(gettext("You cannot deactivate your own account."))
    if not active and user.is_admin and _admin_count() <= 1:
        raise NotAllowed(gettext("This is the last active admin; make someone else admin first."))
    user.is_active_account = active
    if not active:
        # Inactive users are refused anyway; a new token also keeps their old cookies
        # dead after a reactivation.
        end_all_sessions(user)
    db.session.flush()


def get_or_create_class(name: str) -> SchoolClass:
    """The class called `name` (trimmed), created if it does not exist."""
    name = " ".join(name.split())
    if not name:
        raise UserError(gettext("Enter a class name."))
    school_class = db.session.scalar(sa.select(SchoolClass).where(SchoolClass.name == name))
    if school_class is None:
        school_class = SchoolClass(name=name)
        db.session.add(school_class)
        db.session.flush()
    return school_class


def create_class(name: str) -> SchoolClass:
    """:raises Conflict: a class with that name exists."""
    name = " ".join(name.split())
    if db.session.scalar(sa.select(SchoolClass.id).where(SchoolClass.name == name)) is not None:
        raise Conflict(gettext("There is already a class called “%(name)s”.", name=name))
    return get_or_create_class(name)


def add_to_class(user: User, school_class: SchoolClass, role: Role) -> ClassMembership:
    """Make `user` an instructor or a student of `school_class` (idempotent).

    :raises UserError: the role is not instructor or student.
    """
    if role not in (Role.INSTRUCTOR, Role.STUDENT):
        raise UserError(gettext("A class member is either an instructor or a student."))
    membership = db.session.scalar(
        sa.select(ClassMembership).where(
            ClassMembership.class_id == school_class.id, ClassMembership.user_id == user.id
        )
    )
    if membership is None:
        membership = ClassMembership(class_id=school_class.id, user_id=user.id, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    db.session.flush()
    db.session.refresh(user, ["memberships"])
    return membership


def remove_from_class(user: User, school_class: SchoolClass) -> None:
    db.session.execute(
        sa.delete(ClassMembership).where(
            ClassMembership.class_id == school_class.id, ClassMembership.user_id == user.id
        )
    )
    db.session.flush()
    db.session.refresh(user, ["memberships"])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_user(user: User, *, created_by: User | None, now: datetime) -> str:
    """A new single-use invitation link token for `user`; earlier open links stop working.

    Only the token's SHA-256 is stored, so a database leak does not leak usable links.
    """
    db.session.execute(
        sa.delete(Invitation).where(Invitation.user_id == user.id, Invitation.accepted_at.is_(None))
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    db.session.flush()
    return token


def open_invitation(token: str, *, now: datetime) -> Invitation:
    """The invitation behind `token` if it can still be used.

    :raises NotFound: no such invitation. :raises UserError: used or expired.
    """
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None or not invitation.user.is_active:
        raise NotFound(
            gettext(
                "This invitation link is not valid. Ask your school's Laurel admin for a new one."
            )
        )
    if invitation.accepted_at is not None:
        raise Conflict(
            gettext(
                "This invitation link has already been used. Sign in with your email and password."
            )
        )
    if invitation.expires_at <= now:
        raise UserError(
            gettext(
                "This invitation link has expired. Ask your school's Laurel admin for a new one."
            )
        )
    return invitation


def accept_invitation(token: str, *, name: str, password: str, now: datetime) -> User:
    """Set the invited user's name and password and spend the token (once, even if raced)."""
    invitation = open_invitation(token, now=now)
    check_password_strength(password)
    name = name.strip()
    if not name:
        raise UserError(gettext("Enter your name."))
    spent = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(spent) != 1:
        raise Conflict(
            gettext(
                "This invitation link has already been used. Sign in with your email and password."
            )
        )
    user = invitation.user
    user.name = name
    user.set_password(password)
    db.session.flush()
    return user


def list_users() -> list[User]:
    """Every account, admins first, then instructors, students and counselors, by name."""
    order = sa.case(
        {Role.ADMIN: 0, Role.INSTRUCTOR: 1, Role.STUDENT: 2, Role.COUNSELOR: 3}, value=User.role
    )
    return list(db.session.scalars(sa.select(User).order_by(order, User.name)))


def list_classes() -> list[SchoolClass]:
    return list(db.session.scalars(sa.select(SchoolClass).order_by(SchoolClass.name)))


def get_user(user_id: int) -> User:
    """:raises NotFound: no such user."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no such user."))
    return user


def get_class(class_id: int) -> SchoolClass:
    """:raises NotFound: no such class."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound(gettext("There is no such class."))
    return school_class
