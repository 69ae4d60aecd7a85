"""The learner's archive download: every credential and what verifies it, in one zip."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.accounts.models import User
from app.errors import NotFound
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from app.records.archive import archive_name
from app.records.archive import build_learner_archive
from app.share.learner_record import can_see_record

bp = Blueprint("records", __name__)


@bp.get("/learners/<int:user_id>/archive.zip")
@login_required
def learner_archive(user_id: int):
    """The learner's archive: the learner, the instructors of their classes and the admin."""
    learner = db.session.get(User, user_id)
    if learner is None or not can_see_record(learner, current_user):
        raise NotFound(gettext("There is no learner record here."))
    data = build_learner_archive(learner, ctx=issuing_context(), now=utcnow())
    db.session.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{archive_name(learner)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
