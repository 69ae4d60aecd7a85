"""Running a confirmed bulk job: a chunk of rows per transaction, under a renewed lease.

Each chunk is issued in ONE transaction together with marking its rows issued (row ->
credential id). A worker killed in the middle loses only its open transaction: the rows
it had not committed are still pending, and whoever takes the job over once the lease has
run out issues them, and only them. Two workers never run the same chunk: each chunk
starts by renewing the lease on the condition that it is still this worker's (a row lock
on the job until the chunk commits), and each row is marked on the condition that it is
still pending.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.bulk.models import BulkJob
from app.bulk.models import BulkRow
from app.bulk.models import JobState
from app.bulk.models import RowState
from app.credentials.document import EvidenceData
from app.errors import LaurelError
from app.evidence.models import Submission
from app.evidence.services import Approval
from app.evidence.services import approve_batch
from app.extensions import db
from app.issuing.batch import IssueRequest
from app.issuing.batch import issue_batch
from app.issuing.context import IssuingContext
from app.models_base import rows_changed
from app.models_base import utcnow
from app.notifications.outbox import notify_credential_issued
from app.pathways.completion import settle_completions

log = logging.getLogger(__name__)

CHUNK_ROWS = 50
LEASE_SECONDS = 60


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow); this one stops."""


def worker_id() -> str:
    """Who holds a lease: host, process and a random part (a restarted process is another)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _lease_values(owner: str, lease_seconds: int) -> dict[str, object]:
    return {"lease_owner": owner, "lease_until": utcnow() + timedelta(seconds=lease_seconds)}


def claim(job_id: str, owner: str, *, lease_seconds: int) -> datetime | None:
    """Take the job's lease (committed). None when taken; else when the current lease ends.

    A job that is done, or a draft, ends at once (the returned moment is in the past and
    the caller's retry finds nothing to do).
    """
    now = utcnow()
    result = db.session.execute(
        sa.update(BulkJob)
        .where(
            BulkJob.id == job_id,
            BulkJob.state.in_((JobState.QUEUED, JobState.RUNNING)),
            sa.or_(
                BulkJob.lease_owner.is_(None),
                BulkJob.lease_owner == owner,
                BulkJob.lease_until < now,
            ),
        )
        .values(
            state=JobState.RUNNING,
            started_at=sa.func.coalesce(BulkJob.started_at, now),
            **_lease_values(owner, lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if rows_changed(result) == 1:
        return None
    job = db.session.get(BulkJob, job_id)
    if job is None or job.state not in (JobState.QUEUED, JobState.RUNNING):
        return now - timedelta(seconds=1)
    return job.lease_until or now


def _renew(job_id: str, owner: str, lease_seconds: int) -> None:
    """First statement of a chunk's transaction: keep the lease, or stop if it was lost."""
    result = db.session.execute(
        sa.update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.lease_owner == owner)
        .values(**_lease_values(owner, lease_seconds))
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        db.session.rollback()
        raise LeaseLost(job_id)


def _evidence(row: BulkRow) -> tuple[EvidenceData, ...]:
    """A CSV row's evidence link (with its note as narrative), or the note alone."""
    if row.evidence_url:
        return (
            EvidenceData(
                id=row.evidence_url, name="Evidence", narrative=row.note or None, genre="Link"
            ),
        )
    if row.note:
        item = uuid.uuid5(uuid.NAMESPACE_URL, f"bulk-row:{row.job_id}:{row.position}")
        return (EvidenceData(id=f"urn:uuid:{item}", name="Note", narrative=row.note),)
    return ()


def _issue(rows: list[BulkRow], ctx: IssuingContext, issuer: User) -> list[IssuedCredential]:
    """Issue the rows: selected submissions through the approval, CSV rows directly.

    What the rows name is loaded in one SELECT per kind, not one per row: selected
    submissions with their badge, student and evidence items (what the approval reads),
    CSV rows' learners (their badges are few and kept by the session after the first).
    """
    now = utcnow()
    if rows[0].submission_id is not None:
        submissions = _by_id(
            db.session.scalars(
                sa.select(Submission)
                .where(Submission.id.in_([row.submission_id for row in rows]))
                .options(
                    joinedload(Submission.badge),
                    joinedload(Submission.student),
                    selectinload(Submission.items),
                )
            ).unique()
        )
        approvals = [
            Approval(submission=submissions[row.submission_id], level_id=row.level_id)
            for row in rows
        ]
        return approve_batch(approvals, ctx=ctx, reviewer=issuer, now=now)
    learners = _by_id(
        db.session.scalars(sa.select(User).where(User.id.in_([row.recipient_id for row in rows])))
    )
    requests = [
        IssueRequest(
            badge=db.session.get_one(Badge, row.badge_id),
            recipient=learners[row.recipient_id],
            level_id=row.level_id,
            evidence=_evidence(row),
        )
        for row in rows
    ]
    credentials = issue_batch(ctx, requests, issued_by=issuer, now=now)
    settle_completions(ctx, credentials, actor=issuer, now=now)
    for credential in credentials:
        notify_credential_issued(credential, now=now)
    return credentials


def _by_id(found: Iterable[Submission | User]) -> dict[int | None, Any]:
    return {item.id: item for item in found}


def _pending(job_id: str, limit: int) -> list[BulkRow]:
    return list(
        db.session.scalars(
            sa.select(BulkRow)
            .where(BulkRow.job_id == job_id, BulkRow.state == RowState.PENDING)
            .order_by(BulkRow.position)
            .limit(limit)
        )
    )


def _mark(row_id: int, **values: object) -> None:
    result = db.session.execute(
        sa.update(BulkRow)
        .where(BulkRow.id == row_id, BulkRow.state == RowState.PENDING)
        .values(finished_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        # Only possible if the lease guard failed: refuse to issue a row twice.
        raise LeaseLost(f"row {row_id} is no longer pending")


def _mark_issued(rows: list[BulkRow], credentials: list[IssuedCredential]) -> None:
    """Mark every row of the chunk issued with its credential, in one executemany UPDATE."""
    table = cast(sa.Table, BulkRow.__table__)
    result = db.session.execute(
        # The table, not the entity: with a list of parameters the ORM would make it a
        # bulk UPDATE by primary key, without the condition on the state.
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"), table.c.state == RowState.PENDING)
        .values(
            state=RowState.ISSUED,
            credential_id=sa.bindparam("issued_id"),
            finished_at=utcnow(),
        ),
        [
            {"row_id": row.id, "issued_id": credential.id}
            for row, credential in zip(rows, credentials, strict=True)
        ],
    )
    if rows_changed(result) != len(rows):
        # Only possible if the lease guard failed: refuse to issue a row twice.
        raise LeaseLost(f"rows {[row.id for row in rows]} are no longer all pending")


def _run_chunk(
    job_id: str, owner: str, ctx: IssuingContext, issuer: User, *, size: int, lease_seconds: int
) -> int:
    """Issue up to `size` pending rows in one transaction; how many rows it finished."""
    _renew(job_id, owner, lease_seconds)
    rows = _pending(job_id, size)
    if not rows:
        db.session.rollback()
        return 0
    try:
        credentials = _issue(rows, ctx, issuer)
    except LaurelError as error:
        db.session.rollback()
        if len(rows) == 1:
            _renew(job_id, owner, lease_seconds)
            _mark(rows[0].id, state=RowState.FAILED, error=str(error))
            db.session.commit()
            return 1
        # One row spoils the batch: take the chunk one row at a time to find it.
        return sum(
            _run_chunk(job_id, owner, ctx, issuer, size=1, lease_seconds=lease_seconds)
            for _ in rows
        )
    _mark_issued(rows, credentials)
    db.session.commit()
    return len(rows)


def run_job(
    job_id: str,
    ctx: IssuingContext,
    *,
    owner: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    lease_seconds: int = LEASE_SECONDS,
    on_chunk: Callable[[int], None] | None = None,
) -> datetime | None:
    """Issue every pending row of the job, then mark it done.

    :returns: None when the job is finished (by this call or before); when another worker
        holds the lease, the moment it runs out, to try again then.
    :param on_chunk: called with the number of rows each chunk finished (progress bars).
    """
    owner = owner or worker_id()
    busy_until = claim(job_id, owner, lease_seconds=lease_seconds)
    if busy_until is not None:
        return busy_until if busy_until > utcnow() else None
    job = db.session.get_one(BulkJob, job_id)
    issuer = db.session.get_one(User, job.created_by_id)
    try:
        while True:
            finished = _run_chunk(
                job_id, owner, ctx, issuer, size=chunk_rows, lease_seconds=lease_seconds
            )
            if not finished:
                break
            if on_chunk is not None:
                on_chunk(finished)
    except LeaseLost:
        log.warning("Bulk job %s was taken over by another worker; this one stops.", job_id)
        return None
    db.session.execute(
        sa.update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.lease_owner == owner)
        .values(state=JobState.DONE, finished_at=utcnow(), lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return None
