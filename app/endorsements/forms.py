"""Forms of endorsements: the staff's invitation, the endorser's endorsement, withdrawal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField

# The services check every field (required ones, lengths, formats) and say what is wrong
# in a sentence, so the forms carry no validators of their own: one message per mistake.


class InviteForm(FlaskForm):
    badge_id = SelectField("Badge", coerce=int, validate_choice=False)
    credential_id = SelectField(
        "One student's credential (optional)",
        validate_choice=False,
        description="Leave empty to ask for an endorsement of the badge itself.",
    )
    invitee = StringField(
        "Who the link is for",
        description="For your records, e.g. “Dana Ruiz, Riverside Garage”.",
    )


class EndorseForm(FlaskForm):
    name = StringField("Your name")
    organisation = StringField("Your organisation (optional)")
    email = StringField(
        "Your email",
        description="Kept by the school, not published. Laurel does not confirm it: "
        "it is shown to the school's staff as given by you.",
    )
    url = StringField("Your web page (optional)", description="e.g. https://garage.example")
    subject = RadioField("What you endorse", validate_choice=False)
    comment = TextAreaField(
        "Your endorsement", description="What you saw and why it matters. Markdown is allowed."
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Reason (kept by the school)")
