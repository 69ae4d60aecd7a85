"""ID tokens that must not sign anyone in, though signed with the provider's own key.

The provider (tests/interop/js/school-idp.mjs) spoils the ID token of its next token answer
on request: the real token's claims with one changed, re-signed with the key its JWKS
serves, so the signature verifies and only the claim check can refuse it.
"""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.sso.school_idp import sign_in_through
from tests.sso.school_idp import signed_in_id


@pytest.mark.parametrize(
    ("spoiled", "message"),
    [
        ("nonce", "it was not made for this sign-in (its nonce does not match)"),
        ("aud", "it was made for another application"),
        ("exp", "its ID token is past its expiry time"),
    ],
)
def test_a_spoiled_id_token_is_refused(client, school_idp, make_user, spoiled, message):
    make_user(Role.STUDENT, email="sam@maplegrove.test")
    school_idp.next_account(sub="idp-sam", email="sam@maplegrove.test", email_verified=True)
    school_idp.spoil_next_id_token(spoiled)

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


def test_the_provider_is_reached_only_through_the_guard(client, school_idp, app_ctx):
    """Without the test-only loopback allowance, a provider on loopback is refused."""
    app_ctx.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = False

    answer = client.get("/sso/school/start")

    assert answer.status_code == 400
    assert "HTTPS only" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None
