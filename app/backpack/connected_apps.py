"""The applications a learner connected to their backpack, and taking their access away.

An application holds a learner's backpack while one of its tokens for them still
works: not revoked, and either a refresh token or an access token not yet expired.
Tokens are stored hashed, so this is all a row tells: when each was issued. The
newest issue date is shown as "last token", the nearest Laurel knows to a last use
(an application refreshing its token is using it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.backpack.models import OAuthClient
from app.backpack.models import OAuthToken
from app.backpack.scopes import PLAIN_WORDS
from app.errors import NotFound
from app.extensions import db


@dataclass(frozen=True)
class ConnectedApp:
    client_id: str
    name: str
    scopes: list[str]
    since: datetime
    last_token: datetime


def _live_tokens(learner: User, now: int) -> sa.Select[Any]:
    return sa.select(OAuthToken).where(
        OAuthToken.user_id == learner.id,
        OAuthToken.access_token_revoked_at == 0,
        OAuthToken.refresh_token_revoked_at == 0,
        sa.or_(
            OAuthToken.refresh_token.is_not(None),
            OAuthToken.issued_at + OAuthToken.expires_in > now,
        ),
    )


def connected_apps(learner: User) -> list[ConnectedApp]:
    """The applications holding a working token for `learner`, first connected first."""
    tokens: list[OAuthToken] = list(
        db.session.scalars(
            _live_tokens(learner, int(time.time())).order_by(OAuthToken.issued_at, OAuthToken.id)
        )
    )
    by_client: dict[str, list[OAuthToken]] = {}
    for token in tokens:
        by_client.setdefault(str(token.client_id), []).append(token)
    if not by_client:
        return []
    clients = {
        client.client_id: client
        for client in db.session.scalars(
            sa.select(OAuthClient).where(OAuthClient.client_id.in_(by_client))
        )
    }
    apps = []
    for client_id, held in by_client.items():
        client = clients.get(client_id)
        scopes = dict.fromkeys(scope for token in held for scope in str(token.scope).split())
        apps.append(
            ConnectedApp(
                client_id=client_id,
                name=(client.client_name if client is not None else None) or client_id,
                scopes=[PLAIN_WORDS.get(scope, scope) for scope in scopes],
                since=_moment(min(token.issued_at for token in held)),
                last_token=_moment(max(token.issued_at for token in held)),
            )
        )
    return apps


def disconnect(learner: User, client_id: str) -> None:
    """Revoke every token `client_id` holds for `learner`: its next request is refused.

    :raises NotFound: the application holds no working token for them.
    """
    now = int(time.time())
    live = _live_tokens(learner, now).where(OAuthToken.client_id == client_id)
    if db.session.scalar(live.limit(1)) is None:
        raise NotFound(gettext("No connected app has that id."))
    db.session.execute(
        sa.update(OAuthToken)
        .where(OAuthToken.user_id == learner.id, OAuthToken.client_id == client_id)
        .values(access_token_revoked_at=now, refresh_token_revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
