"""The bulk issuance pages: upload, per-row errors, confirm, progress JSON, result file.

The queue runs in immediate mode here (the job runs inside the confirming request): the
queue itself is tested in test_worker.py.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.bulk.models import BulkJob
from app.bulk.models import JobState
from app.evidence.models import SubmissionState
from app.extensions import db
from tests.bulk.helpers import csv_for
from tests.bulk.helpers import make_students


@pytest.fixture
def app_config(app_config):
    app_config["LAUREL_JOBS_URL"] = "immediate"
    return app_config


def _upload(client, data: bytes, name: str = "year.csv"):
    return client.post(
        "/bulk",
        data={"csv_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_bulk_upload_errors_then_fix_confirm_progress_result(school, make_user, login):
    students = make_students(make_user, 3, classes=[school.auto_shop])
    client = login(school.instructor)
    bad = csv_for(students, school.badge) + b"nobody@school.test,Space Flight,,,\n"
    response = _upload(client, bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "1 problem found — nothing was issued" in page
    assert "No account has the email nobody@school.test." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BulkJob)) == 0

    response = _upload(client, csv_for(students, school.badge))
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "3 credentials ready to issue" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0

    assert client.post(f"{job_url}/confirm").status_code == 302
    progress = client.get(f"{job_url}/progress.json")
    assert progress.headers["Cache-Control"] == "no-store"
    assert progress.get_json() | {"per_second": None, "seconds_left": None} == {
        "state": "done",
        "total": 3,
        "issued": 3,
        "failed": 0,
        "remaining": 0,
        "percent": 100,
        "per_second": None,
        "seconds_left": None,
    }
    page = client.get(job_url).get_data(as_text=True)
    assert '<th scope="col">Status</th>' in page and "<td>Proficient</td><td>Issued</td>" in page
    result = client.get(f"{job_url}/result.csv")
    assert result.mimetype == "text/csv"
    assert "attachment" in result.headers["Content-Disposition"]
    lines = result.get_data(as_text=True).splitlines()
    assert len(lines) == 4 and all(
        ",issued,https://laurel.test/credentials/" in x for x in lines[1:]
    )
    # A second confirmation (a double click) queues nothing more.
    assert client.post(f"{job_url}/confirm").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 3


def test_bulk_upload_unusable_files_are_400_with_a_message(school, login):
    client = login(school.instructor)
    response = _upload(client, b"\xff\xfe\x00e\x00m")
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)
    response = client.post("/bulk", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file to check." in response.get_data(as_text=True)


def test_bulk_selection_from_the_review_queue_approves_each(school, make_submission, login):
    submissions = [make_submission(), make_submission(school.classmate)]
    client = login(school.instructor)
    queue = client.get("/review").get_data(as_text=True)
    assert f'name="submission" value="{submissions[0].id}"' in queue
    response = client.post("/review/bulk", data={"submission": [str(s.id) for s in submissions]})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert client.post(f"{job_url}/confirm").status_code == 302
    for submission in submissions:
        db.session.refresh(submission)
        assert submission.state == SubmissionState.APPROVED


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([], "Select at least one submission.", id="none"),
        pytest.param(["abc"], "names no submission", id="not-a-number"),
        pytest.param(["99999999999"], "names no submission", id="too-large"),
        pytest.param(["999999"], "There is no submission 999999 you review.", id="unknown"),
    ],
)
def test_bulk_selection_bad_values_are_400(school, login, values, expected):
    response = login(school.instructor).post("/review/bulk", data={"submission": values})
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)


def test_bulk_job_of_another_is_404_and_unguessable(school, make_user, login):
    students = make_students(make_user, 1, classes=[school.auto_shop])
    client = login(school.instructor)
    job_url = _upload(client, csv_for(students, school.badge)).headers["Location"]
    job = db.session.scalars(sa.select(BulkJob)).one()
    assert len(job.id) >= 32 and job.state == JobState.DRAFT
    for path in ("", "/progress.json", "/result.csv"):
        assert login(school.other_instructor).get(job_url + path).status_code == 404
        assert login(school.student).get(job_url + path).status_code == 403
        assert login(school.admin).get(job_url + path).status_code == 200
    assert login(school.other_instructor).post(f"{job_url}/confirm").status_code == 404
    assert login(school.instructor).get("/bulk/not-a-job").status_code == 404
    assert login(school.instructor).get("/bulk/%00").status_code == 404
