"""Credentials a learner keeps in the backpack: kept as they arrived, verified on arrival.

A credential from any issuer comes in as JSON (with an embedded proof) or as a
compact JWS (a VC-JWT). Laurel's verifier checks it first (app/verify/service.py);
a forged or tampered one is refused, and every other verdict (genuine, unknown
issuer, expired, revoked, could not check) is kept with the credential, so the
learner sees what was established. The text is stored byte for byte and handed
back unchanged: a re-serialized credential might no longer verify.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.backpack.models import HeldCredential
from app.credentials.document import normalize_email
from app.credentials.errors import CredentialError
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.main.filters import say
from app.verify.core.report import Report
from app.verify.core.report import Verdict
from app.verify.service import run_verification

# The verifier's own limit for a pasted credential (README, "Input limits").
MAX_CREDENTIAL_BYTES = 512 * 1024
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")


class RefusedCredential(UserError):
    """The body is not a credential Laurel can keep; the message says why."""


@dataclass(frozen=True)
class Kept:
    held: HeldCredential
    created: bool


def _text_and_format(body: bytes) -> tuple[str, str]:
    if len(body) > MAX_CREDENTIAL_BYTES:
        raise RefusedCredential(
            gettext(
                "The credential is larger than %(limit)s KB, the most Laurel keeps.",
                limit=MAX_CREDENTIAL_BYTES // 1024,
            )
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedCredential(gettext("The body is not UTF-8 text.")) from None
    if COMPACT_JWS.fullmatch(text.strip()):
        return text, "jwt"
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise RefusedCredential(
            gettext("The body is neither a JSON credential nor a compact JWS (VC-JWT).")
        ) from None
    if not isinstance(document, dict):
        raise RefusedCredential(gettext("A JSON credential must be a JSON object."))
    return text, "json"


def identity_key(issuer_id: object, credential_id: object) -> str | None:
    """The Open Badges equality rule's key: issuer id and credential id, percent-decoded, trimmed.

    None when either is missing: such a credential cannot be recognised again.
    """
    if not isinstance(issuer_id, str) or not isinstance(credential_id, str):
        return None
    issuer, identifier = unquote(issuer_id.strip()), unquote(credential_id.strip())
    if not issuer or not identifier:
        return None
    return hashlib.sha256(f"{issuer}\n{identifier}".encode()).hexdigest()


def keep(owner: User, body: bytes, *, client_id: str | None, now: datetime) -> Kept:
    """Verify `body` and keep it for `owner`, replacing the same credential if held already.

    :raises RefusedCredential: not a credential, or not genuine (forged or tampered).
    """
    text, kind = _text_and_format(body)
    try:
        verification = run_verification(
            text.strip().encode() if kind == "jwt" else body,
            now=now,
            filename="credential.jwt" if kind == "jwt" else "credential.json",
        )
    except CredentialError as problem:
        raise RefusedCredential(say(problem)) from None
    report = verification.report
    if report.verdict is Verdict.NOT_VERIFIED or report.credential is None:
        raise RefusedCredential(
            gettext("The credential was not accepted: %(headline)s", headline=say(report.headline))
        )
    if not names_owner(report, owner):
        raise RefusedCredential(
            gettext(
                "This credential was not awarded to this learner: its credentialSubject names "
                "neither their learner id (%(subject_id)s) nor their email address. "
                "A backpack keeps only its owner's credentials.",
                subject_id=owner.subject_id,
            )
        )
    credential_id = report.credential.get("id")
    key = identity_key(report.issuer_id, credential_id)
    held, created = held_slot(owner, key)
    held.raw_text = text
    held.format = kind
    held.credential_id = credential_id[:2000] if isinstance(credential_id, str) else None
    held.issuer_id = (report.issuer_id or "")[:2000] or None
    held.issuer_name = (report.issuer_phrase or "")[:500] or None
    held.name = (report.badge_name or "")[:500] or None
    held.issued_on = report.valid_from or report.issued_on
    held.verdict = report.verdict.value
    held.verification_summary = verification.sentence
    held.verified_at = now
    held.received_at = now
    held.client_id = client_id
    db.session.commit()
    return Kept(held, created)


def names_owner(report: Report, owner: User) -> bool:
    """Whether the credential's subject is `owner`, as Open Badges 3.0 identifies a recipient.

    What counts: `credentialSubject.id` is the learner's id (the one Laurel's own
    credentials carry: their DID if they gave one, else urn:uuid:<learner uuid>; or
    mailto:<their e-mail>), or an `identifier` of identityType emailAddress is their
    e-mail address, hashed with its salt or plain (OB 3.0 "Verify the Recipient Using
    an Identifier", as the verifier checks it). A name alone does not count: names
    are not unique. A credential naming no recipient at all is refused too.
    """
    ids = {f"urn:uuid:{owner.learner_uuid}", owner.subject_id}
    if owner.learner_did:
        ids.add(owner.learner_did)
    subject_id = (report.subject_id or "").strip()
    if subject_id in ids:
        return True
    if owner.email and subject_id.lower() == f"mailto:{normalize_email(owner.email)}":
        return True
    return bool(owner.email) and report.matches_email(owner.email)


def held_credentials(owner: User) -> list[HeldCredential]:
    """Every credential `owner` keeps here, oldest first."""
    return list(
        db.session.scalars(
            sa.select(HeldCredential)
            .filter_by(owner_id=owner.id)
            .order_by(HeldCredential.received_at, HeldCredential.id)
        )
    )


def remove(owner: User, held_id: int) -> None:
    """Remove one of `owner`'s held credentials.

    :raises NotFound: no such credential of theirs.
    """
    db.session.delete(owned(owner, held_id))
    db.session.commit()


def owned(owner: User, held_id: int) -> HeldCredential:
    """One of `owner`'s held credentials.

    :raises NotFound: no such credential of theirs.
    """
    held = db.session.get(HeldCredential, held_id)
    if held is None or held.owner_id != owner.id:
        raise NotFound(gettext("There is no such credential in your backpack."))
    return held


def set_in_record(held: HeldCredential, include: bool) -> None:
    """Put a held credential in the learner's signed record, or take it out.

    :raises UserError: a VC-JWT or an Open Badges 2.0 badge (the record embeds JSON
        verifiable credentials only).
    """
    if include and held.format == "ob2":
        raise UserError(
            gettext(
                "An Open Badges 2.0 badge cannot go inside the signed "
                "learner record: it is not a verifiable credential, and the "
                "record holds only those."
            )
        )
    if include and held.format != "json":
        raise UserError(
            gettext(
                "A VC-JWT cannot go inside the signed learner record: only "
                "credentials kept as JSON can."
            )
        )
    held.in_record = include
    db.session.commit()


def held_slot(owner: User, key: str | None) -> tuple[HeldCredential, bool]:
    """The owner's held credential under `key` (same issuer and id), or a new one in the
    session; and whether it is new. A credential without an id (`key` None) is always new.
    """
    held = None
    if key is not None:
        held = db.session.scalar(
            sa.select(HeldCredential).filter_by(owner_id=owner.id, identity_key=key)
        )
    if held is not None:
        return held, False
    held = HeldCredential(owner=owner, identity_key=key)
    db.session.add(held)
    return held, True
