"""Progress at a glance: the plots of a class for its instructors, and a student's own."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import gettext
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.errors import NotFound
from app.models_base import utcnow
from app.progress.plots import CLASS_PLOTS
from app.progress.plots import LEARNER_PLOTS
from app.progress.plots import build_plot
from app.progress.scopes import Choices
from app.progress.scopes import class_scope
from app.progress.scopes import learner_scope
from app.progress.tables import Table
from app.progress.tables import csv_text

bp = Blueprint("progress", __name__, url_prefix="/progress")

staff_only = role_required(Role.INSTRUCTOR, Role.ADMIN)
student_only = role_required(Role.STUDENT)


def _csv(table: Table, slug: str, choices: Choices) -> Response:
    term = choices.term
    name = f"laurel-{slug}-{term.start.isoformat()}-{term.end.isoformat()}.csv"
    return Response(
        csv_text(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/class")
@staff_only
def class_page():
    scope = class_scope(current_user, request.args, today=utcnow().date())
    plots = [build_plot(kind, scope) for kind in CLASS_PLOTS.values()] if scope else []
    return render_template("progress/class.html", scope=scope, plots=plots)


@bp.get("/class/<slug>.csv")
@staff_only
def class_csv(slug: str):
    kind = CLASS_PLOTS.get(slug)
    if kind is None:
        raise NotFound(gettext("There is no such plot."))
    scope = class_scope(current_user, request.args, today=utcnow().date())
    if scope is None:
        raise NotFound(
            gettext("You do not teach a class yet, so there is no progress to download.")
        )
    return _csv(kind.table(scope), slug, scope.choices)


@bp.get("/mine")
@student_only
def learner_page():
    scope = learner_scope(current_user, request.args, today=utcnow().date())
    plots = [build_plot(kind, scope) for kind in LEARNER_PLOTS.values()]
    return render_template("progress/mine.html", scope=scope, plots=plots)


@bp.get("/mine/<slug>.csv")
@student_only
def learner_csv(slug: str):
    kind = LEARNER_PLOTS.get(slug)
    if kind is None:
        raise NotFound(gettext("There is no such plot."))
    scope = learner_scope(current_user, request.args, today=utcnow().date())
    return _csv(kind.table(scope), slug, scope.choices)
