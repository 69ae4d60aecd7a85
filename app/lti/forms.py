"""Forms of the LTI pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.lti.models import MAX_URL_CHARS


def _url(label: LazyString, message: LazyString, description: LazyString) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(message), Length(max=MAX_URL_CHARS)],
        description=description,
    )


class PlatformForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(lazy_gettext("Give the LMS a name.")), Length(max=200)],
        description=lazy_gettext("As Laurel shows it: “District Canvas”."),
    )
    issuer = _url(
        lazy_gettext("Issuer"),
        lazy_gettext("Give the platform's issuer."),
        lazy_gettext(
            "Exactly as the LMS sends it: https://canvas.instructure.com, or your Moodle's address."
        ),
    )
    client_id = StringField(
        lazy_gettext("Client id"),
        validators=[
            DataRequired(lazy_gettext("Give the client id the LMS gave Laurel.")),
            Length(max=255),
        ],
        description=lazy_gettext("Canvas: the developer key's id; Moodle: the tool's Client ID."),
    )
    deployment_ids = TextAreaField(
        lazy_gettext("Deployment ids"),
        validators=[
            DataRequired(lazy_gettext("Give at least one deployment id.")),
            Length(max=20000),
        ],
        description=lazy_gettext("One or more, separated by spaces, commas or lines."),
    )
    auth_login_url = _url(
        lazy_gettext("Authentication request URL"),
        lazy_gettext("Give the authentication request URL."),
        lazy_gettext(
            "Canvas: https://sso.canvaslms.com/api/lti/authorize_redirect; "
            "Moodle: <site>/mod/lti/auth.php."
        ),
    )
    auth_token_url = _url(
        lazy_gettext("Access token URL"),
        lazy_gettext("Give the access token URL."),
        lazy_gettext(
            "Canvas: https://sso.canvaslms.com/login/oauth2/token; "
            "Moodle: <site>/mod/lti/token.php."
        ),
    )
    key_set_url = _url(
        lazy_gettext("Public keyset URL"),
        lazy_gettext("Give the platform's public keyset URL."),
        lazy_gettext(
            "Canvas: https://sso.canvaslms.com/api/lti/security/jwks; "
            "Moodle: <site>/mod/lti/certs.php."
        ),
    )
    token_audience = StringField(
        lazy_gettext("Token audience (optional)"),
        validators=[Length(max=MAX_URL_CHARS)],
        description=lazy_gettext(
            "Only when the LMS asks for another audience than its access token URL."
        ),
    )
    match_by_email = BooleanField(
        lazy_gettext("Match people to existing Laurel accounts by the email address the LMS sends"),
        description=lazy_gettext(
            "Only if this LMS checks its people's addresses: whoever controls the LMS could "
            "then sign in to the instructor and student accounts of those addresses. Off, a "
            "person whose address already has a Laurel account is asked to see an admin. "
            "Admin and counselor accounts never sign in through an LMS."
        ),
    )


class BadgeChoiceForm(FlaskForm):
    badge = SelectField(
        lazy_gettext("Badge"), validators=[DataRequired(lazy_gettext("Choose a badge."))]
    )
