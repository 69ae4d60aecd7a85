"""A school's OpenID Provider on loopback (tests/interop/js/school-idp.mjs, oidc-provider),
Laurel registered with it, and a browser that follows its pages back to Laurel.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest
import requests
from flask.testing import FlaskClient

from app.extensions import db
from app.models_base import utcnow
from app.sso import services
from tests.backpack.other_backpack import laurel_path
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.node import INTEROP_DIR
from tests.fixtures.node import node_server
from tests.fixtures.node import require_node

KEY = "school"
DOMAIN = "maplegrove.test"
MAX_HOPS = 10


@dataclass
class SchoolIdp:
    """The provider's origin, the client Laurel registered there, and its test switches."""

    origin: str
    client_id: str
    client_secret: str

    def next_account(self, **claims) -> None:
        """Who signs in next: sub, email, email_verified, name."""
        self.control(account=claims)

    def spoil_next_id_token(self, how: str) -> None:
        """Test-only: the next ID token has its nonce, aud or exp changed (re-signed)."""
        self.control(tamper=how)

    def control(self, **settings) -> None:
        requests.post(f"{self.origin}/control", json=settings, timeout=30).raise_for_status()

    def answer(self, authorization_url: str) -> str:
        """A browser opens the authorization URL and follows the provider's pages (it signs in
        the next account and consents); the URL it is sent back to at Laurel."""
        browser = requests.Session()
        url = authorization_url
        for _ in range(MAX_HOPS):
            response = browser.get(url, allow_redirects=False, timeout=30)
            assert response.is_redirect, (response.status_code, response.text[:500])
            url = urljoin(url, response.headers["Location"])
            if url.startswith(TEST_PUBLIC_URL):
                return url
        raise AssertionError(f"the provider never sent the browser back: {url}")


@pytest.fixture(scope="module")
def school_idp_origin() -> Iterator[str]:
    executable = require_node(shutil.which("node"), INTEROP_DIR, os.environ)
    with node_server(executable, "school-idp") as origin:
        yield origin


def register_laurel(origin: str, key: str = KEY) -> tuple[str, str]:
    """Laurel's client at the provider (RFC 7591): its redirect URI on the test public URL."""
    response = requests.post(
        f"{origin}/reg",
        json={"redirect_uris": [f"{TEST_PUBLIC_URL}/sso/{key}/callback"]},
        timeout=30,
    )
    response.raise_for_status()
    client = response.json()
    return client["client_id"], client["client_secret"]


@pytest.fixture
def school_idp(app_ctx, school_idp_origin, monkeypatch) -> SchoolIdp:
    """The provider, added on the admin's page as `school` for maplegrove.test (no new
    accounts); Laurel may reach it on loopback over plain HTTP (the test-only flag)."""
    app_ctx.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = True
    # Authlib's client refuses plain http unless told: the provider is on loopback.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    client_id, client_secret = register_laurel(school_idp_origin)
    idp = SchoolIdp(school_idp_origin, client_id, client_secret)
    services.add_provider(
        key=KEY,
        name="Maple Grove Accounts",
        issuer=school_idp_origin,
        client_id=client_id,
        client_secret=client_secret,
        allowed_domains=[DOMAIN],
        create_students=False,
        now=utcnow(),
    )
    db.session.commit()
    idp.control(tamper=None)
    return idp


def sign_in_through(client: FlaskClient, idp: SchoolIdp, key: str = KEY):
    """Start at Laurel, let the provider's pages answer, hand the answer to Laurel."""
    started = client.get(f"/sso/{key}/start")
    assert started.status_code == 302, started.get_data(as_text=True)[:800]
    assert started.headers["Location"].startswith(idp.origin)
    return client.get(laurel_path(idp.answer(started.headers["Location"])))


def signed_in_id(client: FlaskClient) -> str | None:
    """The Flask-Login id in the client's session: None when nobody is signed in."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def environment_provider(idp: SchoolIdp, **changes) -> str:
    """LAUREL_OIDC_PROVIDERS naming the provider (registered again under another key)."""
    key = changes.pop("key", "district")
    client_id, client_secret = register_laurel(idp.origin, key)
    entry = {
        "key": key,
        "name": "District Accounts",
        "issuer": idp.origin,
        "client_id": client_id,
        "client_secret": client_secret,
        "allowed_domains": [DOMAIN],
        **changes,
    }
    return json.dumps([entry])
