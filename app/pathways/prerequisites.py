"""Prerequisites between badges: which a student must earn first, and cycles among them.

A prerequisite is set on a pathway's step, and holds wherever the student meets the badge:
the evidence services ask `check_may_submit` before a draft is started and again before
it is sent for review.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import ngettext

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.errors import NotAllowed
from app.extensions import db
from app.pathways.models import Pathway
from app.pathways.models import PathwayStep


def earned_badge_ids(student: User) -> set[int]:
    """The badges the student holds a credential for that is not revoked."""
    return set(
        db.session.scalars(
            sa.select(IssuedCredential.badge_id).where(
                IssuedCredential.recipient_id == student.id,
                IssuedCredential.state != CredentialState.REVOKED,
            )
        )
    )


def required_before(badge: Badge, student: User) -> list[Badge]:
    """The badges the pathways open to `student` require before `badge`, in step order."""
    steps = db.session.scalars(
        sa.select(PathwayStep)
        .join(Pathway)
        .where(PathwayStep.badge_id == badge.id)
        .order_by(PathwayStep.pathway_id)
    )
    wanted: list[int] = []
    for step in steps:
        if step.pathway.is_visible_to(student):
            wanted += [badge_id for badge_id in step.requires if badge_id not in wanted]
    if not wanted:
        return []
    found = {b.id: b for b in db.session.scalars(sa.select(Badge).where(Badge.id.in_(wanted)))}
    return [found[badge_id] for badge_id in wanted if badge_id in found]


def missing_before(badge: Badge, student: User, earned: set[int] | None = None) -> list[Badge]:
    """The prerequisites of `badge` the student has not earned yet."""
    held = earned_badge_ids(student) if earned is None else earned
    return [b for b in required_before(badge, student) if b.id not in held]


def is_pathway_badge(badge: Badge) -> bool:
    return db.session.scalar(sa.select(Pathway.id).where(Pathway.badge_id == badge.id)) is not None


def check_may_submit(badge: Badge, student: User) -> None:
    """Refuse evidence for a badge whose prerequisites are missing, or for a pathway's own badge.

    :raises NotAllowed: with a sentence naming what to earn first.
    """
    if is_pathway_badge(badge):
        raise NotAllowed(
            gettext(
                "“%(badge_name)s” is earned by completing its pathway, not by submitting evidence.",
                badge_name=badge.name,
            )
        )
    missing = missing_before(badge, student)
    if missing:
        names = format_list([f"“{b.name}”" for b in missing], locale=get_locale() or "en")
        raise NotAllowed(
            ngettext(
                "“%(badge_name)s” needs %(names)s first: earn it before you submit evidence for "
                "this badge.",
                "“%(badge_name)s” needs %(names)s first: earn them before you submit evidence "
                "for this badge.",
                len(missing),
                badge_name=badge.name,
                names=names,
            )
        )


def prerequisite_edges(*, leave_out: int | None = None) -> dict[int, set[int]]:
    """badge id -> the badge ids it requires, over every pathway (but `leave_out`)."""
    query = sa.select(PathwayStep.badge_id, PathwayStep.requires)
    if leave_out is not None:
        query = query.where(PathwayStep.pathway_id != leave_out)
    edges: dict[int, set[int]] = {}
    for badge_id, requires in db.session.execute(query):
        edges.setdefault(badge_id, set()).update(requires or ())
    return edges


def find_cycle(edges: Mapping[int, Iterable[int]]) -> list[int] | None:
    """A cycle of badge ids (first id repeated at the end), or None when there is none."""
    done: set[int] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path: list[int] = []
        on_path: set[int] = set()
        stack: list[tuple[int, list[int]]] = [(start, sorted(edges.get(start, ())))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            nxt = pending.pop(0)
            if nxt in on_path:
                return path[path.index(nxt) :] + [nxt]
            if nxt in done:
                continue
            stack.append((nxt, sorted(edges.get(nxt, ()))))
            path.append(nxt)
            on_path.add(nxt)
    return None
