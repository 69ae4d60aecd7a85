"""The VC-API exchange for the DCC Learner Credential Wallet.

The wallet is played by tests/interop/js/wallet-lcw.mjs (Digital Bazaar's vc and
eddsa-rdfc-2022): it follows the deep link, answers the DID authentication request with a
presentation signed by its did:key, and receives the credential. Spoiled presentations go
first in the same run: each is refused and leaves the exchange open.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from app.extensions import db
from app.wallets.models import WalletOffer
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.wallets.conftest import live_offer_page
from tests.wallets.conftest import make_offer


def test_lcw_link_holds_the_vcapi_invitation(client, login, school, issued):
    login(school.student)
    made = make_offer(client, issued, protocol="vcapi")
    assert made.status == 200
    assert made.pin is None
    assert made.link.startswith("https://lcw.app/request?request=")
    invitation = json.loads(parse_qs(urlsplit(made.link).query)["request"][0])
    exchange = f"{TEST_PUBLIC_URL}/exchanges/{made.offer_id}"
    assert invitation == {
        "credentialRequestOrigin": TEST_PUBLIC_URL,
        "protocols": {"vcapi": exchange},
    }
    assert exchange in made.page  # the plain interaction URL, for wallets that take one
    assert client.get(f"/exchanges/{made.offer_id}").get_json()["protocols"]["vcapi"] == exchange
    first = client.post(f"/exchanges/{made.offer_id}", json={})
    request = first.get_json()["verifiablePresentationRequest"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["domain"] == "laurel.test"
    assert request["challenge"] == db.session.get(WalletOffer, made.offer_id).challenge


def test_bad_exchange_bodies_and_ids(client, login, school, issued, make_credential):
    login(school.student)
    made = make_offer(client, issued, protocol="vcapi")
    for body in ([], {"verifiablePresentation": "a string"}, {"something": "else"}):
        response = client.post(f"/exchanges/{made.offer_id}", json=body)
        assert response.status_code == 400, body
        assert "verifiablePresentation" in response.get_json()["message"]
    # An OpenID4VCI offer's id, an unknown id and a malformed one are no exchanges.
    openid = make_offer(client, issued)
    for offer_id in (openid.offer_id, "00000000-0000-4000-8000-000000000000", "x" * 40):
        assert client.post(f"/exchanges/{offer_id}", json={}).status_code == 404
    # Another student's credential: no exchange is made for it.
    theirs = make_credential(recipient=school.classmate)
    assert make_offer(client, theirs, protocol="vcapi").status == 404


def test_learner_credential_wallet_exchange_on_loopback(live_server, school, issued, node_scripts):
    made = live_offer_page(live_server, school.student, issued, "vcapi")
    assert made.status == 200
    result = node_scripts.run(
        "wallet-lcw",
        {
            "link": made.link,
            "answers": [
                {"challenge": "a challenge of another exchange"},
                {"domain": "other-school.example"},
                {"unsigned": True},
                {},
                {},
            ],
        },
    )
    wrong_challenge, wrong_domain, unsigned, delivered, again = result["answers"]
    assert wrong_challenge["status"] == 400
    assert "another challenge" in wrong_challenge["body"]["message"]
    assert wrong_domain["status"] == 400
    assert "another domain" in wrong_domain["body"]["message"]
    assert unsigned["status"] == 400
    assert "no proof" in unsigned["body"]["message"]
    assert delivered["status"] == 200, delivered
    presentation = delivered["body"]["verifiablePresentation"]
    assert presentation["verifiableCredential"] == [json.loads(issued.json_text)]
    assert again["status"] == 409
    db.session.expire_all()
    offer = db.session.get(WalletOffer, made.offer_id)
    assert offer.holder_id == result["did"]
    assert offer.delivered_at is not None


def test_exchange_takes_the_learner_credential_wallets_ed25519signature2020(
    live_server, school, issued, node_scripts
):
    """The wallet's own suite: Ed25519Signature2020 on a VC 1.1 presentation."""
    made = live_offer_page(live_server, school.student, issued, "vcapi")
    result = node_scripts.run(
        "wallet-lcw",
        {
            "link": made.link,
            "suite": "Ed25519Signature2020",
            "answers": [{"challenge": "a challenge of another exchange"}, {"tamper": True}, {}],
        },
    )
    replayed, tampered, delivered = result["answers"]
    assert replayed["status"] == 400
    assert "another challenge" in replayed["body"]["message"]
    assert tampered["status"] == 400
    assert "signature does not match" in tampered["body"]["message"]
    assert delivered["status"] == 200, delivered
    credentials = delivered["body"]["verifiablePresentation"]["verifiableCredential"]
    assert credentials == [json.loads(issued.json_text)]
