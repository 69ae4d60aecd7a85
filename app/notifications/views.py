"""The page where each person chooses how Laurel emails them."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.extensions import db
from app.notifications import tasks  # noqa: F401  (registers the email tasks and the wake-up)
from app.notifications.delivery import DIGEST_HOUR_UTC
from app.notifications.forms import KIND_LABELS
from app.notifications.forms import PreferencesForm
from app.notifications.outbox import email_enabled
from app.notifications.preferences import preferences_of
from app.notifications.preferences import set_preferences

bp = Blueprint("notifications", __name__)


def _render(form: PreferencesForm, status: int = 200):
    return (
        render_template(
            "notifications/preferences.html",
            form=form,
            kinds=list(KIND_LABELS),
            email_enabled=email_enabled(),
            digest_hour=DIGEST_HOUR_UTC,
        ),
        status,
    )


@bp.get("/account/notifications")
@login_required
def preferences():
    """Choose, per kind of email: at once, in a daily digest, or never."""
    chosen = preferences_of(current_user.id)
    return _render(PreferencesForm(data={kind.value: d.value for kind, d in chosen.items()}))


@bp.post("/account/notifications")
@login_required
def save_preferences():
    """Record the choices; an unknown choice is refused with the form shown again."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        flash(gettext("Pick at once, daily digest or never for each kind of email."), "error")
        return _render(form, 400)
    set_preferences(current_user, form.choices())
    db.session.commit()
    flash(gettext("Your email choices are saved."), "success")
    return redirect(url_for("notifications.preferences"))
