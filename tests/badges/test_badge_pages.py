"""Badge editor pages: create, edit, publish, archive, versioning, images, visibility."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from app.badges.images import default_svg
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.extensions import db
from app.keyring import issuing_context
from tests.badges.test_images import HOSTILE_SVG
from tests.badges.test_images import png_bytes


def form_data(**changes) -> dict:
    data = {
        "name": "Data Plotting in Excel",
        "description": "Plot and interpret a data set.",
        "criteria_narrative": "Make a chart and **explain** it.",
        "criteria_items": "Chart with labelled axes\nA paragraph of interpretation\n",
        "evidence_prompt": "Upload your workbook.",
        "accepted_kinds": ["spreadsheet", "text"],
        "levels-0-name": "Developing",
        "levels-1-name": "Proficient",
        "levels-1-description": "Chart and interpretation are correct",
        "levels-2-name": "Mastery",
        "levels-3-name": "",
        "required_row": "1",
        "alignments-0-framework": "CCSS",
        "alignments-0-code": "HSS-ID.B.6",
        "alignments-0-name": "Represent data on two quantitative variables",
        "alignments-0-url": "https://www.thecorestandards.org/Math/Content/HSS/ID/B/6/",
        "alignments-1-name": "",
        "alignments-1-url": "",
        "tags": "math, excel, math",
        "achievement_type": "Competency",
        "expiry_months": "",
        "class_id": "0",
    }
    data.update(changes)
    return data


def badge_named(name: str) -> Badge:
    return db.session.scalars(select(Badge).where(Badge.name == name)).one()


def test_new_badge_form_valid_input_creates_draft(school, login):
    client = login(school.instructor)
    page = client.get("/badges/new")
    assert page.status_code == 200
    assert b'for="name"' in page.data and b"Developing" in page.data

    response = client.post("/badges/new", data=form_data(class_id=str(school.auto_shop.id)))
    assert response.status_code == 302
    badge = badge_named("Data Plotting in Excel")
    assert badge.slug == "data-plotting-in-excel"
    assert badge.state == BadgeState.DRAFT
    assert badge.class_id == school.auto_shop.id
    assert badge.criteria_items == ["Chart with labelled axes", "A paragraph of interpretation"]
    assert [lv["name"] for lv in badge.rubric_levels] == ["Developing", "Proficient", "Mastery"]
    assert badge.required_level_id == badge.rubric_levels[1]["id"]
    assert all(lv["id"].startswith("urn:uuid:") for lv in badge.rubric_levels)
    assert badge.alignments == [
        {
            "framework": "CCSS",
            "code": "HSS-ID.B.6",
            "name": "Represent data on two quantitative variables",
            "url": "https://www.thecorestandards.org/Math/Content/HSS/ID/B/6/",
        }
    ]
    assert badge.tags == ["math", "excel"]
    assert badge.achievement_type == "Competency"
    assert badge.expiry_months is None
    assert badge.created_by_id == school.instructor.id


def test_new_badge_same_name_gets_unique_slug(school, login):
    client = login(school.instructor)
    client.post("/badges/new", data=form_data())
    client.post("/badges/new", data=form_data())
    slugs = sorted(db.session.scalars(select(Badge.slug)))
    assert slugs == ["data-plotting-in-excel", "data-plotting-in-excel-2"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, b"This field is required"),
        ({"required_row": "3"}, b"Choose which rubric level"),
        ({"accepted_kinds": []}, b"Accept at least one kind"),
        ({"alignments-0-url": ""}, b"needs at least a name and a URL"),
        ({"alignments-0-url": "javascript:alert(1)"}, b"must be a web address"),
        (
            {"levels-0-name": "", "levels-1-name": "", "levels-2-name": ""},
            b"at least one rubric level",
        ),
        ({"expiry_months": "0"}, b"Number must be between 1 and 600"),
    ],
)
def test_new_badge_bad_input_shows_message_and_saves_nothing(school, login, changes, message):
    client = login(school.instructor)
    response = client.post("/badges/new", data=form_data(**changes))
    assert response.status_code == 400
    assert message in response.data
    assert db.session.scalar(select(db.func.count()).select_from(Badge)) == 0


def test_new_badge_for_class_not_taught_refused(school, login):
    client = login(school.other_instructor)
    response = client.post("/badges/new", data=form_data(class_id=str(school.auto_shop.id)))
    assert response.status_code == 400  # the class is not among the choices
    assert db.session.scalar(select(db.func.count()).select_from(Badge)) == 0


def test_new_badge_student_forbidden(school, login):
    assert login(school.student).get("/badges/new").status_code == 403


def test_new_badge_svg_with_script_stored_sanitized(school, login):
    client = login(school.instructor)
    data = form_data(image=(io.BytesIO(HOSTILE_SVG), "badge.svg"))
    assert (
        client.post("/badges/new", data=data, content_type="multipart/form-data").status_code == 302
    )
    badge = badge_named("Data Plotting in Excel")
    assert badge.image_mime == "image/svg+xml"
    assert b"script" not in badge.image and b"onload" not in badge.image

    image = client.get(f"/badges/{badge.slug}/image")
    assert image.headers["Content-Type"] == "image/svg+xml"
    policy = image.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.data == badge.image


def test_new_badge_png_named_svg_refused(school, login):
    client = login(school.instructor)
    data = form_data(image=(io.BytesIO(png_bytes()), "badge.svg"))
    response = client.post("/badges/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"named .svg but it is a PNG" in response.data
    assert db.session.scalar(select(db.func.count()).select_from(Badge)) == 0


def test_new_badge_oversize_image_refused(school, login):
    client = login(school.instructor)
    # Encoded in memory: the test client would spool a body this large to a file it never closes.
    image = FileStorage(io.BytesIO(png_bytes() + b"\0" * (1024 * 1024)), filename="badge.png")
    boundary, body = encode_multipart(MultiDict({**form_data(), "image": image}))
    response = client.post(
        "/badges/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert b"at most 1024 KB" in response.data


def test_badge_without_image_serves_generated_medallion(school, login, make_badge):
    badge = make_badge(school.instructor, name="Peer Tutor")
    response = login(school.student).get(f"/achievements/{badge.achievement_uuid}/image")
    assert response.status_code == 200
    assert response.data == default_svg("Peer Tutor")


def test_publish_then_archive_changes_state_and_visibility(school, login, make_badge):
    badge = make_badge(school.instructor, published=False, class_id=school.auto_shop.id)
    slug = badge.slug
    assert login(school.student).get(f"/badges/{slug}").status_code == 404

    client = login(school.instructor)
    assert client.post(f"/badges/{slug}/publish").status_code == 302
    assert db.session.get(Badge, badge.id).state == BadgeState.PUBLISHED
    assert login(school.student).get(f"/badges/{slug}").status_code == 200
    assert login(school.other_student).get(f"/badges/{slug}").status_code == 404

    assert login(school.instructor).post(f"/badges/{slug}/archive").status_code == 302
    db.session.expire_all()
    assert db.session.get(Badge, badge.id).state == BadgeState.ARCHIVED
    assert login(school.student).get(f"/badges/{slug}").status_code == 404


def test_publish_by_instructor_of_other_class_forbidden(school, login, make_badge):
    badge = make_badge(school.instructor, published=False, class_id=school.auto_shop.id)
    assert login(school.other_instructor).post(f"/badges/{badge.slug}/publish").status_code == 403
    assert db.session.get(Badge, badge.id).state == BadgeState.DRAFT


def test_catalogue_student_sees_only_published_visible_badges(school, login, make_badge):
    make_badge(school.instructor, name="Open To All")
    make_badge(school.instructor, name="Shop Only", class_id=school.auto_shop.id)
    make_badge(school.instructor, name="Still A Draft", published=False)
    mine = login(school.student).get("/badges").data
    assert b"Open To All" in mine and b"Shop Only" in mine and b"Still A Draft" not in mine
    theirs = login(school.other_student).get("/badges").data
    assert b"Open To All" in theirs and b"Shop Only" not in theirs


def test_catalogue_empty_shows_empty_state(school, login):
    assert b"Create the first one" in login(school.instructor).get("/badges").data


def test_detail_renders_markdown_sanitized(school, login, make_badge):
    badge = make_badge(
        school.instructor, criteria_narrative="Be **bold** <script>alert(1)</script>"
    )
    page = login(school.student).get(f"/badges/{badge.slug}").data
    assert b"<strong>bold</strong>" in page
    assert b"<script>alert(1)" not in page


def test_edit_unissued_badge_keeps_version(school, login, make_badge):
    badge = make_badge(school.instructor)
    client = login(school.instructor)
    form = client.get(f"/badges/{badge.slug}/edit")
    assert form.status_code == 200 and b"Vehicle Restoration" in form.data
    level_ids = [lv["id"] for lv in badge.rubric_levels]
    response = client.post(
        f"/badges/{badge.slug}/edit",
        data=form_data(name="Truck Restoration", revision="1", **{"levels-0-name": "Developing"}),
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Badge, badge.id)
    assert (edited.name, edited.version, edited.revision) == ("Truck Restoration", 1, 2)
    assert edited.slug == badge.slug  # URLs stay stable
    assert edited.rubric_levels[0]["id"] == level_ids[0]  # same level name keeps its id


def test_edit_stale_form_gives_409_and_changes_nothing(school, login, make_badge):
    badge = make_badge(school.instructor)
    client = login(school.instructor)
    assert (
        client.post(
            f"/badges/{badge.slug}/edit", data=form_data(name="First edit", revision="1")
        ).status_code
        == 302
    )
    response = client.post(
        f"/badges/{badge.slug}/edit", data=form_data(name="Second edit", revision="1")
    )
    assert response.status_code == 409
    assert b"Reload the page" in response.data
    db.session.expire_all()
    assert db.session.get(Badge, badge.id).name == "First edit"


def test_edit_by_other_instructor_forbidden(school, login, make_badge):
    badge = make_badge(school.instructor, class_id=school.auto_shop.id)
    client = login(school.other_instructor)
    assert client.get(f"/badges/{badge.slug}/edit").status_code == 403
    assert (
        client.post(f"/badges/{badge.slug}/edit", data=form_data(revision="1")).status_code == 403
    )


def test_issuer_page_admin_saves_profile_and_sanitized_logo(school, login, make_badge, now):
    from app.issuing.issuance import issue_credential
    from app.issuing.profile import issuer_profile

    client = login(school.admin)
    assert client.get("/admin/issuer").status_code == 200
    data = {
        "name": "Riverside High",
        "url": "https://riverside.example",
        "email": "office@riverside.example",
        "description": "A public high school.",
        "logo": (io.BytesIO(HOSTILE_SVG), "logo.svg"),
    }
    response = client.post("/admin/issuer", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    profile = issuer_profile(issuing_context().public_url)
    assert (profile.name, profile.url, profile.logo_mime) == (
        "Riverside High",
        "https://riverside.example",
        "image/svg+xml",
    )
    logo = client.get("/issuer/logo")
    assert logo.data == profile.logo and b"script" not in logo.data
    policy = logo.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'")

    credential = issue_credential(
        issuing_context(),
        badge=make_badge(school.instructor),
        recipient=school.student,
        level_id=None,
        issued_by=None,
        now=now,
    )
    issuer = json.loads(credential.json_text)["issuer"]
    assert issuer["name"] == "Riverside High"
    assert issuer["email"] == "office@riverside.example"
    assert issuer["image"] == {"id": "https://laurel.test/issuer/logo", "type": "Image"}


def test_issuer_page_bad_url_is_400_and_keeps_profile(school, login):
    client = login(school.admin)
    response = client.post("/admin/issuer", data={"name": "X", "url": "ftp://files.example"})
    assert response.status_code == 400
    assert b"must be a web address" in response.data


def test_issuer_page_instructor_forbidden(school, login):
    client = login(school.instructor)
    assert client.get("/admin/issuer").status_code == 403
    assert (
        client.post(
            "/admin/issuer", data={"name": "Mine", "url": "https://mine.example"}
        ).status_code
        == 403
    )


def test_achievement_image_png_served_with_safe_headers(school, login, make_badge):
    from app.badges.images import check_image_upload

    badge = make_badge(school.instructor, image=check_image_upload(png_bytes(), "badge.png"))
    response = login(school.student).get(f"/achievements/{badge.achievement_uuid}/image")
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == png_bytes()


def test_badge_image_archived_badge_still_served_to_students(school, login, make_badge, now):
    from app.badges.services import archive_badge

    badge = make_badge(school.instructor, class_id=school.auto_shop.id)
    archive_badge(badge, actor=school.instructor, now=now)
    db.session.commit()
    client = login(school.student)
    assert client.get(f"/badges/{badge.slug}").status_code == 404
    assert client.get(f"/badges/{badge.slug}/image").status_code == 200


def test_badge_image_draft_hidden_from_students(school, login, make_badge):
    badge = make_badge(school.instructor, published=False)
    assert login(school.student).get(f"/badges/{badge.slug}/image").status_code == 404
    assert login(school.other_instructor).get(f"/badges/{badge.slug}/image").status_code == 200
