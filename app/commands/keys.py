"""`laurel keys init | list | rotate | did-document | jwks`: the signing keys, offline.

These commands need no server, no application context and no database: they
read the settings with `load_settings()` and work on the key directory alone.
They print public material only.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from app.commands import TranslatedGroup
from app.commands import fail
from app.commands import option
from app.config import ConfigurationError
from app.config import load_settings
from app.credentials.did import build_did_document
from app.credentials.did import build_jwks
from app.credentials.did import did_document_json
from app.credentials.did import did_web_from_url
from app.credentials.errors import CredentialError
from app.credentials.keys import KINDS
from app.credentials.keys import KeyRecord
from app.credentials.keys import KeyStore
from app.i18n import N_
from app.i18n import gettext

CONFIGURATION_ERROR = 2
KEY_STORE_ERROR = 1


def _settings() -> dict[str, Any]:
    try:
        # A placeholder SECRET_KEY: these commands sign no session, so none is read or created.
        return load_settings({"SECRET_KEY": "unused-by-key-commands"})
    except ConfigurationError as error:
        fail(error, CONFIGURATION_ERROR)


def _store(settings: dict[str, Any]) -> KeyStore:
    return KeyStore(Path(settings["LAUREL_KEYS_DIR"]), settings["LAUREL_KEY_PASSPHRASE"])


def _issuer_id(settings: dict[str, Any]) -> str:
    return did_web_from_url(settings["LAUREL_PUBLIC_URL"])


def _describe(record: KeyRecord, issuer_id: str) -> str:
    state = gettext("current") if record.current else gettext("retired")
    return (
        f"{record.kind:<8} {record.number:>3}  {record.created}  {state:<8} "
        f"{issuer_id}#{record.fragment}  {record.fingerprint}"
    )


@click.group(
    "keys",
    cls=TranslatedGroup,
    help=N_("Signing keys: create, list, rotate, and print the DID document and JWKS."),
)
def keys_group() -> None:
    pass


@keys_group.command(
    "init",
    help=N_("Create the key store with one Ed25519 and one RSA key (does nothing if it exists)."),
)
def init_keys() -> None:
    settings = _settings()
    store = _store(settings)
    try:
        created = store.init(now=datetime.now(UTC))
        records = store.records()
    except CredentialError as error:
        fail(error, KEY_STORE_ERROR)
    if not created:
        click.echo(
            gettext(
                "Keys already exist in %(directory)s; nothing changed.", directory=store.directory
            )
        )
        return
    click.echo(gettext("Created signing keys in %(directory)s:", directory=store.directory))
    for record in records:
        click.echo("  " + _describe(record, _issuer_id(settings)))


@keys_group.command(
    "list",
    help=N_(
        "Show every key: kind, number, created, current or retired, id and public fingerprint."
    ),
)
def list_keys() -> None:
    settings = _settings()
    try:
        records = _store(settings).records()
        issuer_id = _issuer_id(settings)
    except CredentialError as error:
        fail(error, KEY_STORE_ERROR)
    for record in records:
        click.echo(_describe(record, issuer_id))


@keys_group.command(
    "rotate",
    help=N_("Make new current keys; old keys stay published so old credentials still verify."),
)
@option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help=N_("Rotate only this kind of key (default: both)."),
)
def rotate_keys(kind: str | None) -> None:
    settings = _settings()
    try:
        created = _store(settings).rotate(now=datetime.now(UTC), kind=kind)
        issuer_id = _issuer_id(settings)
    except CredentialError as error:
        fail(error, KEY_STORE_ERROR)
    click.echo(gettext("New current keys (the old ones are kept and stay published):"))
    for record in created:
        click.echo("  " + _describe(record, issuer_id))


@keys_group.command(
    "did-document", help=N_("Print the issuer's DID document (served at /.well-known/did.json).")
)
def did_document() -> None:
    settings = _settings()
    try:
        document = build_did_document(_issuer_id(settings), _store(settings).records())
    except CredentialError as error:
        fail(error, KEY_STORE_ERROR)
    click.echo(did_document_json(document))


@keys_group.command(
    "jwks", help=N_("Print the issuer's JWK Set of RSA keys (served at /.well-known/jwks.json).")
)
def jwks() -> None:
    settings = _settings()
    try:
        key_set = build_jwks(_issuer_id(settings), _store(settings).records())
    except CredentialError as error:
        fail(error, KEY_STORE_ERROR)
    click.echo(json.dumps(key_set, indent=2))


commands = [keys_group]
