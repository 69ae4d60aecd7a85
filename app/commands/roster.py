"""`laurel roster import FILE [--apply]`: the web page's preview and import, on the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext
from flask_babel import ngettext

from app.commands import TranslatedGroup
from app.commands import fail
from app.commands import option
from app.errors import LaurelError
from app.extensions import db
from app.i18n import N_
from app.models_base import utcnow
from app.roster.plan import Action
from app.roster.plan import Plan
from app.roster.services import apply_and_check
from app.roster.services import preview_files
from app.web.mount import public_link

# A roster with a problem, or one the services refuse, changes nothing.
REFUSED = 1


@click.group("roster", cls=TranslatedGroup, help=N_("Rosters from the student information system."))
def roster_group() -> None:
    pass


def _files(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        return [(child.name, child.read_bytes()) for child in sorted(path.glob("*.csv"))]
    return [(path.name, path.read_bytes())]


def _show(plan: Plan) -> None:
    for entry in plan.classes:
        if entry.action != Action.UNCHANGED:
            click.echo(
                gettext(
                    "class %(entry_name)s: %(action_value)s %(join)s",
                    entry_name=entry.name,
                    action_value=entry.action.value,
                    join="; ".join(entry.details),
                )
            )
    for entry in plan.people:
        if entry.action != Action.UNCHANGED:
            where = f"{entry.file or 'roster'}:{entry.line}" if entry.line else entry.file
            click.echo(
                f"{where}  {entry.action.value:<9}  {entry.name} <{entry.email}>  "
                f"{'; '.join(entry.details)}"
            )
    counts = plan.counts()
    click.echo(
        gettext(
            "%(create)s to create, %(update)s to update, %(move)s to "
            "move, %(unchanged)s unchanged, %(skip)s not imported, "
            "%(leaving)s no longer in the roster.",
            create=counts["create"],
            update=counts["update"],
            move=counts["move"],
            unchanged=counts["unchanged"],
            skip=counts["skip"],
            leaving=counts["leaving"],
        )
    )
    if plan.assignments or plan.unassignments:
        click.echo(
            gettext(
                "Counselor assignments: %(assign)s to make, %(unassign)s to undo.",
                assign=len(plan.assignments),
                unassign=len(plan.unassignments),
            )
        )


@roster_group.command(
    "import",
    help=N_(
        "Preview (or with --apply, make) the changes a roster brings.\n"
        "\n"
        "PATH is a OneRoster 1.2 zip bundle, a folder holding its CSV files, or a CSV file with "
        "the header name,email,role,class. A roster with a problem changes nothing (exit 1)."
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=True, path_type=Path))
@option("--apply", "apply_it", is_flag=True, help=N_("Apply the changes (without it: preview)."))
@with_appcontext
def import_roster(path: Path, apply_it: bool) -> None:
    try:
        _kind, _content, _name, plan = preview_files(_files(path))
    except LaurelError as error:
        fail(error, REFUSED)
    for problem in plan.problems:
        where = f"{problem.file or path.name}:{problem.line}" if problem.line else problem.file
        click.echo(f"{where or path.name}: {problem.message}", err=True)
    if plan.problems:
        click.echo(
            ngettext(
                "%(num)s problem in %(path_name)s; nothing was imported.",
                "%(num)s problems in %(path_name)s; nothing was imported.",
                len(plan.problems),
                path_name=path.name,
            ),
            err=True,
        )
        raise SystemExit(REFUSED)
    _show(plan)
    if not apply_it:
        click.echo(gettext("Preview only: run again with --apply to make these changes."))
        return
    try:
        invitations = apply_and_check(plan, actor=None, now=utcnow())
    except LaurelError as error:
        db.session.rollback()
        fail(error, REFUSED)
    db.session.commit()
    with current_app.test_request_context():  # url_for needs a request outside the server
        for email, token in invitations.items():
            link = public_link("accounts.accept_invitation", token=token)
            click.echo(gettext("invitation for %(email)s: %(link)s", email=email, link=link))
    click.echo(gettext("Applied."))


commands = [roster_group]
