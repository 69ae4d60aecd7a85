"""Web views of the evidence feature: goals, the submission editor, review, files, dashboards.

Each view: parse the form, load and authorize with `get_submission_or_404`, make one
service call, commit, redirect. A LaurelError rolls back, is flashed, and the page is
shown again with the error's 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required
from werkzeug.utils import secure_filename

from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.badges.access import get_badge_or_404
from app.errors import LaurelError
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import Unavailable
from app.errors import UserError
from app.evidence import dashboards
from app.evidence import services
from app.evidence.downloads import stored_file_response
from app.evidence.filetypes import INLINE_IMAGE_TYPES
from app.evidence.filetypes import accepted_extensions
from app.evidence.filetypes import accepted_formats
from app.evidence.forms import ActionForm
from app.evidence.forms import ApproveForm
from app.evidence.forms import ChangesForm
from app.evidence.forms import CommentForm
from app.evidence.forms import FileItemForm
from app.evidence.forms import LinkItemForm
from app.evidence.forms import ReflectionForm
from app.evidence.forms import RejectForm
from app.evidence.forms import TextItemForm
from app.evidence.models import EvidenceItem
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.evidence.previews import PUBLIC_PX
from app.evidence.previews import THUMBNAIL_PX
from app.evidence.previews import reencoded_jpeg
from app.evidence.publication import legacy_published_file
from app.evidence.publication import published_file
from app.evidence.storage import configured_storage
from app.evidence.storage import max_upload_bytes
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from app.storage.files import FileStore
from app.storage.files import size_in_words

bp = Blueprint("evidence", __name__)
# The credential page belongs to badges, which sits below evidence and cannot ask it: the
# reviewer's approval note reaches that page through this template global instead.
bp.add_app_template_global(services.approval_note, "approval_note")


def evidence_storage() -> FileStore:
    return configured_storage(current_app.config)


def upload_limit() -> int:
    return max_upload_bytes(current_app.config)


def get_submission_or_404(submission_id: int, *, need: str = "view") -> Submission:
    """The submission if the current user may `view`, `edit` (its student) or `review` it.

    Someone who may not see it at all gets 404, so ids do not reveal what exists.
    """
    submission = services.load_submission(submission_id)
    if submission is None or not submission.can_view(current_user):
        raise NotFound(gettext("There is no such submission."))
    if need == "edit" and not submission.is_owned_by(current_user):
        raise NotAllowed(gettext("Only the student who made this submission can change it."))
    if need == "review" and not submission.can_review(current_user):
        raise NotAllowed(gettext("You do not review this badge."))
    return submission


student_only = role_required(Role.STUDENT)
staff_only = role_required(Role.INSTRUCTOR, Role.ADMIN)


def _failed(error: LaurelError) -> int:
    """Undo the half-done work of a failed action and tell the person why."""
    db.session.rollback()
    flash(str(error), "error")
    return error.status_code


# --- Goals ----------------------------------------------------------------------------------


@bp.post("/badges/<slug>/pursue")
@student_only
def pursue(slug: str):
    badge = get_badge_or_404(slug)
    services.start_goal(badge, student=current_user, now=utcnow())
    db.session.commit()
    flash(
        gettext(
            "“%(badge_name)s” is now one of your goals. Start your submission when you are ready.",
            badge_name=badge.name,
        ),
        "success",
    )
    return redirect(url_for("badges.detail", slug=badge.slug))


@bp.post("/badges/<slug>/unpursue")
@student_only
def unpursue(slug: str):
    badge = get_badge_or_404(slug)
    services.drop_goal(badge, student=current_user)
    db.session.commit()
    flash(
        gettext("“%(badge_name)s” is no longer one of your goals.", badge_name=badge.name), "info"
    )
    return redirect(url_for("evidence.student_dashboard"))


@bp.post("/badges/<slug>/submission")
@student_only
def start(slug: str):
    badge = get_badge_or_404(slug)
    submission = services.start_submission(badge, student=current_user, now=utcnow())
    db.session.commit()
    if submission.can_edit(current_user):
        return redirect(url_for("evidence.edit", submission_id=submission.id))
    return redirect(url_for("evidence.detail", submission_id=submission.id))


# --- The submission editor ---------------------------------------------------------------------


def _editor_forms() -> dict[str, Any]:
    return {
        "file_form": FileItemForm(prefix="file"),
        "link_form": LinkItemForm(prefix="link"),
        "text_form": TextItemForm(prefix="text"),
        "action_form": ActionForm(),
    }


def _render_editor(submission: Submission, status: int = 200, form: ReflectionForm | None = None):
    if form is None:
        form = ReflectionForm(data={"reflection": submission.reflection})
    return (
        render_template(
            "evidence/edit.html",
            submission=submission,
            badge=submission.badge,
            form=form,
            accept=accepted_extensions(submission.badge.accepted_kinds),
            formats=accepted_formats(submission.badge.accepted_kinds),
            max_upload=size_in_words(upload_limit()),
            inline_types=INLINE_IMAGE_TYPES,
            **_editor_forms(),
        ),
        status,
    )


def _reflections_from_form(submission: Submission) -> tuple[dict[str, str], dict[int, bool]]:
    criteria = {
        criterion: request.form.get(f"criterion-{number}", "")
        for number, criterion in enumerate(submission.badge.criteria_items)
    }
    # Only the items this form showed: one added meanwhile (another tab) keeps its choice.
    shown = set(request.form.getlist("shown-item"))
    public = {
        item.id: request.form.get(f"public-{item.id}") == "on"
        for item in submission.items
        if str(item.id) in shown
    }
    return criteria, public


def _save_draft(submission: Submission, form: ReflectionForm):
    """Save the reflection form and commit; the editor with the error (the text kept) if refused."""
    if not form.validate():
        return _render_editor(submission, 400, form)
    criteria, public = _reflections_from_form(submission)
    try:
        services.save_draft(
            submission,
            student=current_user,
            reflection=form.reflection.data or "",
            criteria_reflections=criteria,
            public_items=public,
            now=utcnow(),
        )
        db.session.commit()
    except LaurelError as error:
        status = _failed(error)
        return _render_editor(get_submission_or_404(submission.id, need="edit"), status, form)
    return None


@bp.route("/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@login_required
def edit(submission_id: int):
    submission = get_submission_or_404(submission_id, need="edit")
    if not submission.can_edit(current_user):
        flash(gettext("This submission cannot be changed now; here is where it stands."), "info")
        return redirect(url_for("evidence.detail", submission_id=submission.id))
    form = ReflectionForm()
    if request.method == "GET":
        return _render_editor(submission)
    if (refused := _save_draft(submission, form)) is not None:
        return refused
    now = utcnow()
    if request.form.get("action") != "submit":
        flash(gettext("Draft saved."), "success")
        return redirect(url_for("evidence.edit", submission_id=submission.id))
    try:
        services.submit(submission, student=current_user, now=now)
        db.session.commit()
    except LaurelError as error:
        # The draft above is saved; only the submission is refused.
        return _render_editor(
            get_submission_or_404(submission_id, need="edit"), _failed(error), form
        )
    flash(
        gettext(
            "Submitted. Your instructor will review it; you will see the "
            "decision on your dashboard."
        ),
        "success",
    )
    return redirect(url_for("evidence.detail", submission_id=submission.id))


def _commit_or_forget(storage_key: str | None) -> None:
    """Commit the new evidence row; if the database refuses, delete its stored file too,
    so that no object is left that no row names."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if storage_key:
            _forget_file(storage_key)
        raise


def _forget_file(storage_key: str) -> None:
    """Delete a file no row names any more; if the store is down, say which one was left."""
    try:
        evidence_storage().delete(storage_key)
    except Unavailable as error:
        current_app.logger.warning("evidence file %s was not deleted: %s", storage_key, error)


def _add_item(submission_id: int, add: Callable[[Submission], EvidenceItem], form: Any):
    """Add a piece of evidence; the reflection the editor sent along is saved first.

    The editor's add buttons submit the reflection form, so what the student typed is
    saved (and shown again if the evidence is refused) rather than lost on reload.
    """
    submission = get_submission_or_404(submission_id, need="edit")
    reflection = ReflectionForm() if "reflection" in request.form else None
    if reflection is not None and (refused := _save_draft(submission, reflection)) is not None:
        return refused
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _render_editor(submission, 400, reflection)
    try:
        item = add(submission)
        _commit_or_forget(item.storage_key)
    except LaurelError as error:
        status = _failed(error)
        return _render_editor(get_submission_or_404(submission_id, need="edit"), status, reflection)
    flash(gettext("Added “%(item_title)s”.", item_title=item.title), "success")
    return redirect(url_for("evidence.edit", submission_id=submission.id, _anchor="evidence"))


@bp.post("/submissions/<int:submission_id>/files")
@login_required
def add_file(submission_id: int):
    form = FileItemForm(prefix="file")
    upload = form.file.data

    def add(submission: Submission) -> EvidenceItem:
        if upload is None or not getattr(upload, "filename", ""):
            raise UserError(gettext("Choose a file to upload."))
        return services.add_file(
            submission,
            student=current_user,
            stream=upload.stream,
            filename=upload.filename,
            storage=evidence_storage(),
            max_bytes=upload_limit(),
            title=form.title.data or "",
            public=form.public.data,
            now=utcnow(),
        )

    return _add_item(submission_id, add, form)


@bp.post("/submissions/<int:submission_id>/links")
@login_required
def add_link(submission_id: int):
    form = LinkItemForm(prefix="link")
    return _add_item(
        submission_id,
        lambda submission: services.add_link(
            submission,
            student=current_user,
            url=form.url.data or "",
            title=form.title.data or "",
            public=form.public.data,
            now=utcnow(),
        ),
        form,
    )


@bp.post("/submissions/<int:submission_id>/texts")
@login_required
def add_text(submission_id: int):
    form = TextItemForm(prefix="text")
    return _add_item(
        submission_id,
        lambda submission: services.add_text(
            submission,
            student=current_user,
            text=form.text.data or "",
            title=form.title.data or "",
            public=form.public.data,
            now=utcnow(),
        ),
        form,
    )


@bp.post("/submissions/<int:submission_id>/items/<int:item_id>/remove")
@login_required
def remove_item(submission_id: int, item_id: int):
    submission = get_submission_or_404(submission_id, need="edit")
    try:
        key = services.remove_item(submission, item_id, student=current_user, now=utcnow())
        db.session.commit()
    except LaurelError as error:
        return _render_editor(get_submission_or_404(submission_id, need="edit"), _failed(error))
    if key:
        _forget_file(key)
    flash(gettext("Removed."), "info")
    return redirect(url_for("evidence.edit", submission_id=submission.id, _anchor="evidence"))


@bp.post("/submissions/<int:submission_id>/withdraw")
@login_required
def withdraw(submission_id: int):
    submission = get_submission_or_404(submission_id, need="edit")
    try:
        services.withdraw(submission, student=current_user, now=utcnow())
        db.session.commit()
    except LaurelError as error:
        _failed(error)
        return redirect(url_for("evidence.detail", submission_id=submission_id))
    flash(gettext("Withdrawn. You can change it and submit again."), "info")
    return redirect(url_for("evidence.edit", submission_id=submission.id))


# --- Viewing and reviewing ---------------------------------------------------------------------


def _review_forms(submission: Submission) -> dict[str, Any]:
    badge = submission.badge
    approve_form = ApproveForm(prefix="approve")
    approve_form.level.choices = [(lv["id"], lv["name"]) for lv in badge.rubric_levels]
    if approve_form.level.data is None:
        approve_form.level.data = badge.required_level_id
    if not approve_form.badge_revision.data:
        approve_form.badge_revision.data = str(badge.revision)
    return {
        "approve_form": approve_form,
        "changes_form": ChangesForm(prefix="changes"),
        "reject_form": RejectForm(prefix="reject"),
    }


def _render_submission(submission: Submission, status: int = 200, **forms: Any):
    reviewing = submission.can_review(current_user)
    context: dict[str, Any] = {
        "submission": submission,
        "badge": submission.badge,
        "reviewing": reviewing,
        "inline_types": INLINE_IMAGE_TYPES,
        "action_form": ActionForm(),
        "comment_form": CommentForm(prefix="comment"),
        "credential": services.submission_credential(submission),
    }
    if reviewing:
        context.update(_review_forms(submission))
    context.update(forms)
    template = "evidence/review.html" if reviewing else "evidence/detail.html"
    return render_template(template, **context), status


@bp.get("/submissions/<int:submission_id>")
@login_required
def detail(submission_id: int):
    submission = get_submission_or_404(submission_id)
    if submission.can_review(current_user) and not submission.is_owned_by(current_user):
        return redirect(url_for("evidence.review", submission_id=submission.id))
    return _render_submission(submission)


@bp.get("/review/<int:submission_id>")
@staff_only
def review(submission_id: int):
    return _render_submission(get_submission_or_404(submission_id, need="review"))


def _decide(submission_id: int, decide: Callable[[Submission], str], form: Any, form_name: str):
    submission = get_submission_or_404(submission_id, need="review")
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _render_submission(submission, 400, **{form_name: form})
    try:
        message = decide(submission)
        db.session.commit()
    except LaurelError as error:
        status = _failed(error)
        return _render_submission(
            get_submission_or_404(submission_id, need="review"), status, **{form_name: form}
        )
    flash(message, "success")
    return redirect(url_for("evidence.queue"))


@bp.post("/review/<int:submission_id>/approve")
@staff_only
def approve(submission_id: int):
    submission = get_submission_or_404(submission_id, need="review")
    form = ApproveForm(prefix="approve")
    form.level.choices = [(lv["id"], lv["name"]) for lv in submission.badge.rubric_levels]

    def decide(submission: Submission) -> str:
        revision = form.badge_revision.data
        credential = services.approve(
            submission,
            ctx=issuing_context(),
            reviewer=current_user,
            level_id=form.level.data,
            feedback=form.feedback.data or "",
            now=utcnow(),
            badge_revision=int(revision) if (revision or "").isdigit() else None,
        )
        return (
            f"Approved at “{credential.level_name}”: {submission.student.name} now holds "
            f"“{submission.badge.name}”."
        )

    return _decide(submission_id, decide, form, "approve_form")


@bp.post("/review/<int:submission_id>/changes")
@staff_only
def request_changes(submission_id: int):
    form = ChangesForm(prefix="changes")

    def decide(submission: Submission) -> str:
        services.request_changes(
            submission, reviewer=current_user, feedback=form.feedback.data or "", now=utcnow()
        )
        return f"Sent back to {submission.student.name} with your feedback."

    return _decide(submission_id, decide, form, "changes_form")


@bp.post("/review/<int:submission_id>/reject")
@staff_only
def reject(submission_id: int):
    form = RejectForm(prefix="reject")

    def decide(submission: Submission) -> str:
        services.reject(
            submission, reviewer=current_user, reason=form.reason.data or "", now=utcnow()
        )
        return f"Rejected; {submission.student.name} sees your reason."

    return _decide(submission_id, decide, form, "reject_form")


@bp.post("/submissions/<int:submission_id>/comments")
@login_required
def add_comment(submission_id: int):
    submission = get_submission_or_404(submission_id)
    form = CommentForm(prefix="comment")
    if not form.validate():
        return _render_submission(submission, 400, comment_form=form)
    try:
        services.comment(
            submission, actor=current_user, message=form.message.data or "", now=utcnow()
        )
        db.session.commit()
    except LaurelError as error:
        status = _failed(error)
        return _render_submission(get_submission_or_404(submission_id), status, comment_form=form)
    flash(gettext("Comment added."), "success")
    return redirect(url_for("evidence.detail", submission_id=submission_id, _anchor="history"))


@bp.get("/review")
@staff_only
def queue():
    class_id = request.args.get("class", type=int)
    badge_id = request.args.get("badge", type=int)
    data = dashboards.review_queue(current_user, class_id=class_id, badge_id=badge_id)
    return render_template("evidence/queue.html", queue=data, class_id=class_id, badge_id=badge_id)


# --- Files ----------------------------------------------------------------------------------------


# Larger ids cannot exist and would overflow the database's integer: the router says 404.
MAX_ID = 2**31 - 1


def _private_file(item_id: int) -> EvidenceItem | None:
    """The file, if the signed-in visitor sees its submission (the student, its reviewers)."""
    item = db.session.get(EvidenceItem, item_id)
    if item is None or item.storage_key is None or not item.submission.can_view(current_user):
        return None
    return item


def _safe_headers(response: Response, *, private: bool) -> Response:
    """Never sniffed, never run as a page, never kept by a cache.

    Public evidence is not cached either: it must answer 404 as soon as the learner
    stops sharing or the school revokes the credential.
    """
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    if private:
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _jpeg_response(item: EvidenceItem, *, max_px: int, private: bool) -> Response:
    with evidence_storage().open(item.storage_key or "") as handle:
        data = reencoded_jpeg(handle, max_px=max_px)
    response = Response(data, mimetype="image/jpeg")
    stem = (item.original_name or "evidence").rsplit(".", 1)[0]
    response.headers["Content-Disposition"] = (
        f'inline; filename="{secure_filename(stem) or "photo"}.jpg"'
    )
    return _safe_headers(response, private=private)


def _file_response(item: EvidenceItem, *, private: bool) -> Response:
    """The file as stored for the student and reviewers; photos re-encoded without metadata
    for the public."""
    inline = item.mime_type in INLINE_IMAGE_TYPES
    if inline and not private:
        return _jpeg_response(item, max_px=PUBLIC_PX, private=False)
    key = item.storage_key or ""
    response = stored_file_response(
        evidence_storage(),
        key,
        mimetype=item.mime_type or "application/octet-stream",
        as_attachment=not inline,
        download_name=item.original_name or "evidence",
        # A key names one upload for good (a new file gets a new key): a strong validator.
        etag=key,
    )
    return _safe_headers(response, private=private)


@bp.get(f"/files/<int(max={MAX_ID}):item_id>")
def download(item_id: int):
    """An evidence file for the student and its reviewers.

    Credentials issued before evidence URLs carried tokens name this address: for
    them a public item also answers here, under the same rule as /evidence/<token>.
    """
    item = _private_file(item_id)
    if item is not None:
        return _file_response(item, private=True)
    item = legacy_published_file(item_id, issuing_context().public_url)
    if item is None:
        raise NotFound(gettext("There is no such file."))
    return _file_response(item, private=False)


@bp.get(f"/files/<int(max={MAX_ID}):item_id>/thumbnail")
def thumbnail(item_id: int):
    """A small JPEG of a photo, for the evidence lists of the student and its reviewers."""
    item = _private_file(item_id)
    if item is None or item.mime_type not in INLINE_IMAGE_TYPES:
        raise NotFound(gettext("There is no such photo."))
    return _jpeg_response(item, max_px=THUMBNAIL_PX, private=True)


@bp.get("/evidence/<public_token>")
def public_file(public_token: str):
    """A file the learner made public, at the address named in their shared credential."""
    item = published_file(public_token)
    if item is None:
        raise NotFound(
            gettext(
                "There is no public evidence at this address. The learner "
                "may have stopped sharing it."
            )
        )
    return _file_response(item, private=False)


# --- Dashboards -----------------------------------------------------------------------------------


@bp.get("/dashboard/student")
@student_only
def student_dashboard():
    overview = dashboards.student_overview(current_user, today=utcnow().date())
    return render_template(
        "dashboards/student.html", overview=overview, SubmissionState=SubmissionState
    )


@bp.get("/dashboard/instructor")
@staff_only
def instructor_dashboard():
    overview = dashboards.instructor_overview(current_user)
    return render_template("dashboards/instructor.html", overview=overview)
