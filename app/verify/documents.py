"""This school's public documents, read from the key store and the database.

The same bytes the public routes serve: used to attach them to PDFs and to let
the verifier read Laurel's own documents without a network round trip to itself.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.badges.models import StatusList
from app.badges.models import StatusPurpose
from app.credentials.did import build_did_document
from app.credentials.did import build_jwks
from app.credentials.did import did_document_json
from app.credentials.endorsement import endorser_did
from app.credentials.endorsement import endorser_did_document
from app.endorsements.models import Endorser
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.status_lists import published_status
from app.models_base import is_token
from app.models_base import is_uuid

_CREDENTIAL_PATH = re.compile(r"^/credentials/([0-9a-fA-F-]{36})(?:/verify)?/?$")
_SHARE_PATH = re.compile(r"^/s/([A-Za-z0-9_-]{8,64})/?$")
_VERIFY_PATH = re.compile(r"^/v/([A-Za-z0-9_-]{8,64})/?$")
_PUBLISHED_STATUS_PATH = re.compile(r"^/credentials/([0-9a-fA-F-]{36})/status$")
_STATUS_PATH = re.compile(r"^/status/([a-z]+)/([0-9]{1,9})$")
_ENDORSER_PATH = re.compile(r"^/endorsers/([0-9a-fA-F-]{36})/did\.json$")


def _json_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def issuer_key_documents(ctx: IssuingContext) -> tuple[bytes, bytes]:
    """The DID document and the JWKS exactly as /.well-known serves them now."""
    records = ctx.keystore.records()
    did_document = build_did_document(ctx.issuer_id, records)
    jwks = build_jwks(ctx.issuer_id, [r for r in records if r.kind == "rsa"])
    return did_document_json(did_document).encode("utf-8"), _json_bytes(jwks)


def endorser_did_json(endorser_id: str, ctx: IssuingContext) -> bytes | None:
    """An endorser's DID document (did:web:<host>:endorsers:<id>) as it is served, if any."""
    endorser = db.session.get(Endorser, endorser_id) if is_uuid(endorser_id) else None
    if endorser is None:
        return None
    did = endorser_did(ctx.issuer_id, endorser.id)
    return did_document_json(endorser_did_document(did, endorser.public_key)).encode("utf-8")


def credential_by_id(credential_id: str) -> IssuedCredential | None:
    if not is_uuid(credential_id):
        return None
    return db.session.get(IssuedCredential, credential_id)


def shared_credential(share_token: str) -> IssuedCredential | None:
    """The credential behind a share link, only while its learner shares it."""
    if not is_token(share_token):
        return None
    credential = db.session.scalar(
        sa.select(IssuedCredential).where(IssuedCredential.share_token == share_token)
    )
    return credential if credential is not None and credential.share_enabled else None


def checkable_credential(verify_token: str) -> IssuedCredential | None:
    """The credential behind a certificate's verification link, only while it is switched on."""
    if not is_token(verify_token):
        return None
    credential = db.session.scalar(
        sa.select(IssuedCredential).where(IssuedCredential.verify_token == verify_token)
    )
    return credential if credential is not None and credential.verify_enabled else None


def credential_for_path(path: str) -> IssuedCredential | None:
    """The credential a path of this site shows to anyone, if it shows it now.

    /credentials/<id>[/verify] and /s/<token> while the learner shares it,
    /v/<token> while the verification link is on.
    """
    if match := _CREDENTIAL_PATH.match(path):
        credential = credential_by_id(match[1].lower())
        return credential if credential is not None and credential.can_read_document(None) else None
    if match := _SHARE_PATH.match(path):
        return shared_credential(match[1])
    if match := _VERIFY_PATH.match(path):
        return checkable_credential(match[1])
    return None


def own_document(path: str, ctx: IssuingContext) -> bytes | None:
    """The public document at `path` of this site (credential JSON, status lists, DID, JWKS).

    What an anonymous visitor would get: an unshared credential is not a public document.
    """
    if path == "/.well-known/did.json":
        return issuer_key_documents(ctx)[0]
    if path == "/.well-known/jwks.json":
        return issuer_key_documents(ctx)[1]
    if match := _ENDORSER_PATH.match(path):
        return endorser_did_json(match[1].lower(), ctx)
    if match := _STATUS_PATH.match(path):
        if match[1] not in {p.value for p in StatusPurpose}:
            return None
        row = db.session.scalar(
            sa.select(StatusList).where(
                StatusList.purpose == StatusPurpose(match[1]), StatusList.number == int(match[2])
            )
        )
        return row.signed_json.encode("utf-8") if row is not None and row.signed_json else None
    if match := _PUBLISHED_STATUS_PATH.match(path):
        found = credential_by_id(match[1].lower())
        if found is None:
            return None
        return _json_bytes(published_status(found, public_url=ctx.public_url))
    credential = credential_for_path(path)
    return credential.json_text.encode("utf-8") if credential is not None else None
