"""The learner's "Connected apps" page: who holds their backpack, and a button to cut it off."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.backpack.connected_apps import connected_apps
from app.backpack.connected_apps import disconnect
from app.errors import NotAllowed

bp = Blueprint("connected_apps", __name__)


def _learner_only() -> None:
    if not current_user.is_student:
        raise NotAllowed(
            gettext("Only students hold a backpack, and only they see its connected apps.")
        )


@bp.get("/backpack/apps")
@login_required
def index():
    """The applications holding a token for the signed-in student."""
    _learner_only()
    return render_template("backpack/connected_apps.html", apps=connected_apps(current_user))


@bp.post("/backpack/apps/<client_id>/revoke")
@login_required
def revoke(client_id: str):
    """Revoke every token of that application for the signed-in student."""
    _learner_only()
    disconnect(current_user, client_id)
    flash(gettext("The app is disconnected: it can no longer reach your backpack."), "success")
    return redirect(url_for("connected_apps.index"))
