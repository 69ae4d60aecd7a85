"""Single sign-on pages: the sign-in with a provider and its callback, and the admin page."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_user

from app.accounts.forms import ActionForm
from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.errors import UserError
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from app.sso import oidc_client
from app.sso import services
from app.sso.forms import PasswordPolicyForm
from app.sso.forms import ProviderForm
from app.sso.policy import passwords_for_everyone
from app.sso.providers import all_providers
from app.sso.providers import get_provider
from app.sso.providers import stored_providers
from app.web.mount import public_link

bp = Blueprint("sso", __name__)
admin_only = role_required(Role.ADMIN)


@bp.app_template_global()
def sign_in_providers() -> list[tuple[str, str]]:
    """(key, name) of every provider, for the sign-in page's buttons."""
    return [(provider.key, provider.name) for provider in all_providers()]


def _redirect_uri(key: str) -> str:
    """The callback on the school's public address: what the admin registers at the provider."""
    return public_link("sso.callback", key=key)


@bp.get("/sso/<key>/start")
def start(key: str):
    """Send the browser to the provider to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    provider = get_provider(key)
    return oidc_client.start(provider, _redirect_uri(key))


@bp.get("/sso/<key>/callback")
def callback(key: str):
    """The provider's answer: verify it, find or create the account, sign in."""
    provider = get_provider(key)
    claims = oidc_client.finish(provider)
    try:
        user = services.sign_in_with(provider, claims, now=utcnow())
    except UserError:
        db.session.rollback()
        raise
    db.session.commit()
    login_user(user)
    flash(gettext("Welcome, %(user_name)s.", user_name=user.name), "success")
    return redirect(url_for("main.dashboard"))


def _page(form: ProviderForm | None = None, status: int = 200):
    providers = all_providers()
    return (
        render_template(
            "sso/admin.html",
            providers=providers,
            redirect_uris={provider.key: _redirect_uri(provider.key) for provider in providers},
            public_url=issuing_context().public_url,
            stored_keys={row.key for row in stored_providers()},
            form=form or ProviderForm(formdata=None),
            policy_form=PasswordPolicyForm(
                formdata=None, passwords="everyone" if passwords_for_everyone() else "admins"
            ),
            action_form=ActionForm(),
        ),
        status,
    )


@bp.get("/admin/sso")
@admin_only
def admin():
    """The school's providers, the password setting, and a form to add a provider."""
    return _page()


@bp.post("/admin/sso/providers")
@admin_only
def add_provider():
    form = ProviderForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        provider = services.add_provider(
            key=form.key.data or "",
            name=form.name.data or "",
            issuer=form.issuer.data or "",
            client_id=form.client_id.data or "",
            client_secret=form.client_secret.data or "",
            allowed_domains=(form.allowed_domains.data or "").replace(",", " ").split(),
            create_students=bool(form.create_students.data),
            now=utcnow(),
        )
    except UserError as error:
        db.session.rollback()
        form.key.errors = [str(error)]
        return _page(form, error.status_code)
    db.session.commit()
    flash(
        gettext(
            "%(provider_name)s is added: the sign-in page offers it now.",
            provider_name=provider.name,
        ),
        "success",
    )
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sso/providers/<key>/remove")
@admin_only
def remove_provider(key: str):
    if not ActionForm().validate_on_submit():
        raise UserError(gettext("The form was incomplete. Reload the page and try again."))
    services.remove_provider(key)
    db.session.commit()
    flash(gettext("The provider is removed from the sign-in page."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sso/passwords")
@admin_only
def password_policy():
    form = PasswordPolicyForm()
    if not form.validate_on_submit():
        raise UserError(gettext("Choose who may sign in with a password."))
    services.set_passwords_for_everyone(form.passwords.data == "everyone", now=utcnow())
    db.session.commit()
    flash(
        gettext("Everyone may sign in with a password.")
        if form.passwords.data == "everyone"
        else gettext("Only admins sign in with a password now; everyone else uses a provider."),
        "success",
    )
    return redirect(url_for("sso.admin"))
