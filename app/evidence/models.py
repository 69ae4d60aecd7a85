"""Goals, submissions of evidence, evidence items and the review history."""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import User
from app.badges.models import Badge
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_token
from app.models_base import utcnow
from app.pathways.models import Pathway


class GoalKind(enum.StrEnum):
    """What a goal aims at. A new kind adds a value, its target column and a branch in
    app.evidence.goals.goal_statuses."""

    BADGE = "badge"
    STANDARD = "standard"
    PATHWAY = "pathway"


class Goal(Model):
    """Something a student aims for: a badge ("pursuing"), a pathway, or a standard to master.

    A badge goal names the badge; a pathway goal the pathway (none once the pathway is
    removed: the goal and its words stay); a standard goal names the standard's label as
    badges show it (framework and code, then name). The title is the student's own words.
    """

    __tablename__ = "goal"
    __table_args__ = (
        sa.UniqueConstraint("student_id", "badge_id"),
        sa.UniqueConstraint("student_id", "pathway_id", name="uq_goal_student_id_pathway_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    badge_id: Mapped[int | None] = mapped_column(sa.ForeignKey("badge.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[GoalKind] = mapped_column(
        sa.Enum(GoalKind, native_enum=False, length=20), default=GoalKind.BADGE
    )
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    standard: Mapped[str | None] = mapped_column(sa.String(300))
    target_date: Mapped[date | None] = mapped_column(sa.Date)
    pathway_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pathway.id", ondelete="SET NULL"))

    badge: Mapped[Badge | None] = relationship()
    pathway: Mapped[Pathway | None] = relationship()
    student: Mapped[User] = relationship()


class SubmissionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Submission(Model):
    """A student's evidence for one badge, through drafts, review rounds and a decision."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badge.id", ondelete="RESTRICT"))
    # The badge version the student saw; an edit racing an approval is detected with it.
    badge_version: Mapped[int] = mapped_column(default=1)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"))
    state: Mapped[SubmissionState] = mapped_column(
        sa.Enum(SubmissionState, native_enum=False, length=30), default=SubmissionState.DRAFT
    )
    reflection: Mapped[str] = mapped_column(sa.Text, default="")
    # How the evidence meets each criterion: {criterion text: reflection}.
    criteria_reflections: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Bumped on each submit; review history entries name the round they belong to.
    round: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    badge: Mapped[Badge] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    items: Mapped[list[EvidenceItem]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="EvidenceItem.position"
    )
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionEvent.id"
    )

    def is_owned_by(self, user: User | None) -> bool:
        return (
            user is not None
            and user.is_authenticated
            and user.is_active
            and user.id == self.student_id
        )

    def can_view(self, user: User | None) -> bool:
        """The student who owns it, and the people who review its badge."""
        return self.is_owned_by(user) or self.can_review(user)

    def can_edit(self, user: User | None) -> bool:
        """Only its student, and only while it is theirs to change (not waiting, not decided)."""
        return self.is_owned_by(user) and self.state in EDITABLE_STATES

    def can_review(self, user: User | None) -> bool:
        return self.badge.can_review(user)


EDITABLE_STATES = frozenset(
    {SubmissionState.DRAFT, SubmissionState.CHANGES_REQUESTED, SubmissionState.WITHDRAWN}
)


class EvidenceKind(enum.StrEnum):
    FILE = "file"
    LINK = "link"
    TEXT = "text"


class EvidenceItem(Model):
    """One piece of evidence: a stored file, a link or a text."""

    __tablename__ = "evidence_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[EvidenceKind] = mapped_column(sa.Enum(EvidenceKind, native_enum=False, length=10))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    text: Mapped[str | None] = mapped_column(sa.Text)
    # Files: generated storage name, the name the student gave, type detected from content.
    storage_key: Mapped[str | None] = mapped_column(sa.String(100))
    original_name: Mapped[str | None] = mapped_column(sa.String(255))
    mime_type: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[int | None] = mapped_column()
    # The student chooses whether the item may appear in the credential and public page.
    public: Mapped[bool] = mapped_column(default=False)
    # The file's public address (/evidence/<token>) in a credential: unguessable, unlike the id.
    public_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="items")


class EventKind(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMMENT = "comment"


class SubmissionEvent(Model):
    """The history both student and instructor see: each submit, decision and comment."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[EventKind] = mapped_column(sa.Enum(EventKind, native_enum=False, length=30))
    round: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # What the submission looked like at this event (reflection, items), for the history view.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
