"""Endorsements: staff invite an outside endorser by link; the endorser signs; an admin withdraws.

An invitation is a single-use token (only its SHA-256 is stored) that expires after
INVITE_LIFETIME. It names a badge, and optionally one student's credential of that
badge: the endorser may endorse the badge, or that credential and no other. Each
endorser gets an identifier of their own hosted by the school
(did:web:<school host>:endorsers:<id>) and an Ed25519 key that signs their
EndorsementCredential; the school's keys never sign one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import gettext
from flask_babel import ngettext

from app.accounts.models import User
from app.badges.achievement import achievement_url
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.credentials.endorsement import EndorserData
from app.credentials.endorsement import build_endorsement
from app.credentials.endorsement import endorser_did
from app.credentials.endorsement import sign_endorsement
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import SchemaError
from app.credentials.keys import multikey_from_public_key
from app.credentials.signing import serialize
from app.endorsements.models import Endorsement
from app.endorsements.models import EndorsementInvite
from app.endorsements.models import Endorser
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.urls import credential_url_for_id
from app.models_base import is_token
from app.models_base import is_uuid
from app.models_base import new_uuid
from app.models_base import rows_changed
from app.notifications.outbox import notify_endorsement_request

INVITE_LIFETIME = timedelta(days=14)
MAX_NAME = 200
MAX_ORGANISATION = 200
MAX_EMAIL = 254
MAX_URL = 500
MAX_COMMENT = 5000
MAX_INVITEE = 200
MAX_REASON = 1000
# What the endorser's form posts to endorse the badge itself (else a credential's id).
BADGE_SUBJECT = "badge"


class LinkExpired(UserError):
    """The invitation link is past its expiry."""

    status_code = 410


@dataclass(frozen=True)
class EndorserInput:
    """What the endorser typed: who they are, their comment, and what they endorse."""

    name: str
    organisation: str
    email: str
    url: str
    comment: str
    subject: str = BADGE_SUBJECT


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _badge_pages_changed(badge_id: int, now: datetime) -> None:
    """Mark the badge's pages as changed: the public pages kept per process (share and
    verification pages of its credentials) are rendered afresh when its updated_at moves."""
    db.session.execute(
        sa.update(Badge)
        .where(Badge.id == badge_id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )


def endorsement_url(public_url: str, endorsement_id: str) -> str:
    """The endorsement credential's id, where its signed JSON is served."""
    return f"{public_url}/endorsements/{endorsement_id}"


def invitable_badges(actor: User) -> list[Badge]:
    """The published badges `actor` reviews: the ones they may ask outsiders to endorse."""
    badges = db.session.scalars(
        sa.select(Badge).where(Badge.state == BadgeState.PUBLISHED).order_by(Badge.name)
    )
    return [badge for badge in badges if badge.can_review(actor)]


def invitable_credentials(actor: User) -> list[IssuedCredential]:
    """The active credentials of the badges `actor` reviews, newest first."""
    badge_ids = [badge.id for badge in invitable_badges(actor)]
    if not badge_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(
                IssuedCredential.badge_id.in_(badge_ids),
                IssuedCredential.state == CredentialState.ACTIVE,
            )
            .order_by(IssuedCredential.issued_at.desc())
        )
    )


def _required(value: str, limit: int, *, missing: str, too_long: str) -> str:
    """`value` trimmed; `missing` when it is empty, `too_long` past `limit` characters."""
    value = (value or "").strip()
    if not value:
        raise UserError(missing)
    if len(value) > limit:
        raise UserError(too_long)
    return value


def _optional(value: str, limit: int, *, too_long: str) -> str | None:
    """`value` trimmed, or None when empty; `too_long` past `limit` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        raise UserError(too_long)
    return value or None


def create_invite(
    *,
    badge: Badge,
    credential: IssuedCredential | None,
    invitee: str,
    actor: User,
    now: datetime,
    email: str = "",
) -> str:
    """A new invitation link token for `badge` (and `credential`, when one is named).

    With `email`, the link is also emailed to the endorser (when email is on).

    :raises NotAllowed: the actor does not review the badge.
    :raises UserError: a draft badge, a credential of another badge or not active, no invitee,
        an email address that is not one.
    """
    if not badge.can_review(actor):
        raise NotAllowed(
            gettext("Only the badge's reviewers and admins invite endorsements of it.")
        )
    if badge.state != BadgeState.PUBLISHED:
        raise UserError(gettext("Publish the badge before asking anyone to endorse it."))
    if credential is not None and credential.badge_id != badge.id:
        raise UserError(gettext("That credential is not one of this badge's."))
    if credential is not None and credential.state != CredentialState.ACTIVE:
        raise UserError(gettext("That credential is revoked or suspended; it cannot be endorsed."))
    invitee = _required(
        invitee,
        MAX_INVITEE,
        missing=gettext("Enter who the link is for."),
        too_long=ngettext(
            "“Who the link is for” is too long: at most %(num)d character.",
            "“Who the link is for” is too long: at most %(num)d characters.",
            MAX_INVITEE,
        ),
    )
    address = _checked_email(email) if email.strip() else ""
    token = secrets.token_urlsafe(32)
    db.session.add(
        EndorsementInvite(
            token_hash=_token_hash(token),
            badge_id=badge.id,
            credential_id=credential.id if credential is not None else None,
            invitee=invitee,
            created_by_id=actor.id,
            created_at=now,
            expires_at=now + INVITE_LIFETIME,
        )
    )
    db.session.flush()
    if address:
        about = (
            gettext("the badge “%(badge)s”", badge=badge.name)
            if credential is None
            else gettext(
                "%(learner)s’s “%(badge)s”", learner=credential.recipient.name, badge=badge.name
            )
        )
        notify_endorsement_request(
            to=None, address=address, requester=actor.name, about=about, token=token, now=now
        )
    return token


def open_invite(token: str, *, now: datetime) -> EndorsementInvite:
    """The invitation behind `token` if it can still be used.

    :raises NotFound: no such invitation (a forged or mistyped link).
    :raises Conflict: already used. :raises LinkExpired: expired.
    """
    invite = None
    if is_token(token):
        invite = db.session.scalar(
            sa.select(EndorsementInvite).where(EndorsementInvite.token_hash == _token_hash(token))
        )
    if invite is None:
        raise NotFound(gettext("This endorsement link is not valid. Ask the school for a new one."))
    if invite.used_at is not None:
        raise Conflict(
            gettext("This endorsement link has already been used; each link endorses once.")
        )
    if invite.expires_at <= now:
        raise LinkExpired(
            gettext("This endorsement link has expired. Ask the school for a new one.")
        )
    return invite


def _checked_url(value: str) -> str | None:
    url = _optional(
        value,
        MAX_URL,
        too_long=ngettext(
            "Your web address is too long: at most %(num)d character.",
            "Your web address is too long: at most %(num)d characters.",
            MAX_URL,
        ),
    )
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise UserError(
            gettext("Your web address must be an http(s) address, e.g. https://garage.example.")
        )
    return url


def _checked_email(value: str) -> str:
    email = _required(
        value,
        MAX_EMAIL,
        missing=gettext("Enter your email."),
        too_long=ngettext(
            "Your email is too long: at most %(num)d character.",
            "Your email is too long: at most %(num)d characters.",
            MAX_EMAIL,
        ),
    )
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        raise UserError(gettext("Enter a valid email address, e.g. name@garage.example."))
    return email


def _subject(invite: EndorsementInvite, subject: str, public_url: str) -> tuple[str, str]:
    """The endorsed id and how the endorsement names it.

    :raises NotAllowed: a credential the invitation does not name.
    """
    badge = invite.badge
    if subject == BADGE_SUBJECT:
        return achievement_url(badge, public_url), f"the badge “{badge.name}”"
    if invite.credential_id is None or subject != invite.credential_id:
        raise NotAllowed(gettext("This endorsement link does not name that credential."))
    return credential_url_for_id(public_url, subject), f"a learner's “{badge.name}” credential"


def endorse(
    token: str,
    data: EndorserInput,
    *,
    ctx: IssuingContext,
    now: datetime,
) -> Endorsement:
    """Sign and store the endorsement the invitation asks for, spending the link (flush only).

    :raises NotFound, Conflict, LinkExpired: see open_invite.
    :raises NotAllowed: the endorsement is of a credential the invitation does not name.
    :raises UserError: a field is empty, too long or malformed.
    """
    invite = open_invite(token, now=now)
    subject_id, subject_name = _subject(invite, data.subject, ctx.public_url)
    name = _required(
        data.name,
        MAX_NAME,
        missing=gettext("Enter your name."),
        too_long=ngettext(
            "Your name is too long: at most %(num)d character.",
            "Your name is too long: at most %(num)d characters.",
            MAX_NAME,
        ),
    )
    organisation = _optional(
        data.organisation,
        MAX_ORGANISATION,
        too_long=ngettext(
            "Your organisation is too long: at most %(num)d character.",
            "Your organisation is too long: at most %(num)d characters.",
            MAX_ORGANISATION,
        ),
    )
    email = _checked_email(data.email)
    url = _checked_url(data.url)
    comment = _required(
        data.comment,
        MAX_COMMENT,
        missing=gettext("Enter your comment."),
        too_long=ngettext(
            "Your comment is too long: at most %(num)d character.",
            "Your comment is too long: at most %(num)d characters.",
            MAX_COMMENT,
        ),
    )
    spent = db.session.execute(
        sa.update(EndorsementInvite)
        .where(EndorsementInvite.id == invite.id, EndorsementInvite.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(spent) != 1:
        raise Conflict(
            gettext("This endorsement link has already been used; each link endorses once.")
        )
    private_key = Ed25519PrivateKey.generate()
    sealed = ctx.keystore.seal(private_key)
    endorser = Endorser(
        id=new_uuid(),
        name=name,
        organisation=organisation,
        email=email,
        url=url,
        sealed_key=sealed,
        public_key=multikey_from_public_key(private_key.public_key()),
        created_at=now,
    )
    endorsement_id = new_uuid()
    unsigned = build_endorsement(
        credential_id=endorsement_url(ctx.public_url, endorsement_id),
        endorser=EndorserData(
            id=endorser_did(ctx.issuer_id, endorser.id),
            name=name,
            organisation=organisation,
            url=url,
        ),
        subject_id=subject_id,
        subject_name=subject_name,
        comment=comment,
        valid_from=now,
    )
    try:
        signed = sign_endorsement(unsigned, private_key=private_key, now=now)
    except (InputError, SchemaError, DroppedTermError) as error:
        raise UserError(
            gettext("This endorsement cannot be signed as written: %(error)s", error=error)
        ) from error
    endorsement = Endorsement(
        id=endorsement_id,
        invite_id=invite.id,
        endorser_id=endorser.id,
        badge_id=invite.badge_id,
        credential_id=None if data.subject == BADGE_SUBJECT else invite.credential_id,
        comment=comment,
        json_text=serialize(signed),
        issued_at=now,
    )
    db.session.add_all([endorser, endorsement])
    db.session.flush()
    _badge_pages_changed(invite.badge_id, now)
    return endorsement


def get_endorsement(endorsement_id: str) -> Endorsement:
    """:raises NotFound: no endorsement with that id (odd text is not even looked up)."""
    found = db.session.get(Endorsement, endorsement_id) if is_uuid(endorsement_id) else None
    if found is None:
        raise NotFound(gettext("There is no endorsement with that id."))
    return found


def withdraw(endorsement: Endorsement, *, actor: User, reason: str, now: datetime) -> None:
    """Withdraw an endorsement: it is no longer shown, served or embedded (flush only).

    :raises NotAllowed: not an admin. :raises Conflict: already withdrawn.
    """
    if not actor.is_admin:
        raise NotAllowed(gettext("Only an admin withdraws an endorsement."))
    if endorsement.withdrawn:
        raise Conflict(gettext("This endorsement has already been withdrawn."))
    endorsement.withdrawal_reason = _optional(
        reason,
        MAX_REASON,
        too_long=ngettext(
            "The reason is too long: at most %(num)d character.",
            "The reason is too long: at most %(num)d characters.",
            MAX_REASON,
        ),
    )
    endorsement.withdrawn_at = now
    endorsement.withdrawn_by_id = actor.id
    db.session.flush()
    _badge_pages_changed(endorsement.badge_id, now)


def standing_endorsements(
    *, badge_id: int | None = None, credential_id: str | None = None
) -> list[Endorsement]:
    """The endorsements not withdrawn, of a badge itself or of one credential, oldest first."""
    query = sa.select(Endorsement).where(Endorsement.withdrawn_at.is_(None))
    if credential_id is not None:
        query = query.where(Endorsement.credential_id == credential_id)
    else:
        query = query.where(Endorsement.badge_id == badge_id, Endorsement.credential_id.is_(None))
    return list(db.session.scalars(query.order_by(Endorsement.issued_at, Endorsement.id)))


def staff_overview(actor: User) -> tuple[list[EndorsementInvite], list[Endorsement]]:
    """The open invitations and every endorsement of the badges `actor` reviews, newest first."""
    badge_ids = [badge.id for badge in invitable_badges(actor)]
    if not badge_ids:
        return [], []
    invites = db.session.scalars(
        sa.select(EndorsementInvite)
        .where(EndorsementInvite.badge_id.in_(badge_ids), EndorsementInvite.used_at.is_(None))
        .order_by(EndorsementInvite.created_at.desc())
    )
    endorsements = db.session.scalars(
        sa.select(Endorsement)
        .where(Endorsement.badge_id.in_(badge_ids))
        .order_by(Endorsement.issued_at.desc())
    )
    return list(invites), list(endorsements)
