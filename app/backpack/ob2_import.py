"""Importing a learner's Open Badges 2.0 badges into their backpack.

The assertion is checked by the Open Badges 2.0 rules (app/verify/core/ob2.py)
with the guarded fetcher (no private, loopback or link-local address, HTTPS
only), then kept as a held credential of format "ob2": its text exactly as it
came (the JSON, the JWS, or what the hosted URL answered), never re-signed as the
school's. An Open Badges 2.0 badge is not a verifiable credential, so it cannot
go inside the signed learner record (a CLR 2.0 holds verifiable credentials only).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext

from app.accounts.models import User
from app.backpack.store import Kept
from app.backpack.store import RefusedCredential
from app.backpack.store import held_slot
from app.backpack.store import identity_key
from app.credentials.errors import CredentialError
from app.extensions import db
from app.main.filters import say
from app.verify.core.fetching import Fetcher
from app.verify.core.fetching import FetchError
from app.verify.core.ob2 import assertion_text
from app.verify.core.ob2 import check_ob2

OB2_FORMAT = "ob2"


def import_ob2(owner: User, raw: bytes, *, fetcher: Fetcher, now: datetime) -> Kept:
    """Check the Open Badges 2.0 badge in `raw` (upload or paste) and keep it for `owner`.

    Importing the same assertion again (same issuer and id) replaces it.

    :raises RefusedCredential: unreadable, not an OB 2.0 badge, not genuine, not theirs,
        or a document it needs could not be fetched.
    """
    try:
        text = assertion_text(raw, fetcher=fetcher)
        badge = check_ob2(text, emails=[owner.email], fetcher=fetcher, now=now)
    except FetchError as problem:
        raise RefusedCredential(
            gettext("The badge could not be checked: %(problem)s", problem=say(problem))
        ) from None
    except CredentialError as problem:
        raise RefusedCredential(say(problem)) from None
    key = identity_key(badge.issuer_id, badge.assertion_id)
    held, created = held_slot(owner, key)
    held.raw_text = badge.text
    held.format = OB2_FORMAT
    held.credential_id = (badge.assertion_id or "")[:2000] or None
    held.issuer_id = (badge.issuer_id or "")[:2000] or None
    held.issuer_name = (badge.issuer_name or "")[:500] or None
    held.name = (badge.name or "")[:500] or None
    held.image_data_uri = badge.image_data_uri
    held.issued_on = badge.issued_on
    held.verdict = badge.outcome
    held.verification_summary = badge.summary
    held.verified_at = now
    held.received_at = now
    held.client_id = None
    held.in_record = False
    db.session.commit()
    return Kept(held, created)
