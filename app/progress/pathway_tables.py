"""The data of the pathway progress plot: each student's badges of each pathway of the class.

Counted as the pathways count (app.pathways.completion), with the credentials held at the
term's end (revoked ones never count), so the plot agrees with the other plots' term.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.badges.models import Badge
from app.badges.models import BadgeState
from app.extensions import db
from app.i18n import N_
from app.pathways.completion import earned_steps
from app.pathways.models import Pathway
from app.progress.held import held_credentials
from app.progress.scopes import ClassScope
from app.progress.tables import Table

PATHWAY_COLUMNS = (
    N_("Student"),
    N_("Pathway"),
    N_("Badges earned"),
    N_("Badges needed"),
    N_("Share done (%)"),
    N_("Complete"),
)


def class_pathways(scope: ClassScope) -> list[Pathway]:
    """The class's (or the whole school's) pathways holding a chosen badge: published and
    not archived (an archived pathway is off the maps, so off the plot too)."""
    chosen = {b.id for b in scope.badges}
    pathways = db.session.scalars(
        sa.select(Pathway)
        .join(Badge, Badge.id == Pathway.badge_id)
        .where(
            Badge.state == BadgeState.PUBLISHED,
            Pathway.archived_at.is_(None),
            sa.or_(Badge.class_id.is_(None), Badge.class_id == scope.school_class.id),
        )
        .order_by(Badge.name, Pathway.id)
    )
    return [p for p in pathways if any(step.badge_id in chosen for step in p.steps)]


def pathway_table(scope: ClassScope) -> Table:
    """Per student and pathway: the pathway's badges held at the term's end, of those needed."""
    pathways = class_pathways(scope)
    badges = [step.badge for p in pathways for step in p.steps]
    held: dict[int, set[int]] = {}
    for credential in held_credentials(
        (s.id for s in scope.students), badges, before=scope.term.stop_at
    ):
        held.setdefault(credential.recipient_id, set()).add(credential.badge_id)
    rows = []
    for student in scope.students:
        for pathway in pathways:
            earned = earned_steps(pathway, held.get(student.id, set()))
            rows.append(
                (
                    student.name,
                    pathway.name,
                    earned,
                    pathway.needed,
                    min(100, round(100 * earned / pathway.needed)),
                    "yes" if earned >= pathway.needed else "no",
                )
            )
    return Table(PATHWAY_COLUMNS, tuple(rows))
