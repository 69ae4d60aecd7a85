"""Which evidence files anyone may fetch without signing in, and at which address.

A file the student marked public is named in the credential as
/evidence/<public token>. It answers while the credential is shared and not
revoked, and 404 otherwise, so that "Stop sharing" takes the evidence down with
the page. Credentials issued before evidence URLs carried tokens name
/files/<id>; those files answer under the same rule, and only when the signed
credential names that very address (a sequential id must not open anything else).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.evidence.models import EvidenceItem
from app.evidence.models import EvidenceKind
from app.extensions import db
from app.models_base import is_token


def _published_in(item: EvidenceItem) -> IssuedCredential | None:
    """The shared, unrevoked credential that makes `item` public, if there is one."""
    if not item.public or item.kind != EvidenceKind.FILE or item.storage_key is None:
        return None
    credential = db.session.scalar(
        sa.select(IssuedCredential).where(IssuedCredential.submission_id == item.submission_id)
    )
    if credential is None or not credential.share_enabled:
        return None
    return credential if credential.state != CredentialState.REVOKED else None


def published_file(public_token: str) -> EvidenceItem | None:
    """The file at /evidence/<public_token>, while the public may see it."""
    if not is_token(public_token):
        return None
    item = db.session.scalar(
        sa.select(EvidenceItem).where(EvidenceItem.public_token == public_token)
    )
    return item if item is not None and _published_in(item) is not None else None


def _evidence_ids(credential: IssuedCredential) -> set[str]:
    evidence = json.loads(credential.json_text).get("evidence") or []
    return {entry["id"] for entry in evidence if isinstance(entry, dict) and "id" in entry}


def legacy_published_file(item_id: int, public_url: str) -> EvidenceItem | None:
    """The file at /files/<item_id>, for a shared credential whose document names that URL."""
    item = db.session.get(EvidenceItem, item_id)
    credential = _published_in(item) if item is not None else None
    if credential is None or f"{public_url}/files/{item_id}" not in _evidence_ids(credential):
        return None
    return item
