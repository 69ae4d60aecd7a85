"""The wallet's side: OpenID4VCI metadata, offer, token, nonce and credential endpoints,
and the VC-API exchange.

No cookie authorizes anything here (CSRF does not apply): an offer's random id, its
pre-authorized code and PIN, the access token, and the holder's proofs do. Every refusal
is JSON with a 4xx status: OpenID4VCI's `{"error", "error_description"}`, or for the
exchange the VC-API's `{"error", "message", "status"}`. The wallet's answers are never
kept by a cache.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import request
from flask_babel import gettext

from app.errors import Conflict
from app.errors import LaurelError
from app.errors import NotFound
from app.extensions import csrf
from app.extensions import db
from app.extensions import limiter
from app.issuing.profile import current_issuer_name
from app.keyring import issuing_context
from app.models_base import utcnow
from app.verify.service import verify_json_presentation
from app.wallets import exchanges
from app.wallets import openid4vci
from app.wallets.models import WalletProtocol
from app.wallets.offers import live_offer
from app.wallets.offers import offer_sealer
from app.wallets.openid4vci import OAuthError
from app.web.mount import public_path

bp = Blueprint("wallet_issuer", __name__)
csrf.exempt(bp)
NO_STORE = "no-store"
# A wrong PIN voids its offer after three tries; this limits guessing codes themselves.
TOKEN_LIMIT = "30 per minute"
WALLET_LIMIT = "60 per minute"


def _json(body: Any, status: int = 200, *, public: bool = False) -> Response:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response = Response(text, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300" if public else NO_STORE
    if public:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(OAuthError)
def _oauth_error(error: OAuthError) -> Response:
    """OpenID4VCI's error body; what was spent before the refusal (a PIN try, a nonce) stays."""
    db.session.commit()
    response = _json({"error": error.code, "error_description": str(error)}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
    return response


@bp.errorhandler(LaurelError)
def _laurel_error(error: LaurelError) -> Response:
    db.session.rollback()
    title = type(error).__name__
    return _json(
        {"error": title, "message": str(error), "status": error.status_code}, error.status_code
    )


def _check_issuer_path(path: str | None, public_url: str) -> None:
    """A metadata address names this issuer: the bare well-known path (a public URL at the
    host's root, or the older form appended to the public URL's path, which the reverse
    proxy strips), or the well-known path followed by the public URL's path.

    :raises NotFound: the path after the well-known path is another issuer's.
    """
    # The public URL's path follows the well-known path when the proxy hands it on unchanged.
    if path is not None and "/" + path.strip("/") != public_path(public_url):
        raise NotFound(gettext("This server publishes no credential issuer at that address."))


@bp.get(openid4vci.ISSUER_WELL_KNOWN)
@bp.get(f"{openid4vci.ISSUER_WELL_KNOWN}/<path:issuer_path>")
def issuer_metadata(issuer_path: str | None = None):
    """The credential issuer metadata (OpenID4VCI §12.2)."""
    public_url = issuing_context().public_url
    _check_issuer_path(issuer_path, public_url)
    return _json(
        openid4vci.issuer_metadata(public_url, current_issuer_name(public_url)), public=True
    )


@bp.get(openid4vci.AUTHORIZATION_SERVER_WELL_KNOWN)
@bp.get(f"{openid4vci.AUTHORIZATION_SERVER_WELL_KNOWN}/<path:issuer_path>")
def authorization_server_metadata(issuer_path: str | None = None):
    """The authorization server metadata (RFC 8414): the pre-authorized grant only."""
    public_url = issuing_context().public_url
    _check_issuer_path(issuer_path, public_url)
    return _json(openid4vci.authorization_server_metadata(public_url), public=True)


@bp.get(f"{openid4vci.OFFER_PATH}<offer_id>")
@limiter.limit(WALLET_LIMIT)
def credential_offer(offer_id: str):
    """The credential offer by reference (`credential_offer_uri`), until its code is used."""
    now = utcnow()
    offer = live_offer(offer_id, WalletProtocol.OPENID4VCI, now=now)
    document = openid4vci.offer_document(
        offer, public_url=issuing_context().public_url, sealer=offer_sealer()
    )
    return _json(document)


@bp.post(openid4vci.TOKEN_PATH)
@limiter.limit(TOKEN_LIMIT)
def token():
    """The token endpoint: a pre-authorized code (and its PIN) for an access token."""
    answer = openid4vci.redeem_code(request.form.to_dict(), now=utcnow())
    db.session.commit()
    return _json(answer)


@bp.post(openid4vci.NONCE_PATH)
@limiter.limit(WALLET_LIMIT)
def nonce():
    """A fresh c_nonce for a proof of possession (OpenID4VCI §7)."""
    value = openid4vci.new_nonce(now=utcnow())
    db.session.commit()
    return _json({"c_nonce": value})


@bp.post(openid4vci.CREDENTIAL_PATH)
@limiter.limit(WALLET_LIMIT)
def credential():
    """The credential endpoint: the stored credential, for a valid proof of possession."""
    now = utcnow()
    offer = openid4vci.offer_for_token(request.headers.get("Authorization"), now=now)
    body = openid4vci.deliver_credential(
        offer, request.get_json(silent=True), public_url=issuing_context().public_url, now=now
    )
    db.session.commit()
    return _json(body)


@bp.get(f"{exchanges.EXCHANGE_PATH}<offer_id>")
@limiter.limit(WALLET_LIMIT)
def exchange_invitation(offer_id: str):
    """The interaction URL: the protocols this exchange speaks (here, `vcapi`)."""
    offer = live_offer(offer_id, WalletProtocol.VCAPI, now=utcnow())
    return _json(exchanges.invitation(issuing_context().public_url, offer))


@bp.post(f"{exchanges.EXCHANGE_PATH}<offer_id>")
@limiter.limit(WALLET_LIMIT)
def exchange(offer_id: str):
    """The VC-API exchange: {} asks for DID authentication; the signed presentation gets
    the credential."""
    now = utcnow()
    offer = live_offer(offer_id, WalletProtocol.VCAPI, now=now)
    if offer.delivered_at is not None:
        raise Conflict(gettext("This exchange delivered its credential already."))
    public_url = issuing_context().public_url
    presentation = exchanges.presentation_of(request.get_json(silent=True))
    if presentation is None:
        return _json(exchanges.presentation_request(offer, public_url=public_url))
    report = verify_json_presentation(
        presentation, now=now, challenge=offer.challenge, domain=exchanges.domain_of(public_url)
    )
    body = exchanges.deliver(offer, report, now=now)
    db.session.commit()
    return _json(body)
