"""Evidence pages through the app: who sees what, uploads, decisions, safe file headers."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from app.evidence.models import EvidenceItem
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.evidence.services import approve
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context


def _item(submission) -> EvidenceItem:
    return db.session.scalars(
        sa.select(EvidenceItem).where(EvidenceItem.submission_id == submission.id)
    ).first()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("student", 200),
        ("classmate", 404),
        ("other_student", 404),
        ("instructor", 302),
        ("other_instructor", 404),
        ("admin", 302),
        (None, 302),
    ],
)
def test_submission_page_visibility_by_role(client, login, school, submitted, who, expected):
    login(getattr(school, who) if who else None)
    response = client.get(f"/submissions/{submitted.id}")
    assert response.status_code == expected
    if who is None:
        assert "/login" in response.headers["Location"]
    elif expected == 302:
        assert response.headers["Location"].endswith(f"/review/{submitted.id}")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("student", 200),
        ("classmate", 404),
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
        (None, 404),
    ],
)
def test_private_file_download_by_role(client, login, school, submitted, who, expected):
    item = _item(submitted)
    item.public = False
    db.session.commit()
    login(getattr(school, who) if who else None)
    with client.get(f"/files/{item.id}") as response:
        assert response.status_code == expected


def test_draft_invisible_to_other_student_and_their_edits_refused(client, login, school, now):
    from app.evidence import services

    draft = services.start_submission(school.badge, student=school.student, now=now)
    db.session.commit()
    login(school.classmate)
    assert client.get(f"/submissions/{draft.id}").status_code == 404
    assert client.get(f"/submissions/{draft.id}/edit").status_code == 404
    response = client.post(
        f"/submissions/{draft.id}/links", data={"link-url": "https://evil.example"}
    )
    assert response.status_code == 404
    assert client.post(f"/submissions/{draft.id}/withdraw").status_code == 404


def test_review_routes_refused_to_students(client, login, school, submitted):
    login(school.student)
    assert client.get(f"/review/{submitted.id}").status_code == 403
    assert client.post(f"/review/{submitted.id}/approve", data={}).status_code == 403
    assert client.get("/review").status_code == 403
    db.session.refresh(submitted)
    assert submitted.state == SubmissionState.SUBMITTED


def test_image_served_inline_with_safe_headers(client, login, school, submitted):
    login(school.student)
    with client.get(f"/files/{_item(submitted).id}") as response:
        response.get_data()
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.data == truck_photo()


def test_workbook_served_as_attachment(client, login, school, now):
    login(school.student)
    response = client.post(f"/badges/{school.badge.slug}/submission")
    submission_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    response = client.post(
        f"/submissions/{submission_id}/files",
        data={
            "file-file": (io.BytesIO(temperature_workbook()), "plot.xlsx"),
            "file-title": "My plot",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item = db.session.scalars(
        sa.select(EvidenceItem).where(EvidenceItem.submission_id == submission_id)
    ).one()
    with client.get(f"/files/{item.id}") as download:
        download.get_data()
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "plot.xlsx" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (truck_photo(), "truck.pdf", b"its content is not"),
        (b"hello, world\n", "grades.xlsx", b"its content is not"),
        (b"", "empty.png", b"empty"),
        (truck_photo(), "..\\..\\x.exe", b"cannot be added as evidence"),
    ],
)
def test_upload_bad_file_clear_message_4xx_nothing_stored(
    client, login, school, storage, data, name, message
):
    login(school.student)
    response = client.post(f"/badges/{school.badge.slug}/submission")
    submission_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    response = client.post(
        f"/submissions/{submission_id}/files",
        data={"file-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) == 0
    assert (
        not [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else True
    )


def test_upload_oversize_refused(app, client, login, school, storage):
    app.config["LAUREL_MAX_UPLOAD_MB"] = 1
    login(school.student)
    response = client.post(f"/badges/{school.badge.slug}/submission")
    submission_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    # A body built by hand: the test client would spool a large one to a file it never closes.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file-file"; filename="big.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + b"\xff" * (1024 * 1024 + 10) + b"\r\n--b--\r\n"
    )
    response = client.post(
        f"/submissions/{submission_id}/files",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400
    assert b"larger than the 1 MB limit" in response.data


def test_empty_submission_refused_in_editor(client, login, school):
    login(school.student)
    response = client.post(f"/badges/{school.badge.slug}/submission")
    submission_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    response = client.post(
        f"/submissions/{submission_id}/edit", data={"reflection": "", "action": "submit"}
    )
    assert response.status_code == 400
    assert b"Before you submit, add at least one piece of evidence" in response.data
    assert db.session.get(Submission, submission_id).state == SubmissionState.DRAFT


def test_request_changes_without_feedback_4xx(client, login, school, submitted):
    login(school.instructor)
    response = client.post(f"/review/{submitted.id}/changes", data={"changes-feedback": ""})
    assert response.status_code == 400
    assert b"Write feedback" in response.data


def test_approve_through_the_page_issues_credential(client, login, school, submitted):
    login(school.instructor)
    page = client.get(f"/review/{submitted.id}")
    assert page.status_code == 200
    assert b"Photo log of each stage" in page.data and b"Proficient" in page.data
    proficient = next(lv["id"] for lv in school.badge.rubric_levels if lv["name"] == "Proficient")
    response = client.post(
        f"/review/{submitted.id}/approve",
        data={"approve-level": proficient, "approve-badge_revision": str(school.badge.revision)},
    )
    assert response.status_code == 302
    again = client.post(f"/review/{submitted.id}/approve", data={"approve-level": proficient})
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 1
    login(school.student)
    dashboard = client.get("/dashboard/student")
    assert b"Vehicle Restoration" in dashboard.data and b"/credentials/" in dashboard.data


def test_review_queue_empty_state(client, login, school):
    login(school.instructor)
    response = client.get("/review")
    assert response.status_code == 200
    assert "No submissions waiting — nice work".encode() in response.data


def test_review_queue_lists_waiting_oldest_first_filtered(client, login, school, submitted):
    login(school.instructor)
    response = client.get(f"/review?class={school.auto_shop.id}&badge={school.badge.id}")
    assert b"Sam Student" in response.data
    assert client.get(f"/review?class={school.algebra.id}").data.count(b"Sam Student") == 0
    login(school.other_instructor)
    assert b"Sam Student" not in client.get("/review").data


def test_instructor_dashboard_shows_class_progress_and_standards(client, login, school, submitted):
    login(school.instructor)
    response = client.get("/dashboard/instructor")
    assert response.status_code == 200
    assert b"Auto Shop 1" in response.data and b"Waiting for review" in response.data
    assert b"Brakes" in response.data


def test_student_dashboard_lists_feedback_to_answer(client, login, school, submitted, now):
    from app.evidence import services

    services.request_changes(
        submitted, reviewer=school.instructor, feedback="Add a budget.", now=now
    )
    db.session.commit()
    login(school.student)
    response = client.get("/dashboard/student")
    assert b"Feedback to answer" in response.data and b"Add a budget." in response.data


def _photo_with_location() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (1600, 1200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 30.0, 0.0), 3: "W", 4: (73.0, 35.0, 0.0)}  # GPS position
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_public_photo_of_approved_submission_served_without_metadata(
    client, login, school, storage, now
):
    from PIL import Image

    from app.evidence import services

    submission = services.start_submission(school.badge, student=school.student, now=now)
    item = services.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(_photo_with_location()),
        filename="home.jpg",
        storage=storage,
        max_bytes=10**7,
        public=True,
        now=now,
    )
    services.save_draft(
        submission, student=school.student, reflection="Done.", criteria_reflections={}, now=now
    )
    services.submit(submission, student=school.student, now=now)
    db.session.commit()
    login(None)
    with client.get(f"/files/{item.id}") as before:
        assert before.status_code == 404
    credential = services.approve(
        submission,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=None,
        feedback="",
        now=now,
    )
    db.session.commit()
    with client.get(f"/evidence/{item.public_token}") as unshared:
        assert unshared.status_code == 404
    credential.share_enabled = True
    db.session.commit()
    with client.get(f"/evidence/{item.public_token}") as public:
        data = public.get_data()
    assert public.status_code == 200 and public.mimetype == "image/jpeg"
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    assert b"Exif" not in data[:4096]
    with Image.open(io.BytesIO(data)) as shown:
        assert shown.size == (1600, 1200) and not shown.getexif()
    login(school.student)
    with client.get(f"/files/{item.id}") as original:
        assert original.get_data() == _photo_with_location()


def test_thumbnail_small_jpeg_and_only_for_photos(client, login, school, submitted, now):
    from PIL import Image

    login(school.instructor)
    with client.get(f"/files/{_item(submitted).id}/thumbnail") as response:
        data = response.get_data()
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(data)) as thumb:
        assert max(thumb.size) <= 480
    login(school.classmate)
    with client.get(f"/files/{_item(submitted).id}/thumbnail") as hidden:
        assert hidden.status_code == 404


def test_approve_without_csrf_token_refused_nothing_issued(app, client, login, school, submitted):
    app.config["WTF_CSRF_ENABLED"] = True
    login(school.instructor)
    response = client.post(f"/review/{submitted.id}/approve", data={"approve-level": ""})
    assert response.status_code == 400
    assert b"security token" in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0


def test_approve_after_badge_edited_since_page_opened_is_409(client, login, school, submitted):
    login(school.instructor)
    seen = school.badge.revision
    school.badge.revision += 1
    db.session.commit()
    response = client.post(
        f"/review/{submitted.id}/approve",
        data={"approve-level": school.badge.required_level_id, "approve-badge_revision": str(seen)},
    )
    assert response.status_code == 409
    assert b"The badge was edited after you opened this page" in response.data
    db.session.refresh(submitted)
    assert submitted.state == SubmissionState.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0


def test_remove_item_deletes_row_and_file_after_commit(client, login, school, storage, now):
    from app.evidence import services

    submission = services.start_submission(school.badge, student=school.student, now=now)
    item = services.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(truck_photo()),
        filename="truck.jpg",
        storage=storage,
        max_bytes=10**7,
        now=now,
    )
    db.session.commit()
    item_id, key = item.id, item.storage_key
    login(school.student)
    response = client.post(f"/submissions/{submission.id}/items/{item_id}/remove")
    assert response.status_code == 302
    assert db.session.get(EvidenceItem, item_id) is None
    assert not [p for p in storage.root.rglob(key)]


def test_save_draft_sets_public_choice_only_for_items_shown(client, login, school, storage, now):
    from app.evidence import services

    submission = services.start_submission(school.badge, student=school.student, now=now)
    shown = services.add_text(submission, student=school.student, text="Shown.", now=now)
    added_elsewhere = services.add_text(
        submission, student=school.student, text="Other tab.", public=True, now=now
    )
    db.session.commit()
    login(school.student)
    response = client.post(
        f"/submissions/{submission.id}/edit",
        data={"reflection": "Draft.", "shown-item": str(shown.id), f"public-{shown.id}": "on"},
    )
    assert response.status_code == 302
    db.session.refresh(shown)
    db.session.refresh(added_elsewhere)
    assert shown.public is True and added_elsewhere.public is True


def test_history_keeps_each_round_and_names_removed_files(client, login, school, submitted, now):
    from app.evidence import services

    services.request_changes(submitted, reviewer=school.instructor, feedback="Retake it.", now=now)
    services.remove_item(submitted, _item(submitted).id, student=school.student, now=now)
    services.add_link(submitted, student=school.student, url="https://video.example/t", now=now)
    services.submit(submitted, student=school.student, now=now)
    db.session.commit()
    login(school.instructor)
    page = client.get(f"/review/{submitted.id}").get_data(as_text=True)
    assert "What was submitted in round 1" in page and "What was submitted in round 2" in page
    assert "truck.jpg, removed since" in page
    assert "Retake it." in page


@pytest.mark.parametrize(
    ("change", "expected", "tone"),
    [
        (None, "You earned this badge at “Proficient”.", "success"),
        (StatusChange.REVOKE, "Your badge was revoked: “Copied the photo log”.", "error"),
        (StatusChange.SUSPEND, "Your badge is suspended: “Copied the photo log”.", "warning"),
    ],
)
def test_badge_page_student_actions_say_credential_state(
    client, login, school, submitted, now, change, expected, tone
):
    """A revoked or suspended badge is not "earned" on the student's badge page."""
    proficient = next(lv["id"] for lv in school.badge.rubric_levels if lv["name"] == "Proficient")
    credential = approve(
        submitted,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=proficient,
        feedback="Well done.",
        now=now,
    )
    if change is not None:
        change_credential_status(
            credential,
            change,
            ctx=issuing_context(),
            actor=school.instructor,
            reason="Copied the photo log",
            now=now,
        )
    db.session.commit()
    login(school.student)
    page = client.get(f"/badges/{school.badge.slug}").get_data(as_text=True)
    actions = page[page.index('class="actions student-actions"') :]
    notice = actions[actions.index("<p ") : actions.index("</p>")]
    assert f'class="notice {tone}"' in notice
    assert expected in " ".join(notice.split())
    assert ("You earned this badge" in page) is (change is None)
    assert f"/credentials/{credential.id}" in notice
