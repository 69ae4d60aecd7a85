"""Another school's backpack on loopback (tests/interop/js/other-backpack.mjs, oidc-provider),
and a browser that follows its pages back to Laurel.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import requests
from flask.testing import FlaskClient

from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.node import INTEROP_DIR
from tests.fixtures.node import node_server
from tests.fixtures.node import require_node

MAX_HOPS = 10


@dataclass
class OtherBackpack:
    """The backpack's origin, and what it received."""

    origin: str

    @property
    def discovery_url(self) -> str:
        return f"{self.origin}/ims/ob/v3p0/discovery"

    def received(self) -> dict:
        return requests.get(f"{self.origin}/received", timeout=30).json()

    def control(self, **settings) -> None:
        requests.post(f"{self.origin}/control", json=settings, timeout=30).raise_for_status()

    def answer(self, authorization_url: str) -> str:
        """A browser opens the authorization URL and follows the backpack's pages (it signs the
        learner in and grants the request); the URL it is sent back to at Laurel."""
        browser = requests.Session()
        url = authorization_url
        for _ in range(MAX_HOPS):
            response = browser.get(url, allow_redirects=False, timeout=30)
            assert response.is_redirect, (response.status_code, response.text[:500])
            url = urljoin(url, response.headers["Location"])
            if url.startswith(TEST_PUBLIC_URL):
                return url
        raise AssertionError(f"the backpack never sent the browser back: {url}")


def laurel_path(url: str) -> str:
    """The path and query of a URL at Laurel, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture(scope="module")
def other_backpack_origin() -> Iterator[str]:
    executable = require_node(shutil.which("node"), INTEROP_DIR, os.environ)
    with node_server(executable, "other-backpack") as origin:
        yield origin


@pytest.fixture
def other_backpack(app, other_backpack_origin) -> OtherBackpack:
    """The backpack, forgetting what earlier tests sent; Laurel may reach it on loopback over
    plain HTTP (the test-only flag)."""
    app.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = True
    backpack = OtherBackpack(other_backpack_origin)
    backpack.control(
        denyConsent=False,
        refuseRegistration=False,
        upsertStatus=None,
        refuseRevocation=False,
        hideMetadata=False,
        reset=True,
    )
    return backpack


def start_send(client: FlaskClient, credential_id: str, address: str):
    return client.post(f"/credentials/{credential_id}/send", data={"address": address})
