"""The data of a student's own plot: badges earned by standard, week by week."""

from __future__ import annotations

from app.i18n import N_
from app.progress.held import best_by_student_and_badge
from app.progress.held import held_credentials
from app.progress.scopes import LearnerScope
from app.progress.standards import keys_of
from app.progress.tables import Table

OVER_TIME_COLUMNS = (
    N_("Week starting"),
    N_("Framework"),
    N_("Standard"),
    N_("Standard name"),
    N_("Badges earned so far"),
    N_("Badges aligned"),
)


def standards_over_time_table(scope: LearnerScope) -> Table:
    """Per week and standard: how many of the standard's badges the student held at its end."""
    held = best_by_student_and_badge(
        held_credentials([scope.student.id], scope.badges, before=scope.term.stop_at)
    )
    earned_at = {badge_id: c.issued_at for (_, badge_id), c in held.items()}
    rows = []
    for week in scope.term.weeks():
        for standard in scope.standards:
            aligned = [b for b in scope.badges if standard.key in keys_of(b)]
            so_far = sum(1 for b in aligned if b.id in earned_at and earned_at[b.id] < week.stop_at)
            rows.append(
                (
                    week.start.isoformat(),
                    standard.framework,
                    standard.key,
                    standard.name,
                    so_far,
                    len(aligned),
                )
            )
    return Table(OVER_TIME_COLUMNS, tuple(rows))
