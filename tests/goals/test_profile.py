"""The learner profile: the student writes it; their staff read it; other students never."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.goals import services


@pytest.fixture
def sams_profile(school, now):
    services.save_profile(
        student=school.student, interests="Old engines", strengths="Patience", now=now
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("student", 200),
        ("instructor", 200),
        ("admin", 200),
        ("counselor", 200),
        ("classmate", 404),
        ("other_student", 404),
        ("other_instructor", 404),
        ("other_counselor", 404),
    ],
)
def test_profile_visibility_by_role(
    client, login, school, counselor, other_counselor, sams_profile, who, expected
):
    viewer = {"counselor": counselor, "other_counselor": other_counselor}.get(who) or getattr(
        school, who
    )
    login(viewer)
    response = client.get(f"/learners/{school.student.id}/profile")
    assert response.status_code == expected
    page = response.get_data(as_text=True)
    assert ("Old engines" in page) == (expected == 200)


def test_profile_signed_out_goes_to_sign_in(client, school):
    response = client.get(f"/learners/{school.student.id}/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_profile_of_staff_or_unknown_user_is_404(client, login, school):
    login(school.admin)
    assert client.get(f"/learners/{school.instructor.id}/profile").status_code == 404
    assert client.get("/learners/999999/profile").status_code == 404


def test_profile_page_saves_and_shows(client, login, school):
    login(school.student)
    assert client.get("/profile").status_code == 200
    response = client.post("/profile", data={"interests": "Welding", "strengths": "Care"})
    assert response.status_code == 302
    page = client.get(f"/learners/{school.student.id}/profile").get_data(as_text=True)
    assert "Welding" in page and "Care" in page


def test_profile_page_overlong_field_is_400(client, login, school):
    login(school.student)
    response = client.post("/profile", data={"interests": "x" * 2001, "strengths": ""})
    assert response.status_code == 400
    assert "Field cannot be longer than 2000 characters" in response.get_data(as_text=True)


def test_profile_edit_page_is_for_students_only(client, login, school, counselor):
    for staff in (school.instructor, school.admin, counselor):
        login(staff)
        assert client.post("/profile", data={"interests": "Hacking"}).status_code == 403
