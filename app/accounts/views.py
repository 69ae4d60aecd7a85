"""Web views of the accounts feature: sign in/out, passwords, invitations, and the admin pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from wtforms.fields.choices import SelectChoice

from app.accounts import name_views
from app.accounts import services
from app.accounts.forms import AcceptInvitationForm
from app.accounts.forms import ActionForm
from app.accounts.forms import ClassForm
from app.accounts.forms import LoginForm
from app.accounts.forms import MemberForm
from app.accounts.forms import NewUserForm
from app.accounts.forms import PasswordChangeForm
from app.accounts.forms import RoleForm
from app.accounts.models import Role
from app.accounts.models import User
from app.accounts.permissions import role_required
from app.errors import UserError
from app.extensions import csrf
from app.extensions import db
from app.extensions import limiter
from app.extensions import login_manager
from app.i18n import COOKIE
from app.i18n import COOKIE_MAX_AGE
from app.i18n import supported
from app.models_base import utcnow
from app.notifications.outbox import notify_invitation
from app.sso.policy import password_refusal
from app.web.mount import public_link

bp = Blueprint("accounts", __name__)
bp.register_blueprint(name_views.bp)

LOGIN_RATE_LIMIT = "10 per minute"
WRONG_CREDENTIALS = lazy_gettext("The email or password is wrong.")
admin_only = role_required(Role.ADMIN)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user; a deactivated account or an ended session is signed out."""
    return services.user_for_session(session_id)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.dashboard")


def _check_posted(form) -> None:
    """:raises UserError: the posted form does not validate (e.g. a role that does not exist)."""
    if not form.validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))


def _invite_url(token: str) -> str:
    """The link to send, on the school's public address (not the one the admin typed)."""
    return public_link("accounts.accept_invitation", token=token)


def _email_invitation(user: User, token: str) -> bool:
    """Queue the invitation email (when email is on); the page shows the link either way."""
    return notify_invitation(user, token, now=utcnow())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    LOGIN_RATE_LIMIT,
    methods=["POST"],
    error_message=lambda: gettext(
        "Too many sign-in attempts from your network. Wait a minute, then try again."
    ),
)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        refusal = password_refusal(user) if user is not None else None
        if refusal is not None:
            flash(refusal, "error")
            return render_template("accounts/login.html", form=form), 403
        if user is not None:
            login_user(user)
            flash(gettext("Welcome, %(user_name)s.", user_name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
        flash(str(WRONG_CREDENTIALS), "error")
        return render_template("accounts/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out on every device (POST with CSRF token, so a link elsewhere cannot sign people out).

    The session cookie lives on the browser; a copy kept elsewhere (a shared computer,
    a stolen cookie) stops working only because the user's session token changes.
    """
    if current_user.is_authenticated:
        services.end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(gettext("You are signed out on every device."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, current=form.current_password.data, new=form.new_password.data
            )
        except UserError as error:
            form.current_password.errors = [str(error)]
        else:
            db.session.commit()
            # The change ended every session, this one too: sign in again here only.
            login_user(current_user._get_current_object())
            flash(
                gettext("Your password is changed. You are signed out on your other devices."),
                "success",
            )
            return redirect(url_for("main.dashboard"))
    status = 400 if form.errors else 200
    return render_template("accounts/password.html", form=form), status


@bp.post("/language")
@csrf.exempt
def choose_language():
    """Switch the pages' language: kept in a cookie (it works signed out), and saved on the
    signed-in person's account, where emails and certificates read it too.

    Signed out, the form carries no CSRF token (the public pages that show it are kept
    whole for every visitor); at worst a forged post changes a visitor's language. Signed
    in, the token is checked as on every other form.
    """
    language = supported(request.form.get("language"))
    if language is None:
        raise UserError(gettext("Choose one of the languages offered."))
    if current_user.is_authenticated:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        current_user.language = language
        db.session.commit()
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        # Laurel's own path on a shared host (LAUREL_PUBLIC_URL with a path), else the root.
        path=request.script_root or "/",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Set a name and password from an invitation link, then sign in."""
    invitation = services.open_invitation(token, now=utcnow())
    form = AcceptInvitationForm(name=invitation.user.name)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token, name=form.name.data, password=form.new_password.data, now=utcnow()
            )
        except UserError as error:
            form.new_password.errors = [str(error)]
        else:
            db.session.commit()
            login_user(user)
            flash(
                gettext(
                    "Welcome to Laurel, %(user_name)s. Your account is ready.", user_name=user.name
                ),
                "success",
            )
            return redirect(url_for("main.dashboard"))
    status = 400 if form.errors else 200
    return render_template("accounts/invite.html", form=form, invitation=invitation), status


def _new_user_form() -> NewUserForm:
    form = NewUserForm()
    form.class_id.choices = [SelectChoice("0", "No class")] + [
        SelectChoice(str(c.id), c.name) for c in services.list_classes()
    ]
    return form


def _render_users(form: NewUserForm, status: int = 200):
    return (
        render_template(
            "accounts/users.html",
            users=services.list_users(),
            form=form,
            role_form=RoleForm(),
            action_form=ActionForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.get("/admin/users")
@admin_only
def users():
    """Every account, with a form to add one."""
    return _render_users(_new_user_form())


@bp.post("/admin/users")
@admin_only
def create_user():
    """Create an account and show its invitation link."""
    form = _new_user_form()
    if not form.validate_on_submit():
        return _render_users(form, 400)
    role = Role(form.role.data)
    try:
        user = services.create_user(email=form.email.data, name=form.name.data, role=role)
        if form.class_id.data and role != Role.ADMIN:
            services.add_to_class(user, services.get_class(form.class_id.data), role)
        token = services.invite_user(user, created_by=current_user, now=utcnow())
        emailed = _email_invitation(user, token)
    except UserError as error:
        db.session.rollback()
        form.email.errors = [str(error)]
        return _render_users(form, error.status_code)
    db.session.commit()
    flash(
        gettext(
            "%(user_name)s is added as %(role_value)s. Send them the invitation link below.",
            user_name=user.name,
            role_value=role.value,
        ),
        "success",
    )
    return render_template(
        "accounts/invitation_link.html", user=user, invite_url=_invite_url(token), emailed=emailed
    )


@bp.post("/admin/users/<int:user_id>/invite")
@admin_only
def reinvite(user_id: int):
    """A fresh invitation link (earlier links stop working)."""
    user = services.get_user(user_id)
    _check_posted(ActionForm())
    token = services.invite_user(user, created_by=current_user, now=utcnow())
    emailed = _email_invitation(user, token)
    db.session.commit()
    flash(
        gettext(
            "New invitation link for %(user_name)s. Earlier links no longer work.",
            user_name=user.name,
        ),
        "success",
    )
    return render_template(
        "accounts/invitation_link.html", user=user, invite_url=_invite_url(token), emailed=emailed
    )


@bp.post("/admin/users/<int:user_id>/sign-out")
@admin_only
def sign_out_everywhere(user_id: int):
    """End every session of a user (a lost phone, a shared computer left signed in)."""
    user = services.get_user(user_id)
    _check_posted(ActionForm())
    services.end_all_sessions(user)
    db.session.commit()
    flash(gettext("%(user_name)s is signed out on every device.", user_name=user.name), "success")
    return redirect(url_for("accounts.users"))


@bp.post("/admin/users/<int:user_id>/role")
@admin_only
def change_role(user_id: int):
    user = services.get_user(user_id)
    form = RoleForm()
    _check_posted(form)
    services.change_role(user, Role(form.role.data), actor=current_user)
    db.session.commit()
    flash(
        gettext(
            "%(user_name)s is now %(role_value)s.", user_name=user.name, role_value=user.role.value
        ),
        "success",
    )
    return redirect(url_for("accounts.users"))


@bp.post("/admin/users/<int:user_id>/deactivate")
@admin_only
def deactivate(user_id: int):
    user = services.get_user(user_id)
    _check_posted(ActionForm())
    services.set_active(user, False, actor=current_user)
    db.session.commit()
    flash(
        gettext(
            "%(user_name)s can no longer sign in. Their badges and submissions are kept.",
            user_name=user.name,
        ),
        "success",
    )
    return redirect(url_for("accounts.users"))


@bp.post("/admin/users/<int:user_id>/reactivate")
@admin_only
def reactivate(user_id: int):
    user = services.get_user(user_id)
    _check_posted(ActionForm())
    services.set_active(user, True, actor=current_user)
    db.session.commit()
    flash(gettext("%(user_name)s can sign in again.", user_name=user.name), "success")
    return redirect(url_for("accounts.users"))


@bp.get("/admin/classes")
@admin_only
def classes():
    return render_template(
        "accounts/classes.html", classes=services.list_classes(), form=ClassForm()
    )


@bp.post("/admin/classes")
@admin_only
def create_class():
    form = ClassForm()
    if not form.validate_on_submit():
        return render_template(
            "accounts/classes.html", classes=services.list_classes(), form=form
        ), 400
    try:
        school_class = services.create_class(form.name.data)
    except UserError as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return render_template(
            "accounts/classes.html", classes=services.list_classes(), form=form
        ), error.status_code
    db.session.commit()
    flash(
        gettext(
            "Class “%(school_class_name)s” created. Now add its instructors and students.",
            school_class_name=school_class.name,
        ),
        "success",
    )
    return redirect(url_for("accounts.class_detail", class_id=school_class.id))


def _member_form(school_class) -> MemberForm:
    form = MemberForm()
    members = {m.user_id for m in school_class.memberships}
    form.user_id.choices = [
        SelectChoice(str(u.id), f"{u.name} ({u.email})")
        for u in services.list_users()
        if u.id not in members and u.is_active and u.role != Role.ADMIN
    ]
    return form


def _render_class(school_class, form: MemberForm, status: int = 200):
    members = sorted(
        school_class.memberships, key=lambda m: (m.role != Role.INSTRUCTOR, m.user.name)
    )
    return (
        render_template(
            "accounts/class_detail.html",
            school_class=school_class,
            members=members,
            form=form,
            action_form=ActionForm(),
        ),
        status,
    )


@bp.get("/admin/classes/<int:class_id>")
@admin_only
def class_detail(class_id: int):
    school_class = services.get_class(class_id)
    return _render_class(school_class, _member_form(school_class))


@bp.post("/admin/classes/<int:class_id>/members")
@admin_only
def add_member(class_id: int):
    school_class = services.get_class(class_id)
    form = _member_form(school_class)
    if not form.validate_on_submit():
        return _render_class(school_class, form, 400)
    user = services.get_user(form.user_id.data)
    services.add_to_class(user, school_class, Role(form.role.data))
    db.session.commit()
    flash(
        gettext(
            "%(user_name)s added to %(school_class_name)s as %(data)s.",
            user_name=user.name,
            school_class_name=school_class.name,
            data=form.role.data,
        ),
        "success",
    )
    return redirect(url_for("accounts.class_detail", class_id=class_id))


@bp.post("/admin/classes/<int:class_id>/members/<int:user_id>/remove")
@admin_only
def remove_member(class_id: int, user_id: int):
    school_class = services.get_class(class_id)
    user = services.get_user(user_id)
    _check_posted(ActionForm())
    services.remove_from_class(user, school_class)
    db.session.commit()
    flash(
        gettext(
            "%(user_name)s removed from %(school_class_name)s.",
            user_name=user.name,
            school_class_name=school_class.name,
        ),
        "success",
    )
    return redirect(url_for("accounts.class_detail", class_id=class_id))
