"""The learner's forms: the backpack to send to, and disconnecting one."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.backpack_send.models import MAX_URL_CHARS


class SendForm(FlaskForm):
    """The other backpack's address: its base URL or its discovery URL."""

    address = StringField(
        lazy_gettext("The other backpack's address"),
        validators=[
            DataRequired(message=lazy_gettext("Enter the address of the backpack to send to.")),
            Length(max=MAX_URL_CHARS, message=lazy_gettext("That address is too long.")),
        ],
    )


class DisconnectForm(FlaskForm):
    """A button with its CSRF token."""
