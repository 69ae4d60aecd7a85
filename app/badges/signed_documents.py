"""A credential's signed JSON and JWT as served at /credentials/<id>: who may read, and the bytes.

Every request reads who may see the document afresh, from the two columns that
decide it (the learner and whether they share it), so stopping sharing answers 404
at once in every worker. The signed bytes themselves never change once issued (a
correction is a new credential with a new id), so they are kept per process with a
strong ETag (their digest), keyed by the credential's id and issue time, and never
loaded with the rest of the row.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.extensions import db
from app.extensions import read_one
from app.models_base import is_uuid

# A signed credential is about 5 KB as JSON and as JWT.
MAX_DOCUMENTS = 1024


@dataclass(frozen=True)
class DocumentAccess:
    """The columns that decide who may read a credential's signed document."""

    id: str
    recipient_id: int
    share_enabled: bool
    issued_at: datetime

    def readable_by(self, user: User | None) -> bool:
        """Anyone while the learner shares it, else the learner and staff (as the model says)."""
        return self.share_enabled or IssuedCredential.may_view(self.recipient_id, user)


@dataclass(frozen=True)
class SignedDocument:
    """The exact bytes stored at signing time, and their strong entity tag (unquoted)."""

    body: str
    tag: str


# Built once: each request only binds the id (the statement's compiled form is cached too).
_ACCESS = sa.select(
    IssuedCredential.id,
    IssuedCredential.recipient_id,
    IssuedCredential.share_enabled,
    IssuedCredential.issued_at,
).where(IssuedCredential.id == sa.bindparam("id"))


def document_access(credential_id: str) -> DocumentAccess | None:
    """Who may read the credential's document, read now; None when there is no such credential."""
    if not is_uuid(credential_id):
        return None
    row = read_one(_ACCESS, {"id": credential_id})
    return None if row is None else DocumentAccess(*tuple(row))


class _Documents:
    """A bounded, thread-safe LRU of signed documents by (id, issue time, form)."""

    def __init__(self, size: int = MAX_DOCUMENTS) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, datetime, str], SignedDocument | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, access: DocumentAccess, form: str) -> SignedDocument | None:
        key = (access.id, access.issued_at, form)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        column = IssuedCredential.json_text if form == "json" else IssuedCredential.jwt_text
        body = db.session.scalar(sa.select(column).where(IssuedCredential.id == access.id))
        document = None if body is None else SignedDocument(body, _etag(body))
        with self._lock:
            self._kept[key] = document
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return document

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def _etag(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:40]


documents = _Documents()


def signed_document(access: DocumentAccess, form: str) -> SignedDocument | None:
    """The signed JSON (`form` "json") or VC-JWT ("jwt"); None when it has no such form."""
    return documents.get(access, form)
