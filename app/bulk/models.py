"""A bulk issuance job and its rows, with the state that makes the job resumable."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import User
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_token


class JobSource(enum.StrEnum):
    CSV = "csv"
    SUBMISSIONS = "submissions"


class JobState(enum.StrEnum):
    # Checked and shown to the user, not confirmed yet.
    DRAFT = "draft"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class RowState(enum.StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    FAILED = "failed"


class BulkJob(Model):
    """One upload or selection. Its id is a random token: it names the job in URLs."""

    __tablename__ = "bulk_job"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_token)
    source: Mapped[JobSource] = mapped_column(sa.Enum(JobSource, native_enum=False, length=20))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[JobState] = mapped_column(
        sa.Enum(JobState, native_enum=False, length=20), default=JobState.DRAFT
    )
    total: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The worker running the job and until when its claim holds; renewed with every chunk,
    # so a killed worker's job is taken over once the lease runs out, never before.
    lease_owner: Mapped[str | None] = mapped_column(sa.String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User] = relationship()


class BulkRow(Model):
    """One credential to issue: checked at upload, issued once (its credential id recorded)."""

    __tablename__ = "bulk_row"
    __table_args__ = (
        sa.UniqueConstraint("job_id", "position"),
        sa.Index("ix_bulk_row_job_id_state", "job_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.ForeignKey("bulk_job.id", ondelete="CASCADE"))
    # The line of the CSV file (2 = the first row under the header), or the order of selection.
    position: Mapped[int] = mapped_column()
    email: Mapped[str] = mapped_column(sa.String(254))
    badge_label: Mapped[str] = mapped_column(sa.String(200))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badge.id", ondelete="CASCADE"))
    level_id: Mapped[str | None] = mapped_column(sa.String(60))
    evidence_url: Mapped[str | None] = mapped_column(sa.String(2000))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE")
    )
    state: Mapped[RowState] = mapped_column(
        sa.Enum(RowState, native_enum=False, length=20), default=RowState.PENDING
    )
    # Set in the transaction that issued it: a row with a credential is never issued again.
    credential_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="SET NULL"), unique=True
    )
    error: Mapped[str | None] = mapped_column(sa.Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
