"""The counselor: reads the records and profiles of assigned students; decides nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.counselors import assign_counselor
from app.accounts.counselors import assigned_students
from app.accounts.counselors import can_read_learner
from app.accounts.counselors import unassign_counselor
from app.accounts.models import CounselorAssignment
from app.accounts.models import Role
from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.errors import UserError
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db


def test_assign_counselor_is_idempotent_and_lists_students(school, counselor, now):
    again = assign_counselor(counselor, school.student, now=now)
    assign_counselor(counselor, school.other_student, now=now)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(CounselorAssignment))
    assert count == 2 and again.student_id == school.student.id
    assert assigned_students(counselor) == [school.other_student, school.student]


def test_assign_counselor_refuses_wrong_roles(school, counselor, now):
    with pytest.raises(UserError, match="is not a counselor"):
        assign_counselor(school.instructor, school.student, now=now)
    with pytest.raises(UserError, match="is not a student"):
        assign_counselor(counselor, school.instructor, now=now)


def test_can_read_learner_by_role(school, counselor, other_counselor):
    readers = {school.student, school.admin, school.instructor, counselor}
    everyone = readers | {
        school.classmate,
        school.other_student,
        school.other_instructor,
        other_counselor,
    }
    for viewer in everyone:
        assert can_read_learner(school.student, viewer) == (viewer in readers), viewer.name


def test_unassigned_or_deactivated_counselor_reads_nothing(school, counselor):
    unassign_counselor(counselor, school.student)
    assert not can_read_learner(school.student, counselor)
    assign_counselor(counselor, school.student, now=counselor.created_at)
    counselor.is_active_account = False
    assert not can_read_learner(school.student, counselor)


def test_counselor_reads_record_and_profile_of_assigned_student_only(
    client, login, school, counselor
):
    login(counselor)
    dashboard = client.get("/dashboard/counselor").get_data(as_text=True)
    assert "Sam Student" in dashboard and "Olga Other" not in dashboard
    assert client.get("/dashboard").headers["Location"].endswith("/dashboard/counselor")
    for path in ("record", "profile"):
        assert client.get(f"/learners/{school.student.id}/{path}").status_code == 200
        assert client.get(f"/learners/{school.classmate.id}/{path}").status_code == 404


def test_counselor_opens_the_credentials_on_an_assigned_students_record(
    client, login, school, counselor, make_credential
):
    """The record's links lead somewhere: the counselor reads each credential as staff do,
    and changes none of it (revoking and sharing stay with reviewers and the learner)."""
    sams = make_credential()
    olgas = make_credential(recipient=school.other_student)
    login(counselor)
    record = client.get(f"/learners/{school.student.id}/record").get_data(as_text=True)
    assert f"/credentials/{sams.id}" in record
    assert client.get(f"/credentials/{sams.id}").status_code == 200
    assert client.get(f"/credentials/{olgas.id}").status_code == 404
    reason = {"reason": "Counselors decide nothing."}
    assert client.post(f"/credentials/{sams.id}/revoke", data=reason).status_code == 403
    db.session.refresh(sams)
    assert sams.state.value == "active"


def test_counselor_cannot_approve_change_or_reject(client, login, school, counselor, submitted):
    level_id = school.badge.required_level_id
    login(counselor)
    for action, data in (
        ("approve", {"approve-level": str(level_id)}),
        ("changes", {"changes-feedback": "More photos."}),
        ("reject", {"reject-reason": "No."}),
    ):
        response = client.post(f"/review/{submitted.id}/{action}", data=data)
        assert response.status_code == 403, action
    assert client.get(f"/review/{submitted.id}").status_code == 403
    db.session.refresh(submitted)
    assert submitted.state == SubmissionState.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0


def test_counselor_cannot_issue_in_bulk_or_make_badges(client, login, school, counselor, submitted):
    login(counselor)
    assert (
        client.post("/review/bulk", data={"submission_ids": str(submitted.id)}).status_code == 403
    )
    assert client.post("/bulk", data={}).status_code == 403
    assert client.post("/badges/new", data={"name": "Counsel"}).status_code == 403
    assert db.session.get(Submission, submitted.id).state == SubmissionState.SUBMITTED


def test_admin_creates_counselor_and_assigns_students_in_the_ui(client, login, school):
    login(school.admin)
    response = client.post(
        "/admin/users",
        data={
            "name": "Cleo Counsel",
            "email": "cleo@school.test",
            "role": "counselor",
            "class_id": "0",
        },
    )
    assert response.status_code == 200
    cleo = db.session.scalar(sa.select(User).where(User.email == "cleo@school.test"))
    assert cleo.role == Role.COUNSELOR
    assert "Cleo Counsel" in client.get("/admin/counselors").get_data(as_text=True)

    data = {"counselor_id": str(cleo.id), "student_id": str(school.student.id)}
    assert client.post("/admin/counselors", data=data).status_code == 302
    assert assigned_students(cleo) == [school.student]
    bad = {"counselor_id": str(school.instructor.id), "student_id": str(school.student.id)}
    assert client.post("/admin/counselors", data=bad).status_code == 400
    remove = f"/admin/counselors/{cleo.id}/students/{school.student.id}/remove"
    assert client.post(remove).status_code == 302
    assert assigned_students(cleo) == []
    assert client.post(remove).status_code == 404
