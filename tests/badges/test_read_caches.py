"""What the read paths keep in memory never outlives what it was made from.

Signed documents carry a strong ETag (304 only when it matches, and only to readers
who may see them); a correction is a new document with a new ETag; a badge edit shows
on the next page although Markdown and QR codes are kept by their text.
"""

from __future__ import annotations

import json

import pytest

from app.accounts.names import correct_name
from app.badges.models import CredentialState
from app.badges.services import update_badge
from app.extensions import db
from app.issuing.reissue import reissue_credential
from app.keyring import issuing_context
from app.main.filters import render_markdown
from app.share.qr import qr_data_uri
from app.share.qr import qr_png
from tests.fixtures.badges import badge_input


def _document(client, credential, form="json", **headers):
    return client.get(f"/credentials/{credential.id}?format={form}", headers=headers)


def test_shared_document_strong_etag_304_only_when_it_matches(client, issued):
    issued.share_enabled = True
    db.session.commit()
    first = _document(client, issued)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.get_data(as_text=True) == issued.json_text
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, no-cache"

    again = _document(client, issued, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag

    for other in ('"not-this-one"', 'W/"' + etag.strip('"') + 'x"'):
        stale = _document(client, issued, **{"If-None-Match": other})
        assert stale.status_code == 200, other
        assert stale.get_data(as_text=True) == issued.json_text

    jwt = _document(client, issued, "jwt")
    assert jwt.status_code == 200 and jwt.get_data(as_text=True) == issued.jwt_text
    assert jwt.headers["ETag"] != etag
    assert _document(client, issued, "jwt", **{"If-None-Match": etag}).status_code == 200


def test_unshared_document_etag_is_no_way_in_for_strangers(client, login, school, issued):
    login(school.student)
    mine = _document(client, issued)
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "private, no-store"
    etag = mine.headers["ETag"]
    assert _document(client, issued, **{"If-None-Match": etag}).status_code == 304

    for stranger in (None, school.other_student):
        login(stranger)
        for tag in (etag, "*"):
            refused = _document(client, issued, **{"If-None-Match": tag})
            assert refused.status_code == 404, (stranger, tag)
            assert issued.json_text not in refused.get_data(as_text=True)


def test_etag_follows_the_document_revoke_keeps_it_correction_changes_it(
    client, login, school, issued, now
):
    issued.share_enabled = True
    db.session.commit()
    before = _document(client, issued).headers["ETag"]
    login(school.instructor)
    client.post(f"/credentials/{issued.id}/suspend", data={"reason": "Checking the evidence"})
    db.session.expire_all()
    assert issued.state == CredentialState.SUSPENDED
    # Suspending changes the published status, not the signed document: same bytes, same tag.
    assert _document(client, issued, **{"If-None-Match": before}).status_code == 304
    client.post(f"/credentials/{issued.id}/reinstate", data={"reason": "Fine"})

    correct_name(school.student, "Samuel Student", actor=school.admin)
    fresh = reissue_credential(issued, ctx=issuing_context(), actor=school.admin, now=now)
    fresh.share_enabled = True
    db.session.commit()
    corrected = _document(client, fresh)
    assert corrected.status_code == 200
    assert "Samuel Student" in corrected.get_data(as_text=True)
    assert corrected.headers["ETag"] != before
    assert _document(client, fresh, **{"If-None-Match": before}).status_code == 200
    # The old credential is revoked at once wherever it is checked.
    page = client.get(f"/v/{issued.verify_token}").get_data(as_text=True)
    assert "Revoked" in page and "Genuine" not in page


def test_badge_edit_shows_on_the_next_page(client, school, make_badge, now):
    badge = make_badge(school.instructor, now=now, criteria_narrative="Weld a **frame**.")
    page = client.get(f"/achievements/{badge.achievement_uuid}?format=html")
    assert "Weld a <strong>frame</strong>." in page.get_data(as_text=True)

    update_badge(
        badge,
        badge_input(name="Frame Welding", criteria_narrative="Weld a *chassis*."),
        actor=school.instructor,
        expected_revision=badge.revision,
        now=now,
    )
    db.session.commit()
    text = client.get(f"/achievements/{badge.achievement_uuid}?format=html").get_data(as_text=True)
    assert "Weld a <em>chassis</em>." in text and "Frame Welding" in text
    assert "<strong>frame</strong>" not in text


@pytest.mark.parametrize(
    "text",
    ["**bold**", "<script>alert(1)</script>*x*", "[a](javascript:alert(1))", "x" * 25_000],
)
def test_markdown_kept_is_the_same_sanitized_html(text):
    first, second = render_markdown(text), render_markdown(text)
    assert first == second
    assert "<script" not in first and "javascript:" not in first


def test_qr_codes_kept_by_content():
    one = qr_data_uri("https://laurel.test/v/one", box_size=6, border=2)
    assert qr_data_uri("https://laurel.test/v/one", box_size=6, border=2) == one
    assert qr_data_uri("https://laurel.test/v/two", box_size=6, border=2) != one
    assert qr_data_uri("https://laurel.test/v/one", box_size=4, border=2) != one
    assert qr_png("https://laurel.test/v/one") != qr_png("https://laurel.test/v/two")


def test_document_json_is_the_stored_bytes(client, issued):
    issued.share_enabled = True
    db.session.commit()
    body = _document(client, issued).get_data(as_text=True)
    assert json.loads(body)["id"].endswith(issued.id) and body == issued.json_text
