"""The credentials the VC-API signed, kept byte for byte with the client that asked for them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.backpack.models import MAX_ID_CHARS
from app.badges.models import CredentialState
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_uuid


class ApiCredential(Model):
    """A credential signed by POST /credentials/issue, stored as answered (never re-serialized).

    A credential given status entries has the id Laurel minted for it,
    <public url>/api-credentials/<uuid of this row>, and a slot in each of the school's
    status lists (revocation, suspension), taken as the badge credentials take theirs.
    `client_id` names the API client that issued it: only that client (or an admin on
    the command line) changes its status. It is no foreign key, so that the record
    outlives a revoked client; client ids are random and never given twice.
    """

    __tablename__ = "api_credential"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    # The document's own `id`: the URL Laurel minted, the client's, or none.
    credential_id: Mapped[str | None] = mapped_column(sa.String(MAX_ID_CHARS))
    # The issuer instance that signed it: the school's did:web or its did:key.
    issuer_id: Mapped[str] = mapped_column(sa.String(MAX_ID_CHARS))
    json_text: Mapped[str] = mapped_column(sa.Text)
    client_id: Mapped[str] = mapped_column(sa.String(48), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Both set, or neither (a credential without Laurel's status entries).
    revocation_index: Mapped[int | None] = mapped_column()
    suspension_index: Mapped[int | None] = mapped_column()
    state: Mapped[CredentialState] = mapped_column(
        sa.Enum(CredentialState, native_enum=False, length=20), default=CredentialState.ACTIVE
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    @property
    def has_status(self) -> bool:
        return self.revocation_index is not None
