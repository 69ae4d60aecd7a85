"""Pathways: badges composed into a route ("all of these", "any 3 of these 5"), with
prerequisites between them, and each learner's completion of a pathway.

A pathway's own achievement is a badge row (achievement type `LearningProgram`), so
its credential is issued, shared, verified and revoked like any other.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import object_session
from sqlalchemy.orm import relationship

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import utcnow


class Pathway(Model):
    """A route through badges; `required_count` None means every step is needed."""

    __tablename__ = "pathway"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The pathway's own achievement; its class is the pathway's class.
    badge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("badge.id", ondelete="RESTRICT"), unique=True
    )
    required_count: Mapped[int | None] = mapped_column()
    # Issue the pathway's credential as soon as it is complete, or offer it to an
    # instructor to confirm.
    auto_issue: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Archived: off the maps of students who had not started it by then (until restored).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    badge: Mapped[Badge] = relationship()
    steps: Mapped[list[PathwayStep]] = relationship(
        back_populates="pathway",
        order_by="PathwayStep.position",
        cascade="all, delete-orphan",
    )

    @property
    def name(self) -> str:
        return self.badge.name

    @property
    def needed(self) -> int:
        """How many of its badges complete the pathway."""
        return self.required_count or len(self.steps)

    @property
    def rule(self) -> str:
        """The rule in words: "all 3 badges" or "any 2 of these 4 badges"."""
        count = len(self.steps)
        if self.required_count is None or self.required_count == count:
            return f"all {count} badges" if count != 1 else "its one badge"
        return f"any {self.required_count} of these {count} badges"

    def can_edit(self, user: User | None) -> bool:
        """Those who review the pathway's own badge edit it and confirm its completions."""
        return self.badge.can_review(user)

    def is_visible_to(self, user: User | None) -> bool:
        """Staff see every pathway; students those whose badge is meant for them, and an
        archived one only if they had started it before it was archived."""
        if not self.badge.is_visible_to(user):
            return False
        if self.archived_at is None or user is None or not user.is_student:
            return True
        return self.started_before_archive(user)

    def started_before_archive(self, student: User) -> bool:
        """Whether `student` completed the pathway or held one of its badges when it was
        archived (a badge earned since does not open an archived pathway)."""
        session = object_session(self)
        if session is None:
            return False
        completed = sa.select(PathwayCompletion.id).where(
            PathwayCompletion.pathway_id == self.id, PathwayCompletion.student_id == student.id
        )
        held = sa.select(IssuedCredential.id).where(
            IssuedCredential.recipient_id == student.id,
            IssuedCredential.badge_id.in_([step.badge_id for step in self.steps]),
            IssuedCredential.issued_at < (self.archived_at or utcnow()),
        )
        return session.scalar(sa.select(sa.or_(sa.exists(completed), sa.exists(held)))) is True


class PathwayStep(Model):
    """A badge of a pathway, with the badges of the same pathway it requires first."""

    __tablename__ = "pathway_step"
    __table_args__ = (sa.UniqueConstraint("pathway_id", "badge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badge.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column()
    # Ids of badges of this pathway that a student must earn before submitting for this one.
    requires: Mapped[list[int]] = mapped_column(sa.JSON, default=list)

    pathway: Mapped[Pathway] = relationship(back_populates="steps")
    badge: Mapped[Badge] = relationship()


class CompletionState(enum.StrEnum):
    OFFERED = "offered"
    ISSUED = "issued"


class PathwayCompletion(Model):
    """A learner completed a pathway: its credential is offered, then issued."""

    __tablename__ = "pathway_completion"
    __table_args__ = (sa.UniqueConstraint("pathway_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"))
    state: Mapped[CompletionState] = mapped_column(
        sa.Enum(CompletionState, native_enum=False, length=20)
    )
    credential_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pathway: Mapped[Pathway] = relationship()
    student: Mapped[User] = relationship()
    credential: Mapped[IssuedCredential | None] = relationship()
