"""`laurel trust add|remove|list|import|export`: the school's trust list from the command line.

The same services as the admin page. Bad input ends with a sentence and exit
status 2; `export` writes the file `laurel verify --trust` reads without a database.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from app.commands import TranslatedGroup
from app.commands import fail
from app.commands import option
from app.errors import LaurelError
from app.extensions import db
from app.i18n import N_
from app.models_base import utcnow
from app.verify import trust_list

ACTOR = "command line"
BAD_INPUT = 2


@click.group(
    "trust",
    cls=TranslatedGroup,
    help=N_("Issuers outside this school whose credentials Laurel verifies under a name."),
)
def trust_group() -> None:
    pass


@trust_group.command("add", help=N_("Trust a DID (did:web:…, did:key:…) or a domain."))
@click.argument("identifier", metavar="DID_OR_DOMAIN")
@option("--name", required=True, help=N_("The name Laurel shows for this issuer."))
@option("--note", default="", help=N_("Where the entry comes from (optional)."))
@with_appcontext
def add(identifier: str, name: str, note: str) -> None:
    try:
        row = trust_list.add_trusted(identifier, name, note, actor=ACTOR, now=utcnow())
    except LaurelError as error:
        db.session.rollback()
        fail(error, BAD_INPUT)
    db.session.commit()
    click.echo(
        gettext(
            "Added %(identifier)s (%(row_name)s) to the trust list.",
            identifier=row.identifier,
            row_name=row.name,
        )
    )


@trust_group.command("remove", help=N_("Stop trusting a DID or a domain."))
@click.argument("identifier", metavar="DID_OR_DOMAIN")
@with_appcontext
def remove(identifier: str) -> None:
    try:
        row = trust_list.remove_trusted(identifier)
    except LaurelError as error:
        db.session.rollback()
        fail(error, BAD_INPUT)
    db.session.commit()
    click.echo(
        gettext(
            "Removed %(identifier)s (%(row_name)s) from the trust list.",
            identifier=row.identifier,
            row_name=row.name,
        )
    )


@trust_group.command("list", help=N_("Show the trust list."))
@option("--json", "as_json", is_flag=True, help=N_("Print every field as JSON."))
@with_appcontext
def list_entries(as_json: bool) -> None:
    rows = trust_list.list_trusted()
    if as_json:
        fields = [
            {
                "id": row.identifier,
                "name": row.name,
                "note": row.note,
                "added_at": row.added_at.isoformat(),
                "added_by": row.added_by,
            }
            for row in rows
        ]
        click.echo(json.dumps(fields, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(
            gettext(
                "The trust list is empty. Add an issuer: laurel trust add DID_OR_DOMAIN --name …"
            )
        )
        return
    width = max(len(row.identifier) for row in rows)
    for row in rows:
        click.echo(f"{row.identifier.ljust(width)}  {row.name}")


@trust_group.command(
    "import", help=N_("Add or update the entries of a trust list JSON file (nothing is removed).")
)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_file(source: Path) -> None:
    try:
        text = trust_list.decode_trust_file(source.read_bytes())
        report = trust_list.import_trust_list(text, actor=f"{ACTOR}: {source.name}", now=utcnow())
    except OSError as error:
        fail(
            gettext(
                "cannot read %(source)s: %(error)s.", source=source, error=error.strerror or error
            ),
            BAD_INPUT,
        )
    except LaurelError as error:
        db.session.rollback()
        fail(gettext("In %(source)s: %(error)s", source=source, error=error), BAD_INPUT)
    db.session.commit()
    click.echo(gettext("Imported %(source)s: %(summary)s", source=source, summary=report.summary))


@trust_group.command(
    "export", help=N_("Write the trust list for `laurel verify --trust FILE` or another Laurel.")
)
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_file(target: Path) -> None:
    try:
        target.write_text(trust_list.export_trust_list(), encoding="utf-8")
    except OSError as error:
        fail(
            gettext(
                "cannot write %(target)s: %(error)s.", target=target, error=error.strerror or error
            ),
            BAD_INPUT,
        )
    click.echo(gettext("Wrote %(target)s.", target=target))


commands = [trust_group]
