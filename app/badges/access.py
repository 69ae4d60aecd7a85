"""The badge a URL names, as the signed-in person may see it: for the views of every feature."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from app.badges.models import Badge
from app.badges.services import get_badge_by_slug
from app.errors import NotAllowed
from app.errors import NotFound


def get_badge_or_404(slug: str, *, need: str = "view") -> Badge:
    """The badge named by `slug` if the current user may see it (`view`) or edit it (`review`).

    Someone who may not see it gets 404, so slugs do not reveal drafts.
    """
    try:
        badge = get_badge_by_slug(slug)
    except NotFound:
        raise NotFound(gettext("There is no such badge.")) from None
    if not badge.is_visible_to(current_user):
        raise NotFound(gettext("There is no such badge."))
    if need == "review" and not badge.can_review(current_user):
        raise NotAllowed(gettext("You do not review this badge, so you cannot change it."))
    return badge
