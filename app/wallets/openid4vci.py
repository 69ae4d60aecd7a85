"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, as Laurel serves it.

The credential issuer identifier is the school's public URL; Laurel is its own
authorization server (RFC 8414 metadata, the token endpoint). Both metadata documents are
found where OpenID4VCI §12.2.2 and RFC 8414 §3.1 put them: the well-known path inserted
between the host and the public URL's path, if any (`well_known_url`), so a school at
https://school.example/laurel publishes at
https://school.example/.well-known/openid-credential-issuer/laurel. The wallet fetches the
offer (`credential_offer_uri`), trades its pre-authorized code (and the PIN, when the
learner asked for one) for an access token, takes a `c_nonce` from the nonce endpoint and
asks for the credential with a proof of possession of its key signing that nonce.

What it receives is the credential exactly as issued: the Data Integrity JSON for
`ldp_vc`, the VC-JWT for `jwt_vc_json`. The holder's key is checked (the proof must
verify, for this issuer, with a fresh nonce) and the holder recorded on the offer, but
the credential is not rebound to it: its subject stays the learner's identifier as
signed at issuance. Binding it (`credentialSubject.id` = the holder's DID) would mean
signing a new credential, a re-issue, which a wallet send does not do.

Access tokens live ACCESS_TOKEN_LIFETIME (five minutes: §13.10 asks longer-lived tokens to
be sender-constrained). After three wrong PINs the code is void (errata draft -19).
Errors carry the specification's codes (`OAuthError.code`); the views commit after a
refusal too, so that a wrong PIN and a spent nonce count.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.badges.models import CredentialState
from app.credentials.document import OB_CONTEXT
from app.credentials.document import OB_EXTENSIONS_CONTEXT
from app.credentials.document import VC_CONTEXT
from app.extensions import db
from app.models_base import rows_changed
from app.sealing import Sealer
from app.sealing import Unreadable
from app.wallets.models import WalletNonce
from app.wallets.models import WalletOffer
from app.wallets.offers import PIN_DIGITS
from app.wallets.offers import secret_hash
from app.wallets.proof_jwt import ALGORITHMS
from app.wallets.proof_jwt import ProofError
from app.wallets.proof_jwt import verify_proof_jwt
from app.web.mount import public_path

ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
AUTHORIZATION_SERVER_WELL_KNOWN = "/.well-known/oauth-authorization-server"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)
NONCE_LIFETIME = timedelta(minutes=5)
MAX_PIN_TRIES = 3
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC_JSON = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATIONS = (LDP_VC, JWT_VC_JSON)
# The paths the metadata announces (the views serve them).
TOKEN_PATH = "/openid4vci/token"
NONCE_PATH = "/openid4vci/nonce"
CREDENTIAL_PATH = "/openid4vci/credential"
OFFER_PATH = "/openid4vci/offers/"


class OAuthError(Exception):
    """A refusal with its OAuth 2.0 / OpenID4VCI error code, for a 400 (or 401) JSON body."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _binding(format_name: str, display_name: str) -> dict[str, Any]:
    return {
        "format": format_name,
        "cryptographic_binding_methods_supported": ["did:key", "jwk"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}},
        "credential_metadata": {
            "display": [{"name": display_name, "locale": "en"}],
        },
    }


def well_known_url(public_url: str, well_known: str) -> str:
    """Where a wallet looks for a metadata document of the issuer `public_url`: `well_known`
    inserted between the host and the path (OpenID4VCI §12.2.2, RFC 8414 §3.1)."""
    parts = urlsplit(public_url)
    return f"{parts.scheme}://{parts.netloc}{well_known}{public_path(public_url)}"


def issuer_metadata(public_url: str, school_name: str) -> dict[str, Any]:
    """The credential issuer metadata (§12.2): two formats of one Open Badges credential."""
    ldp = _binding("ldp_vc", "Open Badge (JSON-LD, Data Integrity)")
    ldp["credential_definition"] = {
        "@context": [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
        "type": CREDENTIAL_TYPES,
    }
    ldp["credential_signing_alg_values_supported"] = ["eddsa-rdfc-2022"]
    jwt_vc = _binding("jwt_vc_json", "Open Badge (VC-JWT)")
    jwt_vc["credential_definition"] = {"type": CREDENTIAL_TYPES}
    jwt_vc["credential_signing_alg_values_supported"] = ["RS256"]
    return {
        "credential_issuer": public_url,
        "credential_endpoint": public_url + CREDENTIAL_PATH,
        "nonce_endpoint": public_url + NONCE_PATH,
        "display": [{"name": school_name, "locale": "en"}],
        "credential_configurations_supported": {LDP_VC: ldp, JWT_VC_JSON: jwt_vc},
    }


def authorization_server_metadata(public_url: str) -> dict[str, Any]:
    """RFC 8414 metadata: the pre-authorized grant only, without client authentication."""
    return {
        "issuer": public_url,
        "token_endpoint": public_url + TOKEN_PATH,
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def offer_uri(public_url: str, offer: WalletOffer) -> str:
    return f"{public_url}{OFFER_PATH}{offer.id}"


def offer_document(offer: WalletOffer, *, public_url: str, sealer: Sealer) -> dict[str, Any]:
    """The credential offer (§4.1.1) the offer URI serves until its code is used.

    :raises OAuthError: the code was used, or this SECRET_KEY cannot open it.
    """
    if offer.code_used_at is not None or offer.sealed_code is None:
        raise OAuthError("invalid_grant", "This offer was used already.", status=404)
    try:
        code = sealer.open(offer.sealed_code)
    except Unreadable:
        raise OAuthError(
            "invalid_grant", "This offer cannot be read any more: ask for a new one.", status=404
        ) from None
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if offer.pin_hash is not None:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": PIN_DIGITS,
            "description": "The PIN shown beside the QR code on your credential's page.",
        }
    return {
        "credential_issuer": public_url,
        "credential_configuration_ids": list(CONFIGURATIONS),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def redeem_code(form: dict[str, str], *, now: datetime) -> dict[str, Any]:
    """The token endpoint (§6): a pre-authorized code (and PIN) for a short-lived token.

    The code works once: a second try with it is `invalid_grant`, as is a wrong PIN
    (three wrong PINs void the code) or an expired offer.
    """
    grant_type = form.get("grant_type")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError(
            "unsupported_grant_type", f"Laurel's token endpoint takes {PRE_AUTHORIZED_GRANT}."
        )
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError("invalid_request", "The request lacks “pre-authorized_code”.")
    offer = db.session.scalar(sa.select(WalletOffer).filter_by(code_hash=secret_hash(code)))
    if offer is None or offer.expires_at <= now:
        raise OAuthError("invalid_grant", "The pre-authorized code is unknown or expired.")
    if offer.code_used_at is not None:
        raise OAuthError("invalid_grant", "The pre-authorized code was used already.")
    if offer.credential.state == CredentialState.REVOKED:
        raise OAuthError("invalid_grant", "The credential has been revoked.")
    _check_pin(offer, form.get("tx_code"))
    token = secrets.token_urlsafe(32)
    # Spend the code in the same statement that checks it is unspent: of two concurrent
    # redemptions, one wins.
    spent = db.session.execute(
        sa.update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.code_used_at.is_(None))
        .values(
            code_used_at=now,
            sealed_code=None,
            token_hash=secret_hash(token),
            token_expires_at=now + ACCESS_TOKEN_LIFETIME,
            # The offer stays (is not cleaned away) while its token lives.
            expires_at=max(offer.expires_at, now + ACCESS_TOKEN_LIFETIME),
        )
    )
    if rows_changed(spent) != 1:
        raise OAuthError("invalid_grant", "The pre-authorized code was used already.")
    nonce = new_nonce(now=now)
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        # Wallets of drafts before 15 read the nonce here; 1.0 wallets ask the nonce endpoint.
        "c_nonce": nonce,
        "c_nonce_expires_in": int(NONCE_LIFETIME.total_seconds()),
        "authorization_details": [
            {
                "type": "openid_credential",
                "credential_configuration_id": configuration,
                "credential_identifiers": [configuration],
            }
            for configuration in CONFIGURATIONS
        ],
    }


def _check_pin(offer: WalletOffer, pin: str | None) -> None:
    if offer.pin_hash is None:
        if pin:
            raise OAuthError("invalid_request", "This offer asks for no PIN (tx_code).")
        return
    if not pin:
        raise OAuthError(
            "invalid_request", "This offer needs the PIN (tx_code) shown to the learner."
        )
    if secrets.compare_digest(secret_hash(pin), offer.pin_hash):
        return
    offer.failed_pins += 1
    if offer.failed_pins >= MAX_PIN_TRIES:
        offer.code_used_at = offer.code_used_at or offer.created_at
        offer.sealed_code = None
    raise OAuthError(
        "invalid_grant",
        "Wrong PIN (tx_code)."
        + (" The offer is void now: make a new one." if offer.failed_pins >= MAX_PIN_TRIES else ""),
    )


def new_nonce(*, now: datetime) -> str:
    """A fresh c_nonce (§7), good for one proof within NONCE_LIFETIME."""
    value = secrets.token_urlsafe(24)
    # Nonces nobody used are of no use after their time: each new one clears them away.
    db.session.execute(sa.delete(WalletNonce).where(WalletNonce.expires_at < now))
    db.session.add(WalletNonce(value=value, expires_at=now + NONCE_LIFETIME))
    db.session.flush()
    return value


def _spend_nonce(value: str, *, now: datetime) -> None:
    """Delete the nonce if it is ours and fresh; else the proof is `invalid_nonce`."""
    spent = db.session.execute(
        sa.delete(WalletNonce).where(WalletNonce.value == value, WalletNonce.expires_at > now)
    )
    if rows_changed(spent) != 1:
        raise OAuthError(
            "invalid_nonce", "The proof signs a nonce Laurel did not give or already took back."
        )


def offer_for_token(authorization: str | None, *, now: datetime) -> WalletOffer:
    """The offer whose access token the request bears (RFC 6750); 401 `invalid_token`."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError("invalid_token", "Send the access token as a Bearer token.", status=401)
    offer = db.session.scalar(
        sa.select(WalletOffer).filter_by(token_hash=secret_hash(token.strip()))
    )
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        raise OAuthError("invalid_token", "The access token is unknown or expired.", status=401)
    return offer


def deliver_credential(offer: WalletOffer, body: Any, *, public_url: str, now: datetime) -> str:
    """The credential endpoint (§8): its JSON answer, holding the stored credential as it
    was signed (the JSON-LD document's own text, the JWT string), after the holder's proof.

    :raises OAuthError: invalid_credential_request, unknown_credential_configuration,
        invalid_proof, invalid_nonce, credential_request_denied.
    """
    if not isinstance(body, dict):
        raise OAuthError("invalid_credential_request", "Send a JSON object.")
    configuration = body.get("credential_configuration_id") or body.get("credential_identifier")
    if configuration not in CONFIGURATIONS:
        raise OAuthError(
            "unknown_credential_configuration",
            f"Ask for one of {', '.join(CONFIGURATIONS)}.",
        )
    proofs = body.get("proofs")
    jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise OAuthError("invalid_proof", "Send one proof of possession in “proofs.jwt”.")
    try:
        possession = verify_proof_jwt(jwts[0], audience=public_url, now=now)
    except ProofError as error:
        raise OAuthError(error.code, str(error)) from None
    _spend_nonce(possession.nonce, now=now)
    credential = offer.credential
    if credential.state == CredentialState.REVOKED:
        raise OAuthError("credential_request_denied", "The credential has been revoked.")
    if configuration == JWT_VC_JSON:
        if credential.jwt_text is None:
            raise OAuthError(
                "credential_request_denied", "This credential has no VC-JWT form: ask for ldp_vc."
            )
        delivered = json.dumps(credential.jwt_text)
    else:
        delivered = credential.json_text
    offer.holder_id = possession.holder_id
    offer.delivered_at = now
    return f'{{"credentials": [{{"credential": {delivered}}}]}}'
