"""Forms of goals, reflections, the learner profile and counselor assignment."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.validators import Optional

from app.evidence.goals import TITLE_MAX
from app.evidence.models import GoalKind
from app.goals.services import MAX_PROFILE_FIELD
from app.goals.services import MAX_REFLECTION

# The services check every rule and say what is wrong in a sentence; the validators here
# only turn a garbled field (a date that is no date, an unknown choice) into a 400.


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class GoalForm(FlaskForm):
    title = StringField(
        "Your goal, in your own words",
        validators=[Optional(), Length(max=TITLE_MAX)],
        description="e.g. “Restore the truck's brakes and show it”.",
    )
    target_date = DateField(
        "Target date", validators=[Optional()], description="When you aim to reach it (optional)."
    )


class NewGoalForm(GoalForm):
    kind = SelectField(
        "It aims at",
        choices=[
            SelectChoice(GoalKind.BADGE.value, "A badge"),
            SelectChoice(GoalKind.PATHWAY.value, "A pathway"),
            SelectChoice(GoalKind.STANDARD.value, "A standard"),
        ],
        default=GoalKind.BADGE.value,
    )
    badge_id = SelectField("Badge", coerce=_optional_int, validate_choice=False)
    pathway_id = SelectField("Pathway", coerce=_optional_int, validate_choice=False)
    standard = SelectField("Standard", validate_choice=False)


class ReflectionForm(FlaskForm):
    text = TextAreaField(
        "Reflection",
        validators=[Optional(), Length(max=MAX_REFLECTION)],
        description="What you did, what you learned, what you would do next time.",
    )
    submission_id = SelectField("About this evidence", coerce=_optional_int)
    goal_id = SelectField("Toward this goal", coerce=_optional_int)


class ProfileForm(FlaskForm):
    interests = TextAreaField(
        "Interests",
        validators=[Optional(), Length(max=MAX_PROFILE_FIELD)],
        description="What you like to work on, in school and out of it.",
    )
    strengths = TextAreaField(
        "Strengths",
        validators=[Optional(), Length(max=MAX_PROFILE_FIELD)],
        description="What you are good at, and what others come to you for.",
    )
