"""VC-API options: an option a door does not understand is refused (400, VCALM's
UNKNOWN_OPTION_PROVIDED, naming it), never silently ignored; the known ones keep working.

Bad inputs tried: an unknown issue option, VCALM's mandatoryPointers and credentialId
(known to VCALM, not honoured by Laurel), an unknown verify option, returnCredential
not a boolean, an unknown presentation option.
"""

from __future__ import annotations

import pytest

from app.vcapi.views import UNKNOWN_OPTION_TYPE
from tests.vcapi.test_vcapi import _issue
from tests.vcapi.test_vcapi import _unissued


@pytest.fixture
def signed(vcapi) -> dict:
    answer = _issue(vcapi, _unissued())
    assert answer.status_code == 201, answer.text
    return answer.json()["verifiableCredential"]


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ("proofType", "this endpoint understands credentialStatus, issuer"),
        ("mandatoryPointers", "there is no selective disclosure"),
        ("credentialId", "Laurel refers to a credential by its own “id”"),
    ],
)
def test_issue_refuses_an_option_it_does_not_honour(vcapi, option, said):
    answer = _issue(vcapi, _unissued(), {option: ["/issuer"]})
    assert answer.status_code == 400
    body = answer.json()
    assert body["type"] == UNKNOWN_OPTION_TYPE
    assert body["option"] == option
    assert f"Unknown option “options.{option}”" in body["message"]
    assert said in body["message"]


def test_issue_with_known_options_still_signs(vcapi):
    credential = _unissued()
    del credential["id"]
    answer = _issue(vcapi, credential, {"credentialStatus": {"type": "BitstringStatusListEntry"}})
    assert answer.status_code == 201, answer.text
    assert answer.json()["verifiableCredential"]["credentialStatus"]


def test_verify_refuses_an_unknown_option_and_keeps_known_ones(vcapi, signed):
    refused = vcapi.post(
        "/credentials/verify", {"verifiableCredential": signed, "options": {"expectedFoo": 1}}
    )
    assert refused.status_code == 400
    assert refused.json()["type"] == UNKNOWN_OPTION_TYPE
    assert "“options.expectedFoo”" in refused.json()["message"]
    assert "returnCredential" in refused.json()["message"]

    answer = vcapi.post(
        "/credentials/verify",
        {
            "verifiableCredential": signed,
            "options": {"checks": ["proof"], "returnResults": True, "returnCredential": True},
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["verified"] is True
    assert answer.json()["credential"] == signed
    plain = vcapi.post("/credentials/verify", {"verifiableCredential": signed})
    assert "credential" not in plain.json()


def test_verify_refuses_a_flag_that_is_not_a_boolean(vcapi, signed):
    refused = vcapi.post(
        "/credentials/verify",
        {"verifiableCredential": signed, "options": {"returnCredential": "yes"}},
    )
    assert refused.status_code == 400
    assert refused.json()["message"] == "“options.returnCredential” must be true or false."


def test_presentation_verify_refuses_an_unknown_option(vcapi):
    refused = vcapi.post(
        "/presentations/verify",
        {"verifiablePresentation": {}, "options": {"challenge": "c-1", "nonce": "n"}},
    )
    assert refused.status_code == 400
    assert refused.json()["option"] == "nonce"
