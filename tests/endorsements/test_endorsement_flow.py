"""An outside endorser follows a link, says who they are, and Laurel signs with their own key."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.badges.achievement import achievement_url
from app.credentials.endorsement import endorser_did
from app.credentials.keys import multikey_from_public_key
from app.credentials.schema import validate_credential
from app.endorsements import services
from app.endorsements.models import Endorsement
from app.extensions import db
from app.keyring import issuing_context
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.signin import sign_in

from .conftest import ENDORSER


def _only_endorsement() -> Endorsement:
    [endorsement] = db.session.query(Endorsement).all()
    return endorsement


def test_endorser_signs_the_badge_with_a_key_of_their_own(client, make_invite, school):
    token = make_invite()

    page = client.get(f"/endorse/{token}")
    answer = client.post(f"/endorse/{token}", data=ENDORSER)

    assert page.status_code == 200 and "Endorse “Vehicle Restoration”" in page.text
    assert answer.status_code == 200 and "Thank you, Dana Ruiz" in answer.text
    endorsement = _only_endorsement()
    document = json.loads(endorsement.json_text)
    did = endorser_did("did:web:laurel.test", endorsement.endorser_id)
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["id"] == f"{TEST_PUBLIC_URL}/endorsements/{endorsement.id}"
    assert document["issuer"] == {
        "id": did,
        "type": ["Profile"],
        "name": "Dana Ruiz",
        "description": "Riverside Garage",
        "url": "https://garage.example",
    }
    assert document["credentialSubject"] == {
        "id": achievement_url(school.badge, TEST_PUBLIC_URL),
        "type": ["EndorsementSubject"],
        "endorsementComment": ENDORSER["comment"],
    }
    [proof] = document["proof"]
    assert proof["verificationMethod"] == f"{did}#key-1"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    # The endorser's email is kept by the school, never published.
    assert "dana@garage.example" not in endorsement.json_text
    # Never the school's key: the school's DID document does not list the endorser's.
    school_did = client.get("/.well-known/did.json").json
    assert did not in json.dumps(school_did)


def test_the_endorsement_matches_the_official_ob_schemas(client, make_invite):
    client.post(f"/endorse/{make_invite()}", data=ENDORSER)

    document = json.loads(_only_endorsement().json_text)

    validate_credential(document)  # raises SchemaError naming the failing property
    assert document["credentialSchema"][0]["id"].endswith(
        "ob_v3p0_endorsementcredential_schema.json"
    )


def test_did_document_lists_the_endorsers_one_key_for_assertions(client, make_invite):
    client.post(f"/endorse/{make_invite()}", data=ENDORSER)
    endorsement = _only_endorsement()
    did = f"did:web:laurel.test:endorsers:{endorsement.endorser_id}"

    response = client.get(f"/endorsers/{endorsement.endorser_id}/did.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/did+json"
    document = response.json
    assert document["id"] == did
    [method] = document["verificationMethod"]
    assert method["id"] == f"{did}#key-1"
    assert method["type"] == "Multikey"
    assert method["controller"] == did
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert document["assertionMethod"] == [f"{did}#key-1"]
    assert endorsement.endorser.public_key == method["publicKeyMultibase"]
    # The private key is stored encrypted (PKCS#8 with the key store's passphrase).
    assert endorsement.endorser.sealed_key.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    opened = issuing_context().keystore.open_sealed(endorsement.endorser.sealed_key)
    assert multikey_from_public_key(opened.public_key()) == method["publicKeyMultibase"]


@pytest.mark.parametrize("endorser_id", ["nobody", "00000000-0000-0000-0000-000000000000"])
def test_unknown_endorser_has_no_did_document(client, app_ctx, endorser_id):
    assert client.get(f"/endorsers/{endorser_id}/did.json").status_code == 404


def test_a_link_endorses_once(client, make_invite):
    token = make_invite()
    client.post(f"/endorse/{token}", data=ENDORSER)

    again = client.post(f"/endorse/{token}", data=ENDORSER)
    page = client.get(f"/endorse/{token}")

    assert again.status_code == 409 and page.status_code == 409
    assert "already been used" in again.text
    assert db.session.query(Endorsement).count() == 1


def test_an_expired_link_is_refused(client, make_invite):
    token = make_invite(age=services.INVITE_LIFETIME + timedelta(minutes=1))

    answer = client.post(f"/endorse/{token}", data=ENDORSER)

    assert answer.status_code == 410 and "expired" in answer.text
    assert db.session.query(Endorsement).count() == 0


@pytest.mark.parametrize(
    "token",
    [
        "forged-token-forged-token-forged-token-1234",  # well formed, never issued
        "short",  # not even a token
        "a" * 200,  # too long to be one
    ],
)
def test_a_forged_link_is_not_found(client, make_invite, token):
    make_invite()

    assert client.get(f"/endorse/{token}").status_code == 404
    assert client.post(f"/endorse/{token}", data=ENDORSER).status_code == 404


def test_only_the_credential_the_link_names_can_be_endorsed(
    client, make_invite, issued, school, make_credential
):
    other = make_credential(recipient=school.classmate)
    token = make_invite(credential=issued)

    refused = client.post(f"/endorse/{token}", data={**ENDORSER, "subject": other.id})
    allowed = client.post(f"/endorse/{token}", data={**ENDORSER, "subject": issued.id})

    assert refused.status_code == 403
    assert "does not name that credential" in refused.text
    assert allowed.status_code == 200
    endorsement = _only_endorsement()
    assert endorsement.credential_id == issued.id
    subject = json.loads(endorsement.json_text)["credentialSubject"]
    assert subject["id"] == f"{TEST_PUBLIC_URL}/credentials/{issued.id}"


def test_a_link_for_the_badge_alone_endorses_no_credential(client, make_invite, issued):
    token = make_invite()

    refused = client.post(f"/endorse/{token}", data={**ENDORSER, "subject": issued.id})

    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comment", "", "Enter your comment."),
        ("comment", "   ", "Enter your comment."),
        ("comment", "x" * (services.MAX_COMMENT + 1), "at most 5000 characters"),
        ("name", "", "Enter your name."),
        ("name", "n" * (services.MAX_NAME + 1), "at most 200 characters"),
        ("organisation", "o" * (services.MAX_ORGANISATION + 1), "at most 200 characters"),
        ("email", "", "Enter your email."),
        ("email", "not-an-email", "valid email address"),
        ("email", "a@b.c" + "m" * 260, "at most 254 characters"),
        ("url", "javascript:alert(1)", "http(s) address"),
        ("url", "https://" + "g" * 600 + ".example", "at most 500 characters"),
    ],
)
def test_bad_input_is_refused_with_a_sentence_and_the_link_stays_usable(
    client, make_invite, field, value, message
):
    token = make_invite()

    answer = client.post(f"/endorse/{token}", data={**ENDORSER, field: value})

    assert answer.status_code == 400
    assert message in answer.text
    assert db.session.query(Endorsement).count() == 0
    assert client.get(f"/endorse/{token}").status_code == 200


def test_staff_make_a_link_that_is_shown_once(client, school, app_ctx):
    sign_in(client, school.instructor)

    answer = client.post(
        "/endorsements", data={"badge_id": school.badge.id, "credential_id": "", "invitee": "Dana"}
    )

    assert answer.status_code == 200
    assert f"{TEST_PUBLIC_URL}/endorse/" in answer.text
    token = answer.text.split("/endorse/")[1].split('"')[0]
    assert client.get(f"/endorse/{token}").status_code == 200


def test_an_instructor_cannot_invite_for_another_class_badge(client, school, app_ctx):
    badge_id = school.badge.id
    sign_in(client, school.other_instructor)

    answer = client.post(
        "/endorsements", data={"badge_id": badge_id, "credential_id": "", "invitee": "Dana"}
    )

    assert answer.status_code == 403
    assert "/endorse/" not in answer.text


def test_the_signature_is_checked_by_laurels_own_verifier(client, make_invite, now):
    from app.verify.service import verify_json_credential

    client.post(f"/endorse/{make_invite()}", data=ENDORSER)
    document = json.loads(_only_endorsement().json_text)

    report = verify_json_credential(document, now=now + timedelta(days=30))
    tampered = {
        **document,
        "credentialSubject": {**document["credentialSubject"], "endorsementComment": "Forged."},
    }
    forged = verify_json_credential(tampered, now=now + timedelta(days=30))

    assert report.verified, report.to_json()
    assert not forged.genuine
    assert issuing_context().issuer_id == "did:web:laurel.test"


SPANISH = {"Accept-Language": "es"}


def test_an_expired_link_is_refused_in_the_endorsers_language(client, make_invite):
    token = make_invite(age=services.INVITE_LIFETIME + timedelta(minutes=1))

    answer = client.post(f"/endorse/{token}", data=ENDORSER, headers=SPANISH)

    assert answer.status_code == 410
    assert "Este enlace de respaldo venció. Pide uno nuevo a la escuela." in answer.text
    assert "has expired" not in answer.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comment", "   ", "Escribe tu comentario."),
        ("email", "", "Ingresa tu correo electrónico."),
        ("name", "n" * (services.MAX_NAME + 1), "Tu nombre es demasiado largo: 200 caracteres"),
        (
            "organisation",
            "o" * (services.MAX_ORGANISATION + 1),
            "Tu organización es demasiado larga: 200 caracteres",
        ),
        (
            "url",
            "https://" + "g" * 600 + ".example",
            "Tu dirección web es demasiado larga: 500 caracteres",
        ),
    ],
)
def test_bad_input_is_refused_in_the_endorsers_language(client, make_invite, field, value, message):
    token = make_invite()

    answer = client.post(f"/endorse/{token}", data={**ENDORSER, field: value}, headers=SPANISH)

    assert answer.status_code == 400
    assert message in answer.text
    assert "too long" not in answer.text and "Enter your" not in answer.text
