"""Issuing many credentials in one go, for bulk issuance and batch approvals.

`issue_batch` issues every request in the caller's transaction (flush only; the caller
commits), so a chunk of rows and the record of what was issued commit together.
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
    """One credential to issue: to whom, for which badge, at which level, with what evidence.

    :param level_id: a rubric level of the badge; None means the level it requires.
    :param submission_id: the approved submission it answers, if any (one credential each).
    """

    badge: Badge
    recipient: User
    level_id: str | None
    evidence: tuple[EvidenceData, ...] = ()
    submission_id: int | None = None


def issue_batch(
    ctx: IssuingContext,
    requests: Sequence[IssueRequest],
    *,
    issued_by: User | None,
    now: datetime,
) -> list[IssuedCredential]:
    """Issue one credential per request, in order, in the caller's transaction.

    :raises UserError: a request cannot be issued (draft badge, level below the one required);
        nothing of the batch is then kept once the caller rolls back.
    :raises Conflict: a badge was edited meanwhile.
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
