"""The data of a class's plots: mastery by standard, badges earned, and review turnaround."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import mean

import sqlalchemy as sa

from app.evidence.models import EventKind
from app.evidence.models import Submission
from app.evidence.models import SubmissionEvent
from app.extensions import db
from app.i18n import N_
from app.progress.held import best_by_student_and_badge
from app.progress.held import held_credentials
from app.progress.held import level_rank
from app.progress.scopes import ClassScope
from app.progress.standards import keys_of
from app.progress.tables import Table

MASTERY_COLUMNS = (
    N_("Student"),
    N_("Framework"),
    N_("Standard"),
    N_("Standard name"),
    N_("Badges earned"),
    N_("Badges aligned"),
    N_("Share earned (%)"),
    N_("Highest level"),
)
EARNED_COLUMNS = (N_("Week starting"), N_("Badges earned"), N_("Earned this term so far"))
REVIEW_COLUMNS = (
    N_("Week starting"),
    N_("Waiting at the week's end"),
    N_("Feedback given"),
    N_("Average days to feedback"),
)
DECISIONS = frozenset({EventKind.CHANGES_REQUESTED, EventKind.APPROVED, EventKind.REJECTED})
# The events that move a submission in or out of the review queue (comments do not).
QUEUE_EVENTS = DECISIONS | {EventKind.SUBMITTED, EventKind.WITHDRAWN}


def mastery_table(scope: ClassScope) -> Table:
    """Per student and standard: how many of the standard's badges they hold at the term's end."""
    held = best_by_student_and_badge(
        held_credentials((s.id for s in scope.students), scope.badges, before=scope.term.stop_at)
    )
    rows = []
    for student in scope.students:
        for standard in scope.standards:
            aligned = [b for b in scope.badges if standard.key in keys_of(b)]
            earned = [held[(student.id, b.id)] for b in aligned if (student.id, b.id) in held]
            highest = max(earned, key=lambda c: level_rank(c.badge, c.level_id), default=None)
            rows.append(
                (
                    student.name,
                    standard.framework,
                    standard.key,
                    standard.name,
                    len(earned),
                    len(aligned),
                    round(100 * len(earned) / len(aligned)),
                    (highest.level_name or "Earned") if highest else "",
                )
            )
    return Table(MASTERY_COLUMNS, tuple(rows))


def earned_table(scope: ClassScope) -> Table:
    """Per week of the term: the badges the class's students earned, and the running total."""
    credentials = [
        c
        for c in held_credentials(
            (s.id for s in scope.students), scope.badges, before=scope.term.stop_at
        )
        if c.issued_at >= scope.term.start_at
    ]
    rows = []
    total = 0
    for week in scope.term.weeks():
        count = sum(1 for c in credentials if week.start_at <= c.issued_at < week.stop_at)
        total += count
        rows.append((week.start.isoformat(), count, total))
    return Table(EARNED_COLUMNS, tuple(rows))


def _queue_events(scope: ClassScope) -> dict[int, list[SubmissionEvent]]:
    """The queue events of the class's submissions up to the term's end, by submission."""
    events = db.session.scalars(
        sa.select(SubmissionEvent)
        .join(Submission, Submission.id == SubmissionEvent.submission_id)
        .where(
            Submission.student_id.in_([s.id for s in scope.students] or [-1]),
            Submission.badge_id.in_([b.id for b in scope.badges] or [-1]),
            SubmissionEvent.kind.in_(QUEUE_EVENTS),
            SubmissionEvent.created_at < scope.term.stop_at,
        )
        .order_by(SubmissionEvent.created_at, SubmissionEvent.id)
    )
    by_submission: dict[int, list[SubmissionEvent]] = {}
    for event in events:
        by_submission.setdefault(event.submission_id, []).append(event)
    return by_submission


def _waiting_at(history: list[SubmissionEvent], moment: datetime) -> bool:
    before = [e for e in history if e.created_at < moment]
    return bool(before) and before[-1].kind == EventKind.SUBMITTED


def _feedback_delays(history: list[SubmissionEvent]) -> list[tuple[datetime, float]]:
    """(when, days since it was sent) for each decision on a submission sent for review."""
    delays = []
    sent: datetime | None = None
    for event in history:
        if event.kind == EventKind.SUBMITTED:
            sent = event.created_at
        elif event.kind in DECISIONS and sent is not None:
            delays.append((event.created_at, (event.created_at - sent).total_seconds() / 86400))
            sent = None
        else:
            sent = None
    return delays


def review_table(scope: ClassScope) -> Table:
    """Per week: submissions waiting at its end, decisions made in it, their average delay."""
    histories = list(_queue_events(scope).values())
    delays = [delay for history in histories for delay in _feedback_delays(history)]
    rows = []
    for week in scope.term.weeks():
        waiting = Counter(_waiting_at(h, week.stop_at) for h in histories)[True]
        in_week = [days for at, days in delays if week.start_at <= at < week.stop_at]
        average = round(mean(in_week), 1) if in_week else None
        rows.append((week.start.isoformat(), waiting, len(in_week), average))
    return Table(REVIEW_COLUMNS, tuple(rows))
