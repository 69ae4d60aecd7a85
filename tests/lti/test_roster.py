"""Importing a course roster with Names and Role Provisioning Services 2.0, from an LMS on
loopback that checks Laurel's signed client assertion and serves the roster in two pages."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from app.lti.models import LtiContextLink
from tests.lti.platform import CLIENT_ID
from tests.lti.platform import INSTRUCTOR
from tests.lti.platform import LEARNER
from tests.lti.platform import TEACHING_ASSISTANT
from tests.lti.platform import allow_email_matching
from tests.lti.platform import launch


def _member(user_id: str, email: str | None, name: str, roles: list[str], **more) -> dict:
    member = {"user_id": user_id, "name": name, "roles": roles, "status": "Active", **more}
    if email:
        member["email"] = email
    return member


def _members_of(class_id: int) -> dict[str, Role]:
    rows = db.session.execute(
        sa.select(User.email, ClassMembership.role)
        .join(ClassMembership, ClassMembership.user_id == User.id)
        .where(ClassMembership.class_id == class_id)
    )
    return {email: role for email, role in rows}


def test_an_instructor_imports_the_course_roster_in_two_pages(client, platform, make_user):
    allow_email_matching()
    leaving = make_user(Role.STUDENT, email="leo@maplegrove.test", name="Leo Okafor")
    assert (
        launch(client, platform, roles=[LEARNER], sub="lms-leo", email=leaving.email).status_code
        == 302
    )
    client.post("/logout")
    assert launch(client, platform, roles=[INSTRUCTOR], sub="lms-jordan").status_code == 302
    link = db.session.scalar(sa.select(LtiContextLink))
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    make_user(Role.STUDENT, email="maya@maplegrove.test", name="Maya Chen")
    platform.roster_pages = [
        [
            _member("lms-jordan", "jordan@maplegrove.test", "Jordan Lee", [INSTRUCTOR]),
            _member("lms-maya", "maya@maplegrove.test", "Maya Chen", [LEARNER]),
            _member("lms-ava", "ava@maplegrove.test", "Ava Park", [LEARNER]),
        ],
        [
            _member(
                "lms-tia", "tia@maplegrove.test", "Tia Assis", [INSTRUCTOR, TEACHING_ASSISTANT]
            ),
            _member("lms-leo", "leo@maplegrove.test", "Leo Okafor", [LEARNER], status="Inactive"),
            _member("lms-nomail", None, "No Mail", [LEARNER]),
            _member("lms-mentor", "m@maplegrove.test", "Mo Mentor", [f"{INSTRUCTOR[:-11]}#Mentor"]),
        ],
    ]

    answer = client.post(f"/lti/classes/{link.class_id}/roster")

    text = answer.get_data(as_text=True)
    assert answer.status_code == 200, text[:800]
    assert _members_of(link.class_id) == {
        "jordan@maplegrove.test": Role.INSTRUCTOR,
        "maya@maplegrove.test": Role.STUDENT,
        "ava@maplegrove.test": Role.STUDENT,
        "tia@maplegrove.test": Role.STUDENT,
    }
    assert "2 accounts made: ava@maplegrove.test, tia@maplegrove.test" in text
    assert "1 left the class: Leo Okafor" in text
    assert "1 already in the class" in text
    assert "No Mail: " in text and "did not send your email address" in text
    assert "Mo Mentor: neither instructor nor learner in the course" in text
    [assertion] = platform.assertions
    assert assertion["iss"] == assertion["sub"] == CLIENT_ID
    assert assertion["aud"] == f"{platform.origin}/login/oauth2/token"


def test_a_roster_refused_by_the_token_endpoint_changes_nothing(client, platform):
    assert launch(client, platform, roles=[INSTRUCTOR]).status_code == 302
    link = db.session.scalar(sa.select(LtiContextLink))
    platform.tool_jwks = {"keys": []}  # the LMS does not know Laurel's key

    answer = client.post(f"/lti/classes/{link.class_id}/roster")

    assert answer.status_code == 400
    assert "answered HTTP 401" in answer.get_data(as_text=True)
    assert len(_members_of(link.class_id)) == 1


def test_a_course_without_the_roster_service_says_what_to_turn_on(client, platform):
    nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    assert (
        launch(client, platform, roles=[INSTRUCTOR], **{nrps.replace("/", "__"): None}).status_code
        == 302
    )
    link = db.session.scalar(sa.select(LtiContextLink))

    answer = client.post(f"/lti/classes/{link.class_id}/roster")

    assert answer.status_code == 400
    assert "Names and Role Provisioning Services" in answer.get_data(as_text=True)


def test_only_the_class_instructors_and_admins_import(client, platform, login, make_user):
    assert launch(client, platform, roles=[INSTRUCTOR]).status_code == 302
    link = db.session.scalar(sa.select(LtiContextLink))
    login(make_user(Role.INSTRUCTOR))

    assert client.post(f"/lti/classes/{link.class_id}/roster").status_code == 403
    assert client.get(f"/lti/classes/{link.class_id}").status_code == 403


def test_a_roster_skips_existing_accounts_unless_the_lms_may_match_by_email(
    client, platform, make_user
):
    assert launch(client, platform, roles=[INSTRUCTOR], sub="lms-jordan").status_code == 302
    link = db.session.scalar(sa.select(LtiContextLink))
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    make_user(Role.STUDENT, email="maya@maplegrove.test", name="Maya Chen")
    platform.roster_pages = [
        [
            _member("lms-maya", "maya@maplegrove.test", "Maya Chen", [LEARNER]),
            _member("lms-ava", "ava@maplegrove.test", "Ava Park", [LEARNER]),
        ]
    ]

    text = client.post(f"/lti/classes/{link.class_id}/roster").get_data(as_text=True)

    assert "maya@maplegrove.test" not in _members_of(link.class_id)
    assert "ava@maplegrove.test" in _members_of(link.class_id)
    assert "Maya Chen: " in text and "may not sign in to existing accounts" in text

    allow_email_matching()
    client.post(f"/lti/classes/{link.class_id}/roster")

    assert _members_of(link.class_id)["maya@maplegrove.test"] == Role.STUDENT
