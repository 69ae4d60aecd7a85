"""API clients of the VC-API: created, listed and revoked by an admin (page or command line).

A client is an `OAuthClient` allowed only the client credentials grant and the VC-API
scopes; its secret is shown once at creation and stored hashed.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from app.backpack.models import CLIENT_CREDENTIALS
from app.backpack.models import OAuthClient
from app.backpack.models import OAuthToken
from app.backpack.models import hash_client_secret
from app.backpack.scopes import API_SCOPES
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db

MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class NewClient:
    """What the admin sees once: the client id and its secret in clear."""

    client: OAuthClient
    client_secret: str


def create_api_client(name: str, scopes: str) -> NewClient:
    """Register an API client named `name` holding the space-separated `scopes`.

    :raises UserError: no name, a name too long, no scope or a scope the VC-API lacks.
    """
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise UserError(
            gettext(
                "Give the client a name of 1 to %(max_name_chars)s characters.",
                max_name_chars=MAX_NAME_CHARS,
            )
        )
    wanted = scopes.split()
    unknown = [scope for scope in wanted if scope not in API_SCOPES]
    if unknown or not wanted:
        problem = f"Unknown scope: {' '.join(unknown)}." if unknown else "Give at least one scope."
        raise UserError(
            gettext(
                "%(problem)s The VC-API scopes are: %(join)s.",
                problem=problem,
                join=", ".join(API_SCOPES),
            )
        )
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(
        client_id=secrets.token_urlsafe(18),
        client_secret=hash_client_secret(secret),
        client_id_issued_at=int(time.time()),
        client_secret_expires_at=0,
    )
    client.set_client_metadata(
        {
            "client_name": name,
            "grant_types": [CLIENT_CREDENTIALS],
            "response_types": [],
            "token_endpoint_auth_method": "client_secret_post",
            "scope": " ".join(dict.fromkeys(wanted)),
        }
    )
    db.session.add(client)
    db.session.commit()
    return NewClient(client, secret)


def api_clients() -> list[OAuthClient]:
    """Every API client, oldest first (backpack applications are not listed)."""
    clients = db.session.scalars(db.select(OAuthClient).order_by(OAuthClient.id))
    return [client for client in clients if client.is_api_client]


def revoke_api_client(client_id: str) -> None:
    """Delete the client and its tokens: its next request is answered 401.

    :raises NotFound: no API client has that id.
    """
    client = db.session.scalar(db.select(OAuthClient).filter_by(client_id=client_id))
    if client is None or not client.is_api_client:
        raise NotFound(gettext("There is no API client with that id."))
    db.session.execute(sa.delete(OAuthToken).where(OAuthToken.client_id == client_id))
    db.session.delete(client)
    db.session.commit()
