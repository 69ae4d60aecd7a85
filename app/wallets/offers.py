"""Making a wallet offer for a learner's credential, and finding it again for the wallet.

Only the learner who earned a credential sends it to a wallet; a revoked credential is
sent nowhere. An offer lives OFFER_LIFETIME and is used once: the wallet redeems its
pre-authorized code, or finishes its VC-API exchange, and the offer is spent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.extensions import db
from app.models_base import is_uuid
from app.sealing import Sealer
from app.wallets.models import WalletOffer
from app.wallets.models import WalletProtocol

OFFER_LIFETIME = timedelta(minutes=10)
PIN_DIGITS = 6
SEALING_PURPOSE = b"laurel wallet offers"


def offer_sealer() -> Sealer:
    """Seals the pre-authorized codes; a new SECRET_KEY voids the offers waiting (minutes)."""
    return Sealer(current_app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)


def secret_hash(secret: str) -> str:
    """How an offer's secrets are stored and looked up (the secret itself is never kept)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def can_send_to_wallet(credential: IssuedCredential, user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.id == credential.recipient_id
        and credential.state != CredentialState.REVOKED
    )


def check_owner(credential: IssuedCredential | None, user: User) -> IssuedCredential:
    """The credential, if `user` earned it: 404 to those who may not see it, 403 to staff,
    409 when it is revoked."""
    if credential is None or not credential.can_view(user):
        raise NotFound("There is no credential with that id.")
    if user.id != credential.recipient_id:
        raise NotAllowed("Only the learner who earned this credential can send it to a wallet.")
    if credential.state == CredentialState.REVOKED:
        raise Conflict("This credential is revoked, so it cannot be sent to a wallet.")
    return credential


@dataclass(frozen=True)
class NewOffer:
    """A fresh offer and the secrets shown to the learner once (the PIN, when asked)."""

    offer: WalletOffer
    pin: str | None


def create_offer(
    credential: IssuedCredential,
    *,
    owner: User,
    protocol: WalletProtocol,
    with_pin: bool,
    sealer: Sealer,
    now: datetime,
) -> NewOffer:
    """A new single-use offer of `credential` by its learner (checked by `check_owner`)."""
    check_owner(credential, owner)
    _forget_expired(now)
    offer = WalletOffer(
        protocol=protocol,
        credential_id=credential.id,
        owner_id=owner.id,
        created_at=now,
        expires_at=now + OFFER_LIFETIME,
    )
    pin = None
    if protocol is WalletProtocol.OPENID4VCI:
        code = secrets.token_urlsafe(32)
        offer.sealed_code = sealer.seal(code)
        offer.code_hash = secret_hash(code)
        if with_pin:
            pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
            offer.pin_hash = secret_hash(pin)
    else:
        offer.challenge = secrets.token_urlsafe(24)
    db.session.add(offer)
    db.session.flush()
    return NewOffer(offer, pin)


def _forget_expired(now: datetime) -> None:
    """Offers past their time are of no use to anyone: each new offer clears them away."""
    db.session.execute(sa.delete(WalletOffer).where(WalletOffer.expires_at < now))


def live_offer(offer_id: str, protocol: WalletProtocol, *, now: datetime) -> WalletOffer:
    """The offer at `offer_id`, while it is unexpired and its credential not revoked.

    :raises NotFound: unknown, expired, of the other protocol, or for a revoked credential.
    """
    offer = db.session.get(WalletOffer, offer_id) if is_uuid(offer_id) else None
    if offer is None or offer.protocol is not protocol or offer.expires_at <= now:
        raise NotFound("There is no such offer, or it has expired: ask the learner for a new one.")
    if offer.credential.state == CredentialState.REVOKED:
        raise NotFound("The credential of this offer has been revoked.")
    return offer
