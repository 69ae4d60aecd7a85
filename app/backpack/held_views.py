"""The learner's own actions on the credentials kept in their backpack (from the learner record)."""

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

from app.backpack.ob2_import import import_ob2
from app.backpack.store import RefusedCredential
from app.backpack.store import owned
from app.backpack.store import remove
from app.backpack.store import set_in_record
from app.credentials.errors import CredentialError
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.keyring import issuing_context
from app.main.filters import say
from app.models_base import utcnow
from app.share.learner_record import check_embeddable
from app.verify.service import site_fetcher

bp = Blueprint("held", __name__)
MAX_ID = 2**31 - 1


def _learner_only() -> None:
    """Only the learner acts; the staff who see the record may not act for them."""
    if not current_user.is_student:
        raise NotAllowed(gettext("Only the learner can change the credentials in their backpack."))


def _back_to_record():
    return redirect(url_for("share.record", user_id=current_user.id))


@bp.post(f"/backpack/<int(max={MAX_ID}):held_id>/remove")
@login_required
def remove_held(held_id: int):
    """Remove a kept credential."""
    _learner_only()
    remove(current_user, held_id)
    flash(gettext("The credential was removed from your backpack."), "success")
    return _back_to_record()


@bp.post(f"/backpack/<int(max={MAX_ID}):held_id>/record")
@login_required
def include_in_record(held_id: int):
    """Put a kept credential in the signed learner record (include=on) or take it out."""
    _learner_only()
    held = owned(current_user, held_id)
    include = request.form.get("include") == "on"
    set_in_record(held, include)
    if include:
        try:
            check_embeddable(current_user, held, ctx=issuing_context(), now=utcnow())
        except CredentialError as problem:
            db.session.rollback()
            set_in_record(held, False)
            raise UserError(
                gettext(
                    "This credential cannot go into the signed record: %(problem)s",
                    problem=say(problem),
                )
            ) from None
        db.session.rollback()  # the trial signing may have made the issuer profile row
    flash(
        gettext("The credential is now part of your signed learner record.")
        if include
        else gettext("The credential is no longer part of your signed learner record."),
        "success",
    )
    return _back_to_record()


@bp.get("/backpack/import")
@login_required
def import_form():
    """The page where a learner imports an Open Badges 2.0 badge."""
    _learner_only()
    return render_template("backpack/import_ob2.html", error=None)


@bp.post("/backpack/import")
@login_required
def import_badge():
    """Import an Open Badges 2.0 badge: an uploaded file, pasted JSON or JWS, or a URL."""
    _learner_only()
    upload = request.files.get("badge_file")
    if upload is not None and upload.filename:
        raw = upload.read()
    else:
        raw = (request.form.get("badge_text") or "").encode("utf-8")
    try:
        kept = import_ob2(current_user, raw, fetcher=site_fetcher(), now=utcnow())
    except RefusedCredential as problem:
        return render_template("backpack/import_ob2.html", error=str(problem)), 400
    if kept.held.name:
        added = gettext(
            "“%(badge)s” was checked and added to your learner record as an Open Badges 2.0 badge.",
            badge=kept.held.name,
        )
    else:
        added = gettext(
            "The badge was checked and added to your learner record as an Open Badges 2.0 badge."
        )
    flash(added, "success")
    return _back_to_record()
