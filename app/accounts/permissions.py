"""Who may do what: the role decorator for views and class-membership predicates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask_babel import gettext
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.models import User
from app.errors import NotAllowed
from app.extensions import login_manager


def role_required(*roles: Role) -> Callable:
    """Let signed-in users with one of `roles` through; send others to sign in or a 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                raise NotAllowed(gettext("Your account does not have access to this page."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _class_ids(user: User | None, role: Role) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return {m.class_id for m in user.memberships if m.role == role}


def class_ids_taught(user: User | None) -> set[int]:
    """Ids of the classes `user` teaches."""
    return _class_ids(user, Role.INSTRUCTOR)


def class_ids_enrolled(user: User | None) -> set[int]:
    """Ids of the classes `user` is a student in."""
    return _class_ids(user, Role.STUDENT)
