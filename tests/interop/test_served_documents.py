"""What the running Laurel serves verifies elsewhere, byte for byte as served.

A shared credential issued through the badge service is fetched from its public URL, with
the DID document, the JWKS and the status list from theirs (test client, no
network), and handed to vc-js and jose exactly as a verifier on the web gets them.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.badges.models import IssuedCredential
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from tests.fixtures.node import NodeScripts

from .issuer import VERIFY_AT

pytestmark = pytest.mark.node


@pytest.fixture
def issued(issued: IssuedCredential) -> IssuedCredential:
    """The shared credential, shared by its learner: its URL serves the document to anyone."""
    issued.share_enabled = True
    db.session.commit()
    return issued


def _served_json(client: FlaskClient, path: str) -> dict[str, Any]:
    response = client.get(path, headers={"Accept": "application/vc+ld+json"})
    assert response.status_code == 200, path
    document: dict[str, Any] = json.loads(response.data)
    return document


def _verify_served(
    node_scripts: NodeScripts,
    client: FlaskClient,
    issued: IssuedCredential,
    credential: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """vc-js verifies the credential (by default as served at its URL) with served documents."""
    credential = credential or _served_json(client, f"/credentials/{issued.id}")
    status_url = credential["credentialStatus"]["statusListCredential"]
    assert status_url.startswith("https://laurel.test/")
    payload = {
        "credential": credential,
        "documents": [
            _served_json(client, "/.well-known/did.json"),
            _served_json(client, status_url.removeprefix("https://laurel.test")),
        ],
        "now": VERIFY_AT,
    }
    result: dict[str, Any] = node_scripts.run("verify-di", payload)
    return result


def test_served_credential_verifies_with_served_did_document_and_status_list(
    node_scripts: NodeScripts, client: FlaskClient, issued: IssuedCredential
) -> None:
    result = _verify_served(node_scripts, client, issued)

    assert result["verified"] is True, result["error"]
    assert result["statuses"] == [
        {
            "statusPurpose": "revocation",
            "statusListIndex": str(issued.revocation_index),
            "status": False,
        }
    ]


def test_served_credential_after_revocation_reads_revoked(
    node_scripts: NodeScripts, client: FlaskClient, issued: IssuedCredential, now: datetime
) -> None:
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued to the wrong student.",
        now=now,
    )
    db.session.commit()

    result = _verify_served(node_scripts, client, issued)

    assert result["statuses"][0]["status"] is True


def test_served_jwt_verifies_with_served_jwks(
    node_scripts: NodeScripts, client: FlaskClient, issued: IssuedCredential
) -> None:
    token = client.get(f"/credentials/{issued.id}?format=jwt").data.decode("ascii")
    jwks = _served_json(client, "/.well-known/jwks.json")

    result = node_scripts.run("verify-jwt", {"jwt": token, "jwks": jwks, "now": VERIFY_AT})

    assert result["verified"] is True, result.get("error")
    assert result["payload"]["jti"] == _served_json(client, f"/credentials/{issued.id}")["id"]


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_baked_download_holds_the_stored_credential_which_verifies(
    node_scripts: NodeScripts,
    client: FlaskClient,
    login: Any,
    school: Any,
    issued: IssuedCredential,
    kind: str,
) -> None:
    """Read with an extractor written from the OB spec, not Laurel's own reader."""
    response = login(school.student).get(f"/credentials/{issued.id}/download/{kind}")
    assert response.status_code == 200
    image = (
        {"png": base64.b64encode(response.data).decode("ascii")}
        if kind == "png"
        else {"svg": response.data.decode("utf-8")}
    )

    extracted = node_scripts.run("extract-baked", image)["credentials"]

    assert extracted == [issued.json_text]
    result = _verify_served(node_scripts, client, issued, json.loads(extracted[0]))
    assert result["verified"] is True, result["error"]


def test_learner_record_download_verifies(
    node_scripts: NodeScripts,
    client: FlaskClient,
    login: Any,
    school: Any,
    issued: IssuedCredential,
) -> None:
    response = login(school.student).get(f"/learners/{school.student.id}/record.json")
    assert response.status_code == 200
    record = json.loads(response.data)
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]

    # The record is signed now (real time), so vc-js checks its dates against the real clock.
    result = node_scripts.run(
        "verify-di",
        {"credential": record, "documents": [_served_json(client, "/.well-known/did.json")]},
    )

    assert result["verified"] is True, result["error"]
