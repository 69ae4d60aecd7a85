"""Reflections link only to the student's own evidence and goals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.evidence import goals
from app.evidence.goals import GoalInput
from app.evidence.models import GoalKind
from app.extensions import db
from app.goals import services
from app.goals.models import Reflection


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Reflection))


def test_write_reflection_on_own_submission_and_goal(school, make_submission, now):
    submission = make_submission()
    goal = goals.create_goal(
        GoalInput(GoalKind.STANDARD, "Brakes", None, standard="ASE A5 — Brakes"),
        student=school.student,
        now=now,
    )
    reflection = services.write_reflection(
        student=school.student,
        text="  Bleeding the lines took three tries.  ",
        submission_id=submission.id,
        goal_id=goal.id,
        now=now,
    )
    assert (reflection.text, reflection.submission_id, reflection.goal_id) == (
        "Bleeding the lines took three tries.",
        submission.id,
        goal.id,
    )
    assert services.reflections_of(school.student) == [reflection]


def test_write_reflection_on_another_students_submission_not_found(school, make_submission, now):
    submission = make_submission(school.classmate)
    with pytest.raises(NotFound, match="your evidence"):
        services.write_reflection(
            student=school.student,
            text="Mine now",
            submission_id=submission.id,
            goal_id=None,
            now=now,
        )
    with pytest.raises(NotFound, match="your evidence"):
        services.write_reflection(
            student=school.student, text="Gone", submission_id=999999, goal_id=None, now=now
        )
    assert _count() == 0


def test_write_reflection_on_another_students_goal_not_found(school, now):
    goal = goals.create_goal(
        GoalInput(GoalKind.BADGE, "Truck", None, badge_id=school.badge.id),
        student=school.classmate,
        now=now,
    )
    with pytest.raises(NotFound, match="no such goal"):
        services.write_reflection(
            student=school.student, text="Hers", submission_id=None, goal_id=goal.id, now=now
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Write something"), ("  ", "Write something"), ("x" * 5001, "under 5000")],
)
def test_write_reflection_bad_text_refused(school, now, text, message):
    with pytest.raises(UserError, match=message):
        services.write_reflection(
            student=school.student, text=text, submission_id=None, goal_id=None, now=now
        )


def test_write_reflection_by_staff_not_allowed(school, now):
    with pytest.raises(NotAllowed):
        services.write_reflection(
            student=school.instructor, text="Hm", submission_id=None, goal_id=None, now=now
        )


def test_reflections_page_links_own_submission(client, login, school, make_submission):
    submission = make_submission()
    login(school.student)
    response = client.post(
        "/reflections", data={"text": "Proud of the paint.", "submission_id": str(submission.id)}
    )
    assert response.status_code == 302
    page = client.get("/reflections").get_data(as_text=True)
    assert "Proud of the paint." in page and "Vehicle Restoration" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("submission_id", "classmate", "Not a valid choice"),
        ("submission_id", "abc", "Invalid Choice"),
        ("goal_id", "999999", "Not a valid choice"),
    ],
)
def test_reflections_page_foreign_or_garbled_link_is_400(
    client, login, school, make_submission, field, value, message
):
    classmate_submission = make_submission(school.classmate)
    if value == "classmate":
        value = str(classmate_submission.id)
    login(school.student)
    response = client.post("/reflections", data={"text": "Sneaky.", field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_reflections_page_empty_text_is_400(client, login, school):
    login(school.student)
    response = client.post("/reflections", data={"text": " "})
    assert response.status_code == 400
    assert "Write something" in response.get_data(as_text=True)


def test_delete_reflection_of_another_student_is_404(client, login, school, now):
    reflection = services.write_reflection(
        student=school.student, text="Mine.", submission_id=None, goal_id=None, now=now
    )
    db.session.commit()
    login(school.classmate)
    assert client.post(f"/reflections/{reflection.id}/delete").status_code == 404
    login(school.student)
    assert client.post(f"/reflections/{reflection.id}/delete").status_code == 302
    assert _count() == 0
