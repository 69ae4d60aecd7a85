"""The school's trust list: issuers outside this school whose credentials it vouches for."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import Model
from app.models_base import UTCDateTime
from app.verify.core.trust import MAX_IDENTIFIER_CHARS
from app.verify.core.trust import MAX_NAME_CHARS
from app.verify.core.trust import MAX_NOTE_CHARS
from app.verify.core.trust import TrustEntry


class TrustedIssuer(Model):
    """One entry: a DID (kept as written) or a lower-case domain, and the name Laurel shows."""

    __tablename__ = "trusted_issuer"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(MAX_IDENTIFIER_CHARS), unique=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME_CHARS))
    note: Mapped[str] = mapped_column(sa.String(MAX_NOTE_CHARS), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Who added it, as text: the admin's email, or "command line". The record of who
    # vouched for an issuer outlives the account, so it is not a foreign key.
    added_by: Mapped[str] = mapped_column(sa.String(254))

    @property
    def entry(self) -> TrustEntry:
        return TrustEntry(self.identifier, self.name, self.note)
