"""Pages of goals, reflections and the learner profile; the counselor's list of students."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from app.accounts.counselors import assigned_students
from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.errors import LaurelError
from app.evidence import goals
from app.evidence.models import GoalKind
from app.extensions import db
from app.goals import services
from app.goals.forms import GoalForm
from app.goals.forms import NewGoalForm
from app.goals.forms import ProfileForm
from app.goals.forms import ReflectionForm
from app.models_base import utcnow

bp = Blueprint("goals", __name__)

MAX_ID = 2**31 - 1
student_only = role_required(Role.STUDENT)


def _failed(error: LaurelError) -> int:
    db.session.rollback()
    flash(str(error), "error")
    return error.status_code


# --- Goals -------------------------------------------------------------------------------------


def _new_goal_form() -> NewGoalForm:
    form = NewGoalForm()
    form.badge_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(b.id, b.name) for b in goals.badges_open_to(current_user)
    ]
    form.pathway_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.id, p.name) for p in goals.pathways_open_to(current_user)
    ]
    form.standard.choices = [SelectChoice("", "—")] + [
        SelectChoice(s, s) for s in goals.standards_open_to(current_user)
    ]
    return form


def _render_index(form: NewGoalForm, status: int = 200):
    statuses = goals.goal_statuses(current_user, today=utcnow().date())
    return render_template("goals/index.html", form=form, statuses=statuses), status


@bp.get("/goals")
@student_only
def index():
    """The student's goals, and a form to set a new one."""
    return _render_index(_new_goal_form())


@bp.post("/goals")
@student_only
def create():
    form = _new_goal_form()
    if not form.validate():
        return _render_index(form, 400)
    try:
        goal = goals.create_goal(
            goals.GoalInput(
                kind=GoalKind(form.kind.data),
                title=form.title.data or "",
                target_date=form.target_date.data,
                badge_id=form.badge_id.data,
                standard=form.standard.data or None,
                pathway_id=form.pathway_id.data,
            ),
            student=current_user,
            now=utcnow(),
        )
    except LaurelError as error:
        return _render_index(form, _failed(error))
    db.session.commit()
    flash(gettext("“%(goal_title)s” is one of your goals.", goal_title=goal.title), "success")
    return redirect(url_for("goals.index"))


@bp.route(f"/goals/<int(max={MAX_ID}):goal_id>/edit", methods=["GET", "POST"])
@student_only
def edit(goal_id: int):
    goal = goals.own_goal(goal_id, current_user)
    form = GoalForm(obj=goal)
    if form.is_submitted():
        if not form.validate():
            return render_template("goals/edit.html", form=form, goal=goal), 400
        try:
            goals.update_goal(
                goal,
                student=current_user,
                title=form.title.data or "",
                target_date=form.target_date.data,
                now=utcnow(),
            )
        except LaurelError as error:
            status = _failed(error)
            return render_template("goals/edit.html", form=form, goal=goal), status
        db.session.commit()
        flash(gettext("Goal saved."), "success")
        return redirect(url_for("goals.index"))
    return render_template("goals/edit.html", form=form, goal=goal)


@bp.post(f"/goals/<int(max={MAX_ID}):goal_id>/delete")
@student_only
def delete(goal_id: int):
    goal = goals.own_goal(goal_id, current_user)
    title = goal.title
    goals.delete_goal(goal, student=current_user)
    db.session.commit()
    flash(gettext("“%(title)s” is no longer one of your goals.", title=title), "info")
    return redirect(url_for("goals.index"))


# --- Reflections -------------------------------------------------------------------------------


def _reflection_form() -> ReflectionForm:
    form = ReflectionForm()
    form.submission_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.id, f"{s.badge.name} ({s.state.value.replace('_', ' ')})")
        for s in services.own_submissions(current_user)
    ]
    form.goal_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(g.id, g.title) for g in goals.goals_of(current_user)
    ]
    return form


def _render_reflections(form: ReflectionForm, status: int = 200):
    return render_template(
        "goals/reflections.html",
        form=form,
        reflections=services.reflections_of(current_user),
        submissions={s.id: s for s in services.own_submissions(current_user)},
        goals={g.id: g for g in goals.goals_of(current_user)},
    ), status


@bp.get("/reflections")
@student_only
def reflections():
    """The student's reflections, each on a piece of their evidence or a goal."""
    return _render_reflections(_reflection_form())


@bp.post("/reflections")
@student_only
def write_reflection():
    form = _reflection_form()
    if not form.validate():
        return _render_reflections(form, 400)
    try:
        services.write_reflection(
            student=current_user,
            text=form.text.data or "",
            submission_id=form.submission_id.data,
            goal_id=form.goal_id.data,
            now=utcnow(),
        )
    except LaurelError as error:
        return _render_reflections(form, _failed(error))
    db.session.commit()
    flash(gettext("Reflection saved."), "success")
    return redirect(url_for("goals.reflections"))


@bp.post(f"/reflections/<int(max={MAX_ID}):reflection_id>/delete")
@student_only
def delete_reflection(reflection_id: int):
    services.delete_reflection(reflection_id, student=current_user)
    db.session.commit()
    flash(gettext("Reflection deleted."), "info")
    return redirect(url_for("goals.reflections"))


# --- The learner profile -----------------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
@student_only
def profile():
    """The student writes their interests and strengths; staff who follow them read it."""
    form = ProfileForm(obj=services.profile_of(current_user))
    if form.is_submitted():
        if not form.validate():
            return render_template("goals/profile_edit.html", form=form), 400
        try:
            services.save_profile(
                student=current_user,
                interests=form.interests.data or "",
                strengths=form.strengths.data or "",
                now=utcnow(),
            )
        except LaurelError as error:
            return render_template("goals/profile_edit.html", form=form), _failed(error)
        db.session.commit()
        flash(gettext("Your profile is saved."), "success")
        return redirect(url_for("goals.learner_profile", user_id=current_user.id))
    return render_template("goals/profile_edit.html", form=form)


@bp.get(f"/learners/<int(max={MAX_ID}):user_id>/profile")
@login_required
def learner_profile(user_id: int):
    """A learner's profile and goals: for them, admins, their instructors and counselors."""
    learner = services.readable_learner(user_id, current_user)
    return render_template(
        "goals/learner_profile.html",
        learner=learner,
        profile=services.profile_of(learner),
        statuses=goals.goal_statuses(learner, today=utcnow().date()),
        standards=goals.progress_by_standard(learner),
    )


# --- Counselors --------------------------------------------------------------------------------


@bp.get("/dashboard/counselor")
@role_required(Role.COUNSELOR)
def counselor_dashboard():
    """The students assigned to the signed-in counselor, with their profiles and records."""
    return render_template(
        "goals/counselor_dashboard.html", students=assigned_students(current_user)
    )
