"""A badge's endorsements travel in the credentials issued after them, until withdrawn."""

from __future__ import annotations

import json

from app.endorsements.models import Endorsement
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.keyring import issuing_context
from app.models_base import utcnow
from tests.fixtures.signin import sign_in

from .conftest import ENDORSER


def _issue(school):
    badge = school.badge
    level = badge.rubric_levels[-1]["id"]
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=school.student,
        level_id=level,
        issued_by=school.instructor,
        now=utcnow(),
    )
    db.session.commit()
    return credential


def _embedded(credential) -> list[dict]:
    achievement = json.loads(credential.json_text)["credentialSubject"]["achievement"]
    return achievement.get("endorsement", [])


def _endorse(client, make_invite) -> Endorsement:
    assert client.post(f"/endorse/{make_invite()}", data=ENDORSER).status_code == 200
    return db.session.query(Endorsement).order_by(Endorsement.issued_at.desc()).first()


def test_credentials_issued_after_an_endorsement_embed_it(client, school, make_invite):
    before = _issue(school)
    endorsement = _endorse(client, make_invite)

    after = _issue(school)

    assert _embedded(before) == []
    assert _embedded(after) == [json.loads(endorsement.json_text)]


def test_the_credential_with_its_endorsement_verifies_and_shows_it(client, school, make_invite):
    _endorse(client, make_invite)
    credential = _issue(school)

    page = client.post("/verify", data={"text": credential.json_text})

    assert page.status_code == 200
    assert "Genuine" in page.text
    assert "Dana Ruiz" in page.text and "Riverside Garage" in page.text
    assert "Signature genuine: signed by the endorser’s own key" in page.text


def test_a_withdrawn_endorsement_no_longer_shows_or_embeds(client, school, make_invite):
    endorsement = _endorse(client, make_invite)
    endorsement_id, endorser_id = endorsement.id, endorsement.endorser_id
    earlier = _issue(school)
    sign_in(client, school.instructor)
    assert "Endorsed by" in client.get(f"/badges/{school.badge.slug}").text
    sign_in(client, school.admin)

    answer = client.post(f"/endorsements/{endorsement_id}/withdraw", data={"reason": "Asked to."})

    assert answer.status_code == 302
    later = _issue(school)
    assert _embedded(later) == []
    assert client.get(f"/endorsements/{endorsement_id}").status_code == 410
    assert "Endorsed by" not in client.get(f"/badges/{school.badge.slug}").text
    # The credential issued before still carries the signed bytes; Laurel's verifier
    # leaves the withdrawn endorsement out and says so.
    page = client.post("/verify", data={"text": earlier.json_text})
    assert "endorses this badge" not in page.text
    assert "withdrawn by the school since and is not shown" in page.text
    # The endorser's identifier still resolves, so old signatures stay checkable.
    assert client.get(f"/endorsers/{endorser_id}/did.json").status_code == 200


def test_a_withdrawal_twice_is_a_conflict(client, school, make_invite):
    endorsement_id = _endorse(client, make_invite).id
    sign_in(client, school.admin)
    client.post(f"/endorsements/{endorsement_id}/withdraw", data={"reason": ""})

    again = client.post(f"/endorsements/{endorsement_id}/withdraw", data={"reason": ""})

    assert again.status_code == 409


def test_the_badge_pages_show_its_endorsements(client, school, make_invite):
    _endorse(client, make_invite)

    public = client.get(f"/achievements/{school.badge.achievement_uuid}")

    assert public.status_code == 200
    assert "Endorsed by" in public.text and "Riverside Garage" in public.text
    assert "<strong>brakes</strong>" in public.text  # the comment's Markdown, rendered


def test_the_share_page_shows_the_credentials_endorsements(client, school, make_invite, issued):
    token = make_invite(credential=issued)
    client.post(f"/endorse/{token}", data={**ENDORSER, "subject": issued.id})
    issued.share_enabled = True
    db.session.commit()

    page = client.get(f"/s/{issued.share_token}")

    assert page.status_code == 200
    assert "Dana Ruiz" in page.text and "endorses this credential" in page.text


def test_a_credentials_endorsement_is_private_while_the_credential_is(
    client, school, make_invite, issued
):
    token = make_invite(credential=issued)
    client.post(f"/endorse/{token}", data={**ENDORSER, "subject": issued.id})
    endorsement_id = db.session.query(Endorsement).one().id

    hidden = client.get(f"/endorsements/{endorsement_id}")
    sign_in(client, school.student)
    shown = client.get(f"/endorsements/{endorsement_id}")

    assert hidden.status_code == 404
    assert shown.status_code == 200 and shown.json["credentialSubject"]["id"].endswith(issued.id)


def test_a_withdrawal_shows_at_once_on_a_kept_public_page(client, school, make_invite, issued):
    token = make_invite(credential=issued)
    client.post(f"/endorse/{token}", data={**ENDORSER, "subject": issued.id})
    endorsement_id = db.session.query(Endorsement).one().id
    issued.share_enabled = True
    db.session.commit()
    assert "endorses this credential" in client.get(f"/s/{issued.share_token}").text
    admin = sign_in(client.application.test_client(), school.admin)

    admin.post(f"/endorsements/{endorsement_id}/withdraw", data={"reason": ""})
    sign_in(client, None)  # an anonymous visitor again (the test's context cached the admin)

    assert "endorses this credential" not in client.get(f"/s/{issued.share_token}").text
