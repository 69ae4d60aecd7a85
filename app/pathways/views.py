"""Pathway pages: the list, composing and editing, a student's map, the class grid."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.permissions import class_ids_taught
from app.accounts.permissions import role_required
from app.badges.models import Badge
from app.errors import LaurelError
from app.errors import NotAllowed
from app.errors import NotFound
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from app.pathways import services
from app.pathways.archive import archive_pathway
from app.pathways.archive import delete_pathway
from app.pathways.archive import restore_pathway
from app.pathways.archive import why_not_deletable
from app.pathways.completion import confirm_completion
from app.pathways.completion import settle_pathway
from app.pathways.forms import ConfirmForm
from app.pathways.forms import PathwayForm
from app.pathways.forms import steps_from
from app.pathways.models import CompletionState
from app.pathways.models import Pathway
from app.pathways.models import PathwayCompletion
from app.pathways.prerequisites import missing_before
from app.pathways.progress import StepState
from app.pathways.progress import class_progress
from app.pathways.progress import learner_progress

bp = Blueprint("pathways", __name__)

MAX_ID = 2**31 - 1
PATHWAY = f"/pathways/<int(max={MAX_ID}):pathway_id>"


@bp.app_template_global()
def pathway_of(badge: Badge) -> Pathway | None:
    """The pathway whose own badge `badge` is, for the badge page's actions."""
    return db.session.scalar(sa.select(Pathway).where(Pathway.badge_id == badge.id))


@bp.app_template_global()
def prerequisites_missing(badge: Badge) -> list[Badge]:
    """The badges the signed-in student must earn before `badge` (the badge page says so)."""
    return missing_before(badge, current_user)


def get_pathway_or_404(pathway_id: int, *, need: str = "view") -> Pathway:
    """The pathway if the current user may `view` it or `edit` it; 404 when it is not theirs."""
    pathway = db.session.get(Pathway, pathway_id)
    if pathway is None or not pathway.is_visible_to(current_user):
        raise NotFound("There is no such pathway.")
    if need == "edit" and not pathway.can_edit(current_user):
        raise NotAllowed("Only the instructors of this pathway’s class change it.")
    return pathway


def _classes() -> list[SchoolClass]:
    """The classes the current user may make a pathway for: all for admins, else those taught."""
    query = sa.select(SchoolClass).order_by(SchoolClass.name)
    if not current_user.is_admin:
        query = query.where(SchoolClass.id.in_(class_ids_taught(current_user) or {-1}))
    return list(db.session.scalars(query))


def _input(form: PathwayForm) -> services.PathwayInput:
    """The posted pathway. :raises UserError: a bad number of badges or a bad badge number."""
    return services.PathwayInput(
        name=form.name.data or "",
        description=form.description.data or "",
        class_id=form.class_id.data or None,
        steps=steps_from(request.form),
        required_count=form.required_count(),
        auto_issue=bool(form.auto_issue.data),
    )


def _render_form(form: PathwayForm, pathway: Pathway | None, status: int = 200):
    if request.method == "POST":
        chosen = steps_from_safely()
    elif pathway is not None:
        chosen = {step.badge_id: list(step.requires) for step in pathway.steps}
    else:
        chosen = {}
    # The pathway's badges first, in its order, then the others the user may add.
    steps = [s.badge for s in pathway.steps] if pathway is not None else []
    known = {b.id for b in steps}
    candidates = steps + [b for b in services.candidate_badges(current_user) if b.id not in known]
    return render_template(
        "pathways/form.html", form=form, pathway=pathway, candidates=candidates, chosen=chosen
    ), status


def steps_from_safely() -> dict[int, list[int]]:
    """The badges posted, to show the form again as it was sent (bad values left out)."""
    chosen: dict[int, list[int]] = {}
    for value in request.form.getlist("badges"):
        if value.isdigit() and len(value) < 10:
            requires = request.form.getlist(f"requires-{value}")
            chosen[int(value)] = [int(v) for v in requires if v.isdigit() and len(v) < 10]
    return chosen


def _failed(error: LaurelError) -> int:
    db.session.rollback()
    flash(str(error), "error")
    return error.status_code


@bp.get("/pathways")
@login_required
def index():
    """The pathways the current user sees; a student sees how far along each one they are."""
    pathways = services.pathways_for(current_user)
    progress = (
        {p.id: learner_progress(p, current_user) for p in pathways}
        if current_user.is_student
        else {}
    )
    return render_template("pathways/index.html", pathways=pathways, progress=progress)


@bp.route("/pathways/new", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR, Role.ADMIN)
def new():
    """Compose a pathway from badges you review."""
    form = PathwayForm(classes=_classes())
    if request.method == "POST":
        if not form.validate():
            return _render_form(form, None, 400)
        try:
            pathway = services.create_pathway(_input(form), actor=current_user, now=utcnow())
        except LaurelError as error:
            return _render_form(form, None, _failed(error))
        db.session.commit()
        flash("The pathway is published: its learners see it now.", "success")
        return redirect(url_for("pathways.detail", pathway_id=pathway.id))
    return _render_form(form, None)


@bp.route(f"{PATHWAY}/edit", methods=["GET", "POST"])
@login_required
def edit(pathway_id: int):
    """Change a pathway's badges, rule, prerequisites or automatic issuance."""
    pathway = get_pathway_or_404(pathway_id, need="edit")
    if request.method == "POST":
        form = PathwayForm(classes=_classes())
        if not form.validate():
            return _render_form(form, pathway, 400)
        try:
            now = utcnow()
            services.update_pathway(pathway, _input(form), actor=current_user, now=now)
            settle_pathway(issuing_context(), pathway, actor=current_user, now=now)
        except LaurelError as error:
            return _render_form(form, pathway, _failed(error))
        db.session.commit()
        flash("The pathway is saved.", "success")
        return redirect(url_for("pathways.detail", pathway_id=pathway.id))
    form = PathwayForm(
        classes=_classes(),
        data={
            "name": pathway.badge.name,
            "description": pathway.badge.description,
            "class_id": pathway.badge.class_id or 0,
            "rule": "all" if pathway.required_count is None else "any",
            "any_count": str(pathway.required_count or ""),
            "auto_issue": pathway.auto_issue,
        },
    )
    return _render_form(form, pathway)


@bp.get(PATHWAY)
@login_required
def detail(pathway_id: int):
    """A student's map of the pathway; for staff, the class on the pathway (students x badges)."""
    pathway = get_pathway_or_404(pathway_id)
    if current_user.is_student:
        return render_template(
            "pathways/map.html",
            pathway=pathway,
            progress=learner_progress(pathway, current_user),
            StepState=StepState,
        )
    return _render_class(pathway)


def _render_class(pathway: Pathway, status: int = 200):
    return render_template(
        "pathways/class.html",
        pathway=pathway,
        # Learners' progress is for the instructors of their class (and admins) alone.
        rows=class_progress(pathway) if pathway.can_edit(current_user) else None,
        can_edit=pathway.can_edit(current_user),
        not_deletable=why_not_deletable(pathway) if pathway.can_edit(current_user) else None,
        confirm_form=ConfirmForm(),
        StepState=StepState,
        OFFERED=CompletionState.OFFERED,
    ), status


@bp.post(f"{PATHWAY}/completions/<int(max={MAX_ID}):completion_id>/confirm")
@login_required
def confirm(pathway_id: int, completion_id: int):
    """Issue the pathway's credential to a learner who completed it."""
    pathway = get_pathway_or_404(pathway_id, need="edit")
    completion = db.session.get(PathwayCompletion, completion_id)
    if completion is None or completion.pathway_id != pathway.id:
        raise NotFound("There is no such completion.")
    try:
        confirm_completion(completion, ctx=issuing_context(), actor=current_user, now=utcnow())
    except LaurelError as error:
        return _render_class(pathway, _failed(error))
    db.session.commit()
    flash(f"{completion.student.name} holds the pathway’s credential now.", "success")
    return redirect(url_for("pathways.detail", pathway_id=pathway.id))


def _retire(pathway_id: int, change, done: str):
    """Archive or restore the pathway (a form with its CSRF token), back to its page."""
    pathway = get_pathway_or_404(pathway_id, need="edit")
    if not ConfirmForm().validate_on_submit():
        return _render_class(pathway, 400)
    try:
        change(pathway, actor=current_user, now=utcnow())
    except LaurelError as error:
        return _render_class(pathway, _failed(error))
    db.session.commit()
    flash(done.format(name=pathway.name), "success")
    return redirect(url_for("pathways.detail", pathway_id=pathway.id))


@bp.post(f"{PATHWAY}/archive")
@login_required
def archive(pathway_id: int):
    """Take the pathway off the maps of students who have not started it."""
    return _retire(
        pathway_id,
        archive_pathway,
        "“{name}” is archived: students who had started it keep it; no one else sees it.",
    )


@bp.post(f"{PATHWAY}/restore")
@login_required
def restore(pathway_id: int):
    """Put an archived pathway back on its students' maps."""
    return _retire(pathway_id, restore_pathway, "“{name}” is back on its students’ maps.")


@bp.post(f"{PATHWAY}/delete")
@login_required
def delete(pathway_id: int):
    """Delete a pathway nobody has started, with its own badge."""
    pathway = get_pathway_or_404(pathway_id, need="edit")
    if not ConfirmForm().validate_on_submit():
        return _render_class(pathway, 400)
    try:
        name = delete_pathway(pathway, actor=current_user)
    except LaurelError as error:
        return _render_class(pathway, _failed(error))
    db.session.commit()
    flash(f"“{name}” is deleted.", "success")
    return redirect(url_for("pathways.index"))
