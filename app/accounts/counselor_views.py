"""The admin's page that assigns students to counselors, nested in the accounts area."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from app.accounts import services
from app.accounts.counselors import assign_counselor
from app.accounts.counselors import assigned_students
from app.accounts.counselors import unassign_counselor
from app.accounts.forms import ActionForm
from app.accounts.forms import CounselorAssignmentForm
from app.accounts.models import Role
from app.accounts.models import User
from app.accounts.permissions import role_required
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.models_base import utcnow

bp = Blueprint("counselors", __name__)

admin_only = role_required(Role.ADMIN)


def _people(role: Role) -> list[User]:
    return [u for u in services.list_users() if u.role == role and u.is_active_account]


def _form() -> CounselorAssignmentForm:
    form = CounselorAssignmentForm()
    form.counselor_id.choices = [SelectChoice(u.id, u.name) for u in _people(Role.COUNSELOR)]
    form.student_id.choices = [
        SelectChoice(u.id, f"{u.name} ({u.email})") for u in _people(Role.STUDENT)
    ]
    return form


def _render(form: CounselorAssignmentForm, status: int = 200):
    counselors = [(c, assigned_students(c)) for c in _people(Role.COUNSELOR)]
    return render_template("accounts/counselors.html", form=form, counselors=counselors), status


@bp.get("/admin/counselors")
@admin_only
def index():
    """Each counselor with the students they follow, and a form to assign one more."""
    return _render(_form())


@bp.post("/admin/counselors")
@admin_only
def assign():
    form = _form()
    if not form.validate_on_submit():
        return _render(form, 400)
    counselor = services.get_user(form.counselor_id.data)
    student = services.get_user(form.student_id.data)
    assign_counselor(counselor, student, now=utcnow())
    db.session.commit()
    flash(
        gettext(
            "%(counselor_name)s now follows %(student_name)s.",
            counselor_name=counselor.name,
            student_name=student.name,
        ),
        "success",
    )
    return redirect(url_for("counselors.index"))


@bp.post("/admin/counselors/<int:counselor_id>/students/<int:student_id>/remove")
@admin_only
def unassign(counselor_id: int, student_id: int):
    counselor = services.get_user(counselor_id)
    student = services.get_user(student_id)
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form has expired: reload the page and try again."))
    if student not in assigned_students(counselor):
        raise NotFound(
            gettext(
                "%(counselor_name)s does not follow %(student_name)s.",
                counselor_name=counselor.name,
                student_name=student.name,
            )
        )
    unassign_counselor(counselor, student)
    db.session.commit()
    flash(
        gettext(
            "%(counselor_name)s no longer follows %(student_name)s.",
            counselor_name=counselor.name,
            student_name=student.name,
        ),
        "success",
    )
    return redirect(url_for("counselors.index"))
