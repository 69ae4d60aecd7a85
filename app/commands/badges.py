"""`laurel badges list`, `laurel issue` (backfilling records) and `laurel revoke`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlalchemy import select

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.services import credential_url
from app.badges.services import get_credential
from app.badges.services import issue_credential
from app.badges.services import level_by_name
from app.badges.services import revoke_credential
from app.errors import LaurelError
from app.extensions import db
from app.models_base import utcnow

USAGE_ERROR = 2


def _fail(message: str) -> None:
    """Print a message for a person and exit with status 2, as click does for bad usage."""
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(USAGE_ERROR)


@click.group("badges")
def badges_group() -> None:
    """Badge definitions."""


@badges_group.command("list")
@with_appcontext
def list_badges() -> None:
    """Show every badge: slug, name, state and class."""
    rows = db.session.scalars(select(Badge).order_by(Badge.slug)).all()
    if not rows:
        click.echo("No badges yet. Instructors create them at /badges/new.")
        return
    table = [
        (b.slug, b.state.value, b.school_class.name if b.school_class else "(whole school)", b.name)
        for b in rows
    ]
    widths = [max(len(row[i]) for row in [*table, ("SLUG", "STATE", "CLASS", "")]) for i in range(3)]
    for row in [("SLUG", "STATE", "CLASS", "NAME"), *table]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + f"  {row[3]}")


@click.command("issue")
@click.option(
    "--badge", "slug", required=True, help="Slug of the badge (see `laurel badges list`)."
)
@click.option("--email", required=True, help="Email of the learner (see `laurel users list`).")
@click.option(
    "--level", default=None, help="Rubric level name; default: the level needed to earn the badge."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the signed credential JSON to this file.",
)
@with_appcontext
def issue(slug: str, email: str, level: str | None, out: Path | None) -> None:
    """Issue a credential from the command line (for backfilling records)."""
    badge = db.session.scalar(select(Badge).where(Badge.slug == slug))
    if badge is None:
        _fail(f"there is no badge with the slug “{slug}”; `laurel badges list` shows them.")
    recipient = db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )
    if recipient is None:
        _fail(f"there is no user with the email “{email}”; `laurel users list` shows them.")
    try:
        level_id = level_by_name(badge, level)["id"] if level else None
        credential = issue_credential(
            badge=badge, recipient=recipient, level_id=level_id, issued_by=None, now=utcnow()
        )
    except LaurelError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    if out is not None:
        out.write_text(credential.json_text, encoding="utf-8")
    click.echo(credential_url(credential))


@click.command("revoke")
@click.argument("credential_id")
@click.option(
    "--reason", required=True, help="Why: shown to the learner and on the verification page."
)
@with_appcontext
def revoke(credential_id: str, reason: str) -> None:
    """Revoke a credential (its id, or its full URL) with a reason."""
    try:
        credential = get_credential(credential_id.rstrip("/").rsplit("/", 1)[-1])
        revoke_credential(credential, actor=None, reason=reason, now=utcnow())
    except LaurelError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(f"Revoked {credential_id}. The revocation status list is republished.")


commands = [badges_group, issue, revoke]
