"""`laurel api-clients create|list|revoke|did-key enable`: the VC-API's clients and issuers."""

from __future__ import annotations

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
from app.vcapi import clients
from app.vcapi.issuers import enable_did_key

BAD_INPUT = 2


@click.group(
    "api-clients",
    cls=TranslatedGroup,
    help=N_("Programs that use the VC-API with the client credentials grant."),
)
def api_clients_group() -> None:
    pass


@api_clients_group.command(
    "create", help=N_("Create a client; prints its id and secret (the secret only this once).")
)
@option("--name", required=True, help=N_("Who uses the client."))
@option("--scopes", required=True, help=N_('Space-separated, e.g. "vc:issue vc:status".'))
@with_appcontext
def create(name: str, scopes: str) -> None:
    try:
        created = clients.create_api_client(name, scopes)
    except LaurelError as error:
        db.session.rollback()
        fail(error, BAD_INPUT)
    click.echo(f"client_id: {created.client.client_id}")
    click.echo(f"client_secret: {created.client_secret}")
    click.echo(gettext("Keep the secret now: Laurel stores only its hash."))


@api_clients_group.command("list", help=N_("Every API client: id, scopes, name."))
@with_appcontext
def list_clients() -> None:
    for client in clients.api_clients():
        click.echo(f"{client.client_id}\t{client.scope}\t{client.client_name}")


@api_clients_group.command("revoke", help=N_("Delete a client and its tokens."))
@click.argument("client_id")
@with_appcontext
def revoke(client_id: str) -> None:
    try:
        clients.revoke_api_client(client_id)
    except LaurelError as error:
        fail(error, BAD_INPUT)
    click.echo(gettext("Revoked %(client_id)s.", client_id=client_id))


@api_clients_group.group(
    "did-key", help=N_("The did:key issuer instance, for conformance test suites.")
)
def did_key_group() -> None:
    pass


@did_key_group.command("enable", help=N_("Create the did:key issuer's key (once); prints its DID."))
@with_appcontext
def enable() -> None:
    click.echo(enable_did_key(now=utcnow()))


commands = [api_clients_group]
