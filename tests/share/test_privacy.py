"""Privacy: what an unshared credential shows to whom, evidence tokens, the certificate's QR link.

The share panel says "Only you and your school's staff can see this credential":
these tests hold the routes to it, and to the switches the learner has.
"""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from flask import current_app
from PIL import Image
from pypdf import PdfReader

from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.credentials.document import EvidenceData
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from app.evidence import services as evidence
from app.evidence.models import SubmissionState
from app.evidence.storage import configured_storage
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.share.certificate import render_certificate
from tests.fixtures.badges import badge_input
from tests.share.test_certificate import decode_qr
from tests.share.test_certificate import rasterize

SITE = "https://laurel.test"
NO_STORE = "private, no-store"


def _set_sharing(client, login, learner, credential, value: str):
    login(learner)
    response = client.post(f"/credentials/{credential.id}/share", data={"sharing": value})
    assert response.status_code == 302
    db.session.refresh(credential)
    return credential


def _set_verification(client, credential, value: str):
    response = client.post(
        f"/credentials/{credential.id}/verification", data={"verification": value}
    )
    db.session.refresh(credential)
    return response


def _documents(credential) -> list[str]:
    return [
        f"/credentials/{credential.id}?format=json",
        f"/credentials/{credential.id}?format=jwt",
        f"/credentials/{credential.id}/verify",
        f"/api/v1/credentials/{credential.id}",
        f"/s/{credential.share_token}",
        f"/s/{credential.share_token}/download/json",
        f"/s/{credential.share_token}/og.png",
    ]


# --- Unshared: only the learner and the staff --------------------------------------------------


@pytest.mark.parametrize("visitor", ["anonymous", "other_student"])
def test_unshared_documents_stranger_404_without_document(client, login, school, issued, visitor):
    """Does someone else get the signed credential, the name or the verify page? No: 404."""
    if visitor == "other_student":
        login(school.other_student)
    for path in _documents(issued):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 404, path
        assert "Sam Student" not in body and "proofValue" not in body, path


def test_unshared_document_by_accept_header_anonymous_404(client, issued):
    response = client.get(f"/credentials/{issued.id}", headers={"Accept": "application/ld+json"})
    assert response.status_code == 404
    assert "proof" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["student", "instructor", "admin"])
def test_unshared_document_learner_and_staff_200_private_no_store(
    client, login, school, issued, who
):
    login(getattr(school, who))
    response = client.get(f"/credentials/{issued.id}?format=json")
    assert response.status_code == 200
    assert json.loads(response.get_data())["id"] == f"{SITE}/credentials/{issued.id}"
    assert response.headers["Cache-Control"] == NO_STORE
    assert "Cookie" in response.headers["Vary"]
    verify = client.get(f"/credentials/{issued.id}/verify")
    assert verify.status_code == 200 and "Genuine" in verify.get_data(as_text=True)
    assert verify.headers["Cache-Control"] == NO_STORE


def test_verify_by_url_of_unshared_credential_does_not_fetch_it(client, issued):
    """Pasting the id URL into the public verifier must not be a way around the 404."""
    response = client.post("/api/v1/verify", json={"url": f"{SITE}/credentials/{issued.id}"})
    assert 400 <= response.status_code < 500
    assert "Sam Student" not in response.get_data(as_text=True)


def test_verify_by_url_of_shared_credential_verifies(client, login, school, issued):
    _set_sharing(client, login, school.student, issued, "on")
    client.post("/logout")
    response = client.post("/api/v1/verify", json={"url": f"{SITE}/credentials/{issued.id}"})
    assert response.status_code == 200
    assert response.get_json()["record"]["learner_name"] == "Sam Student"


# --- Shared: the link, the document; stopping takes them down, sharing again is a new link -----


def test_share_stop_restart_new_link_old_link_and_document_404(client, login, school, issued):
    _set_sharing(client, login, school.student, issued, "on")
    first_token = issued.share_token
    client.post("/logout")
    etags = {}
    for path in _documents(issued):
        response = client.get(path)
        assert response.status_code == 200, path
        if path.startswith(f"/credentials/{issued.id}?format="):
            # The signed bytes may be kept, but only by a cache that asks again every time.
            assert response.headers["Cache-Control"] == "public, no-cache", path
            etags[path] = response.headers["ETag"]
        else:
            assert response.headers["Cache-Control"] in (NO_STORE, "no-store"), path

    _set_sharing(client, login, school.student, issued, "off")
    client.post("/logout")
    for path in _documents(issued):
        assert client.get(path).status_code == 404, path
    for path, etag in etags.items():
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 404, path

    _set_sharing(client, login, school.student, issued, "on")
    client.post("/logout")
    assert issued.share_token != first_token
    assert client.get(f"/s/{first_token}").status_code == 404
    assert client.get(f"/s/{first_token}/download/json").status_code == 404
    assert client.get(f"/s/{issued.share_token}").status_code == 200


def test_share_page_private_words_and_switches(client, login, school, issued):
    login(school.student)
    page = client.get(f"/credentials/{issued.id}/share")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == NO_STORE
    assert "Only you and your school’s staff can see this credential online" in text
    assert f"{SITE}/v/{issued.verify_token}" in text
    assert "stops verifying online" in text
    assert text.count('id="csrf_token"') <= 1


# --- The certificate's QR link ----------------------------------------------------------------


def test_certificate_qr_is_token_link_verifies_while_on_404_when_off(
    client, login, school, issued, now, tmp_path
):
    """Unshared, the QR still verifies; switched off it is 404, switched on it works again."""
    pages = rasterize(
        render_certificate(issued, ctx=issuing_context(), paper="a4", now=now), tmp_path
    )
    url = decode_qr(pages[0])
    assert url == f"{SITE}/v/{issued.verify_token}"
    assert len(issued.verify_token) >= 32 and issued.id not in url
    path = url.removeprefix(SITE)

    page = client.get(path)
    assert page.status_code == 200 and "Genuine" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == NO_STORE
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "format=json" not in page.get_data(as_text=True)  # unshared: no document link

    login(school.student)
    assert _set_verification(client, issued, "off").status_code == 302
    assert not issued.verify_enabled
    client.post("/logout")
    assert client.get(path).status_code == 404
    login(school.other_student)
    assert client.get(path).status_code == 404

    login(school.student)
    assert _set_verification(client, issued, "on").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 200


def test_certificate_verification_off_no_qr_upload_line_attachment_still_there(
    client, login, school, issued, now, tmp_path
):
    login(school.student)
    _set_verification(client, issued, "off")
    pdf = render_certificate(issued, ctx=issuing_context(), paper="a4", now=now)
    page = rasterize(pdf, tmp_path)[0]
    zbar = subprocess.run(["zbarimg", "--raw", "-q", str(page)], capture_output=True, timeout=60)
    assert zbar.returncode != 0 and not zbar.stdout
    reader = PdfReader(io.BytesIO(pdf))
    assert f"{SITE}/verify" in reader.pages[0].extract_text()
    assert "credential.json" in reader.attachments


def test_public_page_qr_uses_token_link(client, login, school, issued):
    _set_sharing(client, login, school.student, issued, "on")
    client.post("/logout")
    text = client.get(f"/s/{issued.share_token}").get_data(as_text=True)
    assert f"{SITE}/v/{issued.verify_token}" in text
    assert f"/credentials/{issued.id}/verify" not in text


@pytest.mark.parametrize(
    ("who", "status"), [("other_student", 404), ("instructor", 403), ("admin", 403)]
)
def test_verification_switch_not_learner_refused_unchanged(
    client, login, school, issued, who, status
):
    login(getattr(school, who))
    assert _set_verification(client, issued, "off").status_code == status
    assert issued.verify_enabled


@pytest.mark.parametrize(
    "value", ["", "maybe", "OFF", "on\x00"], ids=["empty", "word", "upper", "nul"]
)
def test_verification_switch_bad_value_400_unchanged(client, login, school, issued, value):
    login(school.student)
    assert _set_verification(client, issued, value).status_code == 400
    assert issued.verify_enabled


@pytest.mark.parametrize(
    "path",
    [
        "/v/",
        "/v/x",
        "/v/" + "A" * 5000,
        "/v/%00%00%00%00%00%00%00%00",
        "/v/'%20OR%201=1--",
        "/v/..%2F..%2Fetc%2Fpasswd",
        "/evidence/" + "A" * 5000,
        "/evidence/%00",
        "/evidence/..%2Ffiles%2F1",
        "/s/%00%00%00%00%00%00%00%00",
        "/credentials/%00/verify",
        "/credentials/00000000-0000-0000-0000-00000000000%00?format=json",
        "/api/v1/credentials/%00",
        "/files/-1",
        "/files/99999999999999999999999",
    ],
    ids=[
        "empty",
        "short",
        "5000-chars",
        "nul-bytes",
        "sql-quote",
        "dot-dot",
        "evidence-5000-chars",
        "evidence-nul",
        "evidence-dot-dot",
        "share-nul-bytes",
        "credential-id-nul",
        "credential-id-nul-json",
        "api-credential-id-nul",
        "files-negative",
        "files-huge-int",
    ],
)
def test_hostile_tokens_404_never_500(client, issued, path):
    assert client.get(path).status_code == 404


# --- Evidence: unguessable URLs that follow sharing ----------------------------------------------


@pytest.fixture
def approved(app_ctx, school, now):
    """Sam's approved submission: a public photo and a private workbook; its credential."""
    storage = configured_storage(current_app.config)
    badge = create_badge(
        badge_input(class_id=school.auto_shop.id), actor=school.instructor, now=now
    )
    publish_badge(badge, actor=school.instructor, now=now)
    submission = evidence.start_submission(badge, student=school.student, now=now)
    photo = evidence.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(truck_photo()),
        filename="truck.jpg",
        storage=storage,
        max_bytes=10**7,
        public=True,
        now=now,
    )
    workbook = evidence.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(temperature_workbook()),
        filename="data.xlsx",
        storage=storage,
        max_bytes=10**7,
        now=now,
    )
    evidence.save_draft(
        submission, student=school.student, reflection="Done.", criteria_reflections={}, now=now
    )
    evidence.submit(submission, student=school.student, now=now)
    level = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == "Proficient")
    credential = evidence.approve(
        submission,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=level,
        feedback="",
        now=now,
    )
    db.session.commit()
    return credential, photo, workbook


def _evidence_ids(credential) -> list[str]:
    return [entry["id"] for entry in json.loads(credential.json_text)["evidence"]]


def test_evidence_url_in_new_credential_is_token_not_sequential_id(approved):
    credential, photo, workbook = approved
    assert _evidence_ids(credential) == [f"{SITE}/evidence/{photo.public_token}"]
    assert len(photo.public_token) >= 32
    assert photo.public_token != workbook.public_token


@pytest.mark.parametrize("visitor", ["anonymous", "other_student"])
def test_evidence_unshared_stranger_404(client, login, school, approved, visitor):
    credential, photo, workbook = approved
    if visitor == "other_student":
        login(school.other_student)
    for path in (
        f"/evidence/{photo.public_token}",
        f"/evidence/{workbook.public_token}",
        f"/files/{photo.id}",
        f"/files/{photo.id}/thumbnail",
        f"/files/{workbook.id}",
    ):
        assert client.get(path).status_code == 404, path


def test_evidence_shared_public_item_served_no_store_without_metadata(
    client, login, school, approved
):
    credential, photo, workbook = approved
    _set_sharing(client, login, school.student, credential, "on")
    client.post("/logout")
    response = client.get(f"/evidence/{photo.public_token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "JPEG" and not image.getexif()
    # The private item never, and the sequential id does not open what the token opens.
    assert client.get(f"/evidence/{workbook.public_token}").status_code == 404
    assert client.get(f"/files/{photo.id}").status_code == 404


def test_evidence_stop_sharing_404(client, login, school, approved):
    credential, photo, _ = approved
    _set_sharing(client, login, school.student, credential, "on")
    _set_sharing(client, login, school.student, credential, "off")
    client.post("/logout")
    assert client.get(f"/evidence/{photo.public_token}").status_code == 404


def test_evidence_revoked_shared_credential_404(client, login, school, approved, now):
    credential, photo, _ = approved
    _set_sharing(client, login, school.student, credential, "on")
    change_credential_status(
        credential,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Copied work.",
        now=now,
    )
    db.session.commit()
    client.post("/logout")
    assert client.get(f"/evidence/{photo.public_token}").status_code == 404


def test_evidence_learner_and_reviewer_private_no_store(client, login, school, approved):
    _, photo, workbook = approved
    for who in (school.student, school.instructor):
        login(who)
        for path in (f"/files/{photo.id}", f"/files/{workbook.id}", f"/files/{photo.id}/thumbnail"):
            with client.get(path) as response:
                assert response.status_code == 200, path
                assert response.headers["Cache-Control"] == NO_STORE, path


@pytest.fixture
def legacy(app_ctx, school, now):
    """A credential issued before evidence tokens: its document names /files/<id>."""
    storage = configured_storage(current_app.config)
    badge = create_badge(badge_input(name="Legacy Badge"), actor=school.instructor, now=now)
    publish_badge(badge, actor=school.instructor, now=now)
    submission = evidence.start_submission(badge, student=school.student, now=now)
    named = evidence.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(truck_photo()),
        filename="named.jpg",
        storage=storage,
        max_bytes=10**7,
        public=True,
        now=now,
    )
    unnamed = evidence.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(truck_photo()),
        filename="unnamed.jpg",
        storage=storage,
        max_bytes=10**7,
        public=True,
        now=now,
    )
    submission.state = SubmissionState.APPROVED
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=school.student,
        level_id=None,
        issued_by=school.instructor,
        now=now,
        submission_id=submission.id,
        evidence=(EvidenceData(id=f"{SITE}/files/{named.id}", name="Truck", genre="Photo"),),
    )
    db.session.commit()
    return credential, named, unnamed


def test_legacy_evidence_url_follows_sharing_and_names(client, login, school, legacy):
    """/files/<id> of an old credential: 404 unshared; shared, only the id its document names."""
    credential, named, unnamed = legacy
    assert client.get(f"/files/{named.id}").status_code == 404
    _set_sharing(client, login, school.student, credential, "on")
    client.post("/logout")
    response = client.get(f"/files/{named.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE
    assert client.get(f"/files/{unnamed.id}").status_code == 404
    assert client.get(f"/files/{named.id}/thumbnail").status_code == 404
    _set_sharing(client, login, school.student, credential, "off")
    client.post("/logout")
    assert client.get(f"/files/{named.id}").status_code == 404


# --- Cache-Control ----------------------------------------------------------------------------


def test_cache_public_documents_public_session_pages_private(client, login, school, issued):
    for path in ("/.well-known/did.json", "/.well-known/jwks.json", "/status/revocation/1"):
        assert client.get(path).headers["Cache-Control"].startswith("public"), path
    image = client.get(f"/achievements/{issued.badge.achievement_uuid}/image")
    assert image.headers["Cache-Control"].startswith("public")
    login(school.student)
    for path in ("/dashboard/student", "/badges", f"/credentials/{issued.id}", "/record"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == NO_STORE, path


# --- Drafts -----------------------------------------------------------------------------------


def test_draft_page_tells_student_reviewers_can_read_it(client, login, school, now):
    badge = create_badge(
        badge_input(class_id=school.auto_shop.id), actor=school.instructor, now=now
    )
    publish_badge(badge, actor=school.instructor, now=now)
    draft = evidence.start_submission(badge, student=school.student, now=now)
    db.session.commit()
    login(school.student)
    text = client.get(f"/submissions/{draft.id}/edit").get_data(as_text=True)
    assert "Not hidden from your teachers" in text
    login(school.instructor)
    assert client.get(f"/submissions/{draft.id}", follow_redirects=True).status_code == 200
