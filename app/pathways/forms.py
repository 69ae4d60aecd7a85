"""The pathway form: name, description, class, rule and automatic issuance.

The badges and their prerequisites are a table of checkboxes and multi-selects, one row
per badge, read by `steps_from`; the services check every value and say what is wrong.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.validators import Optional

from app.errors import UserError
from app.pathways.services import StepInput


class PathwayForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[Optional(), Length(max=200)],
        description="E.g. “Automotive Technician, Level 1”.",
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=5000)],
        description="What a learner who completes it can do.",
    )
    class_id = SelectField("Class", coerce=int, validate_choice=False)
    rule = RadioField(
        "To complete it",
        choices=[SelectChoice("all", "Earn every badge"), SelectChoice("any", "Earn any")],
        default="all",
        validate_choice=False,
    )
    any_count = StringField("Number of badges", validators=[Optional(), Length(max=5)])
    auto_issue = BooleanField("Issue the pathway’s credential as soon as a learner completes it")

    def __init__(self, *args, classes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.class_id.choices = [SelectChoice(0, "The whole school")] + [
            SelectChoice(c.id, c.name) for c in classes
        ]

    def required_count(self) -> int | None:
        """None for "every badge"; else the number given.

        :raises UserError: "any" with no number, or with something that is not one.
        """
        if self.rule.data != "any":
            return None
        text = (self.any_count.data or "").strip()
        if not text.isdigit():
            raise UserError("Say how many badges complete the pathway (a whole number).")
        return int(text)


class ConfirmForm(FlaskForm):
    """Confirming an offered completion, archiving, restoring or deleting a pathway:
    nothing but the CSRF token."""


def _badge_id(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise UserError(f"“{value[:40]}” is not a badge number.")
    return int(value)


def steps_from(posted: MultiDict[str, str]) -> list[StepInput]:
    """The chosen badges (`badges`) with their prerequisites (`requires-<badge id>`), in order.

    :raises UserError: a value that is not a badge number.
    """
    return [
        StepInput(
            badge_id=_badge_id(value),
            requires=tuple(_badge_id(v) for v in posted.getlist(f"requires-{value}")),
        )
        for value in posted.getlist("badges")
    ]
