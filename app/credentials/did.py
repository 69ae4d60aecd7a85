"""Laurel's issuer identity: did:web from the public URL, its DID document and JWKS; did:key.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
The DID document lists every Ed25519 key ever used as a W3C Multikey under
`assertionMethod` with absolute ids (did:web resolvers reject relative ones)
and stays small (one resolver refuses documents over 8 KB). The JWKS lists
every RSA key that signs VC-JWTs; retired keys stay listed forever. So that a
VC-JWT's `kid` (did:web:…#rsa-N) resolves in the DID document alone, as a
generic verifier resolves it, the RSA keys are listed there too as
`JsonWebKey`s, newest first, as many as fit in the 8 KB: a recent JWT's key is
always there, and an old one's stays in the JWKS, which Laurel also reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import InputError
from .errors import KeyResolutionError
from .keys import KeyRecord
from .keys import jwk_from_public_key
from .keys import multikey_from_public_key
from .keys import public_key_from_multikey

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
# Digital Bazaar's did:web resolver refuses a larger document.
MAX_DID_DOCUMENT_BYTES = 8 * 1024
# did:web method-specific id: a host name, an optional %3A-encoded port, then ':' path segments.
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?:%3[Aa][0-9]{1,5})?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=@%-]+$")


def did_web_from_url(url: str) -> str:
    """The did:web of a public URL.

    https://school.example:8443/a/b -> did:web:school.example%3A8443:a:b

    :raises InputError: not an http(s) URL with a host, or one with a query or fragment.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        port, parts = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r} is not an http(s) URL, so it cannot name a did:web issuer.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError(f"The public URL {url!r} must not have a query, fragment or user name.")
    host = parts.hostname.lower()
    if port is not None:
        host += f"%3A{port}"
    segments = [quote(unquote(s), safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments])


def did_web_document_url(did: str, *, scheme: str = "https") -> str:
    """Where a did:web's DID document lives (did:web spec §"Read (Resolve)").

    did:web:host -> https://host/.well-known/did.json;
    did:web:host:a:b -> https://host/a/b/did.json.
    A fragment (a DID URL naming a key) is ignored.

    :raises KeyResolutionError: not a well-formed did:web.
    """
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise KeyResolutionError(f"{did!r} is not a did:web identifier.")
    host, *segments = did.split("#", 1)[0][len("did:web:") :].split(":")
    if not _HOST.match(host) or not all(_SEGMENT.match(s) for s in segments):
        raise KeyResolutionError(f"The did:web {did!r} is not well formed.")
    decoded = [unquote(s) for s in segments]
    if any(s in (".", "..") or "/" in s for s in decoded):
        raise KeyResolutionError(f"The did:web {did!r} has a path segment that is not allowed.")
    path = "/".join(quote(s, safe="") for s in decoded) if decoded else ".well-known"
    return f"{scheme}://{unquote(host)}/{path}/did.json"


def build_did_document(issuer_id: str, records: Iterable[KeyRecord]) -> dict[str, Any]:
    """The issuer's DID document: every Ed25519 key as a Multikey, then RSA keys as JsonWebKeys.

    Every Ed25519 key is listed (Data Integrity proofs name them); RSA keys are
    added newest first while the served document stays within MAX_DID_DOCUMENT_BYTES.
    """
    records = list(records)
    methods: list[dict[str, Any]] = [
        {
            "id": f"{issuer_id}#{record.fragment}",
            "type": "Multikey",
            "controller": issuer_id,
            "publicKeyMultibase": multikey_from_public_key(record.public_key),
        }
        for record in records
        if record.kind == "ed25519" and isinstance(record.public_key, Ed25519PublicKey)
    ]
    document = _did_document(issuer_id, methods)
    rsa_records = [record for record in records if record.kind == "rsa"]
    for record in sorted(rsa_records, key=lambda r: r.number, reverse=True):
        method_id = f"{issuer_id}#{record.fragment}"
        jwk = jwk_from_public_key(record.public_key, kid=method_id)
        method = {
            "id": method_id,
            "type": "JsonWebKey",
            "controller": issuer_id,
            "publicKeyJwk": jwk,
        }
        candidate = _did_document(issuer_id, [*methods, method])
        if len(did_document_json(candidate).encode("utf-8")) > MAX_DID_DOCUMENT_BYTES:
            break
        methods.append(method)
        document = candidate
    return document


def _did_document(issuer_id: str, methods: list[dict[str, Any]]) -> dict[str, Any]:
    with_jwk = any(method["type"] == "JsonWebKey" for method in methods)
    return {
        "@context": [*DID_CONTEXTS, JWK_CONTEXT] if with_jwk else list(DID_CONTEXTS),
        "id": issuer_id,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def did_document_json(document: dict[str, Any]) -> str:
    """A DID document as it is published: compact JSON, without indentation.

    The document grows by one key per rotation and one resolver refuses more than
    8 KB; indented, 30 keys of a 35-character DID pass that, compact they do not.
    """
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def build_jwks(issuer_id: str, rsa_records: Iterable[KeyRecord]) -> dict[str, Any]:
    """The issuer's JWK Set: every RSA key, kid f"{issuer_id}#rsa-N", alg RS256, use sig."""
    return {
        "keys": [
            jwk_from_public_key(record.public_key, kid=f"{issuer_id}#{record.fragment}")
            for record in rsa_records
            if record.kind == "rsa"
        ]
    }


def public_key_from_did_key(did_url: str) -> Ed25519PublicKey:
    """The Ed25519 key inside a did:key (did:key:z6Mk… or did:key:z6Mk…#z6Mk…).

    :raises KeyResolutionError: not a did:key, a fragment naming another key, or not Ed25519.
    """
    if not isinstance(did_url, str) or not did_url.startswith("did:key:"):
        raise KeyResolutionError(f"{did_url!r} is not a did:key identifier.")
    identifier, _, fragment = did_url[len("did:key:") :].partition("#")
    if fragment and fragment != identifier:
        raise KeyResolutionError(
            f"The did:key fragment {fragment!r} does not name the key of {identifier!r}."
        )
    if not identifier.startswith("z6Mk"):
        raise KeyResolutionError(
            "The did:key does not hold an Ed25519 key; "
            "Laurel verifies Ed25519 did:key signatures only."
        )
    return public_key_from_multikey(identifier)


def did_key_from_public_key(public_key: Ed25519PublicKey) -> str:
    """The did:key of an Ed25519 public key (did:key:z6Mk…)."""
    return "did:key:" + multikey_from_public_key(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """The verification method of a did:key (did:key:z6Mk…#z6Mk…), as its resolvers name it."""
    multikey = multikey_from_public_key(public_key)
    return f"did:key:{multikey}#{multikey}"
