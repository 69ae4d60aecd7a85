"""upsertCredential keeps only credentials awarded to the token's learner.

What counts (app/backpack/store.py, names_owner): credentialSubject.id is the learner's
id (urn:uuid:<learner uuid>, their DID, or mailto:<their e-mail>), or an emailAddress
identifier is their e-mail, hashed with its salt or plain. Bad inputs tried: the school's
own credential for another student, another learner's id, only the learner's name,
no recipient at all, another address hashed.
"""

from __future__ import annotations

import json
import uuid

import pytest

from app.credentials.document import hash_identity
from tests.verify.factory import did_key_forgery


def _upsert(backpack, oauth, document: dict):
    return oauth.post(
        backpack.credentials_url,
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )


def _with_subject(issued, **subject) -> dict:
    """The learner's credential re-signed by another issuer, its subject made `subject`."""
    document = json.loads(issued.json_text)
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    kept = {k: v for k, v in document["credentialSubject"].items() if k in ("type", "achievement")}
    document["credentialSubject"] = {**kept, **subject}
    forged, _did = did_key_forgery(document)
    return forged


def _email(value: str, *, hashed: bool, salt: str = "pepper") -> dict:
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": hashed,
        "identityHash": hash_identity(value, salt) if hashed else value,
        **({"salt": salt} if hashed else {}),
    }


def _assert_refused(answer) -> None:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["imsx_codeMajor"] == "failure"
    assert "not awarded to this learner" in body["imsx_description"]
    field = body["imsx_codeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == "invalid_data"


def test_the_schools_credential_for_another_student_is_refused(backpack, school, make_credential):
    oauth = backpack.connect(backpack.register(), school.student)
    other = make_credential(recipient=school.other_student)
    _assert_refused(_upsert(backpack, oauth, json.loads(other.json_text)))
    listed = oauth.get(backpack.credentials_url, timeout=30)
    assert other.id not in listed.text


@pytest.mark.parametrize(
    "subject",
    [
        {"id": "urn:uuid:00000000-0000-4000-8000-000000000001"},
        "the learner's name",
        {},
        {"identifier": [_email("someone.else@school.test", hashed=True)]},
    ],
    ids=["another-id", "name-only", "no-recipient", "another-email"],
)
def test_a_credential_naming_someone_else_is_refused(backpack, school, issued, subject):
    if subject == "the learner's name":
        name = {"type": "IdentityObject", "identityType": "name", "hashed": False}
        subject = {"identifier": [{**name, "identityHash": school.student.name}]}
    oauth = backpack.connect(backpack.register(), school.student)
    _assert_refused(_upsert(backpack, oauth, _with_subject(issued, **subject)))


@pytest.mark.parametrize("form", ["subject-id", "mailto", "hashed-email", "plain-email"])
def test_a_credential_naming_the_learner_is_kept(backpack, school, issued, form):
    student = school.student
    subject = {
        "subject-id": {"id": student.subject_id},
        "mailto": {"id": f"mailto:{student.email.upper()}"},
        "hashed-email": {"identifier": [_email(student.email.lower(), hashed=True)]},
        "plain-email": {"identifier": [_email(student.email, hashed=False)]},
    }[form]
    oauth = backpack.connect(backpack.register(), student)
    answer = _upsert(backpack, oauth, _with_subject(issued, **subject))
    assert answer.status_code == 201, answer.text


def test_the_service_description_says_whose_credentials_are_kept(client, app_ctx):
    document = client.get("/ims/ob/v3p0/discovery").get_json()
    upsert = document["paths"]["/credentials"]["post"]
    assert "awarded to the token's learner" in upsert["description"]
