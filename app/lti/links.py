"""A platform's people and courses in Laurel: the account for an LMS user, the class for an
LMS course, and the membership the user's course role gives.

Shared by launches and the roster import (NRPS), so both match people the same way: by
the platform's `sub` once linked. A person seen for the first time gets a new account; when
their email address already has one, it is linked only if the admin lets this platform match
by email (`LtiPlatform.match_by_email`, off by default) and no other user of the platform is
linked to it, since an LMS that asserts an address is not proof its user owns it. Laurel never
changes an account's own role from the LMS: admin and counselor accounts do not sign in
this way (an LMS must not be a way into them), and a student account is not made an
instructor because a course says so. Services flush; the caller commits once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts import services as accounts
from app.accounts.emails import normalize_email
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.errors import UserError
from app.extensions import db
from app.lti.errors import LtiError
from app.lti.models import LtiContextLink
from app.lti.models import LtiPlatform
from app.lti.models import LtiUserLink
from app.lti.roles import CourseRole


def linked_user(platform: LtiPlatform, subject: str) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .join(LtiUserLink, LtiUserLink.user_id == User.id)
        .where(LtiUserLink.platform_id == platform.id, LtiUserLink.subject == subject)
    )


def account_for(
    platform: LtiPlatform,
    *,
    subject: str,
    email: str,
    name: str,
    role: CourseRole,
    now: datetime,
) -> tuple[User, bool]:
    """(the Laurel account of a platform's user, whether it was made now), linked (and made)
    on first sight.

    :raises LtiError: no usable email to find or make the account, a deactivated, admin or
        counselor account, or a student account the course calls an instructor.
    """
    user = linked_user(platform, subject)
    created = False
    if user is None:
        if not email.strip():
            raise LtiError(
                gettext(
                    "%(platform)s did not send your email address, so Laurel cannot find or make "
                    "your account. Its admin shares names and emails with Laurel (Canvas: privacy "
                    "level public).",
                    platform=platform.name,
                ),
                403,
            )
        try:
            address = normalize_email(email)
        except UserError:
            raise LtiError(
                gettext("“%(email)s” is not an email address Laurel can use.", email=email[:254]),
                403,
            ) from None
        user = accounts.find_user_by_email(address)
        if user is None:
            user = accounts.create_user(
                email=address,
                name=" ".join(name.split())[:200] or address.partition("@")[0],
                role=Role.INSTRUCTOR if role == CourseRole.INSTRUCTOR else Role.STUDENT,
            )
            created = True
        else:
            _check_may_join(user, role)
            _check_may_match(platform, user)
        db.session.add(
            LtiUserLink(platform_id=platform.id, subject=subject, user_id=user.id, linked_at=now)
        )
        db.session.flush()
    _check_may_join(user, role)
    return user, created


def _check_may_match(platform: LtiPlatform, user: User) -> None:
    """Refuse to link an existing account to a platform's user by the email address alone,
    unless the admin lets this platform match by email and the account is not linked to
    another of its users already."""
    if not platform.match_by_email:
        raise LtiError(
            gettext(
                "%(email)s already has a Laurel account, and %(platform)s may not sign in to "
                "existing accounts by their email address. Sign in to Laurel directly, or ask "
                "your school's Laurel admin to allow it for %(platform)s.",
                email=user.email,
                platform=platform.name,
            ),
            403,
        )
    other = db.session.scalar(
        sa.select(LtiUserLink.id).where(
            LtiUserLink.platform_id == platform.id, LtiUserLink.user_id == user.id
        )
    )
    if other is not None:
        raise LtiError(
            gettext(
                "The Laurel account of %(email)s is linked to another person in %(platform)s "
                "already. Ask your school's Laurel admin.",
                email=user.email,
                platform=platform.name,
            ),
            403,
        )


def _check_may_join(user: User, role: CourseRole) -> None:
    if not user.is_active_account:
        raise LtiError(
            gettext("This Laurel account is deactivated. Ask your school's Laurel admin."), 403
        )
    if user.role == Role.ADMIN:
        raise LtiError(
            gettext(
                "%(email)s is a Laurel admin account: it signs in to Laurel directly, never "
                "through the LMS.",
                email=user.email,
            ),
            403,
        )
    if user.role == Role.COUNSELOR:
        raise LtiError(
            gettext(
                "%(email)s is a Laurel counselor account: it signs in to Laurel directly, never "
                "through the LMS.",
                email=user.email,
            ),
            403,
        )
    if role == CourseRole.INSTRUCTOR and user.role == Role.STUDENT:
        raise LtiError(
            gettext(
                "%(email)s is a student account in Laurel, so the LMS cannot make it an "
                "instructor. Ask your school's Laurel admin.",
                email=user.email,
            ),
            403,
        )


def _free_class_name(title: str, context_id: str) -> str:
    base = title or f"LMS course {context_id[:60]}"
    name, number = base, 1
    while db.session.scalar(sa.select(SchoolClass.id).where(SchoolClass.name == name)):
        number += 1
        name = f"{base} ({number})"
    return name


def class_for(
    platform: LtiPlatform,
    *,
    context_id: str,
    title: str,
    deployment_id: str,
    memberships_url: str,
    now: datetime,
) -> SchoolClass:
    """The class linked to a platform's course, made on its first launch.

    A course never takes over an existing class by its name: a new class is made, with a
    number added when the name is taken. The course's title and roster URL follow the
    latest launch.
    """
    link = db.session.scalar(
        sa.select(LtiContextLink).where(
            LtiContextLink.platform_id == platform.id, LtiContextLink.context_id == context_id
        )
    )
    if link is None:
        school_class = accounts.create_class(_free_class_name(title, context_id))
        link = LtiContextLink(
            platform_id=platform.id,
            context_id=context_id,
            class_id=school_class.id,
            deployment_id=deployment_id,
            linked_at=now,
        )
        db.session.add(link)
    link.title = title
    link.deployment_id = deployment_id
    if memberships_url:
        link.memberships_url = memberships_url
    db.session.flush()
    return link.school_class


def join(user: User, school_class: SchoolClass, role: CourseRole) -> bool:
    """Make `user` a member of the class as their course role says; False when they were."""
    member = Role.INSTRUCTOR if role == CourseRole.INSTRUCTOR else Role.STUDENT
    if any(m.class_id == school_class.id and m.role == member for m in user.memberships):
        return False
    accounts.add_to_class(user, school_class, member)
    return True


def course_of(school_class: SchoolClass) -> LtiContextLink | None:
    """The LMS course a class is linked to, if any."""
    return db.session.scalar(
        sa.select(LtiContextLink).where(LtiContextLink.class_id == school_class.id).limit(1)
    )
