"""A VC-API exchange that delivers a credential to the DCC Learner Credential Wallet.

The Learner Credential Wallet takes credentials only this way (OpenID4VCI is not in it):
its deep link or QR code carries `{"credentialRequestOrigin", "protocols": {"vcapi":
<exchange URL>}}`; it POSTs `{}` there and gets a VerifiablePresentationRequest asking
for DID authentication with a challenge and this school's domain; it POSTs back a
presentation signed by its DID, and receives the credential in a presentation
(`{"verifiablePresentation": {..., "verifiableCredential": [the credential]}}`).

The presentation goes through Laurel's presentation verifier (authentication purpose,
challenge, domain, signature by the holder's key); an exchange delivers once. As with
OpenID4VCI the credential is the stored one: the holder's DID is recorded, not signed in.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.errors import Conflict
from app.errors import UserError
from app.extensions import db
from app.models_base import rows_changed
from app.verify.core.presentation import PresentationReport
from app.verify.core.report import Outcome
from app.wallets.models import WalletOffer

EXCHANGE_PATH = "/exchanges/"
LCW_REQUEST_URL = "https://lcw.app/request"
VP_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def exchange_url(public_url: str, offer: WalletOffer) -> str:
    return f"{public_url}{EXCHANGE_PATH}{offer.id}"


def domain_of(public_url: str) -> str:
    """The domain a wallet's DID authentication must name: this school's host."""
    return urlsplit(public_url).netloc


def invitation(public_url: str, offer: WalletOffer) -> dict[str, Any]:
    """The exchange invitation the wallet reads from the deep link or QR code."""
    return {
        "credentialRequestOrigin": public_url,
        "protocols": {"vcapi": exchange_url(public_url, offer)},
    }


def lcw_link(public_url: str, offer: WalletOffer) -> str:
    """The Learner Credential Wallet's universal link holding the invitation."""
    text = json.dumps(invitation(public_url, offer), separators=(",", ":"))
    return f"{LCW_REQUEST_URL}?request={quote(text, safe='')}"


def presentation_request(offer: WalletOffer, *, public_url: str) -> dict[str, Any]:
    """The first answer of the exchange: who are you? (DID authentication, did:key)."""
    url = exchange_url(public_url, offer)
    return {
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}],
            "challenge": offer.challenge,
            "domain": domain_of(public_url),
            "interact": {
                "service": [
                    {"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": url}
                ]
            },
        },
        "credentialRequestOrigin": public_url,
    }


class PresentationRefused(UserError):
    """The wallet's DID authentication does not hold: the reasons, one per failed check."""

    def __init__(self, report: PresentationReport) -> None:
        failed = [check.message for check in report.checks if check.outcome is not Outcome.PASSED]
        super().__init__("The DID authentication is refused: " + " ".join(failed))


def presentation_of(body: Any) -> dict[str, Any] | None:
    """The presentation the wallet sent, or None for the first, empty, step.

    :raises UserError: a body that is neither.
    """
    if body is None or body == {}:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("verifiablePresentation"), dict):
        raise UserError(
            'Send {} to start the exchange, then {"verifiablePresentation": …} signed by your DID.'
        )
    return body["verifiablePresentation"]


def deliver(offer: WalletOffer, report: PresentationReport, *, now: datetime) -> str:
    """The final answer: the stored credential in a presentation, once per exchange.

    :raises PresentationRefused: the presentation did not verify, or names no holder.
    :raises Conflict: the exchange delivered already.
    """
    if not report.verified:
        raise PresentationRefused(report)
    if report.holder is None or report.credentials:
        raise UserError("The DID authentication must name its holder and carry no credentials.")
    done = db.session.execute(
        sa.update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.delivered_at.is_(None))
        .values(delivered_at=now, holder_id=report.holder)
    )
    if rows_changed(done) != 1:
        raise Conflict("This exchange delivered its credential already.")
    presentation = json.dumps(
        {"@context": [VP_CONTEXT], "type": ["VerifiablePresentation"]}, separators=(",", ":")
    )
    # The credential goes in as its stored text, never re-serialized.
    body = presentation[:-1] + f',"verifiableCredential":[{offer.credential.json_text}]}}'
    return f'{{"verifiablePresentation":{body}}}'
