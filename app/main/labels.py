"""The words shown for the states and roles that templates print (`{{ badge.state|label }}`).

Every enum value a page shows goes through here, so it reads in the page's language; the
values themselves (in the database, URLs and CSS classes) stay as they are.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext

LABELS = {
    # Roles.
    "admin": lazy_gettext("Admin"),
    "instructor": lazy_gettext("Instructor"),
    "student": lazy_gettext("Student"),
    "counselor": lazy_gettext("Counselor"),
    # Badges, credentials, bulk jobs and their rows.
    "draft": lazy_gettext("Draft"),
    "published": lazy_gettext("Published"),
    "archived": lazy_gettext("Archived"),
    "active": lazy_gettext("Active"),
    "suspended": lazy_gettext("Suspended"),
    "revoked": lazy_gettext("Revoked"),
    "queued": lazy_gettext("Queued"),
    "running": lazy_gettext("Running"),
    "done": lazy_gettext("Done"),
    "pending": lazy_gettext("Pending"),
    "issued": lazy_gettext("Issued"),
    "failed": lazy_gettext("Failed"),
}


def label(value: enum.Enum | str) -> str:
    """The word for a state or role in the current language; an unknown one as it is."""
    key = value.value if isinstance(value, enum.Enum) else value
    found = LABELS.get(str(key))
    return str(found) if found is not None else str(key).capitalize()
