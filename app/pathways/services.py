"""Composing pathways: their badges, the rule ("all" or "any N"), prerequisites, who sees them.

The pathway's own achievement is a badge created, edited and published with it; its
criteria say which badges complete the pathway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import ngettext

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.services import BadgeInput
from app.badges.services import RubricLevelInput
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.badges.services import update_badge
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.pathways.models import Pathway
from app.pathways.models import PathwayStep
from app.pathways.prerequisites import find_cycle
from app.pathways.prerequisites import prerequisite_edges

MAX_STEPS = 30
PATHWAY_ACHIEVEMENT_TYPE = "LearningProgram"
COMPLETED_LEVEL = "Completed"


@dataclass(frozen=True)
class StepInput:
    """A badge of the pathway, by id, and the ids of the pathway's badges it requires first."""

    badge_id: int
    requires: Sequence[int] = ()


@dataclass(frozen=True)
class PathwayInput:
    name: str
    description: str
    class_id: int | None = None
    steps: Sequence[StepInput] = ()
    # None: every badge is needed.
    required_count: int | None = None
    auto_issue: bool = False


def pathway_badge_ids() -> set[int]:
    """The badges that are pathways' own achievements."""
    return set(db.session.scalars(sa.select(Pathway.badge_id)))


def candidate_badges(actor: User) -> list[Badge]:
    """The badges `actor` may put in a pathway: ones they review, neither archived nor personal."""
    own = pathway_badge_ids()
    badges = db.session.scalars(
        sa.select(Badge)
        .where(Badge.state != BadgeState.ARCHIVED, Badge.personal_for_id.is_(None))
        .order_by(Badge.name, Badge.id)
    )
    return [b for b in badges if b.id not in own and b.can_review(actor)]


def _checked_steps(data: PathwayInput, actor: User, pathway: Pathway | None) -> list[StepInput]:
    """The steps, each badge checked, duplicates dropped, prerequisites free of cycles.

    :raises UserError: no badge, too many, an unknown or unfit badge, "any N" out of range,
        a prerequisite outside the pathway or on itself, or prerequisites in a circle.
    """
    steps: list[StepInput] = []
    for step in data.steps:
        if all(s.badge_id != step.badge_id for s in steps):
            steps.append(step)
    if not steps:
        raise UserError(
            gettext("A pathway needs at least one badge: choose the badges it is made of.")
        )
    if len(steps) > MAX_STEPS:
        raise UserError(
            gettext("A pathway holds at most %(max_steps)s badges.", max_steps=MAX_STEPS)
        )
    own = pathway_badge_ids()
    badges: dict[int, Badge] = {}
    for step in steps:
        badge = db.session.get(Badge, step.badge_id)
        if badge is None:
            raise UserError(
                gettext("There is no badge number %(badge_id)s.", badge_id=step.badge_id)
            )
        if badge.id in own:
            raise UserError(
                gettext(
                    "“%(badge_name)s” is a pathway’s own badge; choose ordinary badges.",
                    badge_name=badge.name,
                )
            )
        if not badge.can_review(actor):
            raise NotAllowed(
                gettext(
                    "“%(badge_name)s” belongs to another instructor’s class: you "
                    "can only put badges you review in a pathway.",
                    badge_name=badge.name,
                )
            )
        if badge.state == BadgeState.ARCHIVED or badge.personal_for_id is not None:
            raise UserError(
                gettext(
                    "“%(badge_name)s” is archived or personal and cannot be in a pathway.",
                    badge_name=badge.name,
                )
            )
        badges[badge.id] = badge
    count = data.required_count
    if count is not None and not 1 <= count <= len(steps):
        raise UserError(
            ngettext(
                "“Any %(count)s” cannot be met with %(num)s badge: choose a number from 1 to "
                "%(num)s.",
                "“Any %(count)s” cannot be met with %(num)s badges: choose a number from 1 to "
                "%(num)s.",
                len(steps),
                count=count,
            )
        )
    edges = prerequisite_edges(leave_out=pathway.id if pathway is not None else None)
    for step in steps:
        requires = list(dict.fromkeys(step.requires))
        if step.badge_id in requires:
            raise UserError(
                gettext(
                    "“%(badge_id_name)s” cannot require itself.",
                    badge_id_name=badges[step.badge_id].name,
                )
            )
        outside = [badge_id for badge_id in requires if badge_id not in badges]
        if outside:
            raise UserError(
                gettext(
                    "A prerequisite of “%(badge_id_name)s” is not a badge of this pathway.",
                    badge_id_name=badges[step.badge_id].name,
                )
            )
        edges.setdefault(step.badge_id, set()).update(requires)
    cycle = find_cycle(edges)
    if cycle is not None:
        names = " → ".join(f"“{_badge_name(badge_id, badges)}”" for badge_id in cycle)
        raise UserError(
            gettext(
                "These prerequisites go round in a circle, so no one could start: %(names)s.",
                names=names,
            )
        )
    return _prerequisites_first(
        [StepInput(s.badge_id, tuple(dict.fromkeys(s.requires))) for s in steps]
    )


def _prerequisites_first(steps: list[StepInput]) -> list[StepInput]:
    """The steps in the order given, except that a badge comes after those it requires."""
    placed: list[StepInput] = []
    waiting = list(steps)
    while waiting:
        done = {s.badge_id for s in placed}
        ready = next(s for s in waiting if set(s.requires) <= done)
        placed.append(ready)
        waiting.remove(ready)
    return placed


def _badge_name(badge_id: int, known: dict[int, Badge]) -> str:
    badge = known.get(badge_id) or db.session.get(Badge, badge_id)
    return badge.name if badge is not None else f"badge {badge_id}"


def _badge_input(data: PathwayInput, steps: Sequence[StepInput]) -> BadgeInput:
    """The pathway's own achievement: its criteria name the badges that complete it."""
    names = [db.session.get_one(Badge, step.badge_id).name for step in steps]
    count = data.required_count
    rule = (
        "Earn every badge of this pathway:"
        if count is None or count == len(names)
        else f"Earn any {count} of these {len(names)} badges:"
    )
    return BadgeInput(
        name=data.name,
        description=data.description,
        criteria_narrative=rule,
        criteria_items=names,
        accepted_kinds=("text",),
        rubric_levels=(RubricLevelInput(COMPLETED_LEVEL),),
        required_level=COMPLETED_LEVEL,
        achievement_type=PATHWAY_ACHIEVEMENT_TYPE,
        class_id=data.class_id,
    )


def _required_count(data: PathwayInput, steps: Sequence[StepInput]) -> int | None:
    """ "Any N" with N the number of badges is simply "all"."""
    return None if data.required_count == len(steps) else data.required_count


def _write_steps(pathway: Pathway, steps: Sequence[StepInput]) -> None:
    pathway.steps.clear()
    db.session.flush()
    for position, step in enumerate(steps):
        pathway.steps.append(
            PathwayStep(badge_id=step.badge_id, position=position, requires=list(step.requires))
        )
    db.session.flush()


def create_pathway(data: PathwayInput, *, actor: User, now: datetime) -> Pathway:
    """A new, published pathway with its own badge; instructors and admins only."""
    if not (actor.is_admin or actor.is_instructor):
        raise NotAllowed(gettext("Only instructors and administrators compose pathways."))
    steps = _checked_steps(data, actor, None)
    badge = create_badge(_badge_input(data, steps), actor=actor, now=now)
    publish_badge(badge, actor=actor, now=now)
    pathway = Pathway(
        badge_id=badge.id,
        required_count=_required_count(data, steps),
        auto_issue=data.auto_issue,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(pathway)
    db.session.flush()
    _write_steps(pathway, steps)
    return pathway


def update_pathway(pathway: Pathway, data: PathwayInput, *, actor: User, now: datetime) -> Pathway:
    """Save an edit: the badges, the rule, prerequisites, and the pathway's own badge."""
    if not pathway.can_edit(actor):
        raise NotAllowed(gettext("You cannot edit this pathway."))
    steps = _checked_steps(data, actor, pathway)
    update_badge(
        pathway.badge,
        _badge_input(data, steps),
        actor=actor,
        expected_revision=pathway.badge.revision,
        now=now,
    )
    pathway.required_count = _required_count(data, steps)
    pathway.auto_issue = data.auto_issue
    pathway.updated_at = now
    _write_steps(pathway, steps)
    return pathway


def get_pathway(pathway_id: int) -> Pathway:
    pathway = db.session.get(Pathway, pathway_id)
    if pathway is None:
        raise NotFound(gettext("There is no such pathway."))
    return pathway


def pathways_for(user: User) -> list[Pathway]:
    """The pathways `user` sees: staff every one, students those meant for them."""
    pathways = db.session.scalars(sa.select(Pathway).join(Badge).order_by(Badge.name, Pathway.id))
    return [p for p in pathways if p.is_visible_to(user)]


def pathways_with_badges(badge_ids: set[int]) -> list[Pathway]:
    """The pathways holding one of these badges as a step or as their own."""
    if not badge_ids:
        return []
    in_steps = sa.select(PathwayStep.pathway_id).where(PathwayStep.badge_id.in_(badge_ids))
    return list(
        db.session.scalars(
            sa.select(Pathway)
            .where(sa.or_(Pathway.id.in_(in_steps), Pathway.badge_id.in_(badge_ids)))
            .order_by(Pathway.id)
        )
    )
