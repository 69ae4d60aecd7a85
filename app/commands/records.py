"""`laurel archive --email EMAIL --out FILE.zip` and `laurel export-static DIR`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from app.accounts.services import find_user_by_email
from app.commands import TranslatedCommand
from app.commands import fail
from app.commands import option
from app.errors import LaurelError
from app.extensions import db
from app.i18n import N_
from app.keyring import issuing_context
from app.models_base import utcnow
from app.records.archive import build_learner_archive
from app.records.static_export import LIST_VALID_YEARS
from app.records.static_export import export_static

USAGE_ERROR = 2


@click.command(
    "archive",
    cls=TranslatedCommand,
    help=N_("Write a learner's archive (every credential, the keys, a README) for a leaver."),
)
@option("--email", required=True, help=N_("The learner's email address."))
@option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help=N_("A .zip file.")
)
@with_appcontext
def archive(email: str, out: Path) -> None:
    learner = find_user_by_email(email)
    if learner is None:
        fail(gettext("there is no account with the email “%(email)s”.", email=email), USAGE_ERROR)
    if out.suffix.lower() != ".zip":
        fail(gettext("--out must name a .zip file."), USAGE_ERROR)
    try:
        data = build_learner_archive(learner, ctx=issuing_context(), now=utcnow())
        # Signing the learner record may create the issuer profile row: keep it.
        db.session.commit()
        out.write_bytes(data)
    except LaurelError as error:
        fail(error, USAGE_ERROR)
    except OSError as error:
        fail(
            gettext("cannot write %(out)s: %(error)s.", out=out, error=error.strerror or error),
            USAGE_ERROR,
        )
    click.echo(f"{out}  ({learner.name})")


@click.command(
    "export-static",
    cls=TranslatedCommand,
    help=N_(
        "Write what verifiers fetch as plain files, for a static host once Laurel is switched off."
    ),
)
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@option(
    "--years",
    type=click.IntRange(min=1, max=1000),
    default=LIST_VALID_YEARS,
    show_default=True,
    help=N_("How long the exported status lists stay valid."),
)
@with_appcontext
def export_static_command(directory: Path, years: int) -> None:
    try:
        summary = export_static(directory, ctx=issuing_context(), now=utcnow(), years=years)
        db.session.commit()
    except LaurelError as error:
        fail(error, USAGE_ERROR)
    except OSError as error:
        fail(
            gettext(
                "cannot write into %(directory)s: %(error)s.",
                directory=directory,
                error=error.strerror or error,
            ),
            USAGE_ERROR,
        )
    click.echo(
        gettext(
            "%(directory)s: %(value_count)s files, %(credentials)s "
            "shared credentials. See %(txt)s for the web server.",
            directory=directory,
            value_count=len(summary.files),
            credentials=summary.credentials,
            txt=directory / "SERVING.txt",
        )
    )


commands = [archive, export_static_command]
