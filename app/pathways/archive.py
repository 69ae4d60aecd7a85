"""Retiring a pathway: archived (restorable), or deleted while nobody has started it.

Archiving takes the pathway off the maps of students who had not started it; those who
had keep their map, their progress and their completions, and every credential issued
stays as it was (a credential never depends on the pathway row). Deleting removes the
pathway and its own badge, so it is refused as soon as there is anything a learner or
a verifier could miss: a completion, a credential of one of its badges, evidence sent
for its own badge, an endorsement of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.endorsements.models import Endorsement
from app.errors import Conflict
from app.errors import NotAllowed
from app.evidence.models import Submission
from app.extensions import db
from app.pathways.models import Pathway
from app.pathways.models import PathwayCompletion


def _check_editor(pathway: Pathway, actor: User) -> None:
    if not pathway.can_edit(actor):
        raise NotAllowed(gettext("Only the instructors of this pathway’s class change it."))


def archive_pathway(pathway: Pathway, *, actor: User, now: datetime) -> None:
    """:raises NotAllowed: not its instructor. :raises Conflict: already archived."""
    _check_editor(pathway, actor)
    if pathway.archived_at is not None:
        raise Conflict(gettext("This pathway is already archived."))
    pathway.archived_at = now
    pathway.updated_at = now
    db.session.flush()


def restore_pathway(pathway: Pathway, *, actor: User, now: datetime) -> None:
    """:raises NotAllowed: not its instructor. :raises Conflict: not archived."""
    _check_editor(pathway, actor)
    if pathway.archived_at is None:
        raise Conflict(gettext("This pathway is not archived."))
    pathway.archived_at = None
    pathway.updated_at = now
    db.session.flush()


def _any(query: sa.Select[Any]) -> bool:
    return db.session.scalar(sa.select(sa.exists(query))) is True


def why_not_deletable(pathway: Pathway) -> str | None:
    """The reason the pathway cannot be deleted, or None when nobody has started it."""
    badge_ids = [step.badge_id for step in pathway.steps] + [pathway.badge_id]
    if _any(sa.select(PathwayCompletion.id).where(PathwayCompletion.pathway_id == pathway.id)):
        return "students have completed it"
    if _any(sa.select(IssuedCredential.id).where(IssuedCredential.badge_id.in_(badge_ids))):
        return "students hold credentials of its badges, so they have started it"
    if _any(sa.select(Submission.id).where(Submission.badge_id == pathway.badge_id)):
        return "evidence was sent for its own badge"
    if _any(sa.select(Endorsement.id).where(Endorsement.badge_id == pathway.badge_id)):
        return "it has been endorsed"
    return None


def delete_pathway(pathway: Pathway, *, actor: User) -> str:
    """Delete a pathway nobody has started, with its own badge: the pathway's name.

    :raises NotAllowed: not its instructor. :raises Conflict: someone started it (archive it).
    """
    _check_editor(pathway, actor)
    reason = why_not_deletable(pathway)
    if reason is not None:
        raise Conflict(
            gettext(
                "“%(pathway_name)s” cannot be deleted: %(reason)s. Archive "
                "it instead: it leaves the maps of students who have not "
                "started it, and can be restored.",
                pathway_name=pathway.name,
                reason=reason,
            )
        )
    name, badge = pathway.name, pathway.badge
    db.session.delete(pathway)
    db.session.flush()
    db.session.delete(badge)
    db.session.flush()
    return name
