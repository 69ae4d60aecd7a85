"""A live Laurel on loopback and VC-API clients that take tokens as any OAuth 2.0 client would.

Tokens come from requests-oauthlib's BackendApplicationClient (the client credentials
grant), which shares no code with Authlib, the server.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from app.vcapi.clients import create_api_client


@dataclass
class VcApi:
    base: str

    @property
    def token_url(self) -> str:
        return f"{self.base}/oauth/token"

    def client(
        self, scopes: str = "vc:issue vc:status", name: str = "Records office"
    ) -> tuple[str, str]:
        """A new API client: (client_id, client_secret)."""
        created = create_api_client(name, scopes)
        return created.client.client_id, created.client_secret

    def token(self, client_id: str, secret: str, scope: list[str] | None = None) -> str:
        """An access token by the client credentials grant (credentials in the body)."""
        oauth = OAuth2Session(client=BackendApplicationClient(client_id=client_id, scope=scope))
        token = oauth.fetch_token(
            self.token_url,
            client_id=client_id,
            client_secret=secret,
            include_client_id=True,
            timeout=30,
        )
        return str(token["access_token"])

    def session(self, scopes: str = "vc:issue vc:status") -> requests.Session:
        """A requests session carrying a fresh client's bearer token."""
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(*self.client(scopes))}"
        return session

    def post(
        self, path: str, body: object, session: requests.Session | None = None
    ) -> requests.Response:
        return (session or requests).post(f"{self.base}{path}", json=body, timeout=60)


@pytest.fixture
def vcapi(live_server, school, monkeypatch) -> VcApi:
    # oauthlib refuses plain http unless told: the server is on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return VcApi(live_server)
