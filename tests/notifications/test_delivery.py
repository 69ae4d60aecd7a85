"""Emails through a real SMTP server on loopback: what arrives, retries, preferences, digests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.bulk.runner import run_job
from app.evidence.models import SubmissionState
from app.extensions import db
from app.jobs.queue import job_queue
from app.keyring import issuing_context
from app.models_base import utcnow
from app.notifications.delivery import MAX_ATTEMPTS
from app.notifications.delivery import make_digests
from app.notifications.delivery import send_due
from app.notifications.models import NotificationKind
from app.notifications.models import OutboxEmail
from app.notifications.models import OutboxState
from app.notifications.outbox import notify_endorsement_request
from tests.bulk.helpers import confirmed_job
from tests.bulk.helpers import make_students
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.mail import free_port
from tests.fixtures.mail import run_queued_jobs

LINK = re.compile(re.escape(TEST_PUBLIC_URL) + r"[^\s\"<>]*")


@pytest.fixture
def app_config(app_config, inbox, tmp_path):
    app_config["LAUREL_SMTP_URL"] = f"{inbox.url}?from=badges@laurel.test"
    app_config["LAUREL_JOBS_URL"] = f"sqlite:///{tmp_path / 'queue.db'}"
    return app_config


def _parts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def _path(link: str) -> str:
    return link.removeprefix(TEST_PUBLIC_URL)


def _outbox(kind: NotificationKind) -> list[OutboxEmail]:
    db.session.rollback()  # see what the worker committed
    return list(
        db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)
        )
    )


def _approve(client, login, school, submission):
    login(school.instructor)
    return client.post(
        f"/review/{submission.id}/approve",
        data={"approve-level": school.badge.required_level_id},
    )


def test_submission_received_reaches_the_reviewer_with_a_review_link(
    app, client, login, school, inbox, make_submission
):
    submission = make_submission()
    assert inbox.messages == []  # the request only queued it
    assert run_queued_jobs(app) >= 1
    assert inbox.recipients == [[school.instructor.email]]
    message = inbox.messages[0]
    assert message["Subject"] == f"Sam Student submitted evidence for “{school.badge.name}”"
    assert message["From"].addresses[0].addr_spec == "badges@laurel.test"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = _parts(message)
    review = f"{TEST_PUBLIC_URL}/review/{submission.id}"
    assert review in text and f'href="{review}"' in html
    login(school.instructor)
    assert client.get(_path(review)).status_code == 200


def test_approval_emails_the_student_links_to_the_credential_and_its_sharing(
    app, client, login, school, inbox, submitted
):
    run_queued_jobs(app)
    inbox.messages.clear()
    inbox.recipients.clear()
    assert _approve(client, login, school, submitted).status_code == 302
    assert inbox.messages == []
    run_queued_jobs(app)
    assert inbox.recipients == [[school.student.email]]
    message = inbox.messages[0]
    assert message["Subject"] == f"You earned “{school.badge.name}”"
    text, html = _parts(message)
    credential = db.session.scalar(sa.select(IssuedCredential))
    page = f"{TEST_PUBLIC_URL}/credentials/{credential.id}"
    share = f"{page}/share"
    assert LINK.findall(text)[:2] == [page, share]
    assert f'href="{page}"' in html and f'href="{share}"' in html
    assert f"{TEST_PUBLIC_URL}/account/notifications" in text
    login(school.student)
    for link in (page, share, f"{TEST_PUBLIC_URL}/account/notifications"):
        assert client.get(_path(link)).status_code == 200, link


def test_changes_requested_tells_the_student_the_feedback(
    app, client, login, school, inbox, submitted
):
    run_queued_jobs(app)
    inbox.messages.clear()
    login(school.instructor)
    response = client.post(
        f"/review/{submitted.id}/changes", data={"changes-feedback": "Add a photo of the rotors."}
    )
    assert response.status_code == 302
    run_queued_jobs(app)
    (message,) = inbox.messages
    assert message["To"] == school.student.email
    assert message["Subject"].startswith("Changes requested on your evidence")
    text, html = _parts(message)
    assert "Add a photo of the rotors." in text and "Add a photo of the rotors." in html
    login(school.student)
    assert client.get(_path(LINK.findall(text)[0])).status_code == 200


@pytest.mark.parametrize("refusal", ["554 5.7.1 Relay refused", "451 4.3.0 Try again later"])
def test_refusing_server_is_retried_and_the_approval_still_succeeds(
    app, client, login, school, inbox, submitted, refusal
):
    run_queued_jobs(app)
    inbox.refuse_with = refusal
    assert _approve(client, login, school, submitted).status_code == 302
    db.session.rollback()
    assert db.session.get(type(submitted), submitted.id).state == SubmissionState.APPROVED
    run_queued_jobs(app)
    (row,) = _outbox(NotificationKind.CREDENTIAL_ISSUED)
    assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
    assert refusal.split()[0] in row.last_error
    assert row.next_attempt_at > utcnow()
    assert send_due(utcnow()) == 0  # not before its backoff
    inbox.refuse_with = None
    assert send_due(row.next_attempt_at) == 1
    (row,) = _outbox(NotificationKind.CREDENTIAL_ISSUED)
    assert row.state == OutboxState.SENT
    assert [m["Subject"] for m in inbox.messages][-1].startswith("You earned")


def test_unreachable_server_is_retried_a_bounded_number_of_times(
    app, app_ctx, client, login, school, submitted
):
    app.config["LAUREL_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens
    assert _approve(client, login, school, submitted).status_code == 302
    run_queued_jobs(app)
    (row,) = _outbox(NotificationKind.CREDENTIAL_ISSUED)
    assert "ConnectionRefusedError" in row.last_error
    moment = row.next_attempt_at
    for _ in range(MAX_ATTEMPTS + 2):
        send_due(moment)
        moment += timedelta(hours=3)
    (row,) = _outbox(NotificationKind.CREDENTIAL_ISSUED)
    assert (row.state, row.attempts) == (OutboxState.FAILED, MAX_ATTEMPTS)


def _choose(client, login, user, **choices):
    login(user)
    data = {
        "submission_received": "now",
        "review": "now",
        "credential_issued": "now",
        "endorsement_request": "now",
        **choices,
    }
    assert client.post("/account/notifications", data=data).status_code == 302


def test_never_is_respected(app, client, login, school, inbox, submitted):
    run_queued_jobs(app)
    inbox.messages.clear()
    _choose(client, login, school.student, review="never")
    login(school.instructor)
    client.post(f"/review/{submitted.id}/reject", data={"reject-reason": "Not your work."})
    run_queued_jobs(app)
    assert inbox.messages == []
    (row,) = _outbox(NotificationKind.REVIEW)
    assert row.state == OutboxState.SKIPPED


def test_digest_waits_for_the_daily_digest_with_working_links(
    app, client, login, school, inbox, submitted
):
    run_queued_jobs(app)
    inbox.messages.clear()
    _choose(client, login, school.student, credential_issued="digest", review="digest")
    assert _approve(client, login, school, submitted).status_code == 302
    run_queued_jobs(app)
    assert inbox.messages == []
    (row,) = _outbox(NotificationKind.CREDENTIAL_ISSUED)
    assert row.state == OutboxState.HELD
    assert make_digests(row.created_at) == 0  # before the next digest time
    next_day = row.created_at + timedelta(days=1)
    assert make_digests(next_day) == 1
    assert make_digests(next_day) == 0  # once a day
    send_due(next_day)
    (message,) = inbox.messages
    assert message["To"] == school.student.email
    assert message["Subject"] == "Your Laurel digest: 1 update"
    text, html = _parts(message)
    assert f"You earned “{school.badge.name}”" in text and school.badge.name in html
    login(school.student)
    assert client.get(_path(LINK.findall(text)[0])).status_code == 200
    (row,) = _outbox(NotificationKind.CREDENTIAL_ISSUED)
    assert row.state == OutboxState.BUNDLED


def test_invitation_is_emailed_and_its_token_is_not_kept(app, client, login, school, inbox):
    login(school.admin)
    response = client.post(
        "/admin/users",
        data={"email": "nia@school.test", "name": "Nia New", "role": "student", "class_id": "0"},
    )
    assert response.status_code == 200
    assert "An invitation email with this link is on its way" in response.text
    shown = re.search(r'value="(https://laurel\.test/invite/[^"]+)"', response.text).group(1)
    token = shown.rsplit("/", 1)[1]
    (row,) = _outbox(NotificationKind.INVITATION)
    assert row.sealed_secret and token not in row.sealed_secret
    run_queued_jobs(app)
    (message,) = inbox.messages
    assert message["To"] == "nia@school.test"
    text, html = _parts(message)
    assert shown in text and f'href="{shown}"' in html
    (row,) = _outbox(NotificationKind.INVITATION)
    assert (row.state, row.sealed_secret) == (OutboxState.SENT, None)
    login(None)
    assert client.get(_path(shown)).status_code == 200


def test_a_new_invitation_drops_the_unsent_one(app, client, login, school, inbox):
    inbox.refuse_with = "451 4.3.0 Try again later"
    login(school.admin)
    client.post(
        "/admin/users",
        data={"email": "nia@school.test", "name": "Nia New", "role": "student", "class_id": "0"},
    )
    run_queued_jobs(app)
    (first,) = _outbox(NotificationKind.INVITATION)
    assert client.post(f"/admin/users/{first.user_id}/invite").status_code == 200
    first, second = _outbox(NotificationKind.INVITATION)
    assert (first.state, first.sealed_secret) == (OutboxState.SKIPPED, None)
    assert second.state == OutboxState.PENDING


def test_endorsement_request_for_the_endorsements_feature(app, app_ctx, inbox, school):
    notify_endorsement_request(
        to=None,
        address="coach@partner.test",
        requester="Ines Instructor",
        about="the badge “Vehicle Restoration”",
        url="https://laurel.test/endorse/abc",
        now=utcnow(),
    )
    db.session.commit()
    run_queued_jobs(app)
    (message,) = inbox.messages
    assert message["To"] == "coach@partner.test"
    assert message["Subject"] == (
        "Ines Instructor asks you to endorse the badge “Vehicle Restoration”"
    )
    assert "https://laurel.test/endorse/abc" in _parts(message)[0]


def test_email_queued_while_no_worker_ran_goes_out_when_one_starts(
    app, client, login, school, inbox, submitted
):
    run_queued_jobs(app)
    inbox.messages.clear()
    assert _approve(client, login, school, submitted).status_code == 302
    job_queue(app).huey.flush()  # the wake-up is lost, as with a worker killed by SIGKILL
    assert run_queued_jobs(app) == 0
    job_queue(app).run_start_hooks()
    (message,) = inbox.messages
    assert message["Subject"] == f"You earned “{school.badge.name}”"


def test_bulk_issued_credentials_are_emailed_too(app, make_user, school, inbox):
    students = make_students(make_user, 2, classes=[school.auto_shop])
    job = confirmed_job(school.instructor, students, school.badge)
    assert run_job(job.id, issuing_context()) is None
    run_queued_jobs(app)
    assert sorted(r[0] for r in inbox.recipients) == sorted(s.email for s in students)
    assert {m["Subject"] for m in inbox.messages} == {f"You earned “{school.badge.name}”"}


def test_credential_issued_from_the_command_line_is_emailed_too(app, runner, school, inbox):
    from app.cli import cli

    result = runner.invoke(
        cli, ["issue", "--badge", school.badge.slug, "--email", school.student.email]
    )
    assert result.exit_code == 0, result.output
    run_queued_jobs(app)
    assert [r[0] for r in inbox.recipients] == [school.student.email]
    (message,) = inbox.messages
    assert message["Subject"] == f"You earned “{school.badge.name}”"
