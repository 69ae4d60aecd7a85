"""Held credentials on the learner record: listed, put in the signed CLR, taken out, removed."""

from __future__ import annotations

import json

import pytest

from app.backpack.store import RefusedCredential
from app.backpack.store import held_credentials
from app.backpack.store import keep
from app.models_base import utcnow
from app.verify.core.report import Verdict
from app.verify.service import run_verification
from tests.verify.factory import did_key_forgery


@pytest.fixture
def foreign(issued) -> tuple[bytes, str]:
    """(body, did): a credential signed by a did:key issuer, in JSON with spacing of its own."""
    document = json.loads(issued.json_text)
    document["id"] = "urn:uuid:2f0c8a52-4c1e-4f7e-9d3a-2a4b9c1d0002"
    signed, did = did_key_forgery(document)
    return json.dumps(signed, indent=1).encode(), did


def test_record_lists_held_with_issuer_and_verdict(client, login, school, foreign):
    body, did = foreign
    keep(school.student, body, client_id=None, now=utcnow())
    page = login(school.student).get(f"/learners/{school.student.id}/record")
    text = page.get_data(as_text=True)
    assert "Kept from other issuers" in text
    assert did in text and "Unknown issuer" in text
    assert "Put in my signed record" in text


def test_record_held_seen_by_teacher_without_buttons(client, login, school, foreign):
    keep(school.student, foreign[0], client_id=None, now=utcnow())
    text = login(school.instructor).get(f"/learners/{school.student.id}/record").get_data(True)
    assert foreign[1] in text
    assert "Put in my signed record" not in text


def test_record_put_held_in_signed_clr_and_out_again(client, login, school, foreign):
    body, did = foreign
    held = keep(school.student, body, client_id=None, now=utcnow()).held
    student = login(school.student)
    answer = student.post(f"/backpack/{held.id}/record", data={"include": "on"})
    assert answer.status_code == 302
    record = student.get(f"/learners/{school.student.id}/record.json").get_data()
    embedded = json.loads(record)["credentialSubject"]["verifiableCredential"]
    assert json.loads(body) in embedded
    verification = run_verification(record, now=utcnow(), filename="record.json")
    parts = {part.issuer_id: part.verdict for part in verification.report.parts}
    assert parts[did] is Verdict.UNKNOWN_ISSUER
    assert verification.report.genuine or verification.report.verdict is Verdict.UNCHECKED
    student.post(f"/backpack/{held.id}/record", data={"include": "off"})
    record = student.get(f"/learners/{school.student.id}/record.json").get_data()
    assert did not in record.decode()


def test_record_vc_jwt_cannot_go_in_signed_clr(client, login, school, issued):
    held = keep(school.student, issued.jwt_text.encode(), client_id=None, now=utcnow()).held
    answer = login(school.student).post(f"/backpack/{held.id}/record", data={"include": "on"})
    assert answer.status_code == 400
    assert "VC-JWT" in answer.get_data(as_text=True)


def test_record_remove_held(client, login, school, foreign):
    held = keep(school.student, foreign[0], client_id=None, now=utcnow()).held
    answer = login(school.student).post(f"/backpack/{held.id}/remove")
    assert answer.status_code == 302
    assert held_credentials(school.student) == []


def test_record_other_students_held_not_removable(client, login, school, foreign):
    held = keep(school.student, foreign[0], client_id=None, now=utcnow()).held
    answer = login(school.other_student).post(f"/backpack/{held.id}/remove")
    assert answer.status_code == 404
    assert len(held_credentials(school.student)) == 1


def test_keep_same_credential_again_replaces(school, foreign):
    first = keep(school.student, foreign[0], client_id=None, now=utcnow())
    again = keep(school.student, foreign[0].replace(b"\n", b"\r\n"), client_id=None, now=utcnow())
    assert first.created and not again.created
    assert again.held.id == first.held.id
    assert again.held.raw_text.encode() == foreign[0].replace(b"\n", b"\r\n")


def test_keep_identity_ignores_percent_encoding_and_spaces(school, issued):
    """The equality rule: ids compared percent-decoded and trimmed (same issuer, same id)."""
    from app.backpack.store import identity_key

    assert identity_key(" did:key:z6Mk ", "urn:uuid:a%2Db") == identity_key(
        "did:key:z6Mk", "urn:uuid:a-b"
    )
    assert identity_key("did:key:z6Mk", None) is None


def test_keep_forged_refused(school, issued):
    document = json.loads(issued.json_text)
    document["credentialSubject"]["achievement"]["name"] = "Forged"
    with pytest.raises(RefusedCredential, match="not accepted"):
        keep(school.student, json.dumps(document).encode(), client_id=None, now=utcnow())
