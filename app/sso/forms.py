"""Forms of the single sign-on admin page (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length


class ProviderForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired("Give the provider a name."), Length(max=200)],
        description=lazy_gettext("As the sign-in button shows it: “Sign in with Google”."),
    )
    key = StringField(
        lazy_gettext("Key"),
        validators=[DataRequired("Give the provider a key."), Length(max=40)],
        description=lazy_gettext("Lowercase letters, digits and dashes; part of the redirect URI."),
    )
    issuer = StringField(
        lazy_gettext("Issuer URL"),
        validators=[DataRequired("Give the issuer URL."), Length(max=2000)],
        description=lazy_gettext(
            "e.g. https://accounts.google.com or https://login.microsoftonline.com/<tenant id>/v2.0"
        ),
    )
    client_id = StringField(
        lazy_gettext("Client id"), validators=[DataRequired("Give the client id."), Length(max=500)]
    )
    client_secret = PasswordField(
        lazy_gettext("Client secret"),
        validators=[DataRequired("Give the client secret."), Length(max=2000)],
        description=lazy_gettext("Stored sealed; Laurel never shows it again."),
        render_kw={"autocomplete": "off"},
    )
    allowed_domains = StringField(
        lazy_gettext("Allowed email domains"),
        validators=[DataRequired("Name at least one email domain."), Length(max=2000)],
        description=lazy_gettext("Separated by spaces or commas, e.g. maplegrove.example."),
    )
    create_students = BooleanField(
        lazy_gettext("Create a student account for a verified address that has none")
    )


PASSWORD_CHOICES = [
    SelectChoice("everyone", "Everyone may sign in with a password"),
    SelectChoice("admins", "Only admins sign in with a password; everyone else uses a provider"),
]


class PasswordPolicyForm(FlaskForm):
    passwords = SelectField(lazy_gettext("Password sign-in"), choices=PASSWORD_CHOICES)
