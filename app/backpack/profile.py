"""The learner's Open Badges Profile: the school's id and name, and what the learner put."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.backpack.models import BackpackProfile
from app.errors import UserError
from app.extensions import db

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
MAX_PROFILE_BYTES = 64 * 1024
# Kept by the school (its record of the learner), never by the API.
SCHOOL_FIELDS = ("@context", "id", "type", "name")


def _stored(owner: User) -> BackpackProfile | None:
    return db.session.scalar(sa.select(BackpackProfile).filter_by(owner_id=owner.id))


def learner_profile(owner: User) -> dict[str, Any]:
    """The Profile getProfile answers: the learner's own fields under the school's id and name."""
    stored = _stored(owner)
    extra = json.loads(stored.json_text) if stored is not None else {}
    return {
        "@context": CONTEXT,
        "id": owner.subject_id,
        "type": ["Profile"],
        "name": owner.name,
        **extra,
    }


def put_profile(owner: User, body: bytes, *, now: datetime) -> dict[str, Any]:
    """Replace the learner's Profile with `body` (a whole Profile); return the stored one.

    :raises UserError: not a JSON Profile, or it changes what the school keeps.
    """
    if len(body) > MAX_PROFILE_BYTES:
        raise UserError(
            gettext(
                "A Profile may be at most %(max_profile_bytes)s KB.",
                max_profile_bytes=MAX_PROFILE_BYTES // 1024,
            )
        )
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise UserError(
            gettext("The body is not JSON: send the whole Profile as a JSON object.")
        ) from None
    if not isinstance(document, dict):
        raise UserError(gettext("A Profile is a JSON object."))
    types = document.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "Profile" not in types:
        raise UserError(gettext("A Profile's “type” must include “Profile”."))
    if "id" in document and document["id"] != owner.subject_id:
        raise UserError(
            gettext(
                "This Profile's id is %(subject_id)s; it cannot be changed.",
                subject_id=owner.subject_id,
            )
        )
    if "name" in document and document["name"] != owner.name:
        raise UserError(
            gettext(
                "The name on the Profile is the school's record of the "
                "learner; ask the school office to correct it."
            )
        )
    extra = {key: value for key, value in document.items() if key not in SCHOOL_FIELDS}
    stored = _stored(owner)
    if stored is None:
        stored = BackpackProfile(owner_id=owner.id)
        db.session.add(stored)
    stored.json_text = json.dumps(extra, ensure_ascii=False)
    stored.updated_at = now
    db.session.commit()
    return learner_profile(owner)
