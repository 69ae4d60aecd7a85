"""The JSON verify report (/api/v1/verify) reports each endorsement the credential embeds,
verified against the endorser's did:web here; one the school withdrew since is failed,
with the reason the admin gave.
"""

from __future__ import annotations

from app.extensions import db
from tests.fixtures.signin import sign_in

from .test_embedding import _endorse
from .test_embedding import _issue


def _endorsements(client, credential) -> list[dict]:
    answer = client.post(
        "/api/v1/verify", data=credential.json_text, content_type="application/json"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json["verified"] is True
    return answer.json["endorsements"]


def test_the_json_report_names_each_endorsement_and_a_withdrawal(client, school, make_invite):
    endorsement = _endorse(client, make_invite)
    endorsement_id = endorsement.id
    credential = _issue(school)

    [found] = _endorsements(client, credential)
    assert found["verified"] is True and found["outcome"] == "verified"
    assert found["endorser"]["name"] == "Dana Ruiz"
    assert found["about"] == "achievement"
    assert found["id"] == f"https://laurel.test/endorsements/{endorsement_id}"

    sign_in(client, school.admin)
    client.post(f"/endorsements/{endorsement_id}/withdraw", data={"reason": "Asked to."})
    db.session.expire_all()

    [withdrawn] = _endorsements(client, credential)
    assert withdrawn["verified"] is False
    assert withdrawn["reason"] == "The school that keeps it withdrew this endorsement (Asked to.)."
