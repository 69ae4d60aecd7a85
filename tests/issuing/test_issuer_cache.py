"""The Issuer cached per process follows every profile edit and the public URL."""

from __future__ import annotations

import json

from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.profile import IssuerInput
from app.issuing.profile import current_issuer
from app.issuing.profile import issuer_profile
from app.issuing.profile import update_issuer_profile
from app.keyring import issuing_context


def _issuer(credential) -> dict:
    return json.loads(credential.json_text)["issuer"]


def test_profile_edit_and_new_public_url_show_in_the_next_credential(school, make_credential):
    first = make_credential()
    assert _issuer(first)["name"] == "School at laurel.test"

    profile = issuer_profile(issuing_context().public_url)
    update_issuer_profile(
        profile,
        IssuerInput(name="Maple Grove High", url="https://maplegrove.example"),
        actor=school.admin,
    )
    db.session.commit()
    assert _issuer(make_credential())["name"] == "Maple Grove High"

    moved = IssuingContext(issuing_context().keystore, "https://badges.maplegrove.example")
    assert current_issuer(moved).id == "did:web:badges.maplegrove.example"
    assert current_issuer(issuing_context()).id == "did:web:laurel.test"
