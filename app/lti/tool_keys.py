"""Laurel's RSA key as an LTI tool: made on first use, sealed in the database, published.

Platforms read the public half at /lti/jwks (or from the configuration JSON) to check the
deep-linking responses and client assertions Laurel signs. The private half is sealed
under SECRET_KEY (app/sealing.py); a new SECRET_KEY makes it unreadable, and the next
signature then makes a new key, published beside the old one, so platforms that fetch
the key set follow without an admin's help.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app

from app.credentials.keys import jwk_from_public_key
from app.credentials.keys import jwk_thumbprint
from app.extensions import db
from app.lti.messages import ALGORITHM
from app.lti.models import LtiToolKey
from app.sealing import Sealer
from app.sealing import Unreadable

SEALING_PURPOSE = b"laurel lti tool key v1"
KEY_SIZE = 2048


def _sealer() -> Sealer:
    return Sealer(current_app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)


def _new_key(now: datetime) -> tuple[str, rsa.RSAPrivateKey]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    kid = jwk_thumbprint(private.public_key())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    db.session.add(
        LtiToolKey(
            kid=kid,
            public_jwk=json.dumps(jwk_from_public_key(private.public_key(), kid=kid)),
            sealed_private_key=_sealer().seal(pem),
            created_at=now,
        )
    )
    db.session.flush()
    return kid, private


def signing_key(*, now: datetime) -> tuple[str, rsa.RSAPrivateKey]:
    """(kid, private key) of the newest key this SECRET_KEY opens; a new one if there is none."""
    rows = db.session.scalars(sa.select(LtiToolKey).order_by(LtiToolKey.created_at.desc()))
    for row in rows:
        try:
            pem = _sealer().open(row.sealed_private_key)
        except Unreadable:
            continue
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            return row.kid, key
    return _new_key(now)


def sign(claims: dict[str, Any], *, now: datetime) -> str:
    """`claims` as a compact JWT signed RS256 by the tool's key (`kid` in its header)."""
    kid, key = signing_key(now=now)
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def jwks(*, now: datetime) -> dict[str, Any]:
    """The tool's JWKS: every key it ever had (a key is made first if there is none)."""
    signing_key(now=now)
    rows = db.session.scalars(sa.select(LtiToolKey).order_by(LtiToolKey.created_at))
    return {"keys": [json.loads(row.public_jwk) for row in rows]}
