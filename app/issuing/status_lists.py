"""The Bitstring Status Lists: creating them, reserving random slots, flipping and publishing bits.

One list per purpose (revocation, suspension), each signed as a
BitstringStatusListCredential and served exactly as last published.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError

from app.badges.models import IssuedCredential
from app.badges.models import StatusList
from app.badges.models import StatusPurpose
from app.badges.models import StatusSlot
from app.credentials import status as bitstring
from app.credentials.document import format_datetime
from app.credentials.signing import serialize
from app.credentials.signing import sign_document
from app.errors import Conflict
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.urls import credential_url
from app.issuing.urls import status_list_url
from app.models_base import insert_or_skip

SLOT_ATTEMPTS = 20


def publish_status_list(
    status_list: StatusList, bits: bitstring.StatusList, *, ctx: IssuingContext, now: datetime
) -> None:
    """Store the bits and the newly signed BitstringStatusListCredential."""
    unsigned = bitstring.build_status_list_credential(
        list_url=status_list_url(ctx.public_url, status_list.purpose, status_list.number),
        issuer_id=ctx.issuer_id,
        purpose=status_list.purpose.value,
        status_list=bits,
        valid_from=format_datetime(now),
    )
    signed = sign_document(unsigned, keystore=ctx.keystore, now=now)
    status_list.bits = bits.to_bytes()
    status_list.signed_json = serialize(signed)
    status_list.updated_at = now


def status_list(purpose: StatusPurpose, *, ctx: IssuingContext, now: datetime) -> StatusList:
    """List number 1 of `purpose`, created (and published, all clear) on first use."""
    query = sa.select(StatusList).where(StatusList.purpose == purpose, StatusList.number == 1)
    existing = db.session.scalar(query)
    if existing is not None:
        return existing
    created = StatusList(purpose=purpose, number=1, size=bitstring.MIN_ENTRIES)
    publish_status_list(created, bitstring.StatusList.new(bitstring.MIN_ENTRIES), ctx=ctx, now=now)
    try:
        with db.session.begin_nested():
            db.session.add(created)
    except IntegrityError:
        # Another issuance created it at the same moment: use theirs.
        return db.session.scalars(query).one()
    return created


def all_status_lists() -> list[StatusList]:
    """Every status list the school has published, by purpose and number."""
    return list(
        db.session.scalars(sa.select(StatusList).order_by(StatusList.purpose, StatusList.number))
    )


def take_slots(
    counts: Mapping[StatusPurpose, int], *, ctx: IssuingContext, now: datetime
) -> dict[StatusPurpose, list[tuple[int, int]]]:
    """Reserve random free indexes in list 1 of each purpose: (slot id, index) for each.

    One INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING for every purpose at
    once: the lists' ids are found inside the statement (so no id is cached that could
    go stale), and the UNIQUE(list, index) constraint skips an index someone took
    meanwhile, which is then drawn again. A list is created (and published) on first use.
    """
    dialect = db.session.get_bind().dialect.name
    taken: dict[StatusPurpose, list[tuple[int, int]]] = {purpose: [] for purpose in counts}
    drawn: dict[StatusPurpose, set[int]] = {purpose: set() for purpose in counts}
    for attempt in range(SLOT_ATTEMPTS):
        candidates: dict[str, list[int]] = {purpose.value: [] for purpose in StatusPurpose}
        for purpose, count in counts.items():
            while len(candidates[purpose.value]) < count - len(taken[purpose]):
                index = bitstring.random_free_index(drawn[purpose], size=bitstring.MIN_ENTRIES)
                drawn[purpose].add(index)
                candidates[purpose.value].append(index)
        rows = db.session.execute(
            _insert_slots(dialect),
            {purpose: json.dumps(indexes) for purpose, indexes in candidates.items()},
        ).all()
        for slot_id, index, purpose in rows:
            taken[purpose].append((slot_id, index))
        if all(len(taken[purpose]) == count for purpose, count in counts.items()):
            return taken
        if attempt == 0:
            for purpose, count in counts.items():
                if count and not taken[purpose]:
                    status_list(purpose, ctx=ctx, now=now)
    raise Conflict(gettext("Could not reserve a status list entry; try again."))


@functools.cache
def _insert_slots(dialect: str) -> sa.Executable:
    """The slot INSERT for every purpose, built once per database kind.

    Each purpose's candidate indexes travel as one JSON array (a parameter named for
    the purpose), so the statement is the same for any count and SQLAlchemy compiles it
    once (json_each on SQLite, jsonb_array_elements_text on PostgreSQL). Each row
    returns with its list's purpose, read from the list row itself.
    """
    chosen = []
    for purpose in StatusPurpose:
        payload = sa.bindparam(purpose.value, type_=sa.Text)
        if dialect == "sqlite":
            elements = sa.func.json_each(payload)
        else:
            elements = sa.func.jsonb_array_elements_text(sa.cast(payload, JSONB))
        candidate = elements.table_valued("value").alias(f"{purpose.value}_candidate")
        index = sa.cast(candidate.c.value, sa.Integer)
        chosen.append(
            sa.select(StatusList.id, index).where(
                StatusList.purpose == purpose, StatusList.number == 1, index < StatusList.size
            )
        )
    slot = StatusSlot.__table__
    # Written out: SQLAlchemy renders RETURNING columns unqualified, which would leave
    # the subquery's `id` ambiguous.
    purpose_of_list = sa.literal_column(
        "(SELECT status_list.purpose FROM status_list"
        " WHERE status_list.id = status_slot.status_list_id)",
        type_=StatusList.__table__.c.purpose.type,
    )
    return (
        # Into the table, not the entity: a Core INSERT takes its parameters as given
        # (handed to the ORM with parameters, it would be an ORM bulk INSERT).
        insert_or_skip(dialect, slot)
        .from_select(["status_list_id", "index"], sa.union_all(*chosen))
        .returning(slot.c.id, slot.c.index, purpose_of_list)
    )


def set_status_bit(
    index: int,
    purpose: StatusPurpose,
    value: bool,
    *,
    ctx: IssuingContext,
    now: datetime,
) -> None:
    """Flip bit `index` of the `purpose` list and republish the signed list."""
    row = status_list(purpose, ctx=ctx, now=now)
    # Take the write lock before reading the bits, so two status changes cannot lose each other.
    db.session.execute(
        sa.update(StatusList)
        .where(StatusList.id == row.id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    bits = bitstring.StatusList.from_bytes(row.bits)
    bits.set(index, value)
    publish_status_list(row, bits, ctx=ctx, now=now)
    db.session.flush()


def published_status(credential: IssuedCredential, *, public_url: str) -> dict:
    """The suspension entry the credential cannot carry, as served at "<its id>/status".

    Anyone may ask: the answer names only a slot in the public suspension list, the
    same for every state, so it tells nothing the list does not, and nothing about
    the learner or the badge. Asking needs the credential id, a random UUID known
    to those who hold the credential.
    """
    entry = bitstring.status_entry(
        list_url=status_list_url(public_url, StatusPurpose.SUSPENSION, 1),
        index=credential.suspension_index,
        purpose=StatusPurpose.SUSPENSION.value,
    )
    return bitstring.build_credential_status(credential_url(public_url, credential), [entry])
