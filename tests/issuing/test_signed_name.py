"""The learner's name in the signed credential, staff correcting it, and the re-issue flow."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.names import correct_name
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.credentials.document import EvidenceData
from app.credentials.document import signed_name
from app.credentials.schema import validate_credential
from app.credentials.status import StatusList
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.issuing.reissue import REISSUE_REASON
from app.issuing.reissue import reissue_credential
from app.keyring import issuing_context
from app.share.certificate import certificate_images
from app.share.certificate import render_certificate_html
from tests.fixtures.badges import badge_input

EVIDENCE = EvidenceData(
    id="https://laurel.test/files/photo-log", name="Photo log", genre="Photo", narrative="Stages."
)


@pytest.fixture
def people(make_user, make_class):
    shop = make_class("Auto Shop 1")

    class People:
        teacher = make_user(Role.INSTRUCTOR, name="Ines Instructor", classes=[shop])
        student = make_user(Role.STUDENT, name="Jon Smiht", classes=[shop])
        other_teacher = make_user(Role.INSTRUCTOR, classes=[make_class("Algebra 2")])
        other_student = make_user(Role.STUDENT, classes=[shop])
        admin = make_user(Role.ADMIN)

    return People


@pytest.fixture
def issued(people, now) -> IssuedCredential:
    """The student's credential at Mastery, approved from a submission, valid for 12 months."""
    badge = create_badge(badge_input(expiry_months=12), actor=people.teacher, now=now)
    publish_badge(badge, actor=people.teacher, now=now)
    submission = Submission(
        badge_id=badge.id, student_id=people.student.id, state=SubmissionState.APPROVED
    )
    db.session.add(submission)
    db.session.flush()
    mastery = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == "Mastery")
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=people.student,
        level_id=mastery,
        issued_by=people.teacher,
        now=now,
        submission_id=submission.id,
        evidence=[EVIDENCE],
    )
    db.session.commit()
    return credential


def document(credential: IssuedCredential) -> dict:
    return json.loads(credential.json_text)


# --- The name in the credential ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Zoë Ñúñez-O'Brien", "李小龍", "Ana <b>Bold</b> & Co", "Ólafur Þór Ævarsson"],
    ids=["accents-apostrophe", "cjk", "html-like", "icelandic"],
)
def test_credential_signs_recorded_name_beside_email_hash(people, make_user, now, name):
    """Is the name in credentialSubject.identifier, plain, and valid for both OB 3.0 schemas?"""
    student = make_user(Role.STUDENT, name=name)
    badge = create_badge(badge_input(), actor=people.teacher, now=now)
    publish_badge(badge, actor=people.teacher, now=now)
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=student,
        level_id=None,
        issued_by=people.teacher,
        now=now,
    )
    signed = document(credential)
    validate_credential(signed)  # both official schemas: the 2022 one and the strict jsonschema1
    name_object, email_object = signed["credentialSubject"]["identifier"]
    assert name_object == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": name,
    }
    assert email_object["identityType"] == "emailAddress" and email_object["hashed"] is True
    assert student.email not in credential.json_text
    assert signed_name(signed) == name


def test_certificate_prints_the_signed_name_not_a_later_correction(issued, people, now):
    correct_name(people.student, "Jon Smith", actor=people.admin)
    db.session.commit()
    ctx = issuing_context()
    images = certificate_images(issued, ctx=ctx)
    html = render_certificate_html(issued, ctx=ctx, now=now, images=images)
    assert "Jon Smiht" in html and "Jon Smith" not in html


# --- Correcting the recorded name --------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "teacher"])
def test_correct_name_by_admin_or_class_instructor(issued, people, who):
    correct_name(people.student, "  Jon Smith ", actor=getattr(people, who))
    db.session.commit()
    assert people.student.name == "Jon Smith"
    # Earlier credentials keep the name they were signed with.
    assert signed_name(document(issued)) == "Jon Smiht"


@pytest.mark.parametrize("who", ["other_teacher", "other_student", "student"])
def test_correct_name_by_others_not_allowed(people, who):
    with pytest.raises(NotAllowed):
        correct_name(people.student, "Jon Smith", actor=getattr(people, who))
    db.session.rollback()
    assert people.student.name == "Jon Smiht"


@pytest.mark.parametrize(
    "name",
    ["", "   ", "Jon\x00Smith", "Jon\tSmith", "Jon\nSmith", "Jon\u2028Smith", "x" * 201],
    ids=["empty", "spaces", "nul-byte", "tab", "newline", "line-separator", "201-chars"],
)
def test_correct_name_hostile_name_refused(people, name):
    with pytest.raises(UserError):
        correct_name(people.student, name, actor=people.admin)
    db.session.rollback()
    assert people.student.name == "Jon Smiht"


def test_name_page_correct_and_list_credentials_to_reissue(issued, people, client, login):
    login(people.teacher)
    page = client.get(f"/learners/{people.student.id}/name")
    assert page.status_code == 200 and 'value="Jon Smiht"' in page.get_data(as_text=True)
    response = client.post(f"/learners/{people.student.id}/name", data={"name": "Jon Smith"})
    assert response.status_code == 302
    db.session.expire_all()
    assert people.student.name == "Jon Smith"
    listing = client.get(f"/learners/{people.student.id}/name").get_data(as_text=True)
    assert f"/credentials/{issued.id}/reissue" in listing and "“Jon Smiht”" in listing


@pytest.mark.parametrize(
    ("name", "status"),
    [("", 400), ("Jon\x00Smith", 400), ("Jon\u2028Smith", 400), ("x" * 201, 400)],
    ids=["empty", "nul-byte", "line-separator", "201-chars"],
)
def test_name_page_hostile_name_is_4xx_and_nothing_stored(people, client, login, name, status):
    login(people.admin)
    response = client.post(f"/learners/{people.student.id}/name", data={"name": name})
    assert response.status_code == status
    db.session.expire_all()
    assert people.student.name == "Jon Smiht"


@pytest.mark.parametrize("who", ["other_teacher", "student", "other_student"])
def test_name_page_others_get_404(people, client, login, who):
    login(getattr(people, who))
    assert client.get(f"/learners/{people.student.id}/name").status_code == 404
    response = client.post(f"/learners/{people.student.id}/name", data={"name": "Mallory"})
    assert response.status_code == 404
    db.session.expire_all()
    assert people.student.name == "Jon Smiht"


def test_name_page_anonymous_redirected_to_login(people, client):
    assert client.get(f"/learners/{people.student.id}/name").status_code == 302


# --- Re-issuing with the corrected name ---------------------------------------------------


def revocation_bit(client, credential: IssuedCredential) -> bool:
    listed = json.loads(client.get("/status/revocation/1").data)
    return StatusList.decode(listed["credentialSubject"]["encodedList"]).get(
        credential.revocation_index
    )


def test_reissue_through_page_signs_new_name_and_revokes_old(issued, people, client, login, now):
    old_id, submission_id = issued.id, issued.submission_id
    correct_name(people.student, "Jon Smith", actor=people.admin)
    db.session.commit()
    login(people.teacher)
    page = client.get(f"/credentials/{old_id}").get_data(as_text=True)
    assert "Re-issue with the corrected name" in page
    response = client.post(f"/credentials/{old_id}/reissue")
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.get(IssuedCredential, old_id)
    fresh = db.session.scalars(select(IssuedCredential).where(IssuedCredential.id != old_id)).one()
    assert response.headers["Location"].endswith(f"/credentials/{fresh.id}")
    assert old.state == CredentialState.REVOKED and old.status_reason == REISSUE_REASON
    assert revocation_bit(client, old) is True and revocation_bit(client, fresh) is False
    before, after = document(old), document(fresh)
    validate_credential(after)
    assert signed_name(after) == "Jon Smith"
    assert after["credentialSubject"]["result"] == before["credentialSubject"]["result"]
    assert after["credentialSubject"]["achievement"] == before["credentialSubject"]["achievement"]
    assert after["evidence"] == before["evidence"]
    assert after["awardedDate"] == before["awardedDate"]
    assert after["validUntil"] == before["validUntil"]
    assert (fresh.level_id, fresh.badge_id) == (old.level_id, old.badge_id)
    # The approved submission now leads to the new credential; the student sees it.
    assert (fresh.submission_id, old.submission_id) == (submission_id, None)
    login(people.student)
    badge_page = client.get(f"/badges/{fresh.badge.slug}").get_data(as_text=True)
    assert f"/credentials/{fresh.id}" in badge_page and "You earned this badge" in badge_page


def test_reissue_later_keeps_original_award_date(issued, people, now):
    correct_name(people.student, "Jon Smith", actor=people.admin)
    fresh = reissue_credential(
        issued, ctx=issuing_context(), actor=people.admin, now=now + timedelta(days=40)
    )
    db.session.commit()
    assert document(fresh)["awardedDate"] == document(issued)["awardedDate"]
    assert document(fresh)["validFrom"] != document(issued)["validFrom"]


def test_reissue_twice_conflicts(issued, people, now):
    correct_name(people.student, "Jon Smith", actor=people.admin)
    fresh = reissue_credential(issued, ctx=issuing_context(), actor=people.admin, now=now)
    db.session.commit()
    with pytest.raises(Conflict, match="Only an active credential"):
        reissue_credential(issued, ctx=issuing_context(), actor=people.admin, now=now)
    with pytest.raises(Conflict, match="already carries the name"):
        reissue_credential(fresh, ctx=issuing_context(), actor=people.admin, now=now)


def test_reissue_without_name_change_conflicts(issued, people, now):
    with pytest.raises(Conflict, match="already carries the name"):
        reissue_credential(issued, ctx=issuing_context(), actor=people.admin, now=now)
    assert issued.state == CredentialState.ACTIVE


def test_reissue_by_other_instructor_forbidden(issued, people, client, login):
    correct_name(people.student, "Jon Smith", actor=people.admin)
    db.session.commit()
    login(people.other_student)
    assert client.post(f"/credentials/{issued.id}/reissue").status_code == 404
    login(people.student)
    assert client.post(f"/credentials/{issued.id}/reissue").status_code == 403
    db.session.expire_all()
    assert db.session.get(IssuedCredential, issued.id).state == CredentialState.ACTIVE
    assert db.session.scalar(select(db.func.count()).select_from(IssuedCredential)) == 1


def test_reissue_of_suspended_credential_is_409(issued, people, client, login):
    from app.issuing.status_changes import StatusChange
    from app.issuing.status_changes import change_credential_status

    change_credential_status(
        issued,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=None,
        reason="x",
        now=issued.issued_at,
    )
    correct_name(people.student, "Jon Smith", actor=people.admin)
    db.session.commit()
    login(people.teacher)
    assert client.post(f"/credentials/{issued.id}/reissue").status_code == 409
