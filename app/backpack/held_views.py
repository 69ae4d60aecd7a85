"""The learner removes a credential kept in their backpack (from the learner record page)."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from app.backpack.store import remove
from app.errors import NotAllowed

bp = Blueprint("held", __name__)
MAX_ID = 2**31 - 1


@bp.post(f"/backpack/<int(max={MAX_ID}):held_id>/remove")
@login_required
def remove_held(held_id: int):
    """Only the learner removes; the staff who see the record may not remove for them."""
    if not current_user.is_student:
        raise NotAllowed("Only the learner can remove a credential from their backpack.")
    remove(current_user, held_id)
    flash("The credential was removed from your backpack.", "success")
    return redirect(url_for("share.record", user_id=current_user.id))
