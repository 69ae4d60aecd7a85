"""The learner record page, the signed CLR 2.0 and the transcript PDF."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import UTC
from datetime import datetime

from pypdf import PdfReader

from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.schema import validate_credential
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context


def test_record_groups_by_year_and_standard(client, login, school, make_credential):
    make_credential(issued_at=datetime(2025, 3, 1, tzinfo=UTC))
    make_credential(name="Data Plotting in Excel", alignments=[], level="Mastery")
    login(school.student)
    response = client.get("/record", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text.index(">2026<") < text.index(">2025<")
    assert "ASE A5 — Brakes" in text and "Not aligned to a standard" in text
    assert "Data Plotting in Excel (Mastery)" in text


def test_record_empty_state(client, login, school):
    login(school.student)
    assert "No badges yet" in client.get("/record", follow_redirects=True).get_data(as_text=True)


def test_record_other_student_404_instructor_of_class_200(client, login, school, issued):
    login(school.other_student)
    assert client.get(f"/learners/{school.student.id}/record").status_code == 404
    assert client.get(f"/learners/{school.student.id}/record.json").status_code == 404
    login(school.instructor)
    assert client.get(f"/learners/{school.student.id}/record").status_code == 200


def test_clr_signed_valid_schema_embeds_credentials_unchanged(
    client, login, school, make_credential, keys_dir
):
    first, second = make_credential(), make_credential(name="Peer Tutor")
    login(school.student)
    clr = client.get(f"/learners/{school.student.id}/record.json").get_json()
    validate_credential(clr)
    assert "ClrCredential" in clr["type"] and clr["partial"] is False
    embedded = clr["credentialSubject"]["verifiableCredential"]
    expected = [json.loads(first.json_text), json.loads(second.json_text)]
    assert sorted(embedded, key=lambda c: c["id"]) == sorted(expected, key=lambda c: c["id"])
    ed25519 = keys_dir.store.current("ed25519").public_key
    verify_proof(clr, clr["proof"][0], public_key=ed25519)
    result = client.post("/api/v1/verify", json=clr).get_json()
    assert result["verdict"] == "verified"


def test_clr_leaves_out_revoked_and_says_partial(client, login, school, make_credential, now):
    kept, revoked = make_credential(), make_credential(name="Peer Tutor")
    change_credential_status(
        revoked,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued in error",
        now=now,
    )
    db.session.commit()
    login(school.student)
    clr = client.get(f"/learners/{school.student.id}/record.json").get_json()
    assert clr["partial"] is True
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == [
        json.loads(kept.json_text)["id"]
    ]


def test_clr_without_credentials_is_empty_204(client, login, school):
    """Is a learner with no credential yet an empty record, not an error?"""
    login(school.student)
    response = client.get(f"/learners/{school.student.id}/record.json")
    assert response.status_code == 204 and response.data == b""


def test_clr_after_only_credential_revoked_is_empty_204_and_not_offered(
    client, login, school, issued, now
):
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued in error",
        now=now,
    )
    db.session.commit()
    login(school.student)
    assert client.get(f"/learners/{school.student.id}/record.json").status_code == 204
    page = client.get(f"/learners/{school.student.id}/record").get_data(as_text=True)
    assert "record.json" not in page and "every credential here was revoked" in page


def test_clr_keeps_suspended_credential_and_names_it(client, login, school, make_credential, now):
    """Is a credential suspended when the record is signed kept, named, and seen as suspended?"""
    make_credential()
    held = make_credential(name="Peer Tutor")
    change_credential_status(
        held,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Under review",
        now=now,
    )
    db.session.commit()
    login(school.student)
    clr = client.get(f"/learners/{school.student.id}/record.json").get_json()
    validate_credential(clr)
    assert clr["partial"] is False
    assert (
        clr["description"] == "Suspended by the school when this record was signed: “Peer Tutor”."
    )
    assert len(clr["credentialSubject"]["verifiableCredential"]) == 2

    result = client.post("/api/v1/verify", json=clr).get_json()

    assert result["verdict"] == "partly withdrawn", result["checks"]
    assert result["verified"] is False
    contents = next(c for c in result["checks"] if c["name"] == "contents")
    assert (
        contents["message"]
        == "Of the credentials inside: 1 of 2 credentials was suspended: “Peer Tutor”."
    )
    verdicts = {part["badge"]["name"]: part["verdict"] for part in result["credentials"]}
    assert verdicts == {"Vehicle Restoration": "verified", "Peer Tutor": "suspended"}


def test_clr_signed_before_revocation_verifies_as_partly_withdrawn(
    client, login, school, make_credential, now
):
    """Does a record signed earlier stop saying "Genuine" once a credential in it is revoked?"""
    kept, revoked = make_credential(), make_credential(name="Peer Tutor")
    login(school.student)
    clr = client.get(f"/learners/{school.student.id}/record.json").get_json()
    change_credential_status(
        revoked,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued in error",
        now=now,
    )
    db.session.commit()

    response = client.post("/api/v1/verify", json=clr)

    assert response.status_code == 200
    result = response.get_json()
    assert result["verdict"] == "partly withdrawn"
    assert result["headline"].startswith("Genuine record, not every credential in it stands — ")
    assert "1 of 2 credentials was revoked: “Peer Tutor”" in result["headline"]
    by_id = {part["id"]: part["verdict"] for part in result["credentials"]}
    assert by_id == {
        json.loads(kept.json_text)["id"]: "verified",
        json.loads(revoked.json_text)["id"]: "revoked",
    }


def test_verify_page_lists_each_credential_of_a_record(client, login, school, make_credential):
    make_credential(), make_credential(name="Peer Tutor")
    login(school.student)
    clr = client.get(f"/learners/{school.student.id}/record.json").data
    page = client.post(
        "/verify",
        data={"file": (io.BytesIO(clr), "record.json")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "The credentials in this record" in page
    assert page.count("Genuine — “") >= 2


def test_transcript_lists_credentials_with_qr_and_clr_attached(
    client, login, school, issued, tmp_path
):
    login(school.student)
    pdf = client.get(f"/learners/{school.student.id}/transcript.pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Sam Student" in text and "Vehicle Restoration" in text
    assert set(reader.attachments) == {"learner-record.json", "did.json", "jwks.json"}
    (tmp_path / "t.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(tmp_path / "t.pdf"), str(tmp_path / "t")], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "t-1.png")], capture_output=True, text=True
    )
    assert decoded.stdout.strip() == f"https://laurel.test/v/{issued.verify_token}"


def test_transcript_all_revoked_still_prints_without_record(client, login, school, issued, now):
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued in error",
        now=now,
    )
    db.session.commit()
    login(school.student)
    response = client.get(f"/learners/{school.student.id}/transcript.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert set(reader.attachments) == {"did.json", "jwks.json"}
    assert "Revoked: Issued in error" in reader.pages[0].extract_text()


def _transcript_text(client, student, tmp_path) -> str:
    (tmp_path / "t.pdf").write_bytes(client.get(f"/learners/{student.id}/transcript.pdf").data)
    result = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_transcript_status_and_expiry_are_two_columns(
    client, login, school, make_credential, tmp_path
):
    make_credential(expiry_months=12)
    make_credential(name="Data Plotting in Excel", alignments=[])
    login(school.student)
    text = _transcript_text(client, school.student, tmp_path)
    header = next(line for line in text.splitlines() if "Status" in line)
    assert header.split() == ["Badge", "Level", "Issued", "Status", "Expires", "Verify"]
    excel = next(line for line in text.splitlines() if "Data Plotting in Excel" in line)
    assert "Active" in excel and "Does not expire" in excel
    vehicle = next(line for line in text.splitlines() if "Vehicle Restoration" in line)
    assert "Active" in vehicle and "Does not expire" not in vehicle


def test_record_page_shows_status_and_expiry_columns(client, login, school, issued):
    login(school.student)
    text = client.get("/record", follow_redirects=True).get_data(as_text=True)
    assert '<th scope="col">Status</th><th scope="col">Expires</th>' in text


def test_record_for_staff_sends_them_to_their_dashboard(client, login, school):
    for user in (school.instructor, school.admin):
        login(user)
        response = client.get("/record")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dashboard")
        page = client.get("/record", follow_redirects=True).get_data(as_text=True)
        assert "Staff have no learner record" in page
        assert f"Learner record of {user.name}" not in page


def test_learner_record_of_a_staff_member_answers_404(client, login, school):
    login(school.admin)
    assert client.get(f"/learners/{school.instructor.id}/record").status_code == 404
    login(school.instructor)
    assert client.get(f"/learners/{school.instructor.id}/record").status_code == 404
