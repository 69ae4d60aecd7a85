"""Issuing one credential: an approval, a command-line award, a re-issue.

The caller hands down plain data (the badge, the learner, the evidence the learner
made public); issuance never reaches back into submissions. The database work is
the batch's (`app.issuing.batch`) with a chunk of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.credentials.document import EvidenceData
from app.errors import NotFound
from app.extensions import db
from app.issuing.batch import IssueRequest
from app.issuing.batch import issue_requests
from app.issuing.context import IssuingContext
from app.models_base import is_uuid


def credential_for_submission(submission_id: int | None) -> IssuedCredential | None:
    """The credential issued for an approved submission, if any."""
    if submission_id is None:
        return None
    return db.session.scalar(
        sa.select(IssuedCredential).where(IssuedCredential.submission_id == submission_id)
    )


def issue_credential(
    ctx: IssuingContext,
    *,
    badge: Badge,
    recipient: User,
    level_id: str | None,
    issued_by: User | None,
    now: datetime,
    submission_id: int | None = None,
    evidence: Sequence[EvidenceData] = (),
    reissue_of: IssuedCredential | None = None,
    just_approved: bool = False,
) -> IssuedCredential:
    """Build, sign and store the credential for `recipient` (flush only; the caller commits).

    Idempotent per submission: a second call returns the credential already issued.
    The learner's name is the one the school records now.
    :param reissue_of: the credential this one replaces: its award date and expiry are kept.
    :param just_approved: the caller has just approved the submission (see
        `app.issuing.batch.issue_requests`): its credential lookup is skipped.
    :raises UserError: draft badge or a level below the one required.
    :raises Conflict: the badge was edited meanwhile, or a concurrent approval won.
    """
    request = IssueRequest(
        badge=badge,
        recipient=recipient,
        level_id=level_id,
        evidence=evidence,
        submission_id=submission_id,
    )
    [credential] = issue_requests(
        ctx,
        [request],
        issued_by=issued_by,
        now=now,
        name_requests=False,
        replaces=[reissue_of],
        just_approved=just_approved,
    )
    return credential


def get_credential(credential_id: str) -> IssuedCredential:
    """The issued credential with this id (its uuid, the last segment of its URL).

    :raises NotFound: no such credential; anything but a uuid is not even looked up, so
        odd text (a NUL byte, which PostgreSQL refuses) answers the same as an unknown id.
    """
    if not is_uuid(credential_id):
        raise NotFound(gettext("There is no credential with that id."))
    credential = db.session.get(IssuedCredential, credential_id)
    if credential is None:
        raise NotFound(gettext("There is no credential with that id."))
    return credential
