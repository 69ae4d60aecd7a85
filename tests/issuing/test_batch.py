"""Issuing a chunk of credentials in one transaction (`app.issuing.batch.issue_batch`)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.badges.models import StatusList
from app.badges.models import StatusSlot
from app.credentials.document import EvidenceData
from app.errors import UserError
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.issuing.batch import IssueRequest
from app.issuing.batch import issue_batch
from app.keyring import issuing_context
from app.verify.core.report import Verdict
from app.verify.service import run_verification
from app.verify.service import verify_record

LEARNERS = 6


def _level(badge: Badge, name: str) -> str:
    return next(lv["id"] for lv in badge.rubric_levels if lv["name"] == name)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def learners(make_user) -> list[User]:
    return [make_user(Role.STUDENT, name=f"Learner {n}") for n in range(LEARNERS)]


def _submission(badge: Badge, student: User) -> int:
    submission = Submission(
        badge_id=badge.id, student_id=student.id, state=SubmissionState.APPROVED
    )
    db.session.add(submission)
    db.session.commit()
    return submission.id


def test_batch_issues_one_verifiable_credential_per_request_in_order(
    school, learners, make_badge, now
):
    other_badge = make_badge(school.instructor, name="Brake Service", expiry_months=12)
    evidence = EvidenceData(id="https://video.example/brakes", name="Brake job video", genre="Link")
    requests = [
        IssueRequest(
            badge=school.badge if n % 2 else other_badge,
            recipient=learner,
            level_id=_level(school.badge if n % 2 else other_badge, "Mastery") if n == 3 else None,
            evidence=(evidence,) if n == 0 else (),
        )
        for n, learner in enumerate(learners)
    ]

    credentials = issue_batch(issuing_context(), requests, issued_by=school.instructor, now=now)
    db.session.commit()

    assert [c.recipient_id for c in credentials] == [learner.id for learner in learners]
    assert [c.badge_id for c in credentials] == [r.badge.id for r in requests]
    assert credentials[3].level_name == "Mastery" and credentials[1].level_name == "Proficient"
    assert credentials[0].valid_until is not None and credentials[1].valid_until is None
    assert _count(IssuedCredential) == LEARNERS and _count(StatusSlot) == 2 * LEARNERS
    for credential in credentials:
        assert verify_record(credential, now=now).report.verdict is Verdict.VERIFIED
        jwt = run_verification(credential.jwt_text, now=now, filename="credential.jwt")
        assert jwt.report.verdict is Verdict.VERIFIED
    assert "Brake job video" in credentials[0].json_text
    slots = db.session.scalars(sa.select(StatusSlot)).all()
    assert {s.credential_id for s in slots} == {c.id for c in credentials}
    assert school.badge.issued_version == school.badge.version == 1


def test_concurrent_batches_take_distinct_status_indexes(app, school, learners, now):
    badge_id = school.badge.id
    learner_ids = [learner.id for learner in learners]
    instructor_id = school.instructor.id
    db.session.remove()
    start = threading.Barrier(3)

    def batch(part: int) -> list[tuple[int, int]]:
        with app.app_context():
            badge = db.session.get(Badge, badge_id)
            issued_by = db.session.get(User, instructor_id)
            requests = [
                IssueRequest(badge=badge, recipient=db.session.get(User, learner_id), level_id=None)
                for learner_id in learner_ids[part::3]
            ]
            start.wait()
            credentials = issue_batch(issuing_context(), requests, issued_by=issued_by, now=now)
            db.session.commit()
            return [(c.revocation_index, c.suspension_index) for c in credentials]

    with ThreadPoolExecutor(max_workers=3) as pool:
        indexes = [pair for pairs in pool.map(batch, range(3)) for pair in pairs]

    assert len(indexes) == LEARNERS
    assert len({revocation for revocation, _ in indexes}) == LEARNERS
    assert len({suspension for _, suspension in indexes}) == LEARNERS
    per_list = db.session.execute(
        sa.select(StatusList.purpose, sa.func.count(sa.distinct(StatusSlot.index)))
        .join(StatusSlot)
        .group_by(StatusList.purpose)
    ).all()
    assert sorted((purpose.value, count) for purpose, count in per_list) == [
        ("revocation", LEARNERS),
        ("suspension", LEARNERS),
    ]
    assert _count(StatusList) == 2


def test_batch_is_idempotent_per_submission(school, learners, now):
    submissions = [_submission(school.badge, learner) for learner in learners[:3]]
    requests = [
        IssueRequest(badge=school.badge, recipient=learner, level_id=None, submission_id=sid)
        for learner, sid in zip(learners, submissions, strict=False)
    ]
    first = issue_batch(issuing_context(), requests, issued_by=school.instructor, now=now)
    db.session.commit()

    again = issue_batch(
        issuing_context(),
        [
            *requests,
            IssueRequest(
                badge=school.badge,
                recipient=learners[0],
                level_id=None,
                submission_id=submissions[0],
            ),
            IssueRequest(badge=school.badge, recipient=learners[4], level_id=None),
        ],
        issued_by=school.instructor,
        now=now,
    )
    db.session.commit()

    assert [c.id for c in again[:3]] == [c.id for c in first]
    assert again[3].id == first[0].id
    assert again[4].recipient_id == learners[4].id and again[4].submission_id is None
    assert _count(IssuedCredential) == 4 and _count(StatusSlot) == 8


def test_same_submission_twice_in_one_batch_gives_one_credential(school, learners, now):
    sid = _submission(school.badge, learners[0])
    request = IssueRequest(
        badge=school.badge, recipient=learners[0], level_id=None, submission_id=sid
    )
    first, second = issue_batch(
        issuing_context(), [request, request], issued_by=school.instructor, now=now
    )
    db.session.commit()
    assert first.id == second.id
    assert _count(IssuedCredential) == 1 and _count(StatusSlot) == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("draft", r"Request 2 \(.*@school\.test, “Draft Badge”\): Publish the badge"),
        ("below", r"Request 2 \(.*@school\.test, “Vehicle Restoration”\): “Developing” is below"),
        ("foreign level", r"Request 2 .*: That level does not belong to this badge"),
    ],
)
def test_a_bad_request_in_the_middle_rejects_the_batch_and_writes_nothing(
    school, learners, make_badge, now, bad, message
):
    good = school.badge
    if bad == "draft":
        middle = IssueRequest(
            badge=make_badge(school.instructor, name="Draft Badge", published=False),
            recipient=learners[1],
            level_id=None,
        )
    elif bad == "below":
        middle = IssueRequest(
            badge=good, recipient=learners[1], level_id=_level(good, "Developing")
        )
    else:
        middle = IssueRequest(badge=good, recipient=learners[1], level_id="no-such-level")
    requests = [
        IssueRequest(badge=good, recipient=learners[0], level_id=None),
        middle,
        IssueRequest(badge=good, recipient=learners[2], level_id=None),
    ]

    with pytest.raises(UserError, match=message):
        issue_batch(issuing_context(), requests, issued_by=school.instructor, now=now)

    assert _count(IssuedCredential) == 0 and _count(StatusSlot) == 0
    db.session.rollback()
    assert _count(IssuedCredential) == 0 and _count(StatusSlot) == 0
    assert db.session.get(Badge, good.id).issued_version is None


def test_empty_batch_issues_nothing(school, now):
    assert issue_batch(issuing_context(), [], issued_by=None, now=now) == []
    assert _count(IssuedCredential) == 0


def test_content_the_engine_refuses_names_the_request_and_rolls_back_clean(
    school, learners, make_badge, now
):
    odd = make_badge(school.instructor, name="Odd Badge")
    odd.achievement_type = "Not A Type"  # bypasses the form, as an old row might
    db.session.commit()
    requests = [
        IssueRequest(badge=school.badge, recipient=learners[0], level_id=None),
        IssueRequest(badge=odd, recipient=learners[1], level_id=None),
    ]
    with pytest.raises(UserError, match="Request 2 .*“Odd Badge”.*cannot be issued as it stands"):
        issue_batch(issuing_context(), requests, issued_by=school.instructor, now=now)
    db.session.rollback()
    assert _count(IssuedCredential) == 0 and _count(StatusSlot) == 0
