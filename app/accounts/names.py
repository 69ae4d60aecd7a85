"""The learner's name as the school records it: the name every new credential carries.

A student asks staff to correct it; the correction applies to credentials issued
afterwards (earlier ones are re-issued on request, see app/issuing/reissue.py).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext

from app.accounts.models import User
from app.accounts.permissions import class_ids_enrolled
from app.accounts.permissions import class_ids_taught
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db

MAX_NAME = 200
# Characters a signed credential cannot carry faithfully (RDF canonicalization would
# need them escaped) and that no one types in a name on purpose.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def can_correct_name(actor: User | None, student: User) -> bool:
    """Admins, and the instructors of one of the student's classes."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_admin:
        return True
    return actor.is_instructor and bool(class_ids_taught(actor) & class_ids_enrolled(student))


def correct_name(student: User, name: str, *, actor: User) -> User:
    """Record the corrected name of a student (flush only; the caller commits).

    :raises NotAllowed: the actor is neither an admin nor an instructor of the student.
    :raises UserError: an empty or too long name, or one with control characters.
    """
    if not student.is_student:
        raise UserError(gettext("Only a student's recorded name is corrected here."))
    if not can_correct_name(actor, student):
        raise NotAllowed(
            gettext("Only an administrator or one of the student's instructors can do that.")
        )
    cleaned = unicodedata.normalize("NFC", (name or "").strip())
    if not cleaned:
        raise UserError(gettext("Enter the student's name."))
    if len(cleaned) > MAX_NAME:
        raise UserError(
            gettext("The name is too long (%(max_name)s characters at most).", max_name=MAX_NAME)
        )
    if _CONTROL.search(cleaned):
        raise UserError(
            gettext(
                "The name holds an invisible control character (a tab, a "
                "line break, ...); type it again without it."
            )
        )
    student.name = cleaned
    db.session.flush()
    return student
