"""Forms of endorsements: the staff's invitation, the endorser's endorsement, withdrawal."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField

# The services check every field (required ones, lengths, formats) and say what is wrong
# in a sentence, so the forms carry no validators of their own: one message per mistake.


class InviteForm(FlaskForm):
    badge_id = SelectField(lazy_gettext("Badge"), coerce=int, validate_choice=False)
    credential_id = SelectField(
        lazy_gettext("One student's credential (optional)"),
        validate_choice=False,
        description=lazy_gettext("Leave empty to ask for an endorsement of the badge itself."),
    )
    invitee = StringField(
        lazy_gettext("Who the link is for"),
        description=lazy_gettext("For your records, e.g. “Dana Ruiz, Riverside Garage”."),
    )
    email = StringField(
        lazy_gettext("Email the link to (optional)"),
        description=lazy_gettext(
            "Laurel emails the link to the endorser; you can also copy it from the next page."
        ),
    )


class EndorseForm(FlaskForm):
    name = StringField(lazy_gettext("Your name"))
    organisation = StringField(lazy_gettext("Your organisation (optional)"))
    email = StringField(
        lazy_gettext("Your email"),
        description=lazy_gettext(
            "Kept by the school, not published. Laurel does not confirm "
            "it: it is shown to the school's staff as given by you."
        ),
    )
    url = StringField(
        lazy_gettext("Your web page (optional)"),
        description=lazy_gettext("e.g. https://garage.example"),
    )
    subject = RadioField(lazy_gettext("What you endorse"), validate_choice=False)
    comment = TextAreaField(
        lazy_gettext("Your endorsement"),
        description=lazy_gettext("What you saw and why it matters. Markdown is allowed."),
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(lazy_gettext("Reason (kept by the school)"))
