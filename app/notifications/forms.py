"""The preferences form: one choice (now, daily digest, never) per kind of email."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.notifications.models import Delivery
from app.notifications.models import NotificationKind

KIND_LABELS = {
    NotificationKind.SUBMISSION_RECEIVED: "A student submits evidence for a badge you review",
    NotificationKind.REVIEW: "Feedback or a decision on your evidence",
    NotificationKind.CREDENTIAL_ISSUED: "A badge is issued to you",
    NotificationKind.ENDORSEMENT_REQUEST: "Someone asks you for an endorsement",
}
DELIVERY_CHOICES = [
    SelectChoice(Delivery.NOW.value, "At once"),
    SelectChoice(Delivery.DIGEST.value, "In a daily digest"),
    SelectChoice(Delivery.NEVER.value, "Never"),
]


def _choice(kind: NotificationKind) -> RadioField:
    return RadioField(
        KIND_LABELS[kind],
        choices=DELIVERY_CHOICES,
        validators=[InputRequired("Pick at once, daily digest or never.")],
    )


class PreferencesForm(FlaskForm):
    submission_received = _choice(NotificationKind.SUBMISSION_RECEIVED)
    review = _choice(NotificationKind.REVIEW)
    credential_issued = _choice(NotificationKind.CREDENTIAL_ISSUED)
    endorsement_request = _choice(NotificationKind.ENDORSEMENT_REQUEST)

    def choices(self) -> dict[str, str]:
        """{kind: delivery} as posted."""
        return {kind.value: self[kind.value].data for kind in KIND_LABELS}
