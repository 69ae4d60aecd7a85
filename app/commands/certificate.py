"""`laurel certificate CREDENTIAL_ID… --out DIR_OR_FILE`: print a class's certificates in one go."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from app.commands import TranslatedCommand
from app.commands import fail
from app.commands import option
from app.errors import LaurelError
from app.i18n import N_
from app.keyring import issuing_context
from app.models_base import utcnow
from app.share.certificate import PAPER_SIZES
from app.share.certificate import render_certificate
from app.share.services import download_name
from app.verify.documents import credential_by_id

USAGE_ERROR = 2


def _credential_id(value: str) -> str:
    """An id from an id, a credential URL or a verification URL."""
    return value.rstrip("/").removesuffix("/verify").rsplit("/", 1)[-1]


@click.command(
    "certificate",
    cls=TranslatedCommand,
    help=N_(
        "Render PDF certificates (with the signed credential attached) for credential ids or URLs."
    ),
)
@click.argument("credential_ids", nargs=-1, required=True)
@option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help=N_("A .pdf file (one credential) or a folder (one PDF per credential)."),
)
@option(
    "--paper",
    type=click.Choice(sorted(PAPER_SIZES)),
    default="a4",
    show_default=True,
    help=N_("Paper size; the certificate is landscape."),
)
@with_appcontext
def certificate(credential_ids: tuple[str, ...], out: Path, paper: str) -> None:
    single_file = out.suffix.lower() == ".pdf"
    if single_file and len(credential_ids) > 1:
        fail(
            gettext(
                "several credentials make several PDFs: give a folder to --out, not a .pdf file."
            ),
            USAGE_ERROR,
        )
    credentials = []
    for value in credential_ids:
        credential = credential_by_id(_credential_id(value))
        if credential is None:
            fail(gettext("there is no credential “%(value)s”.", value=value), USAGE_ERROR)
        credentials.append(credential)
    if not single_file:
        out.mkdir(parents=True, exist_ok=True)
    ctx, now = issuing_context(), utcnow()
    for credential in credentials:
        path = out if single_file else out / download_name(credential, "pdf")
        try:
            path.write_bytes(render_certificate(credential, ctx=ctx, paper=paper, now=now))
        except LaurelError as error:
            fail(error, USAGE_ERROR)
        click.echo(f"{path}  ({credential.recipient.name}, {credential.badge.name})")


commands = [certificate]
