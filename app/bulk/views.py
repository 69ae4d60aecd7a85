"""Bulk issuance pages: upload and check, confirm, live progress, and the result file.

Only the staff member who started a job (or an admin) sees it; anyone else gets 404, and
job ids are random tokens.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.badges.models import Badge
from app.bulk import tasks  # noqa: F401  (registers the job queue's tasks)
from app.bulk.checks import MAX_BYTES
from app.bulk.checks import CheckReport
from app.bulk.checks import RowError
from app.bulk.checks import check_csv
from app.bulk.checks import check_submissions
from app.bulk.forms import ButtonForm
from app.bulk.forms import UploadForm
from app.bulk.models import BulkJob
from app.bulk.models import BulkRow
from app.bulk.models import JobSource
from app.bulk.models import JobState
from app.bulk.services import RUN_TASK
from app.bulk.services import confirm
from app.bulk.services import create_job
from app.bulk.services import get_job
from app.bulk.services import progress
from app.bulk.services import recent_jobs
from app.bulk.services import result_csv
from app.errors import LaurelError
from app.extensions import db
from app.jobs.queue import enqueue
from app.models_base import utcnow

bp = Blueprint("bulk", __name__)
staff_only = role_required(Role.INSTRUCTOR, Role.ADMIN)
PREVIEW_ROWS = 200


def _upload_page(form: UploadForm, report: CheckReport | None = None, status: int = 200):
    page = render_template(
        "bulk/upload.html", form=form, report=report, jobs=recent_jobs(current_user)
    )
    return page, status


def _checked(report: CheckReport, source: JobSource, filename: str):
    """A draft job for a clean report (redirect to confirm), or the errors with 400."""
    if not report.ok:
        return _upload_page(UploadForm(formdata=None), report, 400)
    job = create_job(
        report.rows, source=source, filename=filename, actor=current_user, now=utcnow()
    )
    db.session.commit()
    return redirect(url_for("bulk.job", job_id=job.id))


@bp.get("/bulk")
@staff_only
def upload():
    return _upload_page(UploadForm())


@bp.post("/bulk")
@staff_only
def check_upload():
    """Check every row of the uploaded CSV file; nothing is issued yet."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, None, 400)
    with form.csv_file.data.stream as stream:
        data = stream.read(MAX_BYTES + 1)
    filename = secure_filename(form.csv_file.data.filename or "") or "upload.csv"
    return _checked(check_csv(data, actor=current_user), JobSource.CSV, filename)


@bp.post("/review/bulk")
@staff_only
def check_selection():
    """Check the submissions ticked in the review queue; nothing is approved yet."""
    form = ButtonForm()
    if not form.validate():
        return _upload_page(UploadForm(formdata=None), None, 400)
    raw = request.form.getlist("submission")
    ids = [int(value) for value in raw if value.isdigit() and len(value) < 10]
    if len(ids) != len(raw):
        report = CheckReport(errors=[RowError(0, "The selection names no submission.")])
        return _upload_page(UploadForm(formdata=None), report, 400)
    return _checked(check_submissions(ids, actor=current_user), JobSource.SUBMISSIONS, "")


@bp.get("/bulk/<job_id>")
@staff_only
def job(job_id: str):
    found = get_job(job_id, current_user)
    rows = db.session.scalars(
        db.select(BulkRow)
        .where(BulkRow.job_id == found.id)
        .order_by(BulkRow.position)
        .limit(PREVIEW_ROWS)
    ).all()
    badges = db.session.scalars(
        db.select(Badge).where(Badge.id.in_({row.badge_id for row in rows}))
    ).all()
    level_names = {level["id"]: level["name"] for b in badges for level in b.rubric_levels}
    return render_template(
        "bulk/job.html",
        job=found,
        rows=rows,
        level_names=level_names,
        preview_limit=PREVIEW_ROWS,
        progress=progress(found, now=utcnow()),
        form=ButtonForm(),
        draft=found.state == JobState.DRAFT,
    )


@bp.post("/bulk/<job_id>/confirm")
@staff_only
def confirm_job(job_id: str):
    """Queue the checked job; the worker issues it while the page shows the progress."""
    found = get_job(job_id, current_user)
    form = ButtonForm()
    if not form.validate():
        return redirect(url_for("bulk.job", job_id=found.id))
    try:
        confirm(found, now=utcnow())
        db.session.commit()
    except LaurelError:
        db.session.rollback()
        return redirect(url_for("bulk.job", job_id=found.id))
    enqueue(RUN_TASK, found.id)
    return redirect(url_for("bulk.job", job_id=found.id))


@bp.get("/bulk/<job_id>/progress.json")
@staff_only
def job_progress(job_id: str):
    found: BulkJob = get_job(job_id, current_user)
    response = jsonify(progress(found, now=utcnow()).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bulk/<job_id>/result.csv")
@staff_only
def job_result(job_id: str):
    found = get_job(job_id, current_user)
    name = f"bulk-{found.created_at:%Y%m%d-%H%M}-result.csv"
    return Response(
        result_csv(found, current_app.config["LAUREL_PUBLIC_URL"].rstrip("/")),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
