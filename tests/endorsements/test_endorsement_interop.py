"""An endorsement, alone and embedded in a credential, verified by Digital Bazaar's vc-js."""

from __future__ import annotations

import json

import pytest

from app.endorsements.models import Endorsement
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.keyring import issuing_context
from app.models_base import utcnow
from tests.fixtures.node import NodeScripts

from .conftest import ENDORSER

pytestmark = pytest.mark.node


def _documents(client, endorsement: Endorsement) -> list[dict]:
    """The endorser's and the school's DID documents, as served."""
    endorser = client.get(f"/endorsers/{endorsement.endorser_id}/did.json").json
    school = client.get("/.well-known/did.json").json
    return [endorser, school]


def test_vc_js_verifies_the_endorsers_signature(client, make_invite, node_scripts: NodeScripts):
    client.post(f"/endorse/{make_invite()}", data=ENDORSER)
    endorsement = db.session.query(Endorsement).one()
    document = json.loads(endorsement.json_text)
    tampered = {**document, "name": "Someone else endorses it"}

    results = node_scripts.run(
        "verify-di",
        {"credentials": [document, tampered], "documents": _documents(client, endorsement)},
    )

    assert results[0]["verified"] is True, results[0]["error"]
    assert results[1]["verified"] is False


def test_vc_js_verifies_a_credential_with_an_embedded_endorsement(
    client, school, make_invite, node_scripts: NodeScripts
):
    client.post(f"/endorse/{make_invite()}", data=ENDORSER)
    endorsement = db.session.query(Endorsement).one()
    credential = issue_credential(
        issuing_context(),
        badge=school.badge,
        recipient=school.student,
        level_id=school.badge.rubric_levels[-1]["id"],
        issued_by=school.instructor,
        now=utcnow(),
    )
    db.session.commit()
    document = json.loads(credential.json_text)
    embedded = document["credentialSubject"]["achievement"]["endorsement"][0]
    status_list = json.loads(client.get("/status/revocation/1").data)

    results = node_scripts.run(
        "verify-di",
        {
            "credentials": [document, embedded],
            "documents": [*_documents(client, endorsement), status_list],
        },
    )

    assert [result["verified"] for result in results] == [True, True], results
