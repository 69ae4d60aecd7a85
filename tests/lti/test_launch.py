"""LTI 1.3 launches from an LMS played on loopback, with real signed id_tokens."""

from __future__ import annotations

import time

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import db
from app.lti.models import LtiContextLink
from app.lti.models import LtiNonce
from app.lti.models import LtiUserLink
from tests.fixtures.signin import sign_in
from tests.lti.platform import CLIENT_ID
from tests.lti.platform import INSTRUCTOR
from tests.lti.platform import LAUNCH_URL
from tests.lti.platform import LEARNER
from tests.lti.platform import TEACHING_ASSISTANT
from tests.lti.platform import allow_email_matching
from tests.lti.platform import authentication_request
from tests.lti.platform import launch
from tests.lti.platform import login_request
from tests.lti.platform import signed_in_id


def _membership(user: User) -> tuple[str, Role] | None:
    row = db.session.scalar(sa.select(ClassMembership).where(ClassMembership.user_id == user.id))
    return None if row is None else (row.school_class.name, row.role)


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_login_request_sends_the_browser_to_the_platform_with_state_and_nonce(client, platform):
    query = authentication_request(client, platform)

    assert query["scope"] == "openid"
    assert query["response_type"] == "id_token"
    assert query["response_mode"] == "form_post"
    assert query["prompt"] == "none"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == LAUNCH_URL
    assert query["login_hint"] == "hint-123"
    assert query["lti_message_hint"] == "message-hint-9"
    assert query["state"] != query["nonce"]
    stored = db.session.scalar(sa.select(LtiNonce))
    assert (stored.state, stored.nonce) == (query["state"], query["nonce"])


def test_a_login_request_by_get_works_too(client, platform):
    started = client.get(
        "/lti/login",
        query_string={"iss": platform.issuer, "login_hint": "h", "target_link_uri": LAUNCH_URL},
    )
    assert started.status_code == 302
    assert started.headers["Location"].startswith(platform.origin)


def test_instructor_launch_makes_the_account_and_the_class_and_opens_the_class(client, platform):
    answer = launch(client, platform, roles=[INSTRUCTOR], sub="lms-jordan")

    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    jordan = _user("jordan@maplegrove.test")
    assert jordan.role == Role.INSTRUCTOR
    assert _membership(jordan) == ("Auto Shop 101", Role.INSTRUCTOR)
    link = db.session.scalar(sa.select(LtiContextLink))
    assert (link.context_id, link.memberships_url) == ("course-7", platform.memberships_url)
    assert answer.headers["Location"] == f"/lti/classes/{link.class_id}"
    assert signed_in_id(client) == jordan.get_id()
    assert db.session.scalar(sa.select(LtiUserLink.subject)) == "lms-jordan"
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    assert "Import the course roster" in page.get_data(as_text=True)


def test_learner_launch_finds_the_account_by_email_and_opens_the_badges(
    client, platform, make_user
):
    sam = make_user(Role.STUDENT, email="sam@maplegrove.test", name="Sam Rivera")
    allow_email_matching()

    answer = launch(client, platform, roles=[LEARNER], sub="lms-sam", email="Sam@maplegrove.test")

    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    assert answer.headers["Location"] == "/badges"
    assert signed_in_id(client) == sam.get_id()
    assert _membership(sam) == ("Auto Shop 101", Role.STUDENT)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR])
def test_an_existing_account_is_not_matched_by_email_unless_the_admin_allows_it(
    client, platform, make_user, role
):
    make_user(role, email="sam@maplegrove.test")

    answer = launch(client, platform, roles=[LEARNER], sub="lms-sam", email="sam@maplegrove.test")

    _refused(answer, 403, "may not sign in to existing accounts by their email address")
    assert signed_in_id(client) is None
    assert db.session.scalar(sa.select(LtiUserLink)) is None


def test_an_account_linked_to_one_lms_user_is_not_matched_to_another_by_email(
    client, platform, make_user
):
    make_user(Role.INSTRUCTOR, email="sam@maplegrove.test")
    allow_email_matching()
    first = launch(client, platform, roles=[INSTRUCTOR], sub="lms-sam", email="sam@maplegrove.test")
    assert first.status_code == 302
    client.delete_cookie("session")

    answer = launch(
        client, platform, roles=[INSTRUCTOR], sub="lms-impostor", email="sam@maplegrove.test"
    )

    _refused(answer, 403, "is linked to another person in District Canvas")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiUserLink)) == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COUNSELOR])
def test_admin_and_counselor_accounts_are_never_matched_by_email(client, platform, make_user, role):
    make_user(role, email="jordan@maplegrove.test")
    allow_email_matching()

    answer = launch(client, platform, roles=[INSTRUCTOR])

    _refused(answer, 403, "signs in to Laurel directly")
    assert signed_in_id(client) is None
    assert db.session.scalar(sa.select(LtiUserLink)) is None


def test_a_linked_account_is_found_by_subject_after_its_email_changes(client, platform):
    assert (
        launch(client, platform, roles=[LEARNER], sub="lms-ava", email="ava@x.test").status_code
        == 302
    )
    ava = _user("ava@x.test")

    answer = launch(client, platform, roles=[LEARNER], sub="lms-ava", email="a.chen@x.test")

    assert answer.status_code == 302
    assert signed_in_id(client) == ava.get_id()
    assert _user("a.chen@x.test") is None


def test_a_teaching_assistant_joins_as_a_student_even_with_the_instructor_role(client, platform):
    answer = launch(client, platform, roles=[INSTRUCTOR, TEACHING_ASSISTANT], email="ta@x.test")

    assert answer.status_code == 302
    ta = _user("ta@x.test")
    assert ta.role == Role.STUDENT
    assert _membership(ta) == ("Auto Shop 101", Role.STUDENT)


def test_a_course_never_takes_over_a_class_of_the_same_name(client, platform, make_class):
    make_class("Auto Shop 101")

    assert launch(client, platform).status_code == 302

    assert _membership(_user("jordan@maplegrove.test"))[0] == "Auto Shop 101 (2)"


# --- refusals: nobody is signed in, and the page says why ------------------------------------


def _refused(answer, status: int, words: str) -> None:
    text = answer.get_data(as_text=True)
    assert answer.status_code == status, text[:800]
    assert words in text, text[:2000]


def test_a_replayed_launch_is_refused(client, platform):
    query = authentication_request(client, platform)
    token = platform.id_token(query["nonce"], roles=[LEARNER], email="sam@x.test")
    assert (
        client.post("/lti/launch", data={"id_token": token, "state": query["state"]}).status_code
        == 302
    )
    client.post("/logout")

    again = client.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    _refused(again, 400, "already used")


def test_an_id_token_replayed_into_another_launch_is_refused_by_its_nonce(client, platform):
    first = authentication_request(client, platform)
    token = platform.id_token(first["nonce"], roles=[LEARNER])
    second = authentication_request(client, platform)

    answer = client.post("/lti/launch", data={"id_token": token, "state": second["state"]})

    _refused(answer, 400, "nonce does not match")
    assert signed_in_id(client) is None


def test_a_launch_without_the_browsers_state_cookie_is_refused(app, client, platform):
    query = authentication_request(client, platform)
    token = platform.id_token(query["nonce"], roles=[LEARNER])
    other_browser = app.test_client()

    answer = other_browser.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    _refused(answer, 400, "started in another browser")


@pytest.mark.parametrize(
    ("claims", "status", "words"),
    [
        (
            {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "2:other"},
            400,
            "deployment id",
        ),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, 400, "expired"),
        ({"iat": int(time.time()) + 3600}, 400, "dated in the future"),
        ({"aud": "another-tool"}, 400, "made for another tool (its audience"),
        ({"aud": [CLIENT_ID, "another-tool"]}, 400, "authorized party"),
        ({"aud": [CLIENT_ID, "another-tool"], "azp": "another-tool"}, 400, "authorized party"),
        ({"iss": "https://lms.elsewhere.example"}, 400, "another issuer"),
        ({"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}, 400, "not an LTI 1.3.0"),
        ({"https://purl.imsglobal.org/spec/lti/claim/context": None}, 400, "no context"),
        ({"sub": None}, 400, "user id"),
        ({"nonce": None}, 400, "has no `nonce`"),
        (
            {"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiSubmissionReview"},
            400,
            "does not take",
        ),
    ],
    ids=[
        "wrong-deployment",
        "expired",
        "future",
        "wrong-audience",
        "several-audiences-without-azp",
        "azp-of-another-tool",
        "another-issuer",
        "old-version",
        "no-course",
        "no-subject",
        "no-nonce",
        "unknown-message",
    ],
)
def test_a_bad_id_token_is_refused(client, platform, claims, status, words):
    query = authentication_request(client, platform)
    claims = {name.replace("/", "__"): value for name, value in claims.items()}
    if "nonce" in claims:
        claims["nonce_"] = claims.pop("nonce")
    token = _token(platform, query["nonce"], claims)

    answer = client.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    _refused(answer, status, words)
    assert signed_in_id(client) is None
    assert db.session.scalar(sa.select(SchoolClass)) is None


def test_a_refused_launch_speaks_the_browsers_language(client, platform):
    """A Spanish-speaking browser launched with a deployment id Laurel does not know."""
    query = authentication_request(client, platform)
    token = _token(
        platform,
        query["nonce"],
        {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "2:other"},
    )
    answer = client.post(
        "/lti/launch",
        data={"id_token": token, "state": query["state"]},
        headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"},
    )

    _refused(
        answer,
        400,
        "Laurel rechazó este inicio desde el LMS: su id de implementación “2:other” no está "
        "registrado para esta plataforma (un administrador lo agrega en la página LTI de "
        "Laurel). Vuelve a iniciarlo allí.",
    )
    assert "refused this launch" not in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


def _token(platform, nonce: str, claims: dict) -> str:
    """An id_token for `nonce` with `claims` changed (`nonce_` changes the nonce claim)."""
    changes = dict(claims)
    if "nonce_" in changes:
        changes.pop("nonce_")
        token = platform.id_token(nonce, roles=[LEARNER], **changes)
        body = jwt.decode(token, options={"verify_signature": False})
        body.pop("nonce")
        return jwt.encode(body, platform.key, algorithm="RS256", headers={"kid": platform.kid})
    return platform.id_token(nonce, roles=[LEARNER], **changes)


def test_a_tampered_signature_is_refused(client, platform):
    """A learner's signed launch with its body swapped for an instructor's."""
    query = authentication_request(client, platform)
    header, _, signature = platform.id_token(query["nonce"], roles=[LEARNER]).split(".")
    instructor_body = platform.id_token(query["nonce"], roles=[INSTRUCTOR]).split(".")[1]

    forged = f"{header}.{instructor_body}.{signature}"
    answer = client.post("/lti/launch", data={"id_token": forged, "state": query["state"]})

    _refused(answer, 400, "signature of its id_token does not match")


def test_a_token_signed_by_another_key_under_the_platforms_kid_is_refused(client, platform):
    query = authentication_request(client, platform)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    token = platform.id_token(query["nonce"], roles=[INSTRUCTOR], key=stranger)
    answer = client.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    _refused(answer, 400, "signature of its id_token does not match")


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_a_token_not_signed_rs256_is_refused(client, platform, algorithm):
    query = authentication_request(client, platform)
    body = jwt.decode(
        platform.id_token(query["nonce"], roles=[INSTRUCTOR]), options={"verify_signature": False}
    )
    key = "a-shared-secret-of-thirty-two-bytes!" if algorithm == "HS256" else None
    token = jwt.encode(body, key, algorithm=algorithm, headers={"kid": platform.kid})

    answer = client.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    _refused(answer, 400, "not RS256")


def test_a_login_request_from_an_unknown_issuer_is_refused(client, platform):
    answer = login_request(client, platform, iss="https://lms.unknown.example", client_id="")

    _refused(answer, 403, "is registered in Laurel")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"lti_deployment_id": "9:unknown"}, "is not registered"),
        ({"target_link_uri": "https://evil.example/lti/launch"}, "not a Laurel address"),
        ({"login_hint": ""}, "no login_hint"),
    ],
    ids=["unknown-deployment", "foreign-target", "no-login-hint"],
)
def test_a_bad_login_request_is_refused(client, platform, changes, words):
    answer = login_request(client, platform, **changes)

    assert answer.status_code in (400, 403)
    assert words in answer.get_data(as_text=True)


def test_a_launch_with_an_unknown_state_is_refused(client, platform):
    client.set_cookie("laurel_lti_state", "made-up-state", path="/lti/launch")
    answer = client.post("/lti/launch", data={"id_token": "x.y.z", "state": "made-up-state"})

    _refused(answer, 400, "already used")


def test_an_lms_administrator_gets_no_admin_rights(client, platform):
    answer = launch(
        client,
        platform,
        roles=[
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
            "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        ],
    )

    _refused(answer, 403, "instructors and learners only")


def test_a_laurel_admin_account_never_signs_in_through_the_lms(client, platform, make_user):
    make_user(Role.ADMIN, email="jordan@maplegrove.test")

    answer = launch(client, platform, roles=[INSTRUCTOR])

    _refused(answer, 403, "signs in to Laurel directly")
    assert signed_in_id(client) is None


def test_a_student_account_is_not_made_an_instructor_by_the_course(client, platform, make_user):
    make_user(Role.STUDENT, email="jordan@maplegrove.test")

    answer = launch(client, platform, roles=[INSTRUCTOR])

    _refused(answer, 403, "student account in Laurel")


def test_a_launch_without_an_email_for_a_new_person_says_what_to_share(client, platform):
    answer = launch(client, platform, roles=[LEARNER], email=None)

    _refused(answer, 403, "did not send your email address")


def test_a_platform_whose_key_set_cannot_be_read_is_a_clear_400(app_ctx, client, platform):
    app_ctx.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = False

    answer = launch(client, platform)

    _refused(answer, 400, "could not read the key set of District Canvas")


def test_a_failed_launch_signs_out_whoever_was_signed_in_in_this_browser(
    client, platform, make_user
):
    """A teacher stayed signed in on a lab computer; a launch from the LMS fails (here, a role
    Laurel does not open for): whoever launched must not go on as the teacher."""
    teacher = make_user(Role.INSTRUCTOR, email="teacher@maplegrove.test")
    sign_in(client, teacher)
    assert signed_in_id(client) == teacher.get_id()

    answer = launch(
        client, platform, roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"]
    )

    _refused(answer, 403, "instructors and learners only")
    assert signed_in_id(client) is None
    assert client.get("/badges/new").status_code == 302
