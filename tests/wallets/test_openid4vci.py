"""OpenID4VCI 1.0, pre-authorized code flow: the offer, token, nonce and credential endpoints.

The wallet is played by the OpenWallet Foundation's @openid4vc/openid4vci client on a live
server; the refusals are driven in process, each named.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.models_base import utcnow
from app.wallets.models import WalletOffer
from app.wallets.openid4vci import JWT_VC_JSON
from app.wallets.openid4vci import LDP_VC
from app.wallets.openid4vci import PRE_AUTHORIZED_GRANT
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.wallets.conftest import Holder
from tests.wallets.conftest import live_offer_page
from tests.wallets.conftest import make_offer

OFFER_PREFIX = "openid-credential-offer://?credential_offer_uri="


def _offer_document(client, made) -> dict:
    uri = parse_qs(urlsplit(made.link).query)["credential_offer_uri"][0]
    response = client.get(uri.removeprefix(TEST_PUBLIC_URL))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _token(client, code: str, pin: str | None):
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if pin is not None:
        form["tx_code"] = pin
    return client.post("/openid4vci/token", data=form)


def _code(document: dict) -> str:
    return document["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]


def _nonce(client) -> str:
    return client.post("/openid4vci/nonce").get_json()["c_nonce"]


def _ask(client, token: str, proof: str | None, configuration: str = LDP_VC):
    body = {"credential_configuration_id": configuration}
    if proof is not None:
        body["proofs"] = {"jwt": [proof]}
    return client.post(
        "/openid4vci/credential", json=body, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture
def offered(client, login, school, issued):
    """Sam's offer of his credential with a PIN: (page, offer document)."""
    login(school.student)
    made = make_offer(client, issued)
    assert made.status == 200
    return made, _offer_document(client, made)


@pytest.fixture
def access_token(client, offered) -> str:
    made, document = offered
    response = _token(client, _code(document), made.pin)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def test_metadata_names_issuer_endpoints_and_both_formats(client):
    metadata = client.get("/.well-known/openid-credential-issuer").get_json()
    assert metadata["credential_issuer"] == TEST_PUBLIC_URL
    assert metadata["credential_endpoint"] == f"{TEST_PUBLIC_URL}/openid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{TEST_PUBLIC_URL}/openid4vci/nonce"
    configurations = metadata["credential_configurations_supported"]
    assert configurations[LDP_VC]["format"] == "ldp_vc"
    assert configurations[JWT_VC_JSON]["format"] == "jwt_vc_json"
    assert "OpenBadgeCredential" in configurations[LDP_VC]["credential_definition"]["type"]
    server = client.get("/.well-known/oauth-authorization-server").get_json()
    assert server["issuer"] == TEST_PUBLIC_URL
    assert PRE_AUTHORIZED_GRANT in server["grant_types_supported"]


def test_offer_page_shows_deep_link_pin_and_offer_by_reference(offered):
    made, document = offered
    assert made.link.startswith(OFFER_PREFIX)
    assert made.pin is not None and len(made.pin) == 6
    assert document["credential_issuer"] == TEST_PUBLIC_URL
    assert document["credential_configuration_ids"] == [LDP_VC, JWT_VC_JSON]
    grant = document["grants"][PRE_AUTHORIZED_GRANT]
    assert grant["tx_code"]["input_mode"] == "numeric"
    stored = db.session.get(WalletOffer, made.offer_id)
    # Neither the code nor the PIN is stored in clear.
    assert _code(document) not in (stored.sealed_code, stored.code_hash)
    assert made.pin not in (stored.pin_hash or "")


def test_each_offer_has_its_own_uri_and_code(client, login, school, issued):
    login(school.student)
    first, second = make_offer(client, issued), make_offer(client, issued)
    assert first.offer_id != second.offer_id
    assert _code(_offer_document(client, first)) != _code(_offer_document(client, second))


def test_credential_delivers_stored_bytes_for_a_proof_with_fresh_nonce(
    client, issued, access_token, holder
):
    proof = holder.proof(nonce=_nonce(client), audience=TEST_PUBLIC_URL)
    response = _ask(client, access_token, proof)
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert issued.json_text in text  # the stored document, byte for byte
    proof = holder.proof(nonce=_nonce(client), audience=TEST_PUBLIC_URL)
    as_jwt = _ask(client, access_token, proof, JWT_VC_JSON).get_json()
    assert as_jwt["credentials"][0]["credential"] == issued.jwt_text
    db.session.expire_all()
    offer = db.session.scalar(db.select(WalletOffer).filter_by(credential_id=issued.id))
    assert offer.holder_id == holder.kid.split("#")[0]


def test_reused_pre_authorized_code_is_invalid_grant(client, offered, access_token):
    made, document = offered
    again = _token(client, _code(document), made.pin)
    assert again.status_code == 400
    assert again.get_json()["error"] == "invalid_grant"
    # The offer URI no longer serves the spent code.
    uri = parse_qs(urlsplit(made.link).query)["credential_offer_uri"][0]
    assert client.get(uri.removeprefix(TEST_PUBLIC_URL)).status_code == 404


def test_wrong_pin_is_invalid_grant_and_three_void_the_code(client, offered):
    made, document = offered
    wrong = "000000" if made.pin != "000000" else "111111"
    for _ in range(3):
        response = _token(client, _code(document), wrong)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_grant"
    assert "void" in response.get_json()["error_description"]
    right = _token(client, _code(document), made.pin)
    assert right.get_json()["error"] == "invalid_grant"


def test_missing_pin_is_invalid_request(client, offered):
    _, document = offered
    response = _token(client, _code(document), None)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_offer_without_pin_needs_none(client, login, school, issued):
    login(school.student)
    made = make_offer(client, issued, pin=False)
    assert made.pin is None
    document = _offer_document(client, made)
    assert "tx_code" not in document["grants"][PRE_AUTHORIZED_GRANT]
    assert _token(client, _code(document), None).status_code == 200


def test_expired_offer_is_404_and_its_code_invalid_grant(client, offered):
    made, document = offered
    offer = db.session.get(WalletOffer, made.offer_id)
    offer.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    uri = parse_qs(urlsplit(made.link).query)["credential_offer_uri"][0]
    assert client.get(uri.removeprefix(TEST_PUBLIC_URL)).status_code == 404
    response = _token(client, _code(document), made.pin)
    assert response.get_json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "form, error",
    [
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({"grant_type": PRE_AUTHORIZED_GRANT}, "invalid_request"),
        ({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "guessed"}, "invalid_grant"),
    ],
    ids=["other grant", "no code", "unknown code"],
)
def test_token_refusals(client, form, error):
    response = client.post("/openid4vci/token", data=form)
    assert response.status_code == 400
    assert response.get_json()["error"] == error


def test_missing_nonce_in_proof_is_invalid_nonce(client, access_token, holder):
    response = _ask(client, access_token, holder.proof(nonce=None, audience=TEST_PUBLIC_URL))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_nonce"


def test_stale_or_spent_nonce_is_invalid_nonce(client, access_token, holder):
    nonce = _nonce(client)
    assert (
        _ask(client, access_token, holder.proof(nonce=nonce, audience=TEST_PUBLIC_URL)).status_code
        == 200
    )
    spent = _ask(client, access_token, holder.proof(nonce=nonce, audience=TEST_PUBLIC_URL))
    assert spent.get_json()["error"] == "invalid_nonce"
    made_up = _ask(client, access_token, holder.proof(nonce="made-up", audience=TEST_PUBLIC_URL))
    assert made_up.get_json()["error"] == "invalid_nonce"


def test_old_proof_is_invalid_proof(client, access_token, holder):
    old = holder.proof(nonce=_nonce(client), audience=TEST_PUBLIC_URL, issued_at=time.time() - 3600)
    response = _ask(client, access_token, old)
    assert response.get_json()["error"] == "invalid_proof"
    assert "stale" in response.get_json()["error_description"]


@pytest.mark.parametrize(
    "change, words",
    [
        ({"audience": "https://other-school.example"}, "another issuer"),
        ({"headers": {"typ": "JWT"}}, "typ"),
        ({"headers": {"alg": "HS256"}}, "HS256"),
        ({"headers": {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}}}, "kid or jwk"),
    ],
    ids=["proof for another audience", "wrong typ", "symmetric alg", "two keys named"],
)
def test_bad_proofs_are_invalid_proof(client, access_token, holder, change, words):
    audience = change.get("audience", TEST_PUBLIC_URL)
    proof = holder.proof(nonce=_nonce(client), audience=audience, headers=change.get("headers"))
    response = _ask(client, access_token, proof)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_proof"
    assert words in response.get_json()["error_description"]


def test_proof_signed_by_another_key_is_invalid_proof(client, access_token, holder):
    forged = Holder(Ed25519PrivateKey.generate()).proof(
        nonce=_nonce(client), audience=TEST_PUBLIC_URL, headers={"kid": holder.kid}
    )
    response = _ask(client, access_token, forged)
    assert response.get_json()["error"] == "invalid_proof"


def test_credential_request_refusals(client, access_token, holder):
    proof = holder.proof(nonce=_nonce(client), audience=TEST_PUBLIC_URL)
    no_proof = _ask(client, access_token, None)
    assert no_proof.get_json()["error"] == "invalid_proof"
    unknown = _ask(client, access_token, proof, "SomethingElse")
    assert unknown.get_json()["error"] == "unknown_credential_configuration"
    for header in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        response = client.post("/openid4vci/credential", json={}, headers=header)
        assert response.status_code == 401
        assert response.get_json()["error"] == "invalid_token"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_credential_is_offered_nowhere(client, login, school, issued, access_token, holder):
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Awarded by mistake",
        now=utcnow(),
    )
    db.session.commit()
    proof = holder.proof(nonce=_nonce(client), audience=TEST_PUBLIC_URL)
    assert _ask(client, access_token, proof).get_json()["error"] == "credential_request_denied"
    login(school.student)
    assert make_offer(client, issued).status == 409


@pytest.mark.parametrize(
    "who, status", [("other_student", 404), ("instructor", 403)], ids=["another student", "staff"]
)
def test_only_the_learner_makes_offers(client, login, school, issued, who, status):
    login(getattr(school, who))
    assert make_offer(client, issued).status == status
    assert db.session.scalar(db.select(WalletOffer)) is None


def test_another_protocols_or_unknown_offer_id_is_404(client, offered):
    made, _ = offered
    assert client.post(f"/exchanges/{made.offer_id}", json={}).status_code == 404
    assert client.get("/openid4vci/offers/not-an-offer").status_code == 404
    assert client.get("/openid4vci/offers/00000000-0000-4000-8000-000000000000").status_code == 404


def test_openid4vci_client_library_receives_both_formats(
    live_server, login, school, issued, node_scripts
):
    """The whole flow as the @openid4vc/openid4vci wallet library runs it, on loopback."""
    made = live_offer_page(live_server, school.student, issued, "openid4vci")
    assert made.status == 200 and made.pin
    result = node_scripts.run(
        "wallet-openid4vci",
        {
            "offer": made.link,
            "pin": made.pin,
            "requests": [
                {"configuration": LDP_VC, "signer": "did"},
                {"configuration": JWT_VC_JSON, "signer": "jwk"},
            ],
        },
    )
    assert result["issuer"] == live_server
    ldp, as_jwt = result["credentials"]
    assert ldp["format"] == "ldp_vc"
    assert ldp["credential"] == json.loads(issued.json_text)
    assert as_jwt["format"] == "jwt_vc_json"
    assert as_jwt["credential"] == issued.jwt_text
