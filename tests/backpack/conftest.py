"""A live Laurel on loopback, and an application that reaches it as any OAuth 2.0 client would.

The client side is requests-oauthlib, which shares no code with Authlib (the server):
what passes here is the protocol, not one library agreeing with itself.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

import pytest
import requests
from requests_oauthlib import OAuth2Session

from app.backpack.scopes import SCOPES
from tests.backpack.other_backpack import other_backpack  # noqa: F401  (a fixture)
from tests.backpack.other_backpack import other_backpack_origin  # noqa: F401  (a fixture)
from tests.fixtures.users import DEFAULT_PASSWORD

REDIRECT_URI = "http://127.0.0.1:9/callback"
ALL_SCOPES = list(SCOPES)


def registration(**changes) -> dict:
    """The registration request the Open Badges API asks for; `changes` replace fields."""
    metadata = {
        "client_name": "Portfolio Wallet",
        "client_uri": "https://wallet.example",
        "logo_uri": "https://wallet.example/logo.png",
        "tos_uri": "https://wallet.example/terms",
        "policy_uri": "https://wallet.example/privacy",
        "software_id": "portfolio-wallet",
        "software_version": "1.0",
        "redirect_uris": [REDIRECT_URI],
        "scope": " ".join(ALL_SCOPES),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
    }
    metadata.update(changes)
    return {key: value for key, value in metadata.items() if value is not None}


@dataclass
class Backpack:
    """The live server's base URL and what a client learns from its discovery document."""

    base: str
    authorize_url: str
    token_url: str
    registration_url: str

    @property
    def credentials_url(self) -> str:
        return f"{self.base}/ims/ob/v3p0/credentials"

    @property
    def profile_url(self) -> str:
        return f"{self.base}/ims/ob/v3p0/profile"

    def register(self, **changes) -> dict:
        response = requests.post(self.registration_url, json=registration(**changes), timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    def signed_in(self, user) -> requests.Session:
        """A browser session of `user`, signed in through the login form."""
        browser = requests.Session()
        response = browser.post(
            f"{self.base}/login",
            data={"email": user.email, "password": DEFAULT_PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]
        return browser

    def consent(self, user, url: str, decision: str = "allow") -> requests.Response:
        """`user` opens the consent page at `url` and answers; the answer (a redirect)."""
        browser = self.signed_in(user)
        page = browser.get(url, allow_redirects=False, timeout=30)
        assert page.status_code == 200, page.text[:800]
        return browser.post(url, data={"decision": decision}, allow_redirects=False, timeout=30)

    def session(self, client: dict, scope: list[str] | None = None) -> OAuth2Session:
        return OAuth2Session(
            client["client_id"],
            redirect_uri=REDIRECT_URI,
            scope=scope or ALL_SCOPES,
            pkce="S256",
            auto_refresh_url=None,
        )

    def connect(self, client: dict, user, scope: list[str] | None = None) -> OAuth2Session:
        """Register-authorize-exchange: an OAuth2Session holding `user`'s token."""
        oauth = self.session(client, scope)
        url, _state = oauth.authorization_url(self.authorize_url)
        answer = self.consent(user, url)
        assert answer.status_code == 302, answer.text[:500]
        oauth.fetch_token(
            self.token_url,
            authorization_response=answer.headers["Location"],
            client_secret=client["client_secret"],
            timeout=30,
        )
        return oauth


def authorization_request(backpack: Backpack, client: dict, **changes) -> str:
    """An authorization URL written out by hand, so that a test can make it wrong."""
    from urllib.parse import urlencode

    query = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(ALL_SCOPES),
        "state": "state-123",
        **changes,
    }
    return (
        f"{backpack.authorize_url}?{urlencode({k: v for k, v in query.items() if v is not None})}"
    )


def code_from(answer: requests.Response) -> str:
    from urllib.parse import parse_qs
    from urllib.parse import urlsplit

    assert answer.status_code == 302, answer.text[:500]
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    """(verifier, challenge) computed here, independently of both libraries."""
    verifier = secrets.token_urlsafe(48)
    if method == "plain":
        return verifier, verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def backpack(live_server, school, monkeypatch) -> Backpack:
    """Laurel served on loopback; its endpoints read from the discovery document."""
    # oauthlib refuses plain http unless told: the server is on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    document = requests.get(f"{live_server}/ims/ob/v3p0/discovery", timeout=30).json()
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    return Backpack(
        base=live_server,
        authorize_url=flow["authorizationUrl"],
        token_url=flow["tokenUrl"],
        registration_url=scheme["x-imssf-registrationUrl"],
    )
