"""The submission lifecycle: drafts, submit, feedback, resubmission, decisions, history."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.badges.models import StatusSlot
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.evidence import services
from app.evidence.models import EventKind
from app.evidence.models import SubmissionState
from app.extensions import db
from app.keyring import issuing_context


def _level(badge, name):
    return next(lv["id"] for lv in badge.rubric_levels if lv["name"] == name)


def test_submit_empty_submission_refused_with_what_is_missing(school, now):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    with pytest.raises(UserError, match="at least one piece of evidence .* and a reflection"):
        services.submit(submission, student=school.student, now=now)
    assert submission.state == SubmissionState.DRAFT


def test_submit_without_reflection_refused(school, now):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    services.add_link(
        submission, student=school.student, url="https://video.example/truck", now=now
    )
    with pytest.raises(UserError, match="reflection"):
        services.submit(submission, student=school.student, now=now)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example/x", "data:text/html,hi", "example.com", ""]
)
def test_add_link_not_web_refused(school, now, url):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    with pytest.raises(UserError, match="https://"):
        services.add_link(submission, student=school.student, url=url, now=now)
    assert submission.items == []


def test_add_file_mismatch_keeps_nothing(school, storage, now):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    with pytest.raises(UserError, match="its content is not"):
        services.add_file(
            submission,
            student=school.student,
            stream=io.BytesIO(truck_photo()),
            filename="report.pdf",
            storage=storage,
            max_bytes=10**7,
            now=now,
        )
    assert submission.items == []
    assert not [p for p in storage.root.rglob("*") if p.is_file()]


def test_add_file_kind_not_accepted_by_badge_refused(school, storage, now):
    school.badge.accepted_kinds = ["link"]
    submission = services.start_submission(school.badge, student=school.student, now=now)
    with pytest.raises(UserError, match="does not accept photo evidence"):
        services.add_file(
            submission,
            student=school.student,
            stream=io.BytesIO(truck_photo()),
            filename="truck.jpg",
            storage=storage,
            max_bytes=10**7,
            now=now,
        )
    assert not [p for p in storage.root.rglob("*") if p.is_file()]


def test_add_file_traversal_name_stored_under_generated_name(school, storage, now):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    item = services.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(truck_photo()),
        filename="../../etc/passwd.jpg",
        storage=storage,
        max_bytes=10**7,
        now=now,
    )
    assert item.original_name == "passwd.jpg"
    assert len(item.storage_key) == 32 and "/" not in item.storage_key
    stored = [p for p in storage.root.rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [item.storage_key]


def test_edit_other_students_submission_not_allowed(school, now):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    with pytest.raises(NotAllowed):
        services.add_text(submission, student=school.classmate, text="mine now", now=now)
    with pytest.raises(NotAllowed):
        services.save_draft(
            submission,
            student=school.classmate,
            reflection="x",
            criteria_reflections={},
            now=now,
        )


def test_submitted_submission_cannot_be_edited_until_withdrawn(submitted, school, now):
    with pytest.raises(UserError, match="Withdraw it first"):
        services.add_text(submitted, student=school.student, text="more", now=now)
    services.withdraw(submitted, student=school.student, now=now)
    services.add_text(submitted, student=school.student, text="more", now=now)
    assert submitted.state == SubmissionState.WITHDRAWN


def test_request_changes_without_feedback_refused(submitted, school, now):
    with pytest.raises(UserError, match="feedback"):
        services.request_changes(submitted, reviewer=school.instructor, feedback="  ", now=now)
    assert submitted.state == SubmissionState.SUBMITTED


def test_reject_without_reason_refused(submitted, school, now):
    with pytest.raises(UserError, match="reason"):
        services.reject(submitted, reviewer=school.instructor, reason="", now=now)


def test_review_by_instructor_of_other_class_not_allowed(submitted, school, now):
    with pytest.raises(NotAllowed):
        services.request_changes(
            submitted, reviewer=school.other_instructor, feedback="no", now=now
        )
    with pytest.raises(NotAllowed):
        services.approve(
            submitted,
            ctx=issuing_context(),
            reviewer=school.classmate,
            level_id=None,
            feedback="",
            now=now,
        )


def test_approval_shows_in_a_history_loaded_before_it(submitted, school, now):
    """The event is a plain INSERT: does a history read earlier in the transaction see it?"""
    assert [e.kind for e in submitted.events] == [EventKind.SUBMITTED]

    services.approve(
        submitted,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=None,
        feedback="Clean brake work.",
        now=now,
    )

    assert [e.kind for e in submitted.events] == [EventKind.SUBMITTED, EventKind.APPROVED]
    approval = submitted.events[-1]
    assert approval.message == "Clean brake work."
    assert approval.actor_id == school.instructor.id
    assert approval.snapshot["credential_id"] == services.submission_credential(submitted).id


def test_full_lifecycle_keeps_history_and_issues_one_credential(submitted, school, storage, now):
    services.request_changes(
        submitted, reviewer=school.instructor, feedback="Add the parts budget.", now=now
    )
    db.session.commit()
    assert submitted.state == SubmissionState.CHANGES_REQUESTED
    later = now + timedelta(days=1)
    services.add_file(
        submitted,
        student=school.student,
        stream=io.BytesIO(temperature_workbook()),
        filename="budget.xlsx",
        storage=storage,
        max_bytes=10**7,
        now=later,
    )
    services.save_draft(
        submitted,
        student=school.student,
        reflection="I rebuilt the brakes and kept a budget.",
        criteria_reflections={"Parts budget": "In budget.xlsx."},
        now=later,
    )
    services.submit(submitted, student=school.student, now=later)
    db.session.commit()
    assert (submitted.state, submitted.round) == (SubmissionState.SUBMITTED, 2)

    credential = services.approve(
        submitted,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=_level(school.badge, "Proficient"),
        feedback="Great work.",
        now=later,
    )
    db.session.commit()
    assert submitted.state == SubmissionState.APPROVED
    assert submitted.decided_by_id == school.instructor.id
    assert credential.level_name == "Proficient"
    assert [e.kind for e in submitted.events] == [
        EventKind.SUBMITTED,
        EventKind.CHANGES_REQUESTED,
        EventKind.SUBMITTED,
        EventKind.APPROVED,
    ]
    first, feedback, second, approval = submitted.events
    assert [i["original_name"] for i in first.snapshot["items"]] == ["truck.jpg"]
    assert [i["original_name"] for i in second.snapshot["items"]] == ["truck.jpg", "budget.xlsx"]
    assert first.snapshot["reflection"] == "I rebuilt the brakes."
    assert feedback.message == "Add the parts budget." and feedback.actor_id == school.instructor.id
    assert approval.snapshot["level"] == "Proficient"

    document = json.loads(credential.json_text)
    evidence = document["evidence"]
    # Only the photo was made public; the private workbook never leaves the service.
    assert [e["name"] for e in evidence] == ["truck.jpg"]
    assert evidence[0]["id"].endswith(f"/evidence/{submitted.items[0].public_token}")

    with pytest.raises(Conflict, match="already been approved"):
        services.approve(
            submitted,
            ctx=issuing_context(),
            reviewer=school.admin,
            level_id=None,
            feedback="",
            now=later,
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusSlot)) == 2


def test_approve_below_required_level_refused_and_state_unchanged(submitted, school, now):
    with pytest.raises(UserError, match="below"):
        services.approve(
            submitted,
            ctx=issuing_context(),
            reviewer=school.instructor,
            level_id=_level(school.badge, "Developing"),
            feedback="",
            now=now,
        )
    db.session.rollback()
    db.session.refresh(submitted)
    assert submitted.state == SubmissionState.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0


def test_approve_after_badge_edit_is_conflict(submitted, school, now):
    seen = school.badge.revision
    school.badge.revision += 1
    db.session.commit()
    with pytest.raises(Conflict, match="edited"):
        services.approve(
            submitted,
            ctx=issuing_context(),
            reviewer=school.instructor,
            level_id=None,
            feedback="",
            now=now,
            badge_revision=seen,
        )


def test_reject_then_new_submission_possible(submitted, school, now):
    services.reject(
        submitted, reviewer=school.instructor, reason="This is another student's truck.", now=now
    )
    db.session.commit()
    fresh = services.start_submission(school.badge, student=school.student, now=now)
    assert fresh.id != submitted.id and fresh.state == SubmissionState.DRAFT


def test_start_submission_twice_returns_the_open_one(school, now):
    first = services.start_submission(school.badge, student=school.student, now=now)
    assert services.start_submission(school.badge, student=school.student, now=now).id == first.id
    assert services.has_goal(school.badge, school.student)


def test_start_goal_instructor_not_allowed(school, now):
    with pytest.raises(NotAllowed):
        services.start_goal(school.badge, student=school.instructor, now=now)
