"""Web views of the badges feature: catalogue, badge editor, issuer profile.

The public, machine-facing documents (DID document, JWKS, status lists,
credentials, achievements) are in `app.badges.public_views`, nested here.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.badges import public_views
from app.badges.access import get_badge_or_404
from app.badges.forms import SCHOOL_WIDE
from app.badges.forms import BadgeForm
from app.badges.forms import ConfirmForm
from app.badges.forms import IssuerForm
from app.badges.images import check_image_upload
from app.badges.models import DEFAULT_RUBRIC_LEVELS
from app.badges.models import EVIDENCE_KINDS
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.services import AlignmentInput
from app.badges.services import BadgeInput
from app.badges.services import RubricLevelInput
from app.badges.services import archive_badge
from app.badges.services import create_badge
from app.badges.services import credentials_of_badge
from app.badges.services import publish_badge
from app.badges.services import update_badge
from app.errors import NotAllowed
from app.errors import Unavailable
from app.errors import UserError
from app.evidence.services import badge_progress
from app.extensions import db
from app.issuing.profile import IssuerInput
from app.issuing.profile import issuer_profile
from app.issuing.profile import update_issuer_profile
from app.keyring import issuing_context
from app.models_base import utcnow
from app.proposals.services import proposal_of_badge

bp = Blueprint("badges", __name__)
bp.register_blueprint(public_views.bp)

BLANK_ALIGNMENT_ROWS = 2
BLANK_LEVEL_ROWS = 1


def _require_staff() -> None:
    if not (current_user.is_admin or current_user.is_instructor):
        raise NotAllowed(gettext("Only instructors and administrators can do that."))


def _class_choices(badge: Badge | None) -> list[SelectChoice]:
    if current_user.is_admin:
        classes = list(db.session.scalars(select(SchoolClass).order_by(SchoolClass.name)))
    else:
        classes = sorted(
            (m.school_class for m in current_user.memberships if m.role == Role.INSTRUCTOR),
            key=lambda c: c.name,
        )
    if badge is not None and badge.school_class is not None and badge.school_class not in classes:
        classes.append(badge.school_class)
    return [SelectChoice(str(SCHOOL_WIDE), "The whole school")] + [
        SelectChoice(str(c.id), c.name) for c in classes
    ]


def _ensure_rows(form: BadgeForm) -> None:
    """Show blank rows after the filled ones, so a teacher can add without JavaScript."""
    while sum(1 for row in form.levels if not row.form.name.data) < BLANK_LEVEL_ROWS:
        form.levels.append_entry()
    while (
        sum(1 for row in form.alignments if not (row.form.name.data or row.form.url.data))
        < BLANK_ALIGNMENT_ROWS
    ):
        form.alignments.append_entry()


def _new_form() -> BadgeForm:
    form = BadgeForm(
        data={"levels": [{"name": n, "description": ""} for n in DEFAULT_RUBRIC_LEVELS]}
    )
    form.required_row.data = "1"
    return form


def _edit_form(badge: Badge) -> BadgeForm:
    if request.method == "POST":
        return BadgeForm()
    form = BadgeForm(
        data={
            "name": badge.name,
            "description": badge.description,
            "criteria_narrative": badge.criteria_narrative,
            "criteria_items": "\n".join(badge.criteria_items),
            "evidence_prompt": badge.evidence_prompt,
            "accepted_kinds": list(badge.accepted_kinds),
            "levels": [
                {"name": lv["name"], "description": lv.get("description", "")}
                for lv in badge.rubric_levels
            ],
            "alignments": [
                {"framework": a["framework"], "code": a["code"], "name": a["name"], "url": a["url"]}
                for a in badge.alignments
            ],
            "tags": ", ".join(badge.tags),
            "achievement_type": badge.achievement_type,
            "expiry_months": badge.expiry_months,
            "class_id": badge.class_id or SCHOOL_WIDE,
            "revision": str(badge.revision),
        }
    )
    required = next(
        (i for i, lv in enumerate(badge.rubric_levels) if lv["id"] == badge.required_level_id), 0
    )
    form.required_row.data = str(required)
    return form


def _required_level_name(form: BadgeForm) -> str:
    try:
        row = int(form.required_row.data or "")
    except ValueError:
        return ""
    if 0 <= row < len(form.levels.entries):
        return form.levels.entries[row].form.name.data or ""
    return ""


def _badge_input(form: BadgeForm) -> BadgeInput:
    upload = form.image.data
    image = None
    if upload and getattr(upload, "filename", ""):
        image = check_image_upload(upload.read(), upload.filename)
    return BadgeInput(
        name=form.name.data or "",
        description=form.description.data or "",
        criteria_narrative=form.criteria_narrative.data or "",
        criteria_items=(form.criteria_items.data or "").splitlines(),
        evidence_prompt=form.evidence_prompt.data or "",
        accepted_kinds=form.accepted_kinds.data or [],
        rubric_levels=[
            RubricLevelInput(
                name=row.form.name.data or "", description=row.form.description.data or ""
            )
            for row in form.levels
        ],
        required_level=_required_level_name(form),
        alignments=[
            AlignmentInput(
                name=row.form.name.data or "",
                url=row.form.url.data or "",
                framework=row.form.framework.data or "",
                code=row.form.code.data or "",
            )
            for row in form.alignments
        ],
        tags=(form.tags.data or "").split(","),
        achievement_type=form.achievement_type.data or "Badge",
        expiry_months=form.expiry_months.data,
        class_id=form.class_id.data or None,
        image=image,
        remove_image=bool(form.remove_image.data),
    )


def _render_form(form: BadgeForm, badge: Badge | None, status: int = 200):
    _ensure_rows(form)
    title = f"Edit {badge.name}" if badge else "New badge"
    return render_template("badges/form.html", form=form, badge=badge, title=title), status


@bp.get("/badges")
@login_required
def catalogue():
    """Every badge the current user may see, by state for staff."""
    badges = [
        b
        for b in db.session.scalars(select(Badge).order_by(Badge.name))
        if b.is_visible_to(current_user)
    ]
    state = request.args.get("state", "")
    if state in {s.value for s in BadgeState}:
        badges = [b for b in badges if b.state == state]
    elif not current_user.is_student:
        badges = [b for b in badges if b.state != BadgeState.ARCHIVED]
    return render_template(
        "badges/catalogue.html", badges=badges, state=state, states=list(BadgeState)
    )


@bp.route("/badges/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a draft badge."""
    _require_staff()
    form = BadgeForm() if request.method == "POST" else _new_form()
    form.class_id.choices = _class_choices(None)
    if form.validate_on_submit():
        try:
            badge = create_badge(_badge_input(form), actor=current_user, now=utcnow())
        except (UserError, Unavailable) as error:
            db.session.rollback()
            flash(str(error), "error")
            return _render_form(form, None, error.status_code)
        db.session.commit()
        flash(
            gettext(
                "“%(badge_name)s” is saved as a draft. Publish it when it is ready.",
                badge_name=badge.name,
            ),
            "success",
        )
        return redirect(url_for("badges.detail", slug=badge.slug))
    return _render_form(form, None, 400 if form.errors else 200)


@bp.get("/badges/<slug>")
@login_required
def detail(slug: str):
    """The badge: criteria, levels, standards; actions for its reviewers."""
    badge = get_badge_or_404(slug)
    can_review = badge.can_review(current_user)
    issued = credentials_of_badge(badge) if can_review else None
    return render_template(
        "badges/detail.html",
        badge=badge,
        issued=issued,
        kinds=EVIDENCE_KINDS,
        can_review=can_review,
        progress=badge_progress(badge, current_user) if current_user.is_student else None,
        action_form=ConfirmForm(),
        proposal=proposal_of_badge(badge) if badge.student_proposed else None,
    )


@bp.route("/badges/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Edit a badge; an issued badge gets a new version, a stale form a 409."""
    badge = get_badge_or_404(slug, need="review")
    form = _edit_form(badge)
    form.class_id.choices = _class_choices(badge)
    if form.validate_on_submit():
        try:
            expected = int(form.revision.data or "0")
        except ValueError:
            expected = 0
        try:
            version_before = badge.version
            update_badge(
                badge,
                _badge_input(form),
                actor=current_user,
                expected_revision=expected,
                now=utcnow(),
            )
        except (UserError, Unavailable) as error:
            db.session.rollback()
            flash(str(error), "error")
            return _render_form(form, badge, error.status_code)
        db.session.commit()
        if badge.version != version_before:
            flash(
                gettext(
                    "Saved as version %(version)s. Credentials already issued "
                    "keep version %(version_before)s.",
                    version=badge.version,
                    version_before=version_before,
                ),
                "success",
            )
        else:
            flash(gettext("Your changes are saved."), "success")
        return redirect(url_for("badges.detail", slug=badge.slug))
    return _render_form(form, badge, 400 if form.errors else 200)


def _state_action(slug: str, action, message: str):
    badge = get_badge_or_404(slug, need="review")
    if not ConfirmForm().validate_on_submit():
        raise UserError(gettext("The form expired; reload the page and try again."))
    action(badge, actor=current_user, now=utcnow())
    db.session.commit()
    flash(message.format(name=badge.name), "success")
    return redirect(url_for("badges.detail", slug=badge.slug))


@bp.post("/badges/<slug>/publish")
@login_required
def publish(slug: str):
    """Publish a draft or archived badge."""
    return _state_action(slug, publish_badge, "“{name}” is published: students can now pursue it.")


@bp.post("/badges/<slug>/archive")
@login_required
def archive(slug: str):
    """Archive a badge; issued credentials stay valid."""
    return _state_action(
        slug, archive_badge, "“{name}” is archived. Credentials already issued stay valid."
    )


@bp.route("/admin/issuer", methods=["GET", "POST"])
@login_required
def issuer():
    """The issuer profile: the school as named in every credential."""
    if not current_user.is_admin:
        raise NotAllowed(gettext("Only an administrator can change the issuer profile."))
    profile = issuer_profile(issuing_context().public_url)
    form = IssuerForm(obj=profile)
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            logo = (
                check_image_upload(upload.read(), upload.filename)
                if upload and upload.filename
                else None
            )
            update_issuer_profile(
                profile,
                IssuerInput(
                    name=form.name.data or "",
                    url=form.url.data or "",
                    email=form.email.data,
                    description=form.description.data,
                    logo=logo,
                    remove_logo=bool(form.remove_logo.data),
                ),
                actor=current_user,
            )
        except UserError as error:
            db.session.rollback()
            flash(str(error), "error")
            return render_template(
                "badges/issuer.html", form=form, profile=profile
            ), error.status_code
        db.session.commit()
        flash(gettext("The issuer profile is saved. New credentials will carry it."), "success")
        return redirect(url_for("badges.issuer"))
    db.session.commit()
    return render_template(
        "badges/issuer.html", form=form, profile=profile
    ), 400 if form.errors else 200
