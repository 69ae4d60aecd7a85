"""The landing page, the role dispatcher behind /dashboard, and site-wide template helpers."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import has_request_context
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_login import login_required

from app.accounts.models import Role
from app.i18n import DEFAULT_LANGUAGE
from app.i18n import language_names
from app.main import navigation
from app.main.filters import FILTERS

bp = Blueprint("main", __name__)

for _name, _filter in FILTERS.items():
    bp.add_app_template_filter(_filter, _name)
bp.add_app_template_global(language_names, "language_names")


@bp.app_template_global()
def current_language() -> str:
    """The code of the language this page speaks (`app.i18n`): `es`, `pt_BR`."""
    return str(get_locale() or DEFAULT_LANGUAGE)


DASHBOARD_BY_ROLE = {
    Role.STUDENT: "evidence.student_dashboard",
    Role.INSTRUCTOR: "evidence.instructor_dashboard",
    Role.ADMIN: "accounts.users",
    Role.COUNSELOR: "goals.counselor_dashboard",
}


@bp.app_context_processor
def inject_layout() -> dict:
    # A kept public page's version query already read the name (`app.share.kept_pages`).
    name = request.environ.get(navigation.SCHOOL_NAME) if has_request_context() else None
    return {
        "main_navigation": navigation.main_navigation,
        "school_name": navigation.school_name() if name is None else name,
    }


@bp.get("/")
def index():
    """What Laurel is, with the way in for staff and students and the way to verify."""
    return render_template("main/index.html")


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root of every site, whatever the page links."""
    return current_app.send_static_file("favicon.ico")


@bp.get("/dashboard")
@login_required
def dashboard():
    """Send each person to the start page of their role."""
    return redirect(url_for(DASHBOARD_BY_ROLE[current_user.role]))
