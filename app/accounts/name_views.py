"""The page where staff correct a student's recorded name, nested in the accounts blueprint.

Credentials issued earlier keep the name they were signed with; the page lists
them with a button to re-issue each with the corrected name.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.accounts.forms import NameForm
from app.accounts.models import User
from app.accounts.names import can_correct_name
from app.accounts.names import correct_name
from app.badges.forms import ConfirmForm
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.issuing.reissue import credential_name
from app.issuing.reissue import credentials_to_reissue

bp = Blueprint("names", __name__)


def _student_or_404(user_id: int) -> User:
    """The student, if the current user may correct their name; 404 for anyone else."""
    student = db.session.get(User, user_id)
    if student is None or not student.is_student or not can_correct_name(current_user, student):
        raise NotFound(gettext("There is no such student."))
    return student


def _render(student: User, form: NameForm, status: int = 200):
    return render_template(
        "accounts/name.html",
        student=student,
        form=form,
        to_reissue=[(c, credential_name(c)) for c in credentials_to_reissue(student)],
        reissue_form=ConfirmForm(),
    ), status


@bp.route("/learners/<int:user_id>/name", methods=["GET", "POST"])
@login_required
def edit(user_id: int):
    """Correct the name new credentials carry (admins, the student's instructors)."""
    student = _student_or_404(user_id)
    form = NameForm()
    if not form.is_submitted():
        form.name.data = student.name
        return _render(student, form)
    if not form.validate():
        return _render(student, form, 400)
    try:
        correct_name(student, form.name.data or "", actor=current_user)
    except UserError as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _render(student, form, error.status_code)
    db.session.commit()
    flash(
        gettext(
            "The name is now “%(student_name)s”. New credentials will carry it.",
            student_name=student.name,
        ),
        "success",
    )
    return redirect(url_for("accounts.names.edit", user_id=student.id))
