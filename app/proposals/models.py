"""Badges students propose: the proposal, its numbered versions and its discussion."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.models import Badge
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import utcnow


class ProposalState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED_PERSONAL = "approved_personal"
    APPROVED_CLASS = "approved_class"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# States in which the proposal is still being written and discussed.
OPEN_STATES = frozenset(
    {ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED}
)
APPROVED_STATES = frozenset({ProposalState.APPROVED_PERSONAL, ProposalState.APPROVED_CLASS})


class Proposal(Model):
    """A badge a student proposes for a passion project, reviewed by the instructors of a class.

    `version` is the number of the newest ProposalVersion and the optimistic lock of
    every edit: an edit names the version it was made on, and a stale one is refused.
    """

    __tablename__ = "badge_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    # The class whose instructors review the proposal (and whose badge it may become).
    class_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("school_class.id", ondelete="SET NULL")
    )
    state: Mapped[ProposalState] = mapped_column(
        sa.Enum(ProposalState, native_enum=False, length=30), default=ProposalState.DRAFT
    )
    version: Mapped[int] = mapped_column(default=1)
    # The badge an approval created.
    badge_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("badge.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    student: Mapped[User] = relationship(foreign_keys=[student_id])
    school_class: Mapped[SchoolClass | None] = relationship()
    badge: Mapped[Badge | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    versions: Mapped[list[ProposalVersion]] = relationship(
        back_populates="proposal",
        cascade="all, delete-orphan",
        order_by="ProposalVersion.number",
    )
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )

    @property
    def current(self) -> ProposalVersion:
        return self.versions[-1]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_owned_by(self, user: User | None) -> bool:
        return user is not None and user.is_authenticated and user.id == self.student_id

    def can_review(self, user: User | None) -> bool:
        """Admins and the instructors of the proposal's class, once the student has sent it."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if self.submitted_at is None:
            return False
        if user.is_admin:
            return True
        return (
            user.is_instructor
            and self.class_id is not None
            and any(
                m.class_id == self.class_id and m.role == Role.INSTRUCTOR for m in user.memberships
            )
        )

    def can_view(self, user: User | None) -> bool:
        """The student who wrote it and its reviewers; nobody else learns it exists."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return self.is_owned_by(user) or self.can_review(user)


class ProposalVersion(Model):
    """One saved state of a proposal: never changed once written (an edit appends one)."""

    __tablename__ = "badge_proposal_version"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("badge_proposal.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str] = mapped_column(sa.String(200))
    learning: Mapped[str] = mapped_column(sa.Text, default="")
    criteria: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_plan: Mapped[str] = mapped_column(sa.Text, default="")
    # The standards it meets, copied from the school's badges when chosen:
    # [{"framework": …, "code": …, "name": …, "url": …}, …] (a badge's alignment rows).
    standards: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    proposal: Mapped[Proposal] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class ProposalEventKind(enum.StrEnum):
    COMMENT = "comment"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED_PERSONAL = "approved_personal"
    APPROVED_CLASS = "approved_class"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ProposalEvent(Model):
    """A comment or a step in the discussion, naming the version it was about."""

    __tablename__ = "badge_proposal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("badge_proposal.id", ondelete="CASCADE"))
    kind: Mapped[ProposalEventKind] = mapped_column(
        sa.Enum(ProposalEventKind, native_enum=False, length=30)
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column()
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
