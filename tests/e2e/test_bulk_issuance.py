"""Bulk issuance in a real browser: upload, see the errors, fix, confirm, watch, download.

The live server runs the job queue as `make run` does (SQLite queue, consumer threads in
the server), and the progress page polls its JSON with static/js/bulk-progress.js under the
site's Content-Security-Policy. Screenshots go to test-artifacts/<pass>/<test>/.
"""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.extensions import db
from app.jobs.queue import job_queue
from tests.bulk.helpers import csv_for
from tests.bulk.helpers import make_students
from tests.e2e.test_teaching_loop import sign_in

pytestmark = pytest.mark.browser

ROWS = 40


@pytest.fixture
def app_config(app_config):
    app_config["LAUREL_JOBS_IN_PROCESS"] = True
    return app_config


def test_bulk_issuance_upload_fix_confirm_progress_result(
    live_server, app, school, make_user, browser_page, artifacts, tmp_path
):
    page = browser_page
    students = make_students(make_user, ROWS, classes=[school.auto_shop])
    good = csv_for(students, school.badge)
    bad_file = tmp_path / "year-with-mistakes.csv"
    bad_file.write_bytes(
        good
        + b"nobody@school.test,Vehicle Restoration,,,\n"
        + f"{students[0].email},{school.badge.id},Developing,,\n".encode()
    )
    good_file = tmp_path / "year.csv"
    good_file.write_bytes(good)
    csp_errors: list[str] = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content-Security" in m.text else None
    )
    try:
        sign_in(page, live_server, school.instructor.email)
        page.goto(f"{live_server}/review")
        page.get_by_role("link", name="Bulk issuance (CSV)").click()
        page.set_input_files("#csv_file", str(bad_file))
        page.get_by_role("button", name="Check the file").click()
        errors = page.locator("#check-errors")
        assert "2 problems found — nothing was issued" in errors.inner_text()
        assert "No account has the email nobody@school.test." in errors.inner_text()
        assert "is below “Proficient”" in errors.inner_text()
        page.screenshot(path=str(artifacts / "1-errors.png"), full_page=True)

        page.set_input_files("#csv_file", str(good_file))
        page.get_by_role("button", name="Check the file").click()
        assert f"{ROWS} credentials ready to issue" in page.inner_text("main")
        page.screenshot(path=str(artifacts / "2-confirm.png"), full_page=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0

        page.get_by_role("button", name=f"Issue {ROWS} credentials").click()
        page.wait_for_selector("#bulk-done:not([hidden])", timeout=120_000)
        status = page.inner_text("#bulk-status")
        assert "100%" in status and f"issued {ROWS}" in status and "failed 0" in status
        assert page.locator("#bulk-bar").get_attribute("value") == "100"
        page.screenshot(path=str(artifacts / "3-done.png"), full_page=True)

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the result (CSV)").click()
        saved = artifacts / "result.csv"
        download_info.value.save_as(saved)
        with saved.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == ROWS and {row["status"] for row in rows} == {"issued"}
        assert all(
            row["credential_url_or_error"].startswith(f"{live_server}/credentials/") for row in rows
        )
        assert csp_errors == []
    finally:
        job_queue(app).stop_threads()


def test_bulk_approval_of_selected_submissions_from_the_review_queue(
    live_server, app, school, make_submission, browser_page, artifacts
):
    page = browser_page
    waiting = [make_submission(), make_submission(school.classmate)]
    try:
        sign_in(page, live_server, school.instructor.email)
        page.goto(f"{live_server}/review")
        for submission in waiting:
            page.check(f"#select-{submission.id}")
        page.screenshot(path=str(artifacts / "1-queue-selected.png"), full_page=True)
        page.get_by_role("button", name="Approve and issue the selected").click()
        assert "2 credentials ready to issue" in page.inner_text("main")
        page.get_by_role("button", name="Issue 2 credentials").click()
        page.wait_for_selector("#bulk-done:not([hidden])", timeout=120_000)
        page.screenshot(path=str(artifacts / "2-done.png"), full_page=True)
        page.goto(f"{live_server}/review")
        assert "No submissions waiting" in page.inner_text("main")
    finally:
        job_queue(app).stop_threads()
