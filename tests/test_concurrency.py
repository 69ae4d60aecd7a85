"""Twenty reviewers clicking "approve" on one submission at once: exactly one credential.

Real commits on a fresh database file (or on PostgreSQL when LAUREL_TEST_POSTGRES is
set), requests through the real app from separate clients in separate threads.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.badges.models import StatusList
from app.badges.models import StatusSlot
from app.evidence.models import EventKind
from app.evidence.models import Submission
from app.evidence.models import SubmissionEvent
from app.evidence.models import SubmissionState
from app.extensions import db
from tests.fixtures.signin import sign_in

CLICKS = 20


def test_approve_twenty_concurrent_requests_issue_exactly_one_credential(app, school, submitted):
    reviewers = [school.instructor, school.admin]
    proficient = next(lv["id"] for lv in school.badge.rubric_levels if lv["name"] == "Proficient")
    submission_id = submitted.id
    clients = []
    for number in range(CLICKS):
        clients.append(sign_in(app.test_client(), reviewers[number % 2]))
    db.session.remove()
    start = threading.Barrier(CLICKS)

    def click(client):
        start.wait()
        response = client.post(
            f"/review/{submission_id}/approve", data={"approve-level": proficient}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        statuses = list(pool.map(click, clients))

    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 409}, statuses
    credentials = db.session.scalars(sa.select(IssuedCredential)).all()
    assert len(credentials) == 1
    assert credentials[0].submission_id == submission_id
    slots = db.session.execute(
        sa.select(StatusList.purpose, sa.func.count()).join(StatusSlot).group_by(StatusList.purpose)
    ).all()
    assert sorted((purpose.value, count) for purpose, count in slots) == [
        ("revocation", 1),
        ("suspension", 1),
    ]
    approvals = db.session.scalars(
        sa.select(SubmissionEvent).where(SubmissionEvent.kind == EventKind.APPROVED)
    ).all()
    assert len(approvals) == 1
    assert db.session.get(Submission, submission_id).state == SubmissionState.APPROVED
