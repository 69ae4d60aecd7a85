"""LTI pages: the platform-facing launch endpoints, the tool's keys and configuration, the
deep-linking badge picker, the linked class with its roster import, and the admin page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import flash
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from app.accounts.forms import ActionForm
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.accounts.permissions import class_ids_taught
from app.accounts.permissions import role_required
from app.accounts.services import get_class
from app.badges.models import Badge
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import csrf
from app.extensions import db
from app.keyring import issuing_context
from app.lti import deep_linking
from app.lti import launches
from app.lti import platforms
from app.lti import tool_keys
from app.lti.errors import LtiError
from app.lti.forms import BadgeChoiceForm
from app.lti.forms import PlatformForm
from app.lti.links import account_for
from app.lti.links import class_for
from app.lti.links import course_of
from app.lti.links import join
from app.lti.messages import CUSTOM_BADGE
from app.lti.messages import DEEP_LINKING_REQUEST
from app.lti.models import LtiContextLink
from app.lti.models import LtiPlatform
from app.lti.nrps import import_roster
from app.lti.roles import CourseRole
from app.lti.roles import course_role
from app.lti.tool_config import configuration
from app.lti.tool_config import tool_urls
from app.models_base import utcnow
from app.web.headers import CONTENT_SECURITY_POLICY
from app.web.mount import public_link

bp = Blueprint("lti", __name__)
admin_only = role_required(Role.ADMIN)
# Binds a launch to the browser that started it (Security Framework: `state`). SameSite=None
# on HTTPS: the launch is a cross-site POST from the LMS.
STATE_COOKIE = "laurel_lti_state"
DEEP_LINK_SESSION = "lti_deep_link"


def _public_url() -> str:
    return issuing_context().public_url


def _launch_url() -> str:
    return public_link("lti.launch")


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """The LMS's login request: send the browser to the LMS to sign the launch."""
    values = request.form if request.method == "POST" else request.args
    try:
        target, state = launches.start_login(
            values.to_dict(), public_url=_public_url(), launch_url=_launch_url(), now=utcnow()
        )
    except UserError:
        db.session.rollback()
        raise
    db.session.commit()
    response = redirect(target)
    secure = _public_url().startswith("https://")
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(launches.LAUNCH_WINDOW.total_seconds()),
        path=url_for("lti.launch"),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )
    return response


def _badge(slug: str) -> Badge | None:
    return db.session.scalar(sa.select(Badge).where(Badge.slug == slug[:120]))


def _landing(user: User, school_class: SchoolClass, role: CourseRole, custom: dict) -> str:
    """Where a launch opens: the badge its link names, else the class or the badges."""
    slug = custom.get(CUSTOM_BADGE)
    if isinstance(slug, str):
        badge = _badge(slug)
        if badge is not None and badge.is_visible_to(user):
            return url_for("badges.detail", slug=badge.slug)
        flash(gettext("The badge this link names is no longer there."), "error")
    if role == CourseRole.INSTRUCTOR:
        return url_for("lti.class_page", class_id=school_class.id)
    return url_for("badges.catalogue")


def _sign_out_this_browser() -> None:
    """A launch this browser began failed: whoever was signed in here before (a teacher who
    stayed signed in on a lab computer) is signed out, so the LMS's person never goes on
    in someone else's session."""
    logout_user()
    session.clear()


@bp.post("/lti/launch")
@csrf.exempt
def launch():
    """The LMS's launch: verify its id_token, sign the person in, open the right page."""
    state = request.form.get("state", "")
    if not state or request.cookies.get(STATE_COOKIE) != state:
        raise launches.replayed()
    now = utcnow()
    try:
        # The state is used up now, whatever follows: a launch works once.
        platform, nonce = launches.use_state(state, now=now)
        db.session.commit()
        message = launches.verify_launch(
            platform, request.form.get("id_token", ""), nonce=nonce, now=now
        )
        role = course_role(message.roles)
        if role is None:
            raise LtiError(
                gettext(
                    "Laurel opens for a course's instructors and learners only; your role in "
                    "this course is neither."
                ),
                403,
            )
        if message.message_type == DEEP_LINKING_REQUEST:
            if role != CourseRole.INSTRUCTOR:
                raise LtiError(gettext("Only the course's instructors place badges in it."), 403)
            deep_linking.check_settings(message.deep_linking or {})
        user, _ = account_for(
            platform,
            subject=message.subject,
            email=message.email,
            name=message.name,
            role=role,
            now=now,
        )
        school_class = class_for(
            platform,
            context_id=message.context_id,
            title=message.context_title,
            deployment_id=message.deployment_id,
            memberships_url=message.memberships_url,
            now=now,
        )
        join(user, school_class, role)
    except UserError:
        db.session.rollback()
        _sign_out_this_browser()
        raise
    db.session.commit()
    session.clear()
    login_user(user)
    if message.message_type == DEEP_LINKING_REQUEST:
        session[DEEP_LINK_SESSION] = {
            "platform_id": platform.id,
            "deployment_id": message.deployment_id,
            "class_id": school_class.id,
            "settings": dict(message.deep_linking or {}),
        }
        target = url_for("lti.deep_link")
    else:
        target = _landing(user, school_class, role, dict(message.custom))
    response = redirect(target)
    response.delete_cookie(STATE_COOKIE, path=url_for("lti.launch"))
    return response


@bp.get("/lti/jwks")
def jwks():
    """The tool's public keys: platforms check Laurel's signatures with them."""
    keys = tool_keys.jwks(now=utcnow())
    db.session.commit()
    response = jsonify(keys)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/lti/config.json")
def config_json():
    """The tool configuration an LMS admin pastes (Canvas developer key JSON, plus URLs)."""
    return jsonify(configuration(_public_url()))


def _deep_link_request() -> dict[str, Any]:
    pending = session.get(DEEP_LINK_SESSION)
    if not isinstance(pending, dict):
        raise LtiError(
            gettext(
                "There is no badge to place: open “Add content” with Laurel from the LMS again."
            )
        )
    if pending.get("class_id") not in class_ids_taught(current_user):
        raise NotAllowed(gettext("Only the class's instructors place its badges."))
    return pending


def _choices(pending: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (badge.slug, badge.name)
        for badge in deep_linking.badges_to_place(get_class(pending["class_id"]))
    ]


@bp.get("/lti/deep-link")
@login_required
def deep_link():
    """Choose the badge to place in the course."""
    pending = _deep_link_request()
    form = BadgeChoiceForm()
    form.badge.choices = _choices(pending)
    return render_template(
        "lti/deep_link.html", form=form, school_class=get_class(pending["class_id"])
    )


@bp.post("/lti/deep-link")
@login_required
def place_badge():
    """Send the chosen badge back to the LMS as a signed deep-linking response."""
    pending = _deep_link_request()
    form = BadgeChoiceForm()
    form.badge.choices = _choices(pending)
    if not form.validate_on_submit():
        return render_template(
            "lti/deep_link.html", form=form, school_class=get_class(pending["class_id"])
        ), 400
    platform = platforms.get_platform(int(pending["platform_id"]))
    badge = _badge(form.badge.data or "")
    if badge is None:  # unpublished or removed since the page was shown
        raise LtiError(gettext("This badge is no longer there: choose another."))
    settings = pending["settings"]
    token = deep_linking.response_jwt(
        platform,
        deployment_id=pending["deployment_id"],
        settings=settings,
        badge=badge,
        launch_url=_launch_url(),
        now=utcnow(),
    )
    db.session.commit()
    session.pop(DEEP_LINK_SESSION, None)
    return_url = settings["deep_link_return_url"]
    response = make_response(
        render_template("lti/deep_link_return.html", return_url=return_url, jwt=token, badge=badge)
    )
    # Laurel's policy, with the LMS added to where forms may post: the page's own forms
    # (sign out, language) still post to Laurel.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {deep_linking.return_origin(settings)}"
    )
    return response


def _linked_class_or_403(class_id: int) -> tuple[SchoolClass, LtiContextLink]:
    school_class = get_class(class_id)
    if not (current_user.is_admin or class_id in class_ids_taught(current_user)):
        raise NotAllowed(gettext("Only the class's instructors and admins see its LMS course."))
    link = course_of(school_class)
    if link is None:
        raise LtiError(gettext("This class is not linked to an LMS course."), 404)
    return school_class, link


@bp.get("/lti/classes/<int:class_id>")
@login_required
def class_page(class_id: int):
    """A class linked to an LMS course: its members, badges and the roster import."""
    school_class, link = _linked_class_or_403(class_id)
    return render_template(
        "lti/class.html", school_class=school_class, link=link, action_form=ActionForm()
    )


@bp.post("/lti/classes/<int:class_id>/roster")
@login_required
def import_class_roster(class_id: int):
    """Import the course roster from the LMS into the class, and show what changed."""
    school_class, link = _linked_class_or_403(class_id)
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    try:
        report = import_roster(link, now=utcnow())
    except UserError:
        db.session.rollback()
        raise
    db.session.commit()
    return render_template(
        "lti/class.html",
        school_class=school_class,
        link=link,
        action_form=ActionForm(),
        report=report,
    )


# --- the admin page ---------------------------------------------------------------------------


def _platform_input(form: PlatformForm) -> platforms.PlatformInput:
    return platforms.PlatformInput(
        name=form.name.data or "",
        issuer=form.issuer.data or "",
        client_id=form.client_id.data or "",
        auth_login_url=form.auth_login_url.data or "",
        auth_token_url=form.auth_token_url.data or "",
        key_set_url=form.key_set_url.data or "",
        deployment_ids=platforms.split_deployment_ids(form.deployment_ids.data or ""),
        token_audience=form.token_audience.data or "",
        match_by_email=bool(form.match_by_email.data),
    )


def _admin_page(form: PlatformForm | None = None, status: int = 200):
    return render_template(
        "lti/admin.html",
        platforms=platforms.list_platforms(),
        urls=tool_urls(_public_url()),
        form=form or PlatformForm(formdata=None),
        action_form=ActionForm(),
    ), status


@bp.get("/admin/lti")
@admin_only
def admin():
    """The registered LMSs, Laurel's tool addresses, and a form to register an LMS."""
    return _admin_page()


@bp.post("/admin/lti/platforms")
@admin_only
def add_platform():
    form = PlatformForm()
    if not form.validate_on_submit():
        return _admin_page(form, 400)
    try:
        platform = platforms.add_platform(_platform_input(form), now=utcnow())
    except UserError as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _admin_page(form, error.status_code)
    db.session.commit()
    flash(
        gettext(
            "%(platform_name)s is registered: its courses may launch Laurel now.",
            platform_name=platform.name,
        ),
        "success",
    )
    return redirect(url_for("lti.admin"))


def _edit_page(platform: LtiPlatform, form: PlatformForm, status: int = 200):
    return render_template("lti/edit.html", platform=platform, form=form), status


@bp.get("/admin/lti/platforms/<int:platform_id>")
@admin_only
def edit_platform(platform_id: int):
    platform = platforms.get_platform(platform_id)
    form = PlatformForm(
        formdata=None,
        obj=platform,
        deployment_ids="\n".join(d.deployment_id for d in platform.deployments),
    )
    return _edit_page(platform, form)


@bp.post("/admin/lti/platforms/<int:platform_id>")
@admin_only
def save_platform(platform_id: int):
    platform = platforms.get_platform(platform_id)
    form = PlatformForm()
    if not form.validate_on_submit():
        return _edit_page(platform, form, 400)
    try:
        platforms.edit_platform(platform, _platform_input(form))
    except UserError as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _edit_page(platforms.get_platform(platform_id), form, error.status_code)
    db.session.commit()
    flash(gettext("%(platform_name)s is saved.", platform_name=platform.name), "success")
    return redirect(url_for("lti.admin"))


@bp.post("/admin/lti/platforms/<int:platform_id>/remove")
@admin_only
def remove_platform(platform_id: int):
    platform = platforms.get_platform(platform_id)
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    platforms.remove_platform(platform)
    db.session.commit()
    flash(
        gettext("The LMS is removed: its launches stop; its classes and accounts stay."), "success"
    )
    return redirect(url_for("lti.admin"))
