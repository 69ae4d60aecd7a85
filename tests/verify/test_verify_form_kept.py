"""The verify form's result page, kept whole with a kept report for anonymous visitors: always
the present.

Pasting one of the school's credentials into /verify gives a report kept per process
(`app.verify.verdicts`), and the result page is kept with it (`app.verify.views`). Each
test posts the credential, changes something the page shows, and posts it again: the
answer must show the change and be, byte for byte, the page a render with every cache
cleared gives.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.badges.services import update_badge
from app.endorsements import services as endorsements
from app.extensions import db
from app.i18n import COOKIE
from app.issuing.profile import IssuerInput
from app.issuing.profile import issuer_profile
from app.issuing.profile import update_issuer_profile
from app.keyring import issuing_context
from app.models_base import utcnow
from app.verify import verdicts
from app.verify import views
from app.verify.service import run_verification
from tests.endorsements.conftest import ENDORSER
from tests.fixtures.badges import badge_input
from tests.fixtures.clock import hold_clock
from tests.fixtures.credentials import each_status_change
from tests.fixtures.signin import sign_in

RESULT = "verify/result.html"


@pytest.fixture
def fixed_clock(monkeypatch, now):
    """The form's clock, held at `now` + 1 day (the result page prints the minute)."""
    return hold_clock(monkeypatch, views, now)


@pytest.fixture
def pasted(issued, fixed_clock):
    """Sam's credential, with no report kept yet in this process."""
    verdicts.reports.clear()
    yield issued
    verdicts.reports.clear()


def _post(client, credential, path: str = "/verify"):
    return client.post(path, data={"text": credential.json_text})


def _results(renders: list[str]) -> int:
    return renders.count(RESULT)


def _same_as_fresh(client, credential, answer) -> None:
    """`answer` is the page a render with no report kept gives, headers and all."""
    verdicts.reports.clear()
    fresh = _post(client, credential)
    assert answer.status_code == fresh.status_code == 200
    assert answer.get_data() == fresh.get_data()
    assert sorted(answer.headers.items()) == sorted(fresh.headers.items())


def _kept_pages(credential, now) -> list:
    """The result pages kept with the credential's pasted report."""
    answers = run_verification(credential.json_text, now=now).answers
    assert answers is not None
    return [key for key in answers if key[0] == views.KEPT_RESULT]


def test_the_second_post_is_the_kept_page_byte_identical(client, pasted, renders):
    first = _post(client, pasted)
    assert _results(renders) == 1
    kept = _post(client, pasted)
    assert _results(renders) == 1, "the second post is served from the kept page"
    assert kept.get_data() == first.get_data()
    assert sorted(kept.headers.items()) == sorted(first.headers.items())
    assert kept.headers["Cache-Control"] == "private, no-store"
    assert kept.headers["Permissions-Policy"].startswith("camera=(self)")
    _same_as_fresh(client, pasted, kept)


def test_status_changes_show_on_the_next_post(client, pasted, school, fixed_clock):
    _post(client, pasted)
    for change, heading in each_status_change(
        pasted, actor=school.instructor, now=fixed_clock["now"]
    ):
        answer = _post(client, pasted)
        assert heading in answer.get_data(as_text=True), change
        _same_as_fresh(client, pasted, answer)


def test_a_learner_name_correction_renders_afresh(client, pasted, school, renders):
    """The page names the learner as the credential signs it, or else as the row does."""
    _post(client, pasted)
    school.student.name = "Samantha Student"
    db.session.commit()
    answer = _post(client, pasted)
    assert _results(renders) == 2
    _same_as_fresh(client, pasted, answer)


def test_a_badge_edit_renders_afresh(client, pasted, school, fixed_clock, renders):
    _post(client, pasted)
    badge = pasted.badge
    update_badge(
        badge,
        badge_input(name="Vehicle Restoration II", criteria_narrative="Rebuild an engine."),
        actor=school.instructor,
        expected_revision=badge.revision,
        now=fixed_clock["now"],
    )
    db.session.commit()
    answer = _post(client, pasted)
    assert _results(renders) == 2
    _same_as_fresh(client, pasted, answer)


def test_an_endorsement_given_and_withdrawn_shows_on_the_next_post(client, pasted, school):
    _post(client, pasted)
    token = endorsements.create_invite(
        badge=pasted.badge,
        credential=pasted,
        invitee="Dana Ruiz, Riverside Garage",
        actor=school.instructor,
        now=utcnow(),
    )
    endorsement = endorsements.endorse(
        token,
        endorsements.EndorserInput(**{**ENDORSER, "subject": pasted.id}),
        ctx=issuing_context(),
        now=utcnow(),
    )
    db.session.commit()
    answer = _post(client, pasted)
    assert "endorses this credential" in answer.get_data(as_text=True)
    _same_as_fresh(client, pasted, answer)
    _post(client, pasted)
    endorsements.withdraw(endorsement, actor=school.admin, reason="", now=utcnow())
    db.session.commit()
    answer = _post(client, pasted)
    assert "endorses this credential" not in answer.get_data(as_text=True)
    _same_as_fresh(client, pasted, answer)


def test_a_new_school_name_shows_on_the_next_post(client, pasted, school):
    _post(client, pasted)
    profile = issuer_profile(issuing_context().public_url)
    update_issuer_profile(
        profile, IssuerInput(name="Riverside Technical High", url=profile.url), actor=school.admin
    )
    db.session.commit()
    answer = _post(client, pasted)
    assert "Riverside Technical High" in answer.get_data(as_text=True)
    _same_as_fresh(client, pasted, answer)


def test_each_language_gets_its_own_page(client, pasted, renders):
    english = _post(client, pasted).get_data(as_text=True)
    client.set_cookie(COOKIE, "es")
    spanish = _post(client, pasted)
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    assert _results(renders) == 2
    client.delete_cookie(COOKIE)
    assert _post(client, pasted).get_data(as_text=True) == english
    assert _results(renders) == 2, "the English page is kept beside the Spanish one"
    client.set_cookie(COOKIE, "es")
    _same_as_fresh(client, pasted, spanish)


def test_a_new_minute_renders_afresh_and_replaces_the_page(
    client, pasted, fixed_clock, renders, app
):
    _post(client, pasted)
    fixed_clock["now"] += timedelta(seconds=30)
    _post(client, pasted)
    assert _results(renders) == 1, "the same minute: the kept page"
    fixed_clock["now"] += timedelta(minutes=1)
    answer = _post(client, pasted)
    assert _results(renders) == 2
    assert "24 Nov 2026, 10:01 UTC" in answer.get_data(as_text=True)
    _same_as_fresh(client, pasted, answer)
    with app.test_request_context("/verify", method="POST"):
        assert len(_kept_pages(pasted, fixed_clock["now"])) == 1


def test_a_signed_in_person_gets_their_own_page(client, pasted, school, renders):
    anonymous = _post(client, pasted).get_data(as_text=True)
    sign_in(client, school.admin)
    mine = _post(client, pasted).get_data(as_text=True)
    assert "Ada Admin" in mine and "csrf_token" in mine
    assert _results(renders) == 2
    sign_in(client, None)
    assert _post(client, pasted).get_data(as_text=True) == anonymous
    assert _results(renders) == 2


def test_a_flashed_message_or_a_query_renders_afresh(client, pasted, renders):
    anonymous = _post(client, pasted).get_data(as_text=True)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Welcome back.")]
    assert "Welcome back." in _post(client, pasted).get_data(as_text=True)
    queried = _post(client, pasted, "/verify?from=qr").get_data(as_text=True)
    assert 'name="next" value="/verify?from=qr"' in queried
    assert _results(renders) == 3
    assert _post(client, pasted).get_data(as_text=True) == anonymous
    assert _results(renders) == 3


def test_a_report_not_kept_renders_every_time(client, pasted, renders):
    tampered = pasted.json_text.replace("Sam Student", "Sam Forger")
    assert tampered != pasted.json_text
    for _ in range(2):
        assert client.post("/verify", data={"text": tampered}).status_code == 422
    assert _results(renders) == 2
