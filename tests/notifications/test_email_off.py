"""Without LAUREL_SMTP_URL: nothing is queued or sent, and the pages say so."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.jobs.queue import job_queue
from app.notifications.models import OutboxEmail


def test_no_smtp_url_queues_nothing_and_the_approval_works(app, client, login, school, submitted):
    login(school.instructor)
    response = client.post(
        f"/review/{submitted.id}/approve", data={"approve-level": school.badge.required_level_id}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
    assert job_queue(app).huey.pending_count() == 0


def test_pages_say_no_email_is_sent(client, login, school):
    login(school.admin)
    response = client.post(
        "/admin/users",
        data={"email": "nia@school.test", "name": "Nia New", "role": "student", "class_id": "0"},
    )
    assert "Laurel sends no email (LAUREL_SMTP_URL is not set)" in response.text
    assert "This Laurel sends no email" in client.get("/account/notifications").text
