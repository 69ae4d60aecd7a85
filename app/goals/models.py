"""What a student keeps about themselves: reflections on their evidence and a learner profile."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import utcnow


class Reflection(Model):
    """A student's note on their own work, linked to one of their submissions and/or goals."""

    __tablename__ = "reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE")
    )
    goal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("goal.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LearnerProfile(Model):
    """A student's interests and strengths in their own words, read by the staff who follow them."""

    __tablename__ = "learner_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True
    )
    interests: Mapped[str] = mapped_column(sa.Text, default="")
    strengths: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
