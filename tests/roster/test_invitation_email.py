"""With email on, applying a roster also emails each new account its invitation link."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import NotificationKind
from app.notifications.models import OutboxEmail
from tests.fixtures.mail import run_queued_jobs
from tests.roster.bundle import bundle


@pytest.fixture
def app_config(app_config, inbox, tmp_path):
    app_config["LAUREL_SMTP_URL"] = f"{inbox.url}?from=badges@laurel.test"
    app_config["LAUREL_JOBS_URL"] = f"sqlite:///{tmp_path / 'queue.db'}"
    return app_config


def test_applied_roster_emails_each_new_account_its_invitation(app, admin, inbox):
    report = admin.import_(("roster.zip", bundle())).get_data(as_text=True)
    assert "Each new person is also sent their invitation link by email." in report
    queued = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.kind == NotificationKind.INVITATION)
    ).all()
    assert len(queued) == 7
    run_queued_jobs(app)
    assert {message["To"] for message in inbox.messages} == {
        "jlee@maplegrove.test",
        "pnatarajan@maplegrove.test",
        "sam@maplegrove.test",
        "maya@maplegrove.test",
        "leo@maplegrove.test",
        "ava.garcia@maplegrove.test",
        "rkim@maplegrove.test",
    }
