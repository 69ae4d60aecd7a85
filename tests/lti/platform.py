"""An LMS played by the tests: its own RSA key, and its JWKS, token and NRPS endpoints served
on loopback by a small threaded HTTP server.

The id_tokens are real RS256 JWTs signed by the platform's key; the token endpoint checks
Laurel's client assertion against the tool JWKS Laurel publishes, as a real LMS would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from html import escape
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

from app.credentials.keys import jwk_from_public_key
from app.extensions import db
from app.lti.models import LtiPlatform
from app.lti.platforms import PlatformInput
from app.lti.platforms import add_platform
from app.models_base import utcnow
from tests.fixtures.app import TEST_PUBLIC_URL

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"
LEARNER = f"{MEMBERSHIP}#Learner"
TEACHING_ASSISTANT = f"{MEMBERSHIP}/Instructor#TeachingAssistant"
CLIENT_ID = "laurel-tool-1"
DEPLOYMENT_ID = "1:deploy-abc"
ACCESS_TOKEN = "platform-access-token"
LAUNCH_URL = f"{TEST_PUBLIC_URL}/lti/launch"


@dataclass
class Platform:
    """The LMS: its origin (also its issuer), key, and what its endpoints serve."""

    origin: str
    key: rsa.RSAPrivateKey
    kid: str = "platform-key-1"
    # Laurel's JWKS, as the LMS fetched it: the token endpoint checks assertions with it.
    tool_jwks: dict[str, Any] = field(default_factory=dict)
    # The NRPS pages; page N links to page N+1.
    roster_pages: list[list[dict[str, Any]]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    # How often Laurel read the JWKS, and the Cache-Control it is served with.
    jwks_reads: int = 0
    jwks_cache_control: str = ""
    # What the authorization endpoint signs for a browser sent there by Laurel (None: 404).
    browser_launch: dict[str, Any] | None = None
    # The forms a browser posted to the deep-linking return URL.
    deep_link_returns: list[dict[str, str]] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return self.origin

    @property
    def memberships_url(self) -> str:
        return f"{self.origin}/api/lti/courses/7/names_and_roles"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [jwk_from_public_key(self.key.public_key(), kid=self.kid)]}

    def id_token(
        self,
        nonce: str,
        *,
        roles: list[str],
        sub: str = "lms-user-1",
        email: str | None = "jordan@maplegrove.test",
        name: str = "Jordan Lee",
        message_type: str = "LtiResourceLinkRequest",
        custom: dict[str, str] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        **changes: Any,
    ) -> str:
        """A signed id_token; `changes` replace or add claims (None removes one)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": name,
            "email": email,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": LAUNCH_URL,
            LTI + "roles": roles,
            LTI + "context": {"id": "course-7", "label": "AUTO-101", "title": "Auto Shop 101"},
            NRPS: {"context_memberships_url": self.memberships_url, "service_versions": ["2.0"]},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-1", "title": "Laurel"}
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window"],
                "data": "opaque-platform-data",
            }
        if custom is not None:
            claims[LTI + "custom"] = custom
        for name_, value in changes.items():
            claim = name_.replace("__", "/")
            if value is None:
                claims.pop(claim, None)
            else:
                claims[claim] = value
        return jwt.encode(
            {k: v for k, v in claims.items() if v is not None},
            key or self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )

    # --- the endpoints -----------------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The token endpoint: a client_credentials grant with Laurel's signed assertion."""
        try:
            header = jwt.get_unverified_header(form["client_assertion"])
            key = next(k for k in self.tool_jwks["keys"] if k["kid"] == header["kid"])
            claims = jwt.decode(
                form["client_assertion"],
                jwt.PyJWK(key).key,
                algorithms=["RS256"],
                audience=f"{self.origin}/login/oauth2/token",
                issuer=CLIENT_ID,
                options={"require": ["exp", "iat", "jti", "sub"]},
            )
        except (KeyError, StopIteration, jwt.InvalidTokenError):
            return 401, {"error": "invalid_client"}
        if (
            form.get("grant_type") != "client_credentials"
            or claims["sub"] != CLIENT_ID
            or "contextmembership.readonly" not in form.get("scope", "")
        ):
            return 400, {"error": "invalid_request"}
        self.assertions.append(claims)
        return 200, {"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600}

    def authorization_page(self, query: dict[str, str]) -> str:
        """The LMS's answer to Laurel's authentication request: a form that posts the signed
        id_token and the state to Laurel's launch URL, sent by its button (no script)."""
        claims = dict(self.browser_launch or {})
        roles = claims.pop("roles", [INSTRUCTOR])
        token = self.id_token(query["nonce"], roles=roles, **claims)
        return (
            "<!doctype html><title>LMS</title>"
            f'<form method="post" action="{escape(query["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{escape(token)}">'
            f'<input type="hidden" name="state" value="{escape(query["state"])}">'
            "<button>Open Laurel</button></form>"
        )

    @property
    def deep_link_return_url(self) -> str:
        return f"{self.origin}/courses/7/deep_linking_response"

    def roster_page(self, number: int) -> tuple[dict[str, Any], str | None]:
        page = self.roster_pages[number]
        following = (
            f"{self.memberships_url}?page={number + 1}"
            if number + 1 < len(self.roster_pages)
            else None
        )
        body = {"id": self.memberships_url, "context": {"id": "course-7"}, "members": page}
        return body, following


def _handler(platform_of: dict[str, Platform]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _page(self, html: str) -> None:
            data = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            platform = platform_of["current"]
            parts = urlsplit(self.path)
            if parts.path == "/api/lti/authorize_redirect" and platform.browser_launch is not None:
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self._page(platform.authorization_page(query))
            elif parts.path == "/jwks":
                platform.jwks_reads += 1
                cache = platform.jwks_cache_control
                self._answer(200, platform.jwks(), {"Cache-Control": cache} if cache else None)
            elif parts.path == "/moved-jwks":
                self._answer(302, {}, {"Location": "/jwks"})
            elif parts.path == urlsplit(platform.memberships_url).path:
                if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}" or (
                    self.headers.get("Accept")
                    != "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
                ):
                    self._answer(401, {"error": "unauthorized"})
                    return
                number = int(parse_qs(parts.query).get("page", ["0"])[0])
                body, following = platform.roster_page(number)
                link = {"Link": f'<{following}>; rel="next"'} if following else {}
                self._answer(200, body, link)
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            platform = platform_of["current"]
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/login/oauth2/token":
                self._answer(*platform.token(form))
            elif self.path == urlsplit(platform.deep_link_return_url).path:
                platform.deep_link_returns.append(form)
                self._page("<!doctype html><title>LMS</title><h1>Content placed</h1>")
            else:
                self._answer(404, {"error": "not found"})

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def platform_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def platform_server() -> Iterator[tuple[str, dict[str, Platform]]]:
    platform_of: dict[str, Platform] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platform_of))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", platform_of
    server.shutdown()
    server.server_close()


@pytest.fixture
def platform(app_ctx, platform_server, platform_key) -> Platform:
    """The LMS, registered by an admin; Laurel may reach it on loopback (the test-only flag)."""
    origin, platform_of = platform_server
    app_ctx.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = True
    played = Platform(origin=origin, key=platform_key)
    platform_of["current"] = played
    add_platform(
        PlatformInput(
            name="District Canvas",
            issuer=played.issuer,
            client_id=CLIENT_ID,
            auth_login_url=f"{origin}/api/lti/authorize_redirect",
            auth_token_url=f"{origin}/login/oauth2/token",
            key_set_url=f"{origin}/jwks",
            deployment_ids=(DEPLOYMENT_ID,),
        ),
        now=utcnow(),
    )
    db.session.commit()
    return played


def allow_email_matching() -> None:
    """The admin lets the LMS match people to existing accounts by email (off by default)."""
    db.session.execute(sa.update(LtiPlatform).values(match_by_email=True))
    db.session.commit()


def login_request(client: FlaskClient, platform: Platform, **changes: str):
    """The LMS's login request (a POST, as Canvas sends it)."""
    data = {
        "iss": platform.issuer,
        "login_hint": "hint-123",
        "target_link_uri": LAUNCH_URL,
        "lti_message_hint": "message-hint-9",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
        **changes,
    }
    return client.post("/lti/login", data={k: v for k, v in data.items() if v})


def authentication_request(client: FlaskClient, platform: Platform) -> dict[str, str]:
    """The query of Laurel's authentication request to the LMS (state, nonce, …)."""
    started = login_request(client, platform)
    assert started.status_code == 302, started.get_data(as_text=True)[:800]
    location = started.headers["Location"]
    assert location.startswith(f"{platform.origin}/api/lti/authorize_redirect?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def launch(client: FlaskClient, platform: Platform, **claims: Any):
    """A whole launch: login request, then the id_token the LMS signs for Laurel's nonce."""
    query = authentication_request(client, platform)
    roles = claims.pop("roles", [INSTRUCTOR])
    token = platform.id_token(query["nonce"], roles=roles, **claims)
    return client.post("/lti/launch", data={"id_token": token, "state": query["state"]})


def signed_in_id(client: FlaskClient) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")
