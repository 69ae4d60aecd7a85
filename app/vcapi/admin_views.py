"""The admin's API clients page: list, create (the secret shown once) and revoke VC-API clients."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from app.accounts.forms import ActionForm
from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.backpack.scopes import API_SCOPES
from app.errors import UserError
from app.extensions import db
from app.models_base import utcnow
from app.vcapi import clients
from app.vcapi.issuers import did_key_store
from app.vcapi.issuers import enable_did_key

bp = Blueprint("api_clients", __name__)
admin_only = role_required(Role.ADMIN)


class ApiClientForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired("Give the client a name.")],
        description=lazy_gettext("Who uses it, e.g. “District records office”."),
    )
    scopes = SelectMultipleField(
        lazy_gettext("Scopes"),
        choices=[SelectChoice(scope, f"{scope}: {words}") for scope, words in API_SCOPES.items()],
        validators=[DataRequired("Choose at least one scope.")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


def _page(form: ApiClientForm | None = None, created=None, status: int = 200):
    return (
        render_template(
            "vcapi/api_clients.html",
            clients=clients.api_clients(),
            form=form or ApiClientForm(formdata=None),
            action_form=ActionForm(),
            created=created,
            did_key_enabled=did_key_store().exists(),
        ),
        status,
    )


@bp.get("/admin/api-clients")
@admin_only
def index():
    """The API clients, with a form to create one."""
    return _page()


@bp.post("/admin/api-clients")
@admin_only
def create():
    form = ApiClientForm()
    if not form.validate_on_submit():
        return _page(form=form, status=400)
    try:
        created = clients.create_api_client(form.name.data or "", " ".join(form.scopes.data or []))
    except UserError as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _page(form=form, status=error.status_code)
    # The secret is shown on this answer only: it is stored hashed.
    return _page(created=created)


@bp.post("/admin/api-clients/<api_client_id>/revoke")
@admin_only
def revoke(api_client_id: str):
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    clients.revoke_api_client(api_client_id)
    flash(gettext("The API client is revoked: its tokens no longer work."), "success")
    return redirect(url_for("api_clients.index"))


@bp.post("/admin/api-clients/did-key")
@admin_only
def did_key():
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    did = enable_did_key(now=utcnow())
    flash(gettext("The did:key issuer is enabled: %(did)s", did=did), "success")
    return redirect(url_for("api_clients.index"))
