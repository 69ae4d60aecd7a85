"""The admin's roster import: upload, preview, apply, report."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.errors import LaurelError
from app.errors import UserError
from app.extensions import db
from app.models_base import utcnow
from app.notifications.outbox import email_enabled
from app.roster import services
from app.roster.forms import ApplyForm
from app.roster.forms import RosterUploadForm
from app.roster.models import RosterImport
from app.roster.plan import Plan
from app.roster.sources import MAX_UPLOAD_BYTES
from app.web.mount import public_link

bp = Blueprint("roster", __name__)
admin_only = role_required(Role.ADMIN)


def _upload_page(form: RosterUploadForm, status: int = 200):
    page = render_template("roster/upload.html", form=form, imports=services.recent_imports())
    return page, status


def _plan_page(
    plan: Plan,
    roster_import: RosterImport | None,
    *,
    status: int = 200,
    invite_urls: dict[str, str] | None = None,
):
    return (
        render_template(
            "roster/plan.html",
            report=plan.report(),
            roster_import=roster_import,
            applied=False,
            form=ApplyForm(formdata=None, digest=plan.digest()),
            upload_form=RosterUploadForm(formdata=None),
            changes_anything=plan.changes_anything,
            invite_urls=invite_urls or {},
        ),
        status,
    )


def _uploaded(form: RosterUploadForm) -> list[tuple[str, bytes]]:
    files = []
    budget = MAX_UPLOAD_BYTES + 1
    for upload in form.roster.data or []:
        if not getattr(upload, "filename", ""):
            continue
        with upload.stream as stream:
            data = stream.read(budget)
        budget = max(budget - len(data), 1)
        files.append((upload.filename, data))
    return files


@bp.get("/admin/roster")
@admin_only
def upload():
    """Upload a roster; earlier imports are listed with their reports."""
    return _upload_page(RosterUploadForm())


@bp.post("/admin/roster")
@admin_only
def preview():
    """Check an upload and show what it would change; nothing is written yet."""
    form = RosterUploadForm()
    if not form.validate_on_submit():
        form.roster.errors = ["The form was incomplete. Reload the page and try again."]
        return _upload_page(form, 400)
    try:
        roster_import, plan = services.start_import(
            _uploaded(form), actor=current_user, now=utcnow()
        )
    except UserError as error:
        db.session.rollback()
        form.roster.errors = [str(error)]
        return _upload_page(form, error.status_code)
    if roster_import is None:
        return _plan_page(plan, None, status=400)
    db.session.commit()
    return redirect(url_for("roster.show", import_id=roster_import.id))


@bp.get("/admin/roster/<import_id>")
@admin_only
def show(import_id: str):
    """The preview of an import not yet applied, or the report of one applied."""
    roster_import = services.get_import(import_id)
    if roster_import.applied_at is not None:
        return render_template(
            "roster/plan.html",
            report=services.stored_report(roster_import),
            roster_import=roster_import,
            applied=True,
            invite_urls={},
            upload_form=RosterUploadForm(formdata=None),
        )
    return _plan_page(services.current_plan(roster_import), roster_import)


@bp.post("/admin/roster/<import_id>/apply")
@admin_only
def apply(import_id: str):
    """Apply the previewed import in one transaction, then show its report."""
    roster_import = services.get_import(import_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    try:
        applied = services.apply_import(
            roster_import, previewed=form.digest.data, actor=current_user, now=utcnow()
        )
    except LaurelError as error:
        db.session.rollback()
        flash(str(error), "error")
        if roster_import.applied_at is not None:
            return redirect(url_for("roster.show", import_id=import_id))
        return _plan_page(services.current_plan(roster_import), roster_import,
                          status=error.status_code)  # fmt: skip
    db.session.commit()
    counts = applied.plan.counts()
    flash(
        gettext(
            "Roster applied: %(create)s created, %(update)s updated, "
            "%(move)s moved, %(unchanged)s unchanged.",
            create=counts["create"],
            update=counts["update"],
            move=counts["move"],
            unchanged=counts["unchanged"],
        ),
        "success",
    )
    invite_urls = {
        email: public_link("accounts.accept_invitation", token=token)
        for email, token in applied.invitations.items()
    }
    return render_template(
        "roster/plan.html",
        report=applied.plan.report(),
        roster_import=roster_import,
        applied=True,
        invite_urls=invite_urls,
        upload_form=RosterUploadForm(formdata=None),
        email_enabled=email_enabled(),
    )
