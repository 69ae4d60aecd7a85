"""Laurel's downloads checked by Digital Bazaar's verifier (vc-js), through tests/interop/js.

The baked PNG is read by an independent reader written from the OB 3.0 spec, the PDF's
attachment by pypdf, and each credential (and the CLR learner record) is verified by
vc-js against the DID document and status list that Laurel serves.
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from pypdf import PdfReader

from app.credentials.document import format_datetime
from app.credentials.schema import validate_credential
from app.models_base import utcnow

pytestmark = pytest.mark.node


def served_documents(client) -> list[dict]:
    """The DID document and the revocation list exactly as the routes serve them."""
    return [
        json.loads(client.get("/.well-known/did.json").data),
        json.loads(client.get("/status/revocation/1").data),
    ]


def vc_js(node_scripts, client, **payload) -> dict:
    """vc-js's answer now: the learner record is signed at the real time of the request."""
    now = format_datetime(utcnow())
    return node_scripts.run(
        "verify-di", {**payload, "documents": served_documents(client), "now": now}
    )


@pytest.fixture
def shared(client, login, school, issued):
    login(school.student)
    client.post(f"/credentials/{issued.id}/share", data={"sharing": "on"})
    return issued


def test_interop_baked_png_read_independently_verifies_with_vc_js(node_scripts, client, shared):
    png = client.get(f"/s/{shared.share_token}/download/png").data
    baked = node_scripts.run("extract-baked", {"png": base64.b64encode(png).decode("ascii")})
    assert baked["credentials"] == [shared.json_text]
    result = vc_js(node_scripts, client, credential=json.loads(baked["credentials"][0]))
    assert result["verified"] is True, result["error"]
    assert result["statuses"][0]["status"] is False


def test_interop_baked_svg_read_independently_verifies_with_vc_js(node_scripts, client, shared):
    svg = client.get(f"/s/{shared.share_token}/download/svg").get_data(as_text=True)
    baked = node_scripts.run("extract-baked", {"svg": svg})
    assert baked["credentials"] == [shared.json_text]
    assert (
        vc_js(node_scripts, client, credential=json.loads(baked["credentials"][0]))["verified"]
        is True
    )


def test_interop_pdf_attachment_verifies_with_vc_js(node_scripts, client, shared):
    pdf = client.get(f"/s/{shared.share_token}/download/pdf").data
    attached = PdfReader(io.BytesIO(pdf)).attachments["credential.json"][0]
    result = vc_js(node_scripts, client, credential=json.loads(attached))
    assert result["verified"] is True, result["error"]


def test_interop_learner_record_verifies_and_validates(
    node_scripts, client, login, school, make_credential
):
    make_credential()
    make_credential(name="Peer Tutor")
    login(school.student)
    clr = json.loads(client.get(f"/learners/{school.student.id}/record.json").data)
    validate_credential(clr)
    result = vc_js(node_scripts, client, credential=clr)
    assert result["verified"] is True, result["error"]
    embedded = vc_js(
        node_scripts, client, credentials=clr["credentialSubject"]["verifiableCredential"]
    )
    assert [item["verified"] for item in embedded] == [True, True], embedded
