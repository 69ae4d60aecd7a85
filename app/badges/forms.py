"""Forms of the badges feature: badge definition, issuer profile, revocation."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from app.badges.models import ACHIEVEMENT_TYPES
from app.badges.models import EVIDENCE_KINDS

SCHOOL_WIDE = 0


# Prefixes written with a hyphen in English, though the standard's names run the words together.
_HYPHENATED = {"Co": "Co-", "Micro": "Micro-"}


def achievement_type_label(value: str) -> str:
    """A type's label: "CertificateOfCompletion" -> "Certificate of completion".

    "CoCurricular" -> "Co-curricular".
    """
    words = re.findall(r"[A-Z][a-z]*|[a-z]+", value)
    if not words:
        return value
    first = _HYPHENATED.get(words[0])
    if first is not None and len(words) > 1:
        return first + " ".join(w.lower() for w in words[1:])
    return " ".join([words[0], *(w.lower() for w in words[1:])])


def achievement_type_choices() -> list[SelectChoice]:
    """Every achievement type, in the alphabetical order of its label."""
    return sorted(
        (SelectChoice(t, achievement_type_label(t)) for t in ACHIEVEMENT_TYPES),
        key=lambda choice: choice.label.casefold(),
    )


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RubricLevelRow(Form):
    name = StringField(lazy_gettext("Level name"), validators=[Optional(), Length(max=120)])
    description = StringField(
        lazy_gettext("What it looks like"), validators=[Optional(), Length(max=500)]
    )


class AlignmentRow(Form):
    framework = StringField(lazy_gettext("Framework"), validators=[Optional(), Length(max=200)])
    code = StringField(lazy_gettext("Code"), validators=[Optional(), Length(max=100)])
    name = StringField(lazy_gettext("Standard"), validators=[Optional(), Length(max=300)])
    url = URLField("URL", validators=[Optional(), Length(max=500)])


class BadgeForm(FlaskForm):
    name = StringField(lazy_gettext("Badge name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        lazy_gettext("Description"), validators=[DataRequired(), Length(max=5000)]
    )
    criteria_narrative = TextAreaField(
        lazy_gettext("Criteria"),
        validators=[DataRequired(), Length(max=20000)],
        description=lazy_gettext(
            "What a student must show. Markdown is allowed (lists, **bold**, links)."
        ),
    )
    criteria_items = TextAreaField(
        lazy_gettext("Checklist"),
        validators=[Optional(), Length(max=5000)],
        description=lazy_gettext("One criterion per line; students reflect on each one."),
    )
    evidence_prompt = TextAreaField(
        lazy_gettext("Evidence prompt"),
        validators=[Optional(), Length(max=2000)],
        description=lazy_gettext(
            "Invite students to show it their way: photos, a workbook, a video link…"
        ),
    )
    accepted_kinds = CheckboxListField(
        lazy_gettext("Accepted evidence"),
        choices=[SelectChoice(k, label) for k, label in EVIDENCE_KINDS.items()],
        default=list(EVIDENCE_KINDS),
    )
    levels = FieldList(FormField(RubricLevelRow), min_entries=1)
    # Rendered by hand as one radio button per level row ("Needed to earn").
    required_row = StringField(lazy_gettext("Needed to earn"), validators=[Optional()])
    alignments = FieldList(FormField(AlignmentRow), min_entries=1)
    tags = StringField(
        lazy_gettext("Tags"),
        validators=[Optional(), Length(max=500)],
        description=lazy_gettext("Separated by commas."),
    )
    achievement_type = SelectField(
        lazy_gettext("Achievement type"),
        choices=achievement_type_choices(),
        default="Badge",
    )
    expiry_months = IntegerField(
        lazy_gettext("Expires after (months)"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=lazy_gettext("Leave empty if the badge never expires."),
    )
    class_id = SelectField(lazy_gettext("Who can earn it"), coerce=int, default=SCHOOL_WIDE)
    image = FileField(
        lazy_gettext("Badge image"),
        description=lazy_gettext(
            "PNG or SVG, at most 1 MB. Leave empty for a generated medallion."
        ),
    )
    remove_image = BooleanField(lazy_gettext("Remove the current image and use the generated one"))
    revision = HiddenField()


class IssuerForm(FlaskForm):
    name = StringField(lazy_gettext("School name"), validators=[DataRequired(), Length(max=200)])
    url = URLField(lazy_gettext("Website"), validators=[DataRequired(), Length(max=500)])
    email = StringField(lazy_gettext("Contact email"), validators=[Optional(), Length(max=254)])
    description = TextAreaField(
        lazy_gettext("Description"), validators=[Optional(), Length(max=5000)]
    )
    logo = FileField(lazy_gettext("Logo"), description=lazy_gettext("PNG or SVG, at most 1 MB."))
    remove_logo = BooleanField(lazy_gettext("Remove the current logo"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[DataRequired(message=lazy_gettext("Give a reason.")), Length(max=2000)],
        description=lazy_gettext("Shown to the learner and on the verification page."),
    )


class RevokeForm(ReasonForm):
    """Revoking, in two steps: the reason on the credential page, then a page that says
    what cannot be undone, where the reviewer ticks the box and revokes for good."""

    step = HiddenField()
    understood = BooleanField(
        lazy_gettext(
            "I understand that revoking is permanent: it cannot be "
            "undone, and everyone who checks this credential will see it "
            "as revoked."
        )
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button with its CSRF token (publish, archive)."""
