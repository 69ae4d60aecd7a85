"""Forms of student-proposed badges: the proposal, comments, the reviewer's decision."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.validators import Optional

from app.badges.forms import CheckboxListField
from app.proposals.services import MAX_CRITERIA
from app.proposals.services import MAX_EVIDENCE_PLAN
from app.proposals.services import MAX_LEARNING
from app.proposals.services import MAX_MESSAGE
from app.proposals.services import MAX_TITLE
from app.proposals.services import Decision

# The services check every field (required ones, lengths, known standards) and say what is
# wrong in a sentence; the validators here only keep the form's limits in step with them.


class ProposalForm(FlaskForm):
    title = StringField(
        lazy_gettext("Badge title"),
        validators=[Optional(), Length(max=MAX_TITLE)],
        description=lazy_gettext("What the badge would be called, e.g. “Bicycle Wheel Builder”."),
    )
    learning = TextAreaField(
        lazy_gettext("What you will learn"),
        validators=[Optional(), Length(max=MAX_LEARNING)],
        description=lazy_gettext(
            "The project, and the skills and knowledge you will gain from it."
        ),
    )
    criteria = TextAreaField(
        lazy_gettext("Proposed criteria"),
        validators=[Optional(), Length(max=MAX_CRITERIA)],
        description=lazy_gettext("What you must show to earn the badge. Markdown is allowed."),
    )
    evidence_plan = TextAreaField(
        lazy_gettext("Evidence you plan to bring"),
        validators=[Optional(), Length(max=MAX_EVIDENCE_PLAN)],
        description=lazy_gettext("Photos, a video, a workbook, a written log…"),
    )
    standards = CheckboxListField(
        lazy_gettext("Standards it meets"), choices=[], validate_choice=False
    )
    version = HiddenField()


class NewProposalForm(ProposalForm):
    class_id = SelectField(
        lazy_gettext("Class"),
        coerce=int,
        description=lazy_gettext("The instructors of this class review your proposal."),
        validate_choice=False,
    )
    # Set by the button pressed: "save" (a draft) or "submit" (send it for review).
    action = StringField(lazy_gettext("Action"))

    def __init__(self, *args, classes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.class_id.choices = [SelectChoice(c.id, c.name) for c in classes]


class CommentForm(FlaskForm):
    message = TextAreaField(
        lazy_gettext("Comment"), validators=[Optional(), Length(max=MAX_MESSAGE)]
    )


class StepForm(FlaskForm):
    """A student's step (send, withdraw): the version they saw."""

    version = HiddenField()


class DecisionForm(FlaskForm):
    decision = RadioField(
        lazy_gettext("Decision"),
        choices=[
            SelectChoice(Decision.APPROVE_PERSONAL, "Approve as a personal badge for this student"),
            SelectChoice(Decision.APPROVE_CLASS, "Approve and publish it for the whole class"),
            SelectChoice(Decision.CHANGES, "Ask for changes"),
            SelectChoice(Decision.DECLINE, "Decline"),
        ],
        validate_choice=False,
    )
    message = TextAreaField(
        lazy_gettext("Message to the student"),
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        description=lazy_gettext("Needed when you ask for changes; welcome with any decision."),
    )
    version = HiddenField()
