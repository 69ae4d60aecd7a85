"""Sending a learner's credential to another backpack, from the address to the stored copy.

`begin` reads the backpack's discovery document, registers Laurel there if it has not
yet, and either sends at once (the learner connected this backpack before and the
token still works, refreshed if need be) or returns the authorization URL for the
learner's browser. `finish` takes the backpack's answer to that URL: the state must be
one this learner's session started and not yet used; then the code is exchanged
(with the PKCE verifier), the token kept, and the credential sent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from authlib.integrations.requests_client import OAuth2Session
from flask_babel import gettext

from app.accounts.models import User
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack_send import oauth_client
from app.backpack_send.discovery import ServiceDescription
from app.backpack_send.discovery import discovery_url
from app.backpack_send.discovery import read_description
from app.backpack_send.errors import SendError
from app.backpack_send.models import BackpackConnection
from app.backpack_send.models import PendingSend
from app.backpack_send.models import RemoteBackpack
from app.backpack_send.server_metadata import check_issuer
from app.backpack_send.server_metadata import metadata_urls
from app.backpack_send.server_metadata import read_metadata
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.errors import NotAllowed
from app.errors import NotFound
from app.extensions import db
from app.sealing import Sealer
from app.sealing import Unreadable
from app.verify.core.fetching import DocumentNotFound
from app.verify.core.fetching import Fetcher
from app.verify.core.fetching import FetchError
from app.verify.core.fetching import fetch_json

CALLBACK_PATH = "/backpack/send/callback"
# How long the learner has to answer the backpack's authorization page.
PENDING_LIFETIME = timedelta(minutes=10)
# A token this close to its end is renewed before use.
EXPIRY_MARGIN = timedelta(seconds=30)
# The key sealing the backpacks' client secrets, tokens and PKCE verifiers (app.sealing).
SEALING_PURPOSE = b"laurel backpack-send secrets v1"


@dataclass(frozen=True)
class Sending:
    """What a send needs from the application: the network, the sealing key, Laurel's names."""

    fetcher: Fetcher
    adapter: oauth_client.AdapterFactory
    sealer: Sealer
    public_url: str
    school_name: str
    software_version: str

    @property
    def redirect_uri(self) -> str:
        return self.public_url + CALLBACK_PATH


@dataclass(frozen=True)
class Sent:
    backpack_name: str
    created: bool


@dataclass(frozen=True)
class Authorize:
    """The learner's browser must go to `url`; `state` is remembered in their session."""

    url: str
    state: str


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def can_send(credential: IssuedCredential, user: User) -> bool:
    return bool(user.is_authenticated and user.id == credential.recipient_id)


def check_sender(credential: IssuedCredential | None, user: User) -> IssuedCredential:
    """The credential, if `user` is its learner: 404 to those who may not see it, 403 to staff."""
    if credential is None or not credential.can_view(user):
        raise NotFound(gettext("There is no credential with that id."))
    if not can_send(credential, user):
        raise NotAllowed(
            gettext("Only the learner who earned this credential can send it elsewhere.")
        )
    if credential.state == CredentialState.REVOKED:
        raise SendError(
            gettext("This credential is revoked, so it cannot be sent anywhere."), status_code=409
        )
    return credential


def describe(address: str, fetcher: Fetcher) -> ServiceDescription:
    """The backpack's Service Description Document, fetched through the guard and read.

    :raises SendError: an address that is refused, unreachable, missing or not a discovery document.
    """
    url = discovery_url(address)
    try:
        document = fetch_json(fetcher, url)
    except DocumentNotFound:
        raise SendError(
            gettext(
                "There is no Open Badges 3.0 discovery document at %(url)s: "
                "check the backpack's address.",
                url=url,
            )
        ) from None
    except FetchError as error:
        raise SendError(
            gettext(
                "Laurel could not read the backpack's discovery document: %(reason)s", reason=error
            )
        ) from None
    return read_description(url, document)


def _client_metadata(sending: Sending) -> dict[str, object]:
    """Laurel's registration request, with the fields the Open Badges API asks for."""
    site = sending.public_url
    return {
        "client_name": f"{sending.school_name} (Laurel)",
        "client_uri": f"{site}/",
        "logo_uri": f"{site}/issuer/logo",
        "tos_uri": f"{site}/",
        "policy_uri": f"{site}/",
        "software_id": "laurel",
        "software_version": sending.software_version,
        "redirect_uris": [sending.redirect_uri],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": CREDENTIAL_UPSERT,
    }


def _client_secret(backpack: RemoteBackpack, sealer: Sealer) -> str | None:
    """:raises Unreadable: sealed under another SECRET_KEY."""
    sealed = backpack.sealed_client_secret
    return None if sealed is None else sealer.open(sealed)


def registered_backpack(
    description: ServiceDescription, sending: Sending, *, now: datetime
) -> RemoteBackpack:
    """Laurel's registration at this backpack: the one kept, or a new one (RFC 7591).

    Registers again when Laurel's redirect URI changed or its kept secret cannot be opened.
    """
    backpack = db.session.scalar(
        sa.select(RemoteBackpack).where(RemoteBackpack.discovery_url == description.discovery_url)
    )
    if backpack is not None and backpack.redirect_uri == sending.redirect_uri:
        try:
            _client_secret(backpack, sending.sealer)
        except Unreadable:
            pass
        else:
            _take_endpoints(backpack, description)
            return backpack
    client_id, secret = oauth_client.register(
        description.registration_url, _client_metadata(sending), adapter=sending.adapter
    )
    if backpack is None:
        backpack = RemoteBackpack(discovery_url=description.discovery_url)
        db.session.add(backpack)
    else:
        # Tokens given to the old registration belong to a client that is gone.
        db.session.execute(
            sa.delete(BackpackConnection).where(BackpackConnection.backpack_id == backpack.id)
        )
    _take_endpoints(backpack, description)
    backpack.redirect_uri = sending.redirect_uri
    backpack.client_id = client_id
    backpack.sealed_client_secret = None if secret is None else sending.sealer.seal(secret)
    backpack.registered_at = now
    db.session.flush()
    return backpack


def _take_endpoints(backpack: RemoteBackpack, description: ServiceDescription) -> None:
    backpack.name = description.name
    backpack.api_base = description.api_base
    backpack.authorization_url = description.authorization_url
    backpack.token_url = description.token_url


def _session(backpack: RemoteBackpack, sending: Sending) -> OAuth2Session:
    return oauth_client.oauth_session(
        backpack.client_id,
        _client_secret(backpack, sending.sealer),
        backpack.redirect_uri,
        adapter=sending.adapter,
    )


def connections(user: User) -> list[BackpackConnection]:
    """The backpacks `user` connected, by name."""
    return list(
        db.session.scalars(
            sa.select(BackpackConnection)
            .join(RemoteBackpack)
            .where(BackpackConnection.owner_id == user.id)
            .order_by(RemoteBackpack.name, BackpackConnection.id)
        )
    )


@dataclass(frozen=True)
class Disconnected:
    backpack_name: str
    # Why the backpack may still honour the tokens (revocation failed), or None.
    problem: str | None


def disconnect(user: User, connection_id: int, sending: Sending) -> Disconnected:
    """Revoke `user`'s tokens at the backpack when it has a revocation endpoint (RFC 7009),
    then forget them whatever it answered. 404 if the connection is not theirs.

    Revoking is best effort: a backpack that is down must not keep the learner connected.
    """
    connection = db.session.get(BackpackConnection, connection_id)
    if connection is None or connection.owner_id != user.id:
        raise NotFound(gettext("There is no such connected backpack."))
    backpack = connection.backpack
    problem = None
    if backpack.revocation_url is not None:
        try:
            _revoke(connection, backpack.revocation_url, sending)
        except SendError as error:
            problem = str(error)
        except Unreadable:
            problem = gettext(
                "Laurel's keys changed since you connected, so it could not revoke them."
            )
    db.session.delete(connection)
    return Disconnected(backpack.name, problem)


def _revoke(connection: BackpackConnection, revocation_url: str, sending: Sending) -> None:
    """Revoke the refresh token (which ends the grant) and then the access token.

    :raises SendError: the backpack refused or could not be reached.
    :raises Unreadable: the tokens were sealed under another SECRET_KEY.
    """
    session = _session(connection.backpack, sending)
    if connection.sealed_refresh_token is not None:
        refresh_token = sending.sealer.open(connection.sealed_refresh_token)
        oauth_client.revoke(session, revocation_url, refresh_token, "refresh_token")
    access_token = sending.sealer.open(connection.sealed_access_token)
    oauth_client.revoke(session, revocation_url, access_token, "access_token")


def _connection(owner_id: int, backpack_id: int) -> BackpackConnection | None:
    return db.session.scalar(
        sa.select(BackpackConnection).where(
            BackpackConnection.owner_id == owner_id, BackpackConnection.backpack_id == backpack_id
        )
    )


def _keep_token(
    owner_id: int, backpack_id: int, token: oauth_client.Token, sending: Sending, now: datetime
) -> BackpackConnection:
    """Store the learner's token for the backpack, sealed (replacing the one kept before)."""
    connection = _connection(owner_id, backpack_id)
    if connection is None:
        connection = BackpackConnection(
            owner_id=owner_id, backpack_id=backpack_id, connected_at=now
        )
        db.session.add(connection)
    connection.sealed_access_token = sending.sealer.seal(token.access_token)
    connection.sealed_refresh_token = (
        None if token.refresh_token is None else sending.sealer.seal(token.refresh_token)
    )
    connection.expires_at = token.expires_at
    connection.scope = token.scope
    db.session.flush()
    return connection


def _usable_token(connection: BackpackConnection, sending: Sending, now: datetime) -> str | None:
    """The connection's access token, renewed if it has expired; None when it cannot be."""
    sealer = sending.sealer
    try:
        if connection.expires_at is None or connection.expires_at - EXPIRY_MARGIN > now:
            return sealer.open(connection.sealed_access_token)
        if connection.sealed_refresh_token is None:
            return None
        backpack = connection.backpack
        token = oauth_client.refresh(
            _session(backpack, sending),
            backpack.token_url,
            sealer.open(connection.sealed_refresh_token),
            now=now,
        )
    except (Unreadable, SendError):
        return None
    _keep_token(connection.owner_id, connection.backpack_id, token, sending, now)
    return token.access_token


def _upsert(
    credential: IssuedCredential, backpack: RemoteBackpack, access_token: str, sending: Sending
) -> Sent:
    """Store the credential there as the exact bytes Laurel signed."""
    status = oauth_client.upsert(
        backpack.api_base,
        access_token,
        credential.json_text.encode("utf-8"),
        adapter=sending.adapter,
    )
    return Sent(backpack_name=backpack.name, created=status == 201)


def begin(
    user: User, credential: IssuedCredential, address: str, sending: Sending, *, now: datetime
) -> Sent | Authorize:
    """Send at once with a kept token, or start the authorization (a pending send).

    :raises SendError: the address, the discovery document, the registration or the upsert failed.
    """
    description = describe(address, sending.fetcher)
    backpack = registered_backpack(description, sending, now=now)
    connection = _connection(user.id, backpack.id)
    if connection is not None:
        access_token = _usable_token(connection, sending, now)
        if access_token is not None:
            try:
                return _upsert(credential, backpack, access_token, sending)
            except oauth_client.TokenRejected:
                pass  # withdrawn at the backpack: ask the learner again
        db.session.delete(connection)
    _take_server_metadata(backpack, sending.fetcher)
    return _authorize(user, credential, backpack, sending, now)


def _take_server_metadata(backpack: RemoteBackpack, fetcher: Fetcher) -> None:
    """Read the authorization server's metadata again, or note that it publishes none.

    Read before each authorization (not before each send), so that the `iss` check of
    the answer and a later revocation use what the server says now.
    """
    for url in metadata_urls(backpack.authorization_url):
        try:
            metadata = read_metadata(fetch_json(fetcher, url), backpack.authorization_url)
        except FetchError:  # absent, unreachable or not JSON: try the other place
            continue
        if metadata is not None:
            backpack.issuer = metadata.issuer
            backpack.sends_iss = metadata.sends_iss
            backpack.revocation_url = metadata.revocation_url
            return
    backpack.issuer, backpack.sends_iss, backpack.revocation_url = None, False, None


def _authorize(
    user: User,
    credential: IssuedCredential,
    backpack: RemoteBackpack,
    sending: Sending,
    now: datetime,
) -> Authorize:
    db.session.execute(
        sa.delete(PendingSend).where(
            PendingSend.owner_id == user.id, PendingSend.created_at < now - PENDING_LIFETIME
        )
    )
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 asks for 43 to 128
    db.session.add(
        PendingSend(
            state_hash=_hash(state),
            owner_id=user.id,
            credential_id=credential.id,
            backpack_id=backpack.id,
            sealed_code_verifier=sending.sealer.seal(verifier),
            created_at=now,
        )
    )
    url = oauth_client.authorization_url(
        _session(backpack, sending), backpack.authorization_url, state=state, verifier=verifier
    )
    return Authorize(url=url, state=state)


@dataclass(frozen=True)
class Answer:
    """The query of the backpack's redirect back to Laurel."""

    state: str
    code: str
    error: str
    error_description: str
    # The issuer the answer names (RFC 9207), None when it names none.
    iss: str | None = None


@dataclass(frozen=True)
class Claimed:
    """What a spent pending send leaves to finish it with."""

    credential_id: str
    backpack_id: int
    sealed_code_verifier: str


def claim_pending(
    user: User, answer: Answer, session_state: str | None, *, now: datetime
) -> Claimed:
    """The pending send the answer belongs to, taken out so that it cannot be used twice.

    :raises SendError: no state, a state this browser did not start, used, or too old.
    """
    if not answer.state:
        raise SendError(
            gettext(
                "The backpack's answer carries no state, so Laurel cannot tell which send it is "
                "for."
            )
        )
    if not session_state or not secrets.compare_digest(session_state, answer.state):
        raise SendError(
            gettext(
                "This answer does not belong to a send started in this browser session; "
                "nothing was sent. Start again from the credential's page."
            )
        )
    pending = db.session.scalar(
        sa.select(PendingSend).where(PendingSend.state_hash == _hash(answer.state))
    )
    if pending is None or pending.owner_id != user.id:
        raise SendError(
            gettext(
                "This answer was already used, or belongs to no send of yours; nothing more was "
                "sent."
            )
        )
    claimed = Claimed(pending.credential_id, pending.backpack_id, pending.sealed_code_verifier)
    too_old = pending.created_at < now - PENDING_LIFETIME
    db.session.delete(pending)
    db.session.flush()
    if too_old:
        raise SendError(gettext("The backpack answered too late; start the send again."))
    return claimed


def _refusal(backpack_name: str, answer: Answer) -> SendError:
    """The backpack's error answer (RFC 6749 §4.1.2.1), its description quoted when it gave one."""
    description = answer.error_description[:300]
    if answer.error == "access_denied":
        if description:
            message = gettext(
                "%(backpack_name)s did not allow Laurel to store the credential "
                "(“%(description)s”). Nothing was sent.",
                backpack_name=backpack_name,
                description=description,
            )
        else:
            message = gettext(
                "%(backpack_name)s did not allow Laurel to store the credential. Nothing was sent.",
                backpack_name=backpack_name,
            )
        return SendError(message, status_code=403)
    if description:
        message = gettext(
            "%(backpack_name)s answered with an error: %(error)s (“%(description)s”).",
            backpack_name=backpack_name,
            error=answer.error[:100],
            description=description,
        )
    else:
        message = gettext(
            "%(backpack_name)s answered with an error: %(error)s.",
            backpack_name=backpack_name,
            error=answer.error[:100],
        )
    return SendError(message)


def finish(
    user: User, pending: Claimed, answer: Answer, sending: Sending, *, now: datetime
) -> Sent:
    """Exchange the code, keep the token, send the credential.

    :raises SendError: the learner refused, the backpack refused the code, or the upsert failed.
    """
    backpack = db.session.get(RemoteBackpack, pending.backpack_id)
    if backpack is None:
        raise SendError(gettext("Laurel no longer knows this backpack; start the send again."))
    check_issuer(
        answer.iss,
        issuer=backpack.issuer,
        sends_iss=backpack.sends_iss,
        authorization_url=backpack.authorization_url,
        name=backpack.name,
    )
    if answer.error:
        raise _refusal(backpack.name, answer)
    if not answer.code:
        raise SendError(
            gettext("The backpack's answer carries no authorization code; nothing was sent.")
        )
    try:
        verifier = sending.sealer.open(pending.sealed_code_verifier)
        session = _session(backpack, sending)
    except Unreadable:
        raise SendError(gettext("Laurel's keys changed during the send; start it again.")) from None
    token = oauth_client.exchange_code(
        session, backpack.token_url, code=answer.code, verifier=verifier, now=now
    )
    _keep_token(user.id, backpack.id, token, sending, now)
    credential = db.session.get(IssuedCredential, pending.credential_id)
    if credential is None:
        raise NotFound(gettext("There is no credential with that id."))
    if credential.state == CredentialState.REVOKED:
        raise SendError(gettext("This credential was revoked meanwhile, so it was not sent."), 409)
    return _upsert(credential, backpack, token.access_token, sending)
