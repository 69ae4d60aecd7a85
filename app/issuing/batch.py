"""Issuing many credentials in one call: what a school's backfill of a year hands down.

Each request is one learner's credential for one badge; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.credentials.document import EvidenceData
from app.issuing.context import IssuingContext
from app.issuing.issuance import issue_credential


@dataclass(frozen=True)
class IssueRequest:
    """One credential to issue: the badge, its learner, the level and the public evidence."""

    badge: Badge
    recipient: User
    level_id: str | None
    evidence: Sequence[EvidenceData] = ()
    submission_id: int | None = None


def issue_batch(
    ctx: IssuingContext,
    requests: Sequence[IssueRequest],
    *,
    issued_by: User | None,
    now: datetime,
) -> list[IssuedCredential]:
    """Issue every request (flush only; the caller commits), in the order given.

    :raises UserError: a draft badge or a level below the one required.
    :raises Conflict: a badge was edited meanwhile, or a concurrent approval won.
    """
    return [
        issue_credential(
            ctx,
            badge=request.badge,
            recipient=request.recipient,
            level_id=request.level_id,
            issued_by=issued_by,
            now=now,
            submission_id=request.submission_id,
            evidence=request.evidence,
        )
        for request in requests
    ]
