"""Roster imports: upload and preview, then apply, then the report.

The upload is kept (as one file) between its preview and its application, so the
admin applies exactly what they saw: the plan is worked out again when applying,
and if it is no longer the one previewed (someone changed an account meanwhile) the
admin is shown the new preview instead. Services flush; the caller commits once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.services import find_user_by_email
from app.errors import Conflict
from app.errors import NotFound
from app.extensions import db
from app.models_base import is_token
from app.notifications.outbox import notify_invitation
from app.roster.models import RosterImport
from app.roster.plan import Plan
from app.roster.plan import apply_plan
from app.roster.plan import plan_roster
from app.roster.sources import read_roster
from app.roster.sources import stored_upload

# A preview nobody applied is dropped after this long (it holds the school's roster).
PREVIEW_LIFETIME = timedelta(days=1)


def preview_files(files: list[tuple[str, bytes]]) -> tuple[str, bytes, str, Plan]:
    """(kind, stored bytes, file name, plan) for an upload of one or several files.

    :raises UserError: the upload as a whole is unusable.
    """
    kind, content, filename = stored_upload(files)
    return kind, content, filename, plan_roster(read_roster(kind, content))


def start_import(
    files: list[tuple[str, bytes]], *, actor: User, now: datetime
) -> tuple[RosterImport | None, Plan]:
    """Check an upload and keep it for its preview; with problems nothing is kept.

    :raises UserError: the upload as a whole is unusable.
    """
    kind, content, filename, plan = preview_files(files)
    if plan.problems:
        return None, plan
    db.session.execute(
        sa.delete(RosterImport).where(
            RosterImport.applied_at.is_(None), RosterImport.created_at < now - PREVIEW_LIFETIME
        )
    )
    roster_import = RosterImport(
        created_by_id=actor.id, created_at=now, filename=filename[:255], kind=kind,
        content=content,
    )  # fmt: skip
    db.session.add(roster_import)
    db.session.flush()
    return roster_import, plan


def get_import(import_id: str) -> RosterImport:
    """:raises NotFound: no such import."""
    roster_import = db.session.get(RosterImport, import_id) if is_token(import_id) else None
    if roster_import is None:
        raise NotFound(gettext("There is no such roster import (a preview is kept for one day)."))
    return roster_import


def current_plan(roster_import: RosterImport) -> Plan:
    """What applying the import would change now."""
    return plan_roster(read_roster(roster_import.kind, roster_import.content))


@dataclass
class Applied:
    plan: Plan
    invitations: dict[str, str]  # email -> invitation token


def apply_import(
    roster_import: RosterImport, *, previewed: str, actor: User, now: datetime
) -> Applied:
    """Apply the import whose preview had the digest `previewed`.

    :raises Conflict: already applied, or the plan changed since that preview.
    """
    if roster_import.applied_at is not None:
        raise Conflict(gettext("This roster was applied already; its report is below."))
    plan = current_plan(roster_import)
    if plan.problems or plan.digest() != previewed:
        raise Conflict(
            gettext(
                "Accounts or classes changed since this preview. Check the new preview, then apply."
            )
        )
    invitations = apply_and_check(plan, actor=actor, now=now)
    roster_import.applied_at = now
    roster_import.report_json = json.dumps(plan.report(), ensure_ascii=False)
    roster_import.content = b""
    db.session.flush()
    return Applied(plan, invitations)


def apply_and_check(plan: Plan, *, actor: User | None, now: datetime) -> dict[str, str]:
    """Apply a plan and email new accounts their invitation (when email is on).

    A write the database refuses (a race with another change) is a Conflict.
    """
    try:
        with db.session.begin_nested():
            invitations = apply_plan(plan, actor=actor, now=now)
            for email, token in invitations.items():
                invited = find_user_by_email(email)
                if invited is not None:
                    notify_invitation(invited, token, now=now)
            return invitations
    except IntegrityError as error:
        raise Conflict(
            gettext(
                "Another change to accounts or classes got in the way; "
                "nothing was imported. Preview the roster again."
            )
        ) from error


def recent_imports(limit: int = 10) -> list[RosterImport]:
    return list(
        db.session.scalars(
            sa.select(RosterImport)
            .where(RosterImport.applied_at.is_not(None))
            .order_by(RosterImport.applied_at.desc())
            .limit(limit)
        )
    )


def stored_report(roster_import: RosterImport) -> dict:
    return json.loads(roster_import.report_json or "{}")
