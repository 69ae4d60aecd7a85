"""`laurel badges list`, `laurel issue` (backfilling records), and the status changes.

`laurel revoke`, `laurel suspend` and `laurel reinstate` call the same service as
the credential page's buttons.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.badges.services import level_by_name
from app.commands import TranslatedCommand
from app.commands import TranslatedGroup
from app.commands import fail
from app.commands import option
from app.commands.bulk import issue_from_csv
from app.errors import LaurelError
from app.extensions import db
from app.i18n import N_
from app.issuing.issuance import get_credential
from app.issuing.issuance import issue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.issuing.urls import API_CREDENTIALS_PATH
from app.issuing.urls import credential_url
from app.keyring import issuing_context
from app.models_base import utcnow
from app.notifications.outbox import notify_credential_issued
from app.pathways.completion import settle_completions
from app.vcapi.kept import kept_api_credential
from app.vcapi.models import ApiCredential

USAGE_ERROR = 2


@click.group("badges", cls=TranslatedGroup, help=N_("Badge definitions."))
def badges_group() -> None:
    pass


@badges_group.command("list", help=N_("Show every badge: slug, name, state and class."))
@with_appcontext
def list_badges() -> None:
    rows = db.session.scalars(select(Badge).order_by(Badge.slug)).all()
    if not rows:
        click.echo(gettext("No badges yet. Instructors create them at /badges/new."))
        return
    whole_school = gettext("(whole school)")
    table = [
        (b.slug, b.state.value, b.school_class.name if b.school_class else whole_school, b.name)
        for b in rows
    ]
    # The column titles are words for a person; slugs and states are values the commands take.
    titles = (gettext("SLUG"), gettext("STATE"), gettext("CLASS"), gettext("NAME"))
    widths = [max(len(row[i]) for row in [*table, titles]) for i in range(3)]
    for row in [titles, *table]:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
            + f"  {row[3]}"
        )


@click.command(
    "issue",
    cls=TranslatedCommand,
    help=N_(
        "Issue a credential (--badge, --email), or one per row of a CSV file (--csv).\n"
        "\n"
        "With --csv every row is checked first; any problem is printed and nothing is issued. "
        "The result file (row, email, badge, status, credential URL or error) is written beside "
        "the CSV file, or to --out."
    ),
)
@option("--badge", "slug", default=None, help=N_("Slug of the badge (see `laurel badges list`)."))
@option("--email", default=None, help=N_("Email of the learner (see `laurel users list`)."))
@option(
    "--level",
    default=None,
    help=N_("Rubric level name; default: the level needed to earn the badge."),
)
@option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help=N_("Write the signed credential JSON (with --csv: the result CSV) to this file."),
)
@option(
    "--force",
    is_flag=True,
    help=N_("Issue a class badge to a learner outside its class (with a warning)."),
)
@option(
    "--csv",
    "csv_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=N_("Issue every row of a CSV file (email, badge, level, evidence_url, note)."),
)
@option("--by", default=None, help=N_("With --csv: the instructor or admin issuing them."))
@option("--yes", is_flag=True, help=N_("With --csv: issue without asking once checked."))
@with_appcontext
def issue(
    slug: str | None,
    email: str | None,
    level: str | None,
    out: Path | None,
    force: bool,
    csv_file: Path | None,
    by: str | None,
    yes: bool,
) -> None:
    if csv_file is not None:
        if slug or email or level or force:
            fail(gettext("--csv takes its badges, emails and levels from the file."), USAGE_ERROR)
        issue_from_csv(csv_file, by=by, yes=yes, out=out)
        return
    if not slug or not email:
        fail(gettext("give --badge and --email (or --csv FILE)."), USAGE_ERROR)
    badge = db.session.scalar(select(Badge).where(Badge.slug == slug))
    if badge is None:
        fail(
            gettext(
                "there is no badge with the slug “%(slug)s”; `laurel badges list` shows them.",
                slug=slug,
            ),
            USAGE_ERROR,
        )
    recipient = db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )
    if recipient is None:
        fail(
            gettext(
                "there is no user with the email “%(email)s”; `laurel users list` shows them.",
                email=email,
            ),
            USAGE_ERROR,
        )
    if not badge.is_for_learner(recipient):
        class_name = badge.school_class.name if badge.school_class else "its class"
        outside = (
            f"“{badge.name}” is a badge of {class_name}, and {recipient.name} is not its student"
        )
        if not force:
            fail(
                gettext("%(outside)s. Add --force to issue it all the same.", outside=outside),
                USAGE_ERROR,
            )
        click.echo(
            gettext("Warning: %(outside)s; issuing it anyway (--force).", outside=outside), err=True
        )
    ctx = issuing_context()
    try:
        level_id = level_by_name(badge, level)["id"] if level else None
        credential = issue_credential(
            ctx, badge=badge, recipient=recipient, level_id=level_id, issued_by=None, now=utcnow()
        )
        notify_credential_issued(credential, now=credential.issued_at)
        settle_completions(ctx, [credential], actor=None, now=credential.issued_at)
    except LaurelError as error:
        db.session.rollback()
        fail(error, USAGE_ERROR)
    db.session.commit()
    if out is not None:
        out.write_text(credential.json_text, encoding="utf-8")
    click.echo(credential_url(ctx.public_url, credential))


def _change(credential_id: str, change: StatusChange, reason: str) -> None:
    """Apply `change` as the web page does, with no actor (whoever holds the server).

    A VC-API credential (…/api-credentials/<uuid>) is changed here too: the server's
    holder is the admin who may change any client's credential.
    """
    try:
        credential: IssuedCredential | ApiCredential
        if f"/{API_CREDENTIALS_PATH}/" in credential_id:
            credential = kept_api_credential(credential_id)
        else:
            credential = get_credential(credential_id.rstrip("/").rsplit("/", 1)[-1])
        change_credential_status(
            credential, change, ctx=issuing_context(), actor=None, reason=reason, now=utcnow()
        )
    except LaurelError as error:
        db.session.rollback()
        fail(error, USAGE_ERROR)
    db.session.commit()


REASON_HELP = N_("Why: shown to the learner and on the verification page.")


@click.command(
    "revoke",
    cls=TranslatedCommand,
    help=N_("Revoke a credential (its id, or its full URL) with a reason; this is final."),
)
@click.argument("credential_id")
@option("--reason", required=True, help=REASON_HELP)
@with_appcontext
def revoke(credential_id: str, reason: str) -> None:
    _change(credential_id, StatusChange.REVOKE, reason)
    click.echo(
        gettext(
            "Revoked %(credential_id)s. The revocation status list is republished.",
            credential_id=credential_id,
        )
    )


@click.command(
    "suspend",
    cls=TranslatedCommand,
    help=N_("Suspend a credential (its id, or its full URL) until it is reinstated."),
)
@click.argument("credential_id")
@option("--reason", required=True, help=REASON_HELP)
@with_appcontext
def suspend(credential_id: str, reason: str) -> None:
    _change(credential_id, StatusChange.SUSPEND, reason)
    click.echo(
        gettext(
            "Suspended %(credential_id)s. The suspension status list is republished.",
            credential_id=credential_id,
        )
    )


@click.command(
    "reinstate",
    cls=TranslatedCommand,
    help=N_("Lift the suspension of a credential (its id, or its full URL)."),
)
@click.argument("credential_id")
@option("--reason", default="Reinstated", show_default=True, help=REASON_HELP)
@with_appcontext
def reinstate(credential_id: str, reason: str) -> None:
    _change(credential_id, StatusChange.REINSTATE, reason)
    click.echo(
        gettext(
            "Reinstated %(credential_id)s. The suspension status list is republished.",
            credential_id=credential_id,
        )
    )


commands = [badges_group, issue, revoke, suspend, reinstate]
