"""Forms of goals, reflections, the learner profile and counselor assignment."""

from __future__ import annotations

from flask_babel import lazy_gettext
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
        lazy_gettext("Your goal, in your own words"),
        validators=[Optional(), Length(max=TITLE_MAX)],
        description=lazy_gettext("e.g. “Restore the truck's brakes and show it”."),
    )
    target_date = DateField(
        lazy_gettext("Target date"),
        validators=[Optional()],
        description=lazy_gettext("When you aim to reach it (optional)."),
    )


class NewGoalForm(GoalForm):
    kind = SelectField(
        lazy_gettext("It aims at"),
        choices=[
            SelectChoice(GoalKind.BADGE.value, lazy_gettext("A badge")),
            SelectChoice(GoalKind.PATHWAY.value, lazy_gettext("A pathway")),
            SelectChoice(GoalKind.STANDARD.value, lazy_gettext("A standard")),
        ],
        default=GoalKind.BADGE.value,
    )
    badge_id = SelectField(lazy_gettext("Badge"), coerce=_optional_int, validate_choice=False)
    pathway_id = SelectField(lazy_gettext("Pathway"), coerce=_optional_int, validate_choice=False)
    standard = SelectField(lazy_gettext("Standard"), validate_choice=False)


class ReflectionForm(FlaskForm):
    text = TextAreaField(
        lazy_gettext("Reflection"),
        validators=[Optional(), Length(max=MAX_REFLECTION)],
        description=lazy_gettext("What you did, what you learned, what you would do next time."),
    )
    submission_id = SelectField(lazy_gettext("About this evidence"), coerce=_optional_int)
    goal_id = SelectField(lazy_gettext("Toward this goal"), coerce=_optional_int)


class ProfileForm(FlaskForm):
    interests = TextAreaField(
        lazy_gettext("Interests"),
        validators=[Optional(), Length(max=MAX_PROFILE_FIELD)],
        description=lazy_gettext("What you like to work on, in school and out of it."),
    )
    strengths = TextAreaField(
        lazy_gettext("Strengths"),
        validators=[Optional(), Length(max=MAX_PROFILE_FIELD)],
        description=lazy_gettext("What you are good at, and what others come to you for."),
    )
