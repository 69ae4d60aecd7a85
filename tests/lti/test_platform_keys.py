"""The platform's key set is kept between launches, read again once when the LMS rotates its
key, and never trusted past its lifetime."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa

from app.extensions import db
from app.lti import platform_keys
from app.lti.models import LtiPlatform
from app.models_base import utcnow
from tests.lti.platform import LEARNER
from tests.lti.platform import authentication_request
from tests.lti.platform import launch
from tests.lti.platform import signed_in_id


@pytest.mark.parametrize(
    ("cache_control", "minutes"),
    [
        ("", 5),
        ("max-age=600", 10),
        ("public, max-age=120", 2),
        ('max-age="900"', 15),
        ("max-age=0", 1),
        ("max-age=99999999999999", 60),
        ("no-store", 1),
        ("no-cache, max-age=3000", 1),
        ("max-age=-5", 5),
        ("max-age=soon", 5),
        ("max-age", 5),
    ],
)
def test_a_key_set_is_kept_as_its_cache_control_says_within_bounds(cache_control, minutes):
    assert platform_keys.lifetime(cache_control) == timedelta(minutes=minutes)


def test_two_launches_read_the_key_set_once(client, platform):
    platform.jwks_cache_control = "max-age=600"

    assert launch(client, platform, roles=[LEARNER]).status_code == 302
    again = launch(client, platform, roles=[LEARNER], sub="lms-sam", email="sam@maplegrove.test")
    assert again.status_code == 302

    assert platform.jwks_reads == 1


def test_a_kept_key_set_is_read_again_once_it_expires(app_ctx, platform):
    platform.jwks_cache_control = "max-age=120"
    registered = db.session.scalar(sa.select(LtiPlatform))
    now = utcnow()

    platform_keys.key_set(registered, now=now)
    assert platform_keys.key_set(registered, now=now + timedelta(seconds=119)) == (
        platform.jwks(),
        False,
    )
    assert platform_keys.key_set(registered, now=now + timedelta(seconds=121))[1] is True

    assert platform.jwks_reads == 2


def test_a_rotated_platform_key_is_picked_up_by_one_more_reading(client, platform):
    assert launch(client, platform, roles=[LEARNER]).status_code == 302
    platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform.kid = "platform-key-2"

    answer = launch(client, platform, roles=[LEARNER])

    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    assert signed_in_id(client) is not None
    assert platform.jwks_reads == 2


def test_a_key_unknown_after_one_more_reading_is_refused(client, platform):
    assert launch(client, platform, roles=[LEARNER]).status_code == 302
    query = authentication_request(client, platform)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = platform.id_token(query["nonce"], roles=[LEARNER], key=stranger)
    # Signed by a key the platform does not publish, under a kid it does not list.
    token = _with_kid(token, stranger, "made-up-key")

    answer = client.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    assert answer.status_code == 400
    assert "is not in the platform" in answer.get_data(as_text=True)
    assert platform.jwks_reads == 2


def test_an_unknown_key_on_the_first_launch_reads_the_key_set_once(client, platform):
    query = authentication_request(client, platform)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _with_kid(platform.id_token(query["nonce"], roles=[LEARNER]), stranger, "made-up-key")

    answer = client.post("/lti/launch", data={"id_token": token, "state": query["state"]})

    assert answer.status_code == 400
    assert platform.jwks_reads == 1


def _with_kid(token: str, key: rsa.RSAPrivateKey, kid: str) -> str:
    body = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def test_a_key_set_that_moved_is_followed_through_the_guard(app_ctx, client, platform):
    registered = db.session.scalar(sa.select(LtiPlatform))
    registered.key_set_url = f"{platform.origin}/moved-jwks"
    db.session.commit()

    assert launch(client, platform, roles=[LEARNER]).status_code == 302
    assert platform.jwks_reads == 1
