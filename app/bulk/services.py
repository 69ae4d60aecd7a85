"""Bulk jobs: recording checked rows, confirming, progress, the result file, and access."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.bulk.checks import CheckedRow
from app.bulk.models import BulkJob
from app.bulk.models import BulkRow
from app.bulk.models import JobSource
from app.bulk.models import JobState
from app.bulk.models import RowState
from app.csv_cells import inert_cell
from app.errors import Conflict
from app.errors import NotFound
from app.extensions import db
from app.issuing.urls import credential_url
from app.models_base import is_token
from app.models_base import rows_changed

RUN_TASK = "bulk.run"


def create_job(
    rows: list[CheckedRow], *, source: JobSource, filename: str, actor: User, now: datetime
) -> BulkJob:
    """Record checked rows as a draft job (flush only): the user confirms it next."""
    job = BulkJob(
        source=source,
        filename=filename[:255],
        created_by_id=actor.id,
        created_at=now,
        state=JobState.DRAFT,
        total=len(rows),
    )
    db.session.add(job)
    db.session.flush()
    db.session.execute(
        sa.insert(BulkRow),
        [
            {
                "job_id": job.id,
                "position": row.position,
                "email": row.recipient.email,
                "badge_label": row.badge_label,
                "recipient_id": row.recipient.id,
                "badge_id": row.badge.id,
                "level_id": row.level_id,
                "evidence_url": row.evidence_url,
                "note": row.note,
                "submission_id": row.submission_id,
                "state": RowState.PENDING,
            }
            for row in rows
        ],
    )
    return job


def get_job(job_id: str, actor: User) -> BulkJob:
    """The job `job_id` if `actor` started it or is an admin; anyone else gets NotFound."""
    job = db.session.get(BulkJob, job_id) if is_token(job_id) else None
    if job is None or not (job.created_by_id == actor.id or actor.is_admin):
        raise NotFound(gettext("There is no such bulk issuance."))
    return job


def confirm(job: BulkJob, *, now: datetime) -> None:
    """Queue a checked job for issuing (flush only; the caller commits, then enqueues)."""
    changed = db.session.execute(
        sa.update(BulkJob)
        .where(BulkJob.id == job.id, BulkJob.state == JobState.DRAFT)
        .values(state=JobState.QUEUED, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(changed) != 1:
        raise Conflict(gettext("This bulk issuance was already confirmed."))
    db.session.refresh(job)


@dataclass(frozen=True)
class Progress:
    state: str
    total: int
    issued: int
    failed: int
    remaining: int
    per_second: float | None
    seconds_left: float | None

    @property
    def percent(self) -> int:
        done = self.issued + self.failed
        return 100 if self.total == 0 else int(done * 100 / self.total)

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "total": self.total,
            "issued": self.issued,
            "failed": self.failed,
            "remaining": self.remaining,
            "percent": self.percent,
            "per_second": round(self.per_second, 1) if self.per_second is not None else None,
            "seconds_left": round(self.seconds_left) if self.seconds_left is not None else None,
        }


def progress(job: BulkJob, *, now: datetime) -> Progress:
    """How far the job is: counts by row state, and the rate since it started."""
    counts = dict(
        db.session.execute(
            sa.select(BulkRow.state, sa.func.count())
            .where(BulkRow.job_id == job.id)
            .group_by(BulkRow.state)
        ).all()
    )
    issued, failed = counts.get(RowState.ISSUED, 0), counts.get(RowState.FAILED, 0)
    remaining = counts.get(RowState.PENDING, 0)
    per_second = seconds_left = None
    if job.started_at is not None and issued + failed:
        end = job.finished_at or now
        elapsed = max((end - job.started_at).total_seconds(), 0.001)
        per_second = (issued + failed) / elapsed
        seconds_left = remaining / per_second
    return Progress(
        state=job.state.value,
        total=job.total,
        issued=issued,
        failed=failed,
        remaining=remaining,
        per_second=per_second,
        seconds_left=seconds_left,
    )


def result_csv(job: BulkJob, public_url: str) -> str:
    """row, email, badge, status, and the credential's URL or the error, one line a row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "email", "badge", "status", "credential_url_or_error"])
    rows = db.session.execute(
        sa.select(BulkRow, IssuedCredential)
        .outerjoin(IssuedCredential, IssuedCredential.id == BulkRow.credential_id)
        .where(BulkRow.job_id == job.id)
        .order_by(BulkRow.position)
    )
    for row, credential in rows:
        if credential is not None:
            detail = credential_url(public_url, credential)
        else:
            detail = row.error or ""
        cells = [row.position, row.email, row.badge_label, row.state.value, detail]
        writer.writerow([inert_cell(cell) for cell in cells])
    return out.getvalue()


def unfinished_job_ids(*, unclaimed_at: datetime | None = None) -> list[str]:
    """Jobs confirmed and not done; with `unclaimed_at`, only those no lease holds then."""
    query = sa.select(BulkJob.id).where(BulkJob.state.in_((JobState.QUEUED, JobState.RUNNING)))
    if unclaimed_at is not None:
        query = query.where(
            sa.or_(BulkJob.lease_until.is_(None), BulkJob.lease_until < unclaimed_at)
        )
    return list(db.session.scalars(query.order_by(BulkJob.confirmed_at)))


def recent_jobs(actor: User, limit: int = 10) -> list[BulkJob]:
    """The actor's latest confirmed jobs, newest first."""
    return list(
        db.session.scalars(
            sa.select(BulkJob)
            .where(BulkJob.created_by_id == actor.id, BulkJob.state != JobState.DRAFT)
            .order_by(BulkJob.created_at.desc())
            .limit(limit)
        )
    )
