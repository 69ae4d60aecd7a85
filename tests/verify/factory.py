"""Realistic signed credentials, status lists and in-memory fetchers for the verify tests.

Everything is made with the real engine (document, signing, status, did); the
fetcher is the pipeline's designed injection point, serving documents from a dict.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from pypdf import PdfWriter

from app.credentials.did import build_did_document
from app.credentials.did import build_jwks
from app.credentials.keys import KeyStore
from app.credentials.keys import multikey_from_public_key
from app.credentials.proofs.eddsa_rdfc_2022 import add_proof
from app.credentials.signing import SignedCredential
from app.credentials.signing import sign_credential
from app.credentials.signing import sign_document
from app.credentials.status import StatusList
from app.credentials.status import build_status_list_credential
from app.verify.core.fetching import FetchError
from app.verify.core.resolvers import ChainResolver
from app.verify.core.resolvers import OwnKeyResolver
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import NOW
from tests.credentials.samples import sample_credential

REVOCATION_URL = "https://laurel.test/status/revocation/1"
DID_DOCUMENT_URL = "https://laurel.test/.well-known/did.json"
JWKS_URL = "https://laurel.test/.well-known/jwks.json"


def status_index(number: int = 0) -> int:
    """The revocation index `sample_credential(number)` carries."""
    return 1000 + number


def issue(
    keystore: KeyStore, number: int = 0, *, now: datetime = NOW, **overrides: Any
) -> SignedCredential:
    """A full OpenBadgeCredential signed with both proofs (DI and VC-JWT)."""
    return sign_credential(sample_credential(number, **overrides), keystore=keystore, now=now)


def status_list(
    keystore: KeyStore,
    *,
    url: str = REVOCATION_URL,
    purpose: str = "revocation",
    set_indexes: tuple[int, ...] = (),
    issuer_id: str = ISSUER_ID,
) -> dict[str, Any]:
    """A signed BitstringStatusListCredential with the given bits set."""
    bits = StatusList.new()
    for index in set_indexes:
        bits.set(index, True)
    unsigned = build_status_list_credential(
        list_url=url,
        issuer_id=issuer_id,
        purpose=purpose,
        status_list=bits,
        valid_from="2026-11-01T00:00:00Z",
    )
    return sign_document(unsigned, keystore=keystore, now=NOW)


class MemoryFetcher:
    """A fetcher serving documents from memory; unknown URLs fail as the network would."""

    def __init__(self, documents: dict[str, Any] | None = None) -> None:
        self.documents = dict(documents or {})
        self.requested: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requested.append(url)
        if url not in self.documents:
            raise FetchError(f"{url} could not be reached.")
        document = self.documents[url]
        if isinstance(document, bytes):
            return document
        if isinstance(document, str):
            return document.encode("utf-8")
        return json.dumps(document).encode("utf-8")


def school_documents(keystore: KeyStore, *, revoked: tuple[int, ...] = ()) -> dict[str, Any]:
    """What the school's site serves: DID document, JWKS and a revocation list."""
    records = keystore.records()
    return {
        DID_DOCUMENT_URL: build_did_document(ISSUER_ID, records),
        JWKS_URL: build_jwks(ISSUER_ID, [r for r in records if r.kind == "rsa"]),
        REVOCATION_URL: status_list(keystore, set_indexes=revoked),
    }


def own_resolver(keystore: KeyStore) -> ChainResolver:
    """The web page's resolver: this school's key store first, no network for keys."""
    return build_resolver(fetcher=None, own=OwnKeyResolver(keystore, ISSUER_ID))


def plain_png() -> bytes:
    """A small real PNG with no credential in it."""
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PLAIN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<circle cx="5" cy="5" r="4" fill="gold"/></svg>'
)


def itxt_chunk(text: str, keyword: bytes = b"openbadgecredential") -> bytes:
    """An uncompressed PNG iTXt chunk, CRC included."""
    data = keyword + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    return (
        struct.pack(">I", len(data))
        + b"iTXt"
        + data
        + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    )


def png_with_two_credentials(text: str) -> bytes:
    """A PNG carrying two credential chunks, which OB forbids."""
    png = plain_png()
    after_header = 8 + 25  # signature + IHDR chunk
    return png[:after_header] + itxt_chunk(text) + itxt_chunk(text) + png[after_header:]


def pdf_with(attachments: dict[str, bytes], *, compressed: set[str] = frozenset()) -> bytes:
    """A one-page PDF with the given attachments; names in `compressed` are Flate-encoded."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    for attachment in writer.attachment_list:
        if attachment.name in compressed:
            reference = attachment.pdf_object["/EF"].raw_get("/F")
            # pypdf has no public call to compress an attachment; a certificate writer
            # (or an attacker) may well store it Flate-encoded, so the test swaps one in.
            writer._objects[reference.idnum - 1] = reference.get_object().flate_encode()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def resign_as(
    document: dict[str, Any], issuer_id: str, private_key: Any, verification_method: str
) -> dict[str, Any]:
    """A forger's copy: proof and status dropped, issuer.id replaced, signed with their key.

    issuer.name is kept, so the copy still calls itself by the real school's name.
    """
    forged = {k: v for k, v in document.items() if k not in ("proof", "credentialStatus")}
    forged["issuer"] = {**document["issuer"], "id": issuer_id}
    return add_proof(
        forged,
        private_key=private_key,
        verification_method=verification_method,
        created="2026-11-23T10:00:00Z",
    )


def did_key_forgery(document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`document` re-signed by a fresh did:key of the forger's own: (forged copy, its DID)."""
    private_key = Ed25519PrivateKey.generate()
    multikey = multikey_from_public_key(private_key.public_key())
    did = f"did:key:{multikey}"
    return resign_as(document, did, private_key, f"{did}#{multikey}"), did
