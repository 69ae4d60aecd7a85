"""The admin's trust list page: list, add, remove and import issuers the school vouches for."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired

from app.accounts.forms import ActionForm
from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.errors import LaurelError
from app.errors import UserError
from app.extensions import db
from app.models_base import utcnow
from app.verify import trust_list

bp = Blueprint("trust", __name__)
admin_only = role_required(Role.ADMIN)


class TrustEntryForm(FlaskForm):
    identifier = StringField(
        lazy_gettext("DID or domain"),
        validators=[DataRequired("Give the issuer's DID or its domain.")],
        description=lazy_gettext(
            "did:web:district.example, did:key:z6Mk…, or a domain: district.example."
        ),
    )
    name = StringField(
        lazy_gettext("Name shown"),
        validators=[DataRequired("Give the name Laurel should show for this issuer.")],
        description=lazy_gettext("Verified credentials of this issuer say “issued by” this name."),
    )
    note = StringField(
        lazy_gettext("Note"), description=lazy_gettext("Where the entry comes from (optional).")
    )


class TrustImportForm(FlaskForm):
    trust_file = FileField(
        lazy_gettext("Trust list file (JSON)"),
        validators=[FileRequired("Choose a JSON file to import.")],
        render_kw={"accept": ".json,application/json"},
    )


def _page(entry_form=None, import_form=None, report=None, status: int = 200):
    return (
        render_template(
            "verify/trust.html",
            entries=trust_list.list_trusted(),
            form=entry_form or TrustEntryForm(formdata=None),
            import_form=import_form or TrustImportForm(formdata=None),
            action_form=ActionForm(),
            report=report,
        ),
        status,
    )


@bp.get("/admin/trust")
@admin_only
def index():
    """The trust list, with forms to add an issuer and to import a file."""
    return _page()


@bp.post("/admin/trust")
@admin_only
def add():
    form = TrustEntryForm()
    if not form.validate_on_submit():
        return _page(entry_form=form, status=400)
    try:
        row = trust_list.add_trusted(
            form.identifier.data,
            form.name.data,
            form.note.data or "",
            actor=current_user.email,
            now=utcnow(),
        )
    except UserError as error:
        db.session.rollback()
        form.identifier.errors = [str(error)]
        return _page(entry_form=form, status=error.status_code)
    db.session.commit()
    flash(
        gettext(
            "%(row_name)s (%(identifier)s) is on the trust list.",
            row_name=row.name,
            identifier=row.identifier,
        ),
        "success",
    )
    return redirect(url_for("verify.trust.index"))


@bp.post("/admin/trust/import")
@admin_only
def import_file():
    form = TrustImportForm()
    if not form.validate_on_submit():
        return _page(import_form=form, status=400)
    try:
        with form.trust_file.data.stream as upload:
            text = trust_list.decode_trust_file(upload.read(trust_list.MAX_TRUST_FILE_BYTES + 1))
        filename = form.trust_file.data.filename or "upload"
        report = trust_list.import_trust_list(
            text, actor=f"{current_user.email} (import of {filename})"[:254], now=utcnow()
        )
    except LaurelError as error:
        db.session.rollback()
        form.trust_file.errors = [str(error)]
        return _page(import_form=form, status=error.status_code)
    db.session.commit()
    flash(gettext("Trust list imported: %(summary)s", summary=report.summary), "success")
    return _page(report=report)


@bp.post("/admin/trust/<int:entry_id>/remove")
@admin_only
def remove(entry_id: int):
    row = trust_list.get_trusted(entry_id)
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    trust_list.remove_trusted(row.identifier)
    db.session.commit()
    flash(
        gettext(
            "%(row_name)s (%(identifier)s) is no longer trusted.",
            row_name=row.name,
            identifier=row.identifier,
        ),
        "success",
    )
    return redirect(url_for("verify.trust.index"))
