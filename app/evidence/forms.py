"""Forms of the evidence feature: the submission editor and the three review decisions.

Business rules (what an empty submission is, who may decide) live in the services;
the forms only carry the fields and the CSRF token.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import Length
from wtforms.validators import Optional

MAX_TEXT = 20_000


class ActionForm(FlaskForm):
    """A button-only form (pursue, start, withdraw, remove): just the CSRF token."""


class ReflectionForm(FlaskForm):
    """The reflection; per-criterion reflections and public toggles are named fields
    (`criterion-<n>`, `public-<item id>`) read by the view, since they follow the badge."""

    reflection = TextAreaField(
        lazy_gettext("Your reflection"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=lazy_gettext(
            "How does your evidence show what the badge asks for? What did you learn?"
        ),
    )


class FileItemForm(FlaskForm):
    file = FileField(lazy_gettext("File"))
    title = StringField(lazy_gettext("Title (optional)"), validators=[Optional(), Length(max=200)])
    public = BooleanField(lazy_gettext("May appear publicly in my badge"))


class LinkItemForm(FlaskForm):
    url = URLField(lazy_gettext("Link"), validators=[Optional(), Length(max=2000)])
    title = StringField(lazy_gettext("Title (optional)"), validators=[Optional(), Length(max=200)])
    public = BooleanField(lazy_gettext("May appear publicly in my badge"))


class TextItemForm(FlaskForm):
    title = StringField(lazy_gettext("Title (optional)"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(lazy_gettext("Text"), validators=[Optional(), Length(max=MAX_TEXT)])
    public = BooleanField(lazy_gettext("May appear publicly in my badge"))


class ApproveForm(FlaskForm):
    level = RadioField(lazy_gettext("Level reached"), choices=[], validate_choice=True)
    feedback = TextAreaField(
        lazy_gettext("Note to the student (optional)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    badge_revision = HiddenField()


class ChangesForm(FlaskForm):
    feedback = TextAreaField(
        lazy_gettext("What should the student change?"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(lazy_gettext("Reason"), validators=[Optional(), Length(max=MAX_TEXT)])


class CommentForm(FlaskForm):
    message = TextAreaField(lazy_gettext("Comment"), validators=[Optional(), Length(max=MAX_TEXT)])
