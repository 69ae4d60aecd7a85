"""The learner's side: the wallet panel of the credential's page and the offer it makes.

POST /credentials/<id>/wallet makes a single-use offer and answers with the page that
shows it (a QR code, a link for a wallet on the same phone, and the PIN when asked): the
PIN is shown this once and never stored in clear, so the page is not reached by a GET.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import render_template
from flask_login import current_user
from flask_login import login_required

from app.errors import UserError
from app.extensions import db
from app.issuing.profile import current_issuer_name
from app.keyring import issuing_context
from app.models_base import utcnow
from app.share.qr import qr_data_uri
from app.verify.documents import credential_by_id
from app.wallets import exchanges
from app.wallets import openid4vci
from app.wallets.forms import WalletForm
from app.wallets.models import WalletProtocol
from app.wallets.offers import OFFER_LIFETIME
from app.wallets.offers import can_send_to_wallet
from app.wallets.offers import check_owner
from app.wallets.offers import create_offer
from app.wallets.offers import offer_sealer

bp = Blueprint("wallets", __name__)
OPENID_OFFER_SCHEME = "openid-credential-offer://"


@bp.app_context_processor
def _wallet_panel() -> dict[str, Any]:
    """`wallet_panel(credential)`: whether the credential's page shows its wallet panel."""
    return {"wallet_panel": lambda credential: can_send_to_wallet(credential, current_user)}


def openid_deep_link(offer_uri: str) -> str:
    return f"{OPENID_OFFER_SCHEME}?credential_offer_uri={quote(offer_uri, safe='')}"


@bp.post("/credentials/<credential_id>/wallet")
@login_required
def make_offer(credential_id: str):
    """Make an offer of the credential to a wallet; the page shows its QR code and link."""
    credential = check_owner(credential_by_id(credential_id), current_user)
    form = WalletForm()
    if not form.validate_on_submit():
        raise UserError(
            "Choose a wallet: one that speaks OpenID4VCI, or the Learner Credential Wallet."
        )
    protocol = WalletProtocol(form.protocol.data)
    now = utcnow()
    new = create_offer(
        credential,
        owner=current_user,
        protocol=protocol,
        with_pin=bool(form.with_pin.data),
        sealer=offer_sealer(),
        now=now,
    )
    db.session.commit()
    public_url = issuing_context().public_url
    if protocol is WalletProtocol.OPENID4VCI:
        link = openid_deep_link(openid4vci.offer_uri(public_url, new.offer))
        plain = None
    else:
        link = exchanges.lcw_link(public_url, new.offer)
        plain = exchanges.exchange_url(public_url, new.offer)
    response = Response(
        render_template(
            "wallets/offer.html",
            credential=credential,
            protocol=protocol.value,
            link=link,
            qr=qr_data_uri(link, box_size=6, border=2),
            interaction_url=plain,
            pin=new.pin,
            minutes=int(OFFER_LIFETIME.total_seconds() // 60),
            school_name=current_issuer_name(public_url),
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
