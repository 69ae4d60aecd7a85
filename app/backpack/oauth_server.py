"""The OAuth 2.0 authorization server and resource protector, built with Authlib.

Authlib does the protocol: client registration (RFC 7591), the authorization code
grant, PKCE (RFC 7636), refresh (RFC 6749 §6), revocation (RFC 7009) and bearer
tokens (RFC 6750). Laurel supplies storage (app/backpack/models.py) and its rules:
only S256 PKCE challenges, the four Open Badges scopes, client authentication by
HTTP Basic only (as the Open Badges API profiles it), and the registration fields
the specification requires.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.integrations.sqla_oauth2 import create_bearer_token_validator
from authlib.integrations.sqla_oauth2 import create_query_client_func
from authlib.integrations.sqla_oauth2 import create_revocation_endpoint
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7591 import ClientMetadataClaims
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591 import InvalidClientMetadataError
from authlib.oauth2.rfc7636 import CodeChallenge

from app.accounts.models import User
from app.backpack.models import OAuthAuthorizationCode
from app.backpack.models import OAuthClient
from app.backpack.models import OAuthToken
from app.backpack.models import hash_client_secret
from app.backpack.models import hash_token
from app.backpack.scopes import API_SCOPES
from app.backpack.scopes import SCOPES
from app.extensions import db

# The Open Badges API asks for these in every registration request.
REQUIRED_REGISTRATION_FIELDS = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "redirect_uris",
    "scope",
)
AUTH_METHODS = ["client_secret_basic"]
ACCESS_TOKEN_SECONDS = 3600
# An authorization code is single-use and lives ten minutes (RFC 6749 §4.1.2).
CODE_SECONDS = 600
# Loopback redirect URIs may use http (RFC 8252 §7.3: native apps and tests).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class S256CodeChallenge(CodeChallenge):
    """PKCE is mandatory, and only with S256: a missing or `plain` challenge is refused."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, request: Any) -> OAuthAuthorizationCode:
        data = request.payload.data
        item = OAuthAuthorizationCode(
            code=hash_token(code),
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.payload.scope,
            user_id=request.user.id,
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )
        db.session.add(item)
        db.session.commit()
        return item

    def query_authorization_code(self, code: str, client: OAuthClient) -> Any:
        item = db.session.scalar(
            db.select(OAuthAuthorizationCode).filter_by(
                code=hash_token(code), client_id=client.client_id
            )
        )
        if item is None or item.auth_time + CODE_SECONDS <= time.time():
            return None
        if item.used_at is not None:
            _revoke_tokens_since(item)
            return None
        return item

    def delete_authorization_code(self, authorization_code: OAuthAuthorizationCode) -> None:
        """Mark the code used (kept to recognise a replay); expired codes are deleted here."""
        now = int(time.time())
        authorization_code.used_at = now
        db.session.execute(
            sa.delete(OAuthAuthorizationCode).where(
                OAuthAuthorizationCode.auth_time < now - CODE_SECONDS
            )
        )
        db.session.commit()

    def authenticate_user(self, authorization_code: OAuthAuthorizationCode) -> User | None:
        return db.session.get(User, authorization_code.user_id)


def _revoke_tokens_since(code: OAuthAuthorizationCode) -> None:
    """A replayed code: revoke what the client holds for that student since the code was made.

    Tokens do not record the code they came from, so every token of that client for that
    student issued since the code's consent goes: the safe side of RFC 6749 §4.1.2.
    """
    now = int(time.time())
    db.session.execute(
        sa.update(OAuthToken)
        .where(
            OAuthToken.client_id == code.client_id,
            OAuthToken.user_id == code.user_id,
            OAuthToken.issued_at >= code.auth_time,
        )
        .values(access_token_revoked_at=now, refresh_token_revoked_at=now)
    )
    db.session.commit()


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """A refresh gives a new access token and a new refresh token; the old pair is revoked."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> OAuthToken | None:
        item = db.session.scalar(
            db.select(OAuthToken).filter_by(refresh_token=hash_token(refresh_token))
        )
        if item is not None and item.is_refresh_token_valid():
            return item
        return None

    def authenticate_user(self, refresh_token: OAuthToken) -> User | None:
        return db.session.get(User, refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: OAuthToken) -> None:
        now = int(time.time())
        refresh_token.access_token_revoked_at = now
        refresh_token.refresh_token_revoked_at = now
        db.session.add(refresh_token)
        db.session.commit()


class OpenBadgesClientClaims(ClientMetadataClaims):
    """RFC 7591 metadata with the Open Badges API's rules on top."""

    def validate(self, now: Any = None, leeway: int = 0) -> None:
        missing = [name for name in REQUIRED_REGISTRATION_FIELDS if not self.get(name)]
        if missing:
            raise InvalidClientMetadataError(f"Missing required metadata: {', '.join(missing)}.")
        super().validate(now, leeway)
        redirect_uris = self.get("redirect_uris")
        if not isinstance(redirect_uris, list) or not all(
            isinstance(uri, str) for uri in redirect_uris
        ):
            raise InvalidClientMetadataError("redirect_uris must be an array of URLs.")
        for uri in redirect_uris:
            parts = urlsplit(uri)
            loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
            if not (parts.scheme == "https" or loopback) or not parts.netloc or parts.fragment:
                raise InvalidClientMetadataError(
                    "Every redirect URI must be an https URL without a fragment "
                    "(http only on the loopback address)."
                )
        scopes = str(self.get("scope")).split()
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown:
            raise InvalidClientMetadataError(f"Unknown scope: {' '.join(unknown)}.")


class RegistrationEndpoint(ClientRegistrationEndpoint):
    """Open registration: the Open Badges API uses no initial access token."""

    def authenticate_token(self, request: Any) -> bool:
        return True

    def get_server_metadata(self) -> dict[str, Any]:
        return {
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
        }

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> OAuthClient:
        # The registrant's answer is built from `client_info` before this: only the hash is kept.
        client = OAuthClient(
            **{**client_info, "client_secret": hash_client_secret(client_info["client_secret"])}
        )
        client.set_client_metadata(
            {
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
                **client_metadata,
            }
        )
        db.session.add(client)
        db.session.commit()
        return client


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """An API client's own token (VC-API): body or Basic authentication, no refresh token."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class _SessionProxy:
    """Authlib's SQLAlchemy helpers keep the session they are given: hand them the current one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(db.session, name)


_SESSION = _SessionProxy()


def _save_token(token: dict[str, Any], request: Any) -> None:
    """Store the tokens' hashes (Authlib answers the client with `token`, left untouched)."""
    user_id = request.user.id if request.user is not None else None
    stored = {**token, "access_token": hash_token(token["access_token"])}
    if token.get("refresh_token"):
        stored["refresh_token"] = hash_token(token["refresh_token"])
    db.session.add(OAuthToken(client_id=request.client.client_id, user_id=user_id, **stored))
    db.session.commit()


class HashedTokenValidator(create_bearer_token_validator(_SESSION, OAuthToken)):  # type: ignore[misc]
    """Authlib's bearer validator, finding the token by its hash."""

    def authenticate_token(self, token_string: str) -> OAuthToken | None:
        found: OAuthToken | None = super().authenticate_token(hash_token(token_string))
        return found


class HashedTokenRevocation(create_revocation_endpoint(_SESSION, OAuthToken)):  # type: ignore[misc]
    """Authlib's RFC 7009 endpoint, finding the token by its hash."""

    def query_token(self, token_string: str, token_type_hint: str | None) -> OAuthToken | None:
        found: OAuthToken | None = super().query_token(hash_token(token_string), token_type_hint)
        return found


authorization = AuthorizationServer(
    query_client=create_query_client_func(_SESSION, OAuthClient), save_token=_save_token
)
require_oauth = ResourceProtector()


def init_oauth(app: Any) -> None:
    """Bind the authorization server to `app` and register the grants and endpoints."""
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": ACCESS_TOKEN_SECONDS})
    authorization.init_app(app)
    authorization.scopes_supported = [*SCOPES, *API_SCOPES]
    if not authorization._endpoints:
        authorization.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        authorization.register_grant(ClientCredentialsGrant)
        authorization.register_grant(RefreshTokenGrant)
        authorization.register_endpoint(HashedTokenRevocation)
        authorization.register_endpoint(
            RegistrationEndpoint(claims_classes=[OpenBadgesClientClaims])
        )
        require_oauth.register_token_validator(HashedTokenValidator())
