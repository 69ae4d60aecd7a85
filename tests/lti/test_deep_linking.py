"""Deep Linking 2.0: an instructor places a badge of the class in a course module, and a
launch from the placed link opens the badge."""

from __future__ import annotations

import re
from html import unescape

import jwt
import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.lti.models import LtiContextLink
from tests.lti.platform import CLIENT_ID
from tests.lti.platform import DEPLOYMENT_ID
from tests.lti.platform import INSTRUCTOR
from tests.lti.platform import LAUNCH_URL
from tests.lti.platform import LEARNER
from tests.lti.platform import TEACHING_ASSISTANT
from tests.lti.platform import launch
from tests.lti.platform import signed_in_id

DEEP_LINKING = "LtiDeepLinkingRequest"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _class_badge(make_user, make_badge, name: str = "Brake Service"):
    """A published badge of the class the course is linked to."""
    link = db.session.scalar(sa.select(LtiContextLink))
    author = make_user(Role.INSTRUCTOR, classes=[link.school_class])
    return make_badge(author, name=name, class_id=link.class_id)


def _returned_jwt(page: str) -> tuple[str, str]:
    action = unescape(re.search(r'<form id="lti-return" method="post" action="([^"]+)"', page)[1])
    token = re.search(r'name="JWT" value="([^"]+)"', page)[1]
    return action, token


def test_an_instructor_places_a_badge_and_the_lms_gets_a_signed_response(
    client, platform, make_user, make_badge
):
    assert launch(client, platform).status_code == 302  # the course's class exists
    badge = _class_badge(make_user, make_badge)
    _class_badge(make_user, make_badge, name="Engine Diagnostics")

    started = launch(client, platform, message_type=DEEP_LINKING)
    assert started.status_code == 302, started.get_data(as_text=True)[:800]
    assert started.headers["Location"] == "/lti/deep-link"
    picker = client.get("/lti/deep-link").get_data(as_text=True)
    assert "Brake Service" in picker and "Engine Diagnostics" in picker

    answer = client.post("/lti/deep-link", data={"badge": badge.slug})

    assert answer.status_code == 200, answer.get_data(as_text=True)[:800]
    action, token = _returned_jwt(answer.get_data(as_text=True))
    assert action == f"{platform.origin}/courses/7/deep_linking_response"
    assert f"form-action 'self' {platform.origin};" in answer.headers["Content-Security-Policy"]
    jwks = client.get("/lti/jwks").get_json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=platform.issuer)
    assert claims["iss"] == CLIENT_ID
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == DEPLOYMENT_ID
    assert claims[DL + "data"] == "opaque-platform-data"
    assert claims["nonce"]
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == "Brake Service"
    assert item["url"] == LAUNCH_URL
    assert item["custom"] == {"laurel_badge": badge.slug}
    # The choice is used once.
    assert client.post("/lti/deep-link", data={"badge": badge.slug}).status_code == 400


def test_a_launch_from_a_placed_badge_opens_the_badge(client, platform, make_user, make_badge):
    assert launch(client, platform).status_code == 302
    badge = _class_badge(make_user, make_badge)
    client.post("/logout")

    answer = launch(
        client,
        platform,
        roles=[LEARNER],
        sub="lms-sam",
        email="sam@x.test",
        custom={"laurel_badge": badge.slug},
    )

    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    assert answer.headers["Location"] == f"/badges/{badge.slug}"
    assert client.get(answer.headers["Location"]).status_code == 200


def test_a_placed_badge_that_is_gone_opens_the_badges_with_a_note(client, platform):
    answer = launch(client, platform, roles=[LEARNER], custom={"laurel_badge": "no-such-badge"})

    assert answer.headers["Location"] == "/badges"
    assert "no longer there" in client.get("/badges").get_data(as_text=True)


def test_a_student_cannot_send_a_deep_linking_request(client, platform):
    answer = launch(client, platform, roles=[LEARNER], message_type=DEEP_LINKING)

    assert answer.status_code == 403
    assert "instructors place badges in it" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


def test_a_teaching_assistant_cannot_send_a_deep_linking_request(client, platform):
    answer = launch(
        client, platform, roles=[INSTRUCTOR, TEACHING_ASSISTANT], message_type=DEEP_LINKING
    )

    assert answer.status_code == 403


def test_a_deep_linking_request_that_takes_no_tool_links_is_refused(client, platform):
    settings = {
        "deep_link_return_url": f"{platform.origin}/return",
        "accept_types": ["file", "html"],
    }
    answer = launch(
        client,
        platform,
        message_type=DEEP_LINKING,
        **{(DL + "deep_linking_settings").replace("/", "__"): settings},
    )

    assert answer.status_code == 400
    assert "does not take links to a tool" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "return_url",
    [
        "javascript:alert(1)",
        "https://lms.example;script-src 'unsafe-inline'/return",
        "https://user:secret@lms.example/return",
        "https://lms.example return",
        "ftp://lms.example/return",
        "",
        42,
    ],
    ids=["javascript", "csp-injection", "user-info", "space", "ftp", "empty", "number"],
)
def test_a_deep_linking_request_without_a_usable_return_address_is_refused(
    client, platform, return_url
):
    settings = {"deep_link_return_url": return_url, "accept_types": ["ltiResourceLink"]}
    answer = launch(
        client,
        platform,
        message_type=DEEP_LINKING,
        **{(DL + "deep_linking_settings").replace("/", "__"): settings},
    )

    assert answer.status_code == 400
    assert "return" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


def test_the_picker_without_a_deep_linking_request_says_so(client, platform, login, make_user):
    login(make_user(Role.INSTRUCTOR))

    answer = client.get("/lti/deep-link")

    assert answer.status_code == 400
    assert "There is no badge to place" in answer.get_data(as_text=True)


def test_a_badge_outside_the_list_is_refused(client, platform, make_user, make_badge):
    assert launch(client, platform).status_code == 302
    other = make_badge(make_user(Role.INSTRUCTOR), name="Other", class_id=None, published=False)
    assert launch(client, platform, message_type=DEEP_LINKING).status_code == 302

    answer = client.post("/lti/deep-link", data={"badge": other.slug})

    assert answer.status_code == 400
