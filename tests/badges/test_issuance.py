"""Issuance, status lists, the well-known documents and the credential routes."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusSlot
from app.badges.services import BadgeInput
from app.badges.services import RubricLevelInput
from app.badges.services import update_badge
from app.credentials.document import hash_identity
from app.credentials.keys import KeyStore
from app.credentials.keys import public_key_from_jwk
from app.credentials.keys import public_key_from_multikey
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.proofs.vc_jwt import read_jwt
from app.credentials.proofs.vc_jwt import verify_jwt
from app.credentials.schema import validate_credential
from app.credentials.status import StatusList
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.issuing.documents import add_months
from app.issuing.issuance import issue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.issuing.urls import credential_url
from app.keyring import issuing_context
from tests.fixtures.badges import badge_input
from tests.fixtures.credentials import PUBLIC_EVIDENCE

PUBLIC = "https://laurel.test"
ISSUER = "did:web:laurel.test"


def level_id(badge: Badge, name: str) -> str:
    return next(lv["id"] for lv in badge.rubric_levels if lv["name"] == name)


def verify_with_published_keys(client, document: dict) -> None:
    """Verify every DI proof of `document` with the key the DID document route publishes."""
    did_document = client.get("/.well-known/did.json").get_json()
    methods = {m["id"]: m for m in did_document["verificationMethod"]}
    for proof in document["proof"]:
        assert proof["verificationMethod"] in did_document["assertionMethod"]
        key = public_key_from_multikey(methods[proof["verificationMethod"]]["publicKeyMultibase"])
        verify_proof(document, proof, public_key=key)


def test_issue_credential_document_is_valid_and_private(issued, school, now):
    document = json.loads(issued.json_text)
    validate_credential(document)
    assert (
        document["id"]
        == f"{PUBLIC}/credentials/{issued.id}"
        == credential_url(issuing_context().public_url, issued)
    )
    assert document["issuer"]["id"] == ISSUER
    assert document["validFrom"] == "2026-11-23T10:00:00Z"
    assert document["validUntil"] == "2027-11-23T10:00:00Z"
    subject = document["credentialSubject"]
    assert subject["id"] == school.student.subject_id
    name, identifier = subject["identifier"]
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": school.student.name,
    }
    assert identifier["identityType"] == "emailAddress" and identifier["hashed"] is True
    assert identifier["identityHash"] == hash_identity(
        school.student.email, school.student.identity_salt
    )
    assert school.student.email not in issued.json_text
    achievement = subject["achievement"]
    assert achievement["id"] == f"{PUBLIC}/achievements/{issued.badge.achievement_uuid}"
    assert achievement["image"]["id"] == f"{achievement['id']}/image"
    assert achievement["version"] == "1"
    assert achievement["alignment"][0]["targetCode"] == "A5"
    rubric = achievement["resultDescription"][0]
    assert [lv["name"] for lv in rubric["rubricCriterionLevel"]] == [
        "Developing",
        "Proficient",
        "Mastery",
    ]
    assert rubric["requiredLevel"] == issued.badge.required_level_id
    assert (
        subject["result"][0]["achievedLevel"]
        == issued.level_id
        == level_id(issued.badge, "Proficient")
    )
    assert document["evidence"][0]["name"] == PUBLIC_EVIDENCE.name
    status = document["credentialStatus"]
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{PUBLIC}/status/revocation/1"
    assert status["statusListIndex"] == str(issued.revocation_index)
    assert issued.level_name == "Proficient" and issued.badge_version == 1
    assert len(issued.share_token) >= 32


def test_issue_credential_proof_verifies_with_did_document_route(issued, client):
    verify_with_published_keys(client, json.loads(issued.json_text))


def test_issue_credential_jwt_verifies_with_jwks_route(issued, client):
    header, _ = read_jwt(issued.jwt_text)
    response = client.get("/.well-known/jwks.json")
    assert response.headers["Content-Type"] == "application/jwk-set+json"
    jwk = next(k for k in response.get_json()["keys"] if k["kid"] == header["kid"])
    credential = verify_jwt(issued.jwt_text, public_key=public_key_from_jwk(jwk), algorithm="RS256")
    assert credential == json.loads(issued.json_text)


def test_issue_credential_tampered_document_fails_verification(issued, client):
    from app.credentials.errors import ProofError

    document = json.loads(issued.json_text)
    document["credentialSubject"]["result"][0]["achievedLevel"] = level_id(issued.badge, "Mastery")
    with pytest.raises(ProofError):
        verify_with_published_keys(client, document)


def test_issue_credential_reserves_two_distinct_status_slots(issued):
    slots = db.session.scalars(
        select(StatusSlot).where(StatusSlot.credential_id == issued.id)
    ).all()
    assert sorted(s.index for s in slots) == sorted(
        [issued.revocation_index, issued.suspension_index]
    )
    assert len({s.status_list_id for s in slots}) == 2


def test_issue_credential_same_submission_returns_same_credential(school, make_badge, now):
    badge = make_badge(school.instructor)
    submission = Submission(
        badge_id=badge.id, student_id=school.student.id, state=SubmissionState.APPROVED
    )
    db.session.add(submission)
    db.session.commit()
    first = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=school.student,
        level_id=None,
        issued_by=school.instructor,
        now=now,
        submission_id=submission.id,
    )
    db.session.commit()
    second = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=school.student,
        level_id=None,
        issued_by=school.instructor,
        now=now + timedelta(seconds=5),
        submission_id=submission.id,
    )
    assert second.id == first.id
    assert db.session.scalar(select(db.func.count()).select_from(IssuedCredential)) == 1
    assert first.level_id == badge.required_level_id  # default level


def test_issue_credential_level_below_required_refused(school, make_badge, now):
    badge = make_badge(school.instructor)
    with pytest.raises(UserError, match="below “Proficient”"):
        issue_credential(
            issuing_context(),
            badge=badge,
            recipient=school.student,
            level_id=level_id(badge, "Developing"),
            issued_by=school.instructor,
            now=now,
        )


def test_issue_credential_draft_badge_refused(school, make_badge, now):
    badge = make_badge(school.instructor, published=False)
    with pytest.raises(UserError, match="Publish the badge"):
        issue_credential(
            issuing_context(),
            badge=badge,
            recipient=school.student,
            level_id=None,
            issued_by=None,
            now=now,
        )


def test_issue_credential_badge_edited_meanwhile_conflicts_and_writes_nothing(
    school, make_badge, now
):
    """Does an edit committed between loading and approving give 409, not a half-written state?"""
    badge = make_badge(school.instructor)
    badge_id = badge.id
    with db.engine.begin() as other_transaction:
        other_transaction.execute(
            update(Badge)
            .where(Badge.id == badge_id)
            .values(name="Edited meanwhile", revision=Badge.revision + 1)
        )
    with pytest.raises(Conflict) as raised:
        issue_credential(
            issuing_context(),
            badge=badge,
            recipient=school.student,
            level_id=None,
            issued_by=None,
            now=now,
        )
    assert raised.value.status_code == 409
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(IssuedCredential)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(StatusSlot)) == 0
    assert db.session.get(Badge, badge_id).issued_version is None


def test_update_badge_after_issue_bumps_version_credential_keeps_old(issued, school, client, now):
    badge = issued.badge
    update_badge(
        badge,
        badge_input(name="Vehicle Restoration II", description="New text."),
        actor=school.instructor,
        expected_revision=badge.revision,
        now=now,
    )
    db.session.commit()
    assert badge.version == 2
    stored = json.loads(db.session.get(IssuedCredential, issued.id).json_text)
    assert stored["credentialSubject"]["achievement"]["version"] == "1"
    assert stored["credentialSubject"]["achievement"]["name"] == "Vehicle Restoration"
    current = client.get(
        f"/achievements/{badge.achievement_uuid}", headers={"Accept": "application/json"}
    ).get_json()
    assert (current["version"], current["name"]) == ("2", "Vehicle Restoration II")
    # A second edit of a version nobody holds yet does not bump again.
    update_badge(
        badge,
        badge_input(name="Vehicle Restoration III"),
        actor=school.instructor,
        expected_revision=badge.revision,
        now=now,
    )
    assert badge.version == 2


def test_update_badge_removed_level_keeps_issued_level_in_credential(issued, school, now):
    badge = issued.badge
    levels = [RubricLevelInput("Beginning"), RubricLevelInput("Secure")]
    update_badge(
        badge,
        BadgeInput(
            **{**badge_input().__dict__, "rubric_levels": levels, "required_level": "Secure"}
        ),
        actor=school.instructor,
        expected_revision=badge.revision,
        now=now,
    )
    assert issued.level_name == "Proficient"
    assert "Proficient" in issued.json_text


@pytest.fixture
def shared(issued):
    """The credential, shared by its learner: its document is public."""
    issued.share_enabled = True
    db.session.commit()
    return issued


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/ld+json", "application/vc+ld+json"),
        ("application/vc+ld+json", "application/vc+ld+json"),
        ("application/json", "application/vc+ld+json"),
    ],
)
def test_credential_route_json_accept_returns_stored_bytes(shared, client, accept, content_type):
    response = client.get(f"/credentials/{shared.id}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.data == shared.json_text.encode("utf-8")
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "accept"), [("", "text/plain"), ("", "application/jwt"), ("?format=jwt", "text/html")]
)
def test_credential_route_jwt_returns_stored_token(shared, client, query, accept):
    response = client.get(f"/credentials/{shared.id}{query}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.data == shared.jwt_text.encode("ascii")


def test_credential_route_format_json_overrides_accept(shared, client):
    response = client.get(f"/credentials/{shared.id}?format=json", headers={"Accept": "text/html"})
    assert response.data == shared.json_text.encode("utf-8")


def test_credential_route_unknown_format_is_400(issued, client):
    assert client.get(f"/credentials/{issued.id}?format=xml").status_code == 400


def test_credential_route_unknown_id_is_404(client, app_ctx):
    assert (
        client.get(
            "/credentials/00000000-0000-0000-0000-000000000000",
            headers={"Accept": "application/json"},
        ).status_code
        == 404
    )


def test_credential_page_recipient_sees_it(issued, school, login):
    page = login(school.student).get(f"/credentials/{issued.id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    for text in (b"Vehicle Restoration", b"Sam Student", b"Proficient", b"Active"):
        assert text in page.data
    assert b"Revoke this credential" not in page.data


def test_credential_page_other_student_gets_404(issued, school, login):
    page = login(school.other_student).get(
        f"/credentials/{issued.id}", headers={"Accept": "text/html"}
    )
    assert page.status_code == 404


def test_credential_page_anonymous_redirected_to_sign_in(issued, client):
    assert (
        client.get(f"/credentials/{issued.id}", headers={"Accept": "text/html"}).status_code == 302
    )


def test_revoke_route_instructor_with_reason_revokes_and_republishes(issued, school, login, client):
    reviewer = login(school.instructor)
    response = reviewer.post(
        f"/credentials/{issued.id}/revoke",
        data={"reason": "Evidence was copied.", "step": "confirm", "understood": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    credential = db.session.get(IssuedCredential, issued.id)
    assert credential.state == CredentialState.REVOKED
    assert credential.status_reason == "Evidence was copied."
    assert credential.status_changed_by_id == school.instructor.id
    page = reviewer.get(f"/credentials/{issued.id}", headers={"Accept": "text/html"}).data
    assert b"Revoked" in page and b"Evidence was copied." in page

    listed = client.get("/status/revocation/1")
    assert listed.status_code == 200
    assert listed.headers["Content-Type"] == "application/vc+ld+json"
    assert "max-age=300" in listed.headers["Cache-Control"]
    status_credential = json.loads(listed.data)
    verify_with_published_keys(client, status_credential)
    assert status_credential["id"] == f"{PUBLIC}/status/revocation/1"
    bits = StatusList.decode(status_credential["credentialSubject"]["encodedList"])
    assert bits.size >= 131072
    assert bits.get(credential.revocation_index) is True
    assert (
        sum(
            bits.get(i)
            for i in (credential.revocation_index - 1, credential.revocation_index + 1)
            if 0 <= i < bits.size
        )
        == 0
    )


def test_revoke_route_empty_reason_is_400(issued, school, login):
    response = login(school.instructor).post(
        f"/credentials/{issued.id}/revoke", data={"reason": "  "}
    )
    assert response.status_code == 400
    assert db.session.get(IssuedCredential, issued.id).state == CredentialState.ACTIVE


def test_revoke_route_other_instructor_forbidden(issued, school, login):
    response = login(school.other_instructor).post(
        f"/credentials/{issued.id}/revoke", data={"reason": "no"}
    )
    assert response.status_code == 403
    assert db.session.get(IssuedCredential, issued.id).state == CredentialState.ACTIVE


def test_revoke_route_recipient_forbidden(issued, school, login):
    response = login(school.student).post(
        f"/credentials/{issued.id}/revoke", data={"reason": "I want it gone"}
    )
    assert response.status_code == 403


def test_revoke_credential_twice_conflicts(issued, now):
    change_credential_status(
        issued, StatusChange.REVOKE, ctx=issuing_context(), actor=None, reason="Duplicate", now=now
    )
    with pytest.raises(Conflict):
        change_credential_status(
            issued, StatusChange.REVOKE, ctx=issuing_context(), actor=None, reason="Again", now=now
        )


def test_status_route_before_any_issue_is_404(client, app_ctx):
    assert client.get("/status/revocation/1").status_code == 404
    assert client.get("/status/bogus/1").status_code == 404


def test_status_route_fresh_list_is_signed_and_clear(issued, client):
    listed = json.loads(client.get("/status/revocation/1").data)
    verify_with_published_keys(client, listed)
    assert (
        StatusList.decode(listed["credentialSubject"]["encodedList"]).get(issued.revocation_index)
        is False
    )


def test_did_document_route_lists_every_ed25519_key(client, app_ctx):
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response.mimetype in ("application/did+json", "application/json")
    document = response.get_json()
    assert document["id"] == ISSUER
    assert all(m["controller"] == ISSUER for m in document["verificationMethod"])
    kinds = {(m["type"], m["id"].split("#")[1]) for m in document["verificationMethod"]}
    assert kinds == {("Multikey", "key-1"), ("JsonWebKey", "rsa-1")}


@pytest.fixture
def rotated_keys(app_config, tmp_path, now):
    """A key store of its own (rotating the session's would disturb other tests), rotated once."""
    store = KeyStore(tmp_path / "rotated-keys", "rotation passphrase")
    store.init(now=now - timedelta(days=400))
    store.rotate(now=now, kind="ed25519")
    app_config["LAUREL_KEYS_DIR"] = str(tmp_path / "rotated-keys")
    app_config["LAUREL_KEY_PASSPHRASE"] = "rotation passphrase"
    return store


def test_did_document_route_after_rotation_keeps_old_key(rotated_keys, client):
    document = client.get("/.well-known/did.json").get_json()
    ids = [m["id"] for m in document["verificationMethod"]]
    assert ids == [f"{ISSUER}#key-1", f"{ISSUER}#key-2", f"{ISSUER}#rsa-1"]
    assert document["assertionMethod"] == ids


@pytest.fixture
def thirty_keys_long_did(app_config, tmp_path, now):
    """A school that rotated its Ed25519 key 29 times, with a 35-character did:web."""
    store = KeyStore(tmp_path / "many-keys", "rotation passphrase")
    store.init(now=now - timedelta(days=3000))
    for number in range(29):
        store.rotate(now=now - timedelta(days=2900 - 100 * number), kind="ed25519")
    app_config["LAUREL_KEYS_DIR"] = str(tmp_path / "many-keys")
    app_config["LAUREL_KEY_PASSPHRASE"] = "rotation passphrase"
    app_config["LAUREL_PUBLIC_URL"] = "https://badges.riverside-hs.example"
    return store


def test_did_document_route_thirty_keys_long_did_under_8_kb(thirty_keys_long_did, client):
    """One did:web resolver refuses documents over 8 KB; so must this one stay under it."""
    response = client.get("/.well-known/did.json")
    document = json.loads(response.data)
    assert len(document["id"]) == 35
    multikeys = [m for m in document["verificationMethod"] if m["type"] == "Multikey"]
    assert len(multikeys) == 30
    assert len(response.data) < 8 * 1024, len(response.data)


def test_achievement_route_html_and_json(issued, client):
    uuid = issued.badge.achievement_uuid
    page = client.get(f"/achievements/{uuid}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"Vehicle Restoration" in page.data
    data = client.get(f"/achievements/{uuid}?format=json").get_json()
    assert data["id"] == f"{PUBLIC}/achievements/{uuid}"
    assert data["type"] == ["Achievement"]


def test_achievement_route_draft_badge_is_404(school, make_badge, client):
    badge = make_badge(school.instructor, published=False)
    assert client.get(f"/achievements/{badge.achievement_uuid}").status_code == 404
    assert client.get(f"/achievements/{badge.achievement_uuid}/image").status_code == 404


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, 9, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2027, 12, 31, tzinfo=UTC), 2, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 11, 23, 10, tzinfo=UTC), 24, datetime(2028, 11, 23, 10, tzinfo=UTC)),
    ],
)
def test_add_months_month_end_clamped(start, months, expected):
    assert add_months(start, months) == expected


def suspension_bit(client, credential: IssuedCredential) -> bool:
    listed = json.loads(client.get("/status/suspension/1").data)
    verify_with_published_keys(client, listed)
    return StatusList.decode(listed["credentialSubject"]["encodedList"]).get(
        credential.suspension_index
    )


def test_suspend_then_reinstate_sets_and_clears_suspension_bit(issued, school, client, now):
    change_credential_status(
        issued,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Under review",
        now=now,
    )
    db.session.commit()
    assert issued.state == CredentialState.SUSPENDED and issued.status_reason == "Under review"
    assert suspension_bit(client, issued) is True
    change_credential_status(
        issued,
        StatusChange.REINSTATE,
        ctx=issuing_context(),
        actor=school.admin,
        reason="Review done",
        now=now,
    )
    db.session.commit()
    assert issued.state == CredentialState.ACTIVE
    assert issued.status_changed_by_id == school.admin.id
    assert suspension_bit(client, issued) is False


def test_reinstate_active_credential_conflicts(issued, now):
    with pytest.raises(Conflict, match="Only a suspended credential"):
        change_credential_status(
            issued,
            StatusChange.REINSTATE,
            ctx=issuing_context(),
            actor=None,
            reason="Why not",
            now=now,
        )


def test_suspend_revoked_credential_conflicts(issued, now):
    change_credential_status(
        issued, StatusChange.REVOKE, ctx=issuing_context(), actor=None, reason="Copied", now=now
    )
    with pytest.raises(Conflict, match="Only an active credential"):
        change_credential_status(
            issued, StatusChange.SUSPEND, ctx=issuing_context(), actor=None, reason="Also", now=now
        )


def test_suspend_by_other_instructor_not_allowed(issued, school, now):
    with pytest.raises(NotAllowed):
        change_credential_status(
            issued,
            StatusChange.SUSPEND,
            ctx=issuing_context(),
            actor=school.other_instructor,
            reason="Mine now",
            now=now,
        )
    assert issued.state == CredentialState.ACTIVE


def test_issue_credential_content_refused_by_engine_is_user_error(school, make_badge, now):
    """Does a definition the OB schema rejects give a message and nothing written, not a crash?"""
    badge = make_badge(school.instructor)
    badge.achievement_type = "Not A Type"  # bypasses the form, as an old row might
    db.session.commit()
    with pytest.raises(UserError, match="cannot be issued as it stands"):
        issue_credential(
            issuing_context(),
            badge=badge,
            recipient=school.student,
            level_id=None,
            issued_by=None,
            now=now,
        )
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(IssuedCredential)) == 0


def test_status_routes_suspend_then_reinstate_through_the_page(issued, school, login):
    reviewer = login(school.instructor)
    page = reviewer.get(f"/credentials/{issued.id}", headers={"Accept": "text/html"}).data
    assert b">Suspend</button>" in page and b"Reinstate" not in page
    response = reviewer.post(
        f"/credentials/{issued.id}/suspend", data={"reason": "Checking the photos."}
    )
    assert response.status_code == 302
    page = reviewer.get(f"/credentials/{issued.id}", headers={"Accept": "text/html"}).data
    assert b"Suspended." in page and b">Reinstate</button>" in page
    response = reviewer.post(
        f"/credentials/{issued.id}/reinstate", data={"reason": "Photos are fine."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    credential = db.session.get(IssuedCredential, issued.id)
    assert (credential.state, credential.status_reason) == (
        CredentialState.ACTIVE,
        "Photos are fine.",
    )


def test_status_routes_reinstate_active_is_409(issued, school, login):
    response = login(school.instructor).post(
        f"/credentials/{issued.id}/reinstate", data={"reason": "x"}
    )
    assert response.status_code == 409
    assert b"Only a suspended credential" in response.data


def test_status_routes_unknown_action_is_404(issued, school, login):
    response = login(school.instructor).post(
        f"/credentials/{issued.id}/delete", data={"reason": "x"}
    )
    assert response.status_code == 404
