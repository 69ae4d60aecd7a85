"""Forms of the LTI pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.lti.models import MAX_URL_CHARS


def _url(label: str, message: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(message), Length(max=MAX_URL_CHARS)],
        description=description,
    )


class PlatformForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Give the LMS a name."), Length(max=200)],
        description="As Laurel shows it: “District Canvas”.",
    )
    issuer = _url(
        "Issuer",
        "Give the platform's issuer.",
        "Exactly as the LMS sends it: https://canvas.instructure.com, or your Moodle's address.",
    )
    client_id = StringField(
        "Client id",
        validators=[DataRequired("Give the client id the LMS gave Laurel."), Length(max=255)],
        description="Canvas: the developer key's id; Moodle: the tool's Client ID.",
    )
    deployment_ids = TextAreaField(
        "Deployment ids",
        validators=[DataRequired("Give at least one deployment id."), Length(max=20000)],
        description="One or more, separated by spaces, commas or lines.",
    )
    auth_login_url = _url(
        "Authentication request URL",
        "Give the authentication request URL.",
        "Canvas: https://sso.canvaslms.com/api/lti/authorize_redirect; "
        "Moodle: <site>/mod/lti/auth.php.",
    )
    auth_token_url = _url(
        "Access token URL",
        "Give the access token URL.",
        "Canvas: https://sso.canvaslms.com/login/oauth2/token; Moodle: <site>/mod/lti/token.php.",
    )
    key_set_url = _url(
        "Public keyset URL",
        "Give the platform's public keyset URL.",
        "Canvas: https://sso.canvaslms.com/api/lti/security/jwks; "
        "Moodle: <site>/mod/lti/certs.php.",
    )
    token_audience = StringField(
        "Token audience (optional)",
        validators=[Length(max=MAX_URL_CHARS)],
        description="Only when the LMS asks for another audience than its access token URL.",
    )


class BadgeChoiceForm(FlaskForm):
    badge = SelectField("Badge", validators=[DataRequired("Choose a badge.")])
