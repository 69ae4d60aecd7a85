"""The preferences page: each person's choice per kind, and bad input refused with a 400."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.notifications.models import Delivery
from app.notifications.models import NotificationKind
from app.notifications.preferences import delivery_for
from app.notifications.preferences import preferences_of
from app.notifications.preferences import set_preferences

ALL_NOW = {
    "submission_received": "now",
    "review": "now",
    "credential_issued": "now",
    "endorsement_request": "now",
}


def test_default_is_at_once_for_every_kind(app_ctx, school):
    assert set(preferences_of(school.student.id).values()) == {Delivery.NOW}
    assert delivery_for(None, NotificationKind.REVIEW) == Delivery.NOW


def test_choices_are_saved_and_shown_again(client, login, school):
    login(school.student)
    response = client.post(
        "/account/notifications", data={**ALL_NOW, "review": "digest", "credential_issued": "never"}
    )
    assert response.status_code == 302
    chosen = preferences_of(school.student.id)
    assert chosen[NotificationKind.REVIEW] == Delivery.DIGEST
    assert chosen[NotificationKind.CREDENTIAL_ISSUED] == Delivery.NEVER
    page = client.get("/account/notifications").text
    assert (
        '<input checked id="review-1" name="review" required type="radio" value="digest">' in page
    )
    assert preferences_of(school.classmate.id)[NotificationKind.REVIEW] == Delivery.NOW


def test_invitations_and_digests_are_not_a_choice(app_ctx, school):
    set_preferences(school.student, {"review": "never"})
    assert delivery_for(school.student.id, NotificationKind.INVITATION) == Delivery.NOW
    assert delivery_for(school.student.id, NotificationKind.DIGEST) == Delivery.NOW


@pytest.mark.parametrize(
    "bad",
    [
        {**ALL_NOW, "review": "sometimes"},  # not a delivery
        {**ALL_NOW, "review": ""},  # empty
        {k: v for k, v in ALL_NOW.items() if k != "credential_issued"},  # missing
    ],
    ids=["unknown-delivery", "empty", "missing-kind"],
)
def test_bad_choice_is_a_400_with_a_message(client, login, school, bad):
    login(school.student)
    response = client.post("/account/notifications", data=bad)
    assert response.status_code == 400
    assert "Pick at once, daily digest or never" in response.text
    assert preferences_of(school.student.id)[NotificationKind.REVIEW] == Delivery.NOW


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"invitation": "never"}, "is not a kind of notification"),
        ({"review": "weekly"}, "is not a choice"),
    ],
)
def test_service_refuses_unknown_kinds_and_deliveries(app_ctx, school, choices, message):
    with pytest.raises(UserError, match=message):
        set_preferences(school.student, choices)
