"""A learner's wallet offers, made through the credential's page, and holder keys for proofs."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.did import did_key_verification_method
from app.wallets.proof_jwt import PROOF_TYPE


@dataclass(frozen=True)
class MadeOffer:
    """What the offer page showed the learner."""

    status: int
    page: str
    link: str | None
    pin: str | None

    @property
    def offer_id(self) -> str:
        assert self.link is not None
        return re.search(r"(?:offers|exchanges)(?:/|%2F)([0-9a-f-]{36})", self.link)[1]


def offer_form(protocol: str = "openid4vci", *, pin: bool = True) -> dict[str, str]:
    """The credential page's wallet form, as a browser posts it."""
    return {"protocol": protocol, **({"with_pin": "y"} if pin else {})}


def read_offer_page(status: int, page: str) -> MadeOffer:
    link = re.search(r'href="([^"]+)" id="wallet-link"', page)
    shown_pin = re.search(r'id="wallet-pin" class="pin">(\d+)<', page)
    return MadeOffer(
        status, page, html.unescape(link[1]) if link else None, shown_pin[1] if shown_pin else None
    )


def make_offer(client, credential, *, protocol: str = "openid4vci", pin: bool = True) -> MadeOffer:
    """POST the credential page's wallet form with the Flask test client."""
    response = client.post(
        f"/credentials/{credential.id}/wallet", data=offer_form(protocol, pin=pin)
    )
    return read_offer_page(response.status_code, response.get_data(as_text=True))


def live_offer_page(base_url: str, student, credential, protocol: str) -> MadeOffer:
    """Sign in on the live server and make an offer, as the learner's browser would."""
    import requests

    from tests.fixtures.users import DEFAULT_PASSWORD

    session = requests.Session()
    session.post(
        f"{base_url}/login",
        data={"email": student.email, "password": DEFAULT_PASSWORD},
        timeout=30,
    )
    response = session.post(
        f"{base_url}/credentials/{credential.id}/wallet", data=offer_form(protocol), timeout=30
    )
    return read_offer_page(response.status_code, response.text)


@dataclass(frozen=True)
class Holder:
    """A wallet's Ed25519 key; `proof()` signs an OpenID4VCI proof JWT with its did:key."""

    key: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        return did_key_verification_method(self.key.public_key())

    def proof(
        self,
        *,
        nonce: str | None,
        audience: str,
        issued_at: float | None = None,
        headers: dict | None = None,
    ) -> str:
        payload = {"aud": audience, "iat": int(issued_at or time.time())}
        if nonce is not None:
            payload["nonce"] = nonce
        header = {"typ": PROOF_TYPE, "kid": self.kid, **(headers or {})}
        if header.get("alg") == "HS256":  # a symmetric "proof", keyed by a shared secret
            return jwt.encode(payload, "a shared secret of 32 bytes long!", "HS256", header)
        return jwt.encode(payload, self.key, algorithm="EdDSA", headers=header)


@pytest.fixture
def holder() -> Holder:
    return Holder(Ed25519PrivateKey.generate())
