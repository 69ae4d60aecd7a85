"""Public pages kept whole per process (/v/, /s/) and the kept API answer: always the present.

Each test reaches a kept page (the first anonymous visit keeps it), changes something
the page shows, and asks again: the answer must be the one a fresh render gives, which
is also checked byte for byte against a render with every cache cleared.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.badges.services import update_badge
from app.extensions import db
from app.issuing.profile import IssuerInput
from app.issuing.profile import issuer_profile
from app.issuing.profile import update_issuer_profile
from app.keyring import issuing_context
from app.share import kept_pages
from app.share.services import set_sharing
from app.share.services import set_verification_link
from app.verify import verdicts
from tests.fixtures.badges import badge_input
from tests.fixtures.clock import hold_clock
from tests.fixtures.credentials import each_status_change
from tests.fixtures.signin import sign_in


@pytest.fixture
def fixed_clock(monkeypatch, now):
    """The pages' clock, held at `now` + 1 day (the verification page prints the minute)."""
    return hold_clock(monkeypatch, kept_pages, now)


@pytest.fixture
def shared(issued, school, fixed_clock):
    set_sharing(issued, actor=school.student, enabled=True)
    db.session.commit()
    kept_pages.pages.clear()
    verdicts.reports.clear()
    yield issued
    kept_pages.pages.clear()
    verdicts.reports.clear()


def _paths(credential) -> tuple[str, str]:
    return f"/v/{credential.verify_token}", f"/s/{credential.share_token}"


def _fresh(client, path: str):
    """The page rendered with every per-process cache emptied first."""
    kept_pages.pages.clear()
    verdicts.reports.clear()
    return client.get(path)


def _same(kept, fresh) -> None:
    assert kept.status_code == fresh.status_code == 200
    assert kept.get_data() == fresh.get_data()
    assert sorted(kept.headers.items()) == sorted(fresh.headers.items())


@pytest.mark.parametrize("which", [0, 1], ids=["verify", "share"])
def test_kept_page_is_byte_identical_to_a_fresh_render(client, shared, which, renders):
    path = _paths(shared)[which]
    first = client.get(path)
    assert len(kept_pages.pages) == 1
    rendered = len(renders)
    kept = client.get(path)
    assert len(renders) == rendered, "the second visit is served from the kept page"
    _same(kept, first)
    _same(kept, _fresh(client, path))
    assert kept.headers["Cache-Control"] == "private, no-store"
    assert "nonce" not in kept.headers["Content-Security-Policy"]


def test_status_changes_show_on_the_next_page(client, shared, school, fixed_clock):
    for path in _paths(shared):
        client.get(path)
    for change, heading in each_status_change(
        shared, actor=school.instructor, now=fixed_clock["now"]
    ):
        for path in _paths(shared):
            page = client.get(path)
            assert heading in page.get_data(as_text=True), (change, path)
            _same(page, _fresh(client, path))
            client.get(path)  # kept again for the next change


def test_issuer_profile_edit_shows_on_the_next_page(client, shared, school):
    for path in _paths(shared):
        client.get(path)
    profile = issuer_profile(issuing_context().public_url)
    update_issuer_profile(
        profile, IssuerInput(name="Riverside Technical High", url=profile.url), actor=school.admin
    )
    db.session.commit()
    for path in _paths(shared):
        page = client.get(path)
        assert "Riverside Technical High" in page.get_data(as_text=True)
        _same(page, _fresh(client, path))


def test_learner_name_correction_shows_on_the_next_answer(client, shared, school):
    for path in _paths(shared):
        client.get(path)
    client.post("/api/v1/verify", data=shared.json_text, content_type="application/json")
    school.student.name = "Samantha Student"
    db.session.commit()
    for path in _paths(shared):
        page = client.get(path)
        _same(page, _fresh(client, path))
    answer = client.post("/api/v1/verify", data=shared.json_text, content_type="application/json")
    assert answer.get_json()["record"]["learner_name"] == "Samantha Student"


def test_badge_edit_gives_the_fresh_page(client, shared, school, fixed_clock):
    for path in _paths(shared):
        client.get(path)
    badge = shared.badge
    update_badge(
        badge,
        badge_input(name="Vehicle Restoration II", criteria_narrative="Rebuild an engine."),
        actor=school.instructor,
        expected_revision=badge.revision,
        now=fixed_clock["now"],
    )
    db.session.commit()
    for path in _paths(shared):
        _same(client.get(path), _fresh(client, path))


def test_switching_off_answers_404_at_once(client, shared, school):
    verify_path, share_path = _paths(shared)
    assert client.get(share_path).status_code == 200
    assert client.get(verify_path).status_code == 200
    set_sharing(shared, actor=school.student, enabled=False)
    db.session.commit()
    assert client.get(share_path).status_code == 404
    set_verification_link(shared, actor=school.student, enabled=False)
    db.session.commit()
    assert client.get(verify_path).status_code == 404


def test_each_switch_shows_on_the_other_page_at_once(client, shared, school):
    """The share page shows the verification link's QR code; the verify page the documents."""
    verify_path, share_path = _paths(shared)
    for path in (verify_path, share_path):
        client.get(path)
    set_verification_link(shared, actor=school.student, enabled=False)
    db.session.commit()
    page = client.get(share_path)
    _same(page, _fresh(client, share_path))
    set_verification_link(shared, actor=school.student, enabled=True)
    db.session.commit()
    client.get(verify_path)
    assert "Signed credential (JSON)" in client.get(verify_path).get_data(as_text=True)
    set_sharing(shared, actor=school.student, enabled=False)
    db.session.commit()
    page = client.get(verify_path)
    assert "Signed credential (JSON)" not in page.get_data(as_text=True)
    _same(page, _fresh(client, verify_path))


def test_the_clock_crossing_a_validity_date_renders_afresh(client, shared, fixed_clock):
    verify_path, share_path = _paths(shared)
    for path in (verify_path, share_path):
        assert "Genuine" in client.get(path).get_data(as_text=True)
    fixed_clock["now"] = shared.valid_until + timedelta(days=1)
    for path in (verify_path, share_path):
        page = client.get(path)
        assert "Expired on" in page.get_data(as_text=True)
        _same(page, _fresh(client, path))


def test_a_signed_in_person_never_gets_someone_elses_page(client, shared, school):
    for path in _paths(shared):
        sign_in(client, school.admin)
        mine = client.get(path).get_data(as_text=True)
        assert "Ada Admin" in mine and "csrf_token" in mine
        sign_in(client, None)
        anonymous = client.get(path).get_data(as_text=True)
        assert "Ada Admin" not in anonymous and "csrf_token" not in anonymous
        sign_in(client, school.student)
        theirs = client.get(path).get_data(as_text=True)
        assert "Sam Student" in theirs and "Ada Admin" not in theirs
        sign_in(client, None)
        assert client.get(path).get_data(as_text=True) == anonymous


def test_an_address_with_a_query_is_rendered_for_itself(client, shared):
    """The language form sends the visitor back to the address they came by, query included."""
    for path in _paths(shared):
        queried = client.get(f"{path}?from=qr").get_data(as_text=True)
        assert f'name="next" value="{path}?from=qr"' in queried
        assert "from=qr" not in client.get(path).get_data(as_text=True)


def test_kept_api_answer_is_byte_identical_to_a_fresh_one(client, shared):
    def ask():
        return client.post("/api/v1/verify", data=shared.json_text, content_type="application/json")

    ask()
    kept = ask()
    verdicts.reports.clear()
    fresh = ask()
    assert kept.status_code == fresh.status_code == 200
    assert kept.get_data() == fresh.get_data()
    assert kept.headers["Content-Type"] == fresh.headers["Content-Type"]
