"""Importing Open Badges 2.0 badges into the learner record, and every bad input by name.

Documents "on the web" are served by the test-only transport (LAUREL_VERIFY_TRANSPORT)
under Laurel's guarded fetcher: every address still passes the HTTPS and
private-address guard with the injected name table, and nothing goes on the wire.

The Assertion, BadgeClass and Issuer samples are the Open Badges 2.0 specification's
examples (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/examples/index.html,
also at openbadgespec.org/examples/), copied as published; the CryptographicKey and
RevocationList follow the specification's examples with a key and ids of the test's own.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
from dataclasses import dataclass
from dataclasses import field

import flask_babel
import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.datastructures import FileStorage

from app.backpack.models import HeldCredential
from app.credentials.baking import bake_png
from app.extensions import db
from app.verify.core.fetching import DocumentNotFound
from app.verify.core.fetching import FetchError
from app.verify.core.ob2 import identity_matches
from tests.verify.factory import itxt_chunk
from tests.verify.factory import plain_png
from tests.verify.test_verify_web import BILLION_LAUGHS
from tests.verify.test_verify_web import EXTERNAL_ENTITY
from tests.verify.test_verify_web import post_form

SPEC_ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://example.org/beths-robotics-badge.json",
    "recipient": {
        "type": "email",
        "hashed": True,
        "salt": "deadsea",
        "identity": "sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5",
    },
    "image": "https://example.org/beths-robot-badge.png",
    "evidence": "https://example.org/beths-robot-work.html",
    "issuedOn": "2016-12-31T23:59:59Z",
    "expires": "2017-06-30T23:59:59Z",
    "badge": "https://example.org/robotics-badge.json",
    "verification": {"type": "hosted"},
}
SPEC_BADGE_CLASS = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "BadgeClass",
    "id": "https://example.org/robotics-badge.json",
    "name": "Awesome Robotics Badge",
    "description": "For doing awesome things with robots that people think is pretty great.",
    "image": "https://example.org/robotics-badge.png",
    "criteria": "https://example.org/robotics-badge.html",
    "tags": ["robots", "awesome"],
    "issuer": "https://example.org/organization.json",
}
SPEC_ISSUER = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Issuer",
    "id": "https://example.org/organization.json",
    "name": "An Example Badge Issuer",
    "image": "https://example.org/logo.png",
    "url": "https://example.org",
    "email": "steved@example.org",
    "publicKey": "https://example.org/publicKey.json",
    "revocationList": "https://example.org/revocationList.json",
}
REVOKED_ID = "urn:uuid:52e4c6b3-8c13-4fa8-8482-a5cf34ef37a9"
REVOCATION_LIST = {
    "@context": "https://w3id.org/openbadges/v2",
    "id": "https://example.org/revocationList.json",
    "type": "RevocationList",
    "issuer": "https://example.org/organization.json",
    "revokedAssertions": [
        {"id": REVOKED_ID, "revocationReason": "Honor code violation"},
        "urn:uuid:6deb4a00-ebce-4b28-8cc2-afa705ef7be4",
    ],
}
HOSTS = {
    "example.org": ["93.184.216.34"],
    "elsewhere.example": ["93.184.216.35"],
    "intranet.school.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
}
PNG_DOT = "data:image/png;base64," + base64.b64encode(plain_png()).decode()


def _resolver(host: str) -> list[str]:
    if host not in HOSTS:
        raise FetchError(f"The host {host} could not be found.")
    return HOSTS[host]


@dataclass
class Web:
    """What other issuers publish: URL -> bytes, served by the test transport."""

    documents: dict[str, bytes] = field(default_factory=dict)

    def publish(self, document: dict) -> None:
        self.documents[document["id"]] = json.dumps(document).encode()

    def transport(self, url: str, address: str) -> tuple[bytes, str | None]:
        if url not in self.documents:
            raise DocumentNotFound(f"{url} answered with HTTP status 404: no such document.")
        return self.documents[url], None


@pytest.fixture
def web() -> Web:
    published = Web()
    for document in (SPEC_BADGE_CLASS, SPEC_ISSUER, REVOCATION_LIST):
        published.publish(document)
    return published


@pytest.fixture
def app_config(app_config, web):
    app_config["LAUREL_VERIFY_HOST_RESOLVER"] = _resolver
    app_config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = False
    app_config["LAUREL_VERIFY_TRANSPORT"] = web.transport
    return app_config


@pytest.fixture(scope="module")
def issuer_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def published_key(web, issuer_key):
    pem = issuer_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    web.publish(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "CryptographicKey",
            "id": "https://example.org/publicKey.json",
            "owner": "https://example.org/organization.json",
            "publicKeyPem": pem.decode(),
        }
    )
    return issuer_key


def hashed(email: str, salt: str = "deadsea", algorithm: str = "sha256") -> dict:
    digest = hashlib.new(algorithm, f"{email}{salt}".encode()).hexdigest()
    return {"type": "email", "hashed": True, "salt": salt, "identity": f"{algorithm}${digest}"}


def hosted_for(web: Web, email: str, **changes) -> dict:
    """The specification's assertion, awarded to `email`, published at its id."""
    assertion = {**copy.deepcopy(SPEC_ASSERTION), "recipient": hashed(email), **changes}
    assertion = {key: value for key, value in assertion.items() if value is not None}
    web.publish(assertion)
    return assertion


def signed_for(email: str, key, **changes) -> str:
    payload = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "urn:uuid:0c1f5b8e-8d0e-4d43-9a3b-6f4a3b2c1d00",
        "recipient": hashed(email, salt="s4lt"),
        "issuedOn": "2024-05-01T10:00:00Z",
        "badge": {**SPEC_BADGE_CLASS, "image": PNG_DOT},
        "verification": {"type": "signed", "creator": "https://example.org/publicKey.json"},
        **changes,
    }
    return jwt.api_jws.PyJWS().encode(json.dumps(payload).encode(), key, algorithm="RS256")


def bake_ob2_png(png: bytes, text: str) -> bytes:
    """A PNG with an Open Badges 2.0 iTXt chunk (keyword "openbadges") right after IHDR."""
    ihdr_end = 8 + 8 + 13 + 4
    return png[:ihdr_end] + itxt_chunk(text, keyword=b"openbadges") + png[ihdr_end:]


def bake_ob2_svg(inner: str, verify: str | None = None) -> bytes:
    attribute = f' verify="{verify}"' if verify else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" '
        f'width="8" height="8"><openbadges:assertion{attribute}><![CDATA[{inner}]]>'
        '</openbadges:assertion><rect width="8" height="8"/></svg>'
    ).encode()


def _paste(student, text: str):
    return student.post("/backpack/import", data={"badge_text": text})


def _upload(student, body: bytes, name: str):
    return post_form(
        student,
        "/backpack/import",
        {"badge_file": FileStorage(io.BytesIO(body), filename=name)},
    )


def _held(owner) -> list[HeldCredential]:
    return list(db.session.scalars(sa.select(HeldCredential).filter_by(owner_id=owner.id)))


# The import page


def test_import_page_for_the_learner_has_csrf_and_no_inline_script(client, login, school):
    page = login(school.student).get("/backpack/import")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="csrf_token"' in text and 'enctype="multipart/form-data"' in text
    assert "<script>" not in text and "onclick" not in text
    assert "Import an Open Badges 2.0 badge" in login(school.student).get(
        f"/learners/{school.student.id}/record"
    ).get_data(as_text=True)


def test_import_page_refuses_staff(client, login, school):
    assert login(school.instructor).get("/backpack/import").status_code == 403


# Hosted


def test_hosted_pasted_json_kept_byte_for_byte_and_shown_as_ob2(client, login, school, web):
    hosted_for(web, school.student.email)
    pasted = json.dumps(json.loads(web.documents[SPEC_ASSERTION["id"]]), indent=3)
    student = login(school.student)
    answer = _paste(student, pasted)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    [held] = _held(school.student)
    assert held.format == "ob2" and held.raw_text == pasted
    assert held.issuer_name == "An Example Badge Issuer"
    assert held.name == "Awesome Robotics Badge"
    # The specification's sample expired in 2017: kept, and marked so.
    assert held.verdict == "expired"
    assert held.image_data_uri is None  # an https image is never hotlinked
    page = student.get(f"/learners/{school.student.id}/record").get_data(as_text=True)
    assert "Open Badges 2.0" in page and "Awesome Robotics Badge" in page
    assert "Not in the signed learner record" in page
    assert "https://example.org/robotics-badge.png" not in page
    clr = student.get(f"/learners/{school.student.id}/record.json").get_data(as_text=True)
    assert "Awesome Robotics Badge" not in clr


def test_hosted_by_url_fetches_the_assertion(client, login, school, web):
    hosted_for(web, school.student.email, expires=None)
    answer = _paste(login(school.student), "  https://example.org/beths-robotics-badge.json \n")
    assert answer.status_code == 302
    [held] = _held(school.student)
    assert held.verdict == "verified"
    assert held.raw_text == web.documents[SPEC_ASSERTION["id"]].decode()


def test_importing_again_replaces_the_badge(client, login, school, web):
    hosted_for(web, school.student.email, expires=None)
    student = login(school.student)
    _paste(student, SPEC_ASSERTION["id"])
    _paste(student, SPEC_ASSERTION["id"])
    assert len(_held(school.student)) == 1


def test_hosted_revoked_in_the_issuers_revocation_list(client, login, school, web):
    assertion = hosted_for(web, school.student.email, expires=None)
    web.documents[REVOCATION_LIST["id"]] = json.dumps(
        {
            **REVOCATION_LIST,
            "revokedAssertions": [{"id": assertion["id"], "revocationReason": "Error"}],
        }
    ).encode()
    assert _paste(login(school.student), assertion["id"]).status_code == 302
    [held] = _held(school.student)
    assert held.verdict == "revoked" and "revoked it (Error)" in held.verification_summary


def test_hosted_revoked_flag(client, login, school, web):
    hosted_for(web, school.student.email, expires=None, revoked=True)
    _paste(login(school.student), SPEC_ASSERTION["id"])
    assert _held(school.student)[0].verdict == "revoked"


def test_baked_png_with_hosted_assertion(client, login, school, web):
    assertion = hosted_for(web, school.student.email, expires=None)
    baked = bake_ob2_png(plain_png(), json.dumps(assertion))
    assert _upload(login(school.student), baked, "badge.png").status_code == 302
    assert _held(school.student)[0].verdict == "verified"


def test_baked_svg_with_hosted_url_in_verify(client, login, school, web):
    assertion = hosted_for(web, school.student.email, expires=None)
    baked = bake_ob2_svg(json.dumps(assertion), verify=assertion["id"])
    assert _upload(login(school.student), baked, "badge.svg").status_code == 302
    assert _held(school.student)[0].name == "Awesome Robotics Badge"


# Signed


def test_signed_assertion_verified_with_the_issuers_key(client, login, school, published_key):
    token = signed_for(school.student.email, published_key)
    student = login(school.student)
    assert _paste(student, token).status_code == 302
    [held] = _held(school.student)
    assert (held.format, held.raw_text, held.verdict) == ("ob2", token, "verified")
    assert held.image_data_uri == PNG_DOT
    page = student.get(f"/learners/{school.student.id}/record").get_data(as_text=True)
    assert f'src="{PNG_DOT}"' in page
    # It cannot be put in the signed record.
    answer = student.post(f"/backpack/{held.id}/record", data={"include": "on"})
    assert answer.status_code == 400
    assert "not a verifiable credential" in answer.get_data(as_text=True)


def test_signed_with_issuer_public_key_and_revoked_by_list(client, login, school, published_key):
    token = signed_for(
        school.student.email,
        published_key,
        id=REVOKED_ID,
        verification={"type": "SignedBadge"},
    )
    assert _paste(login(school.student), token).status_code == 302
    [held] = _held(school.student)
    assert held.verdict == "revoked" and "Honor code violation" in held.verification_summary


def test_signed_in_baked_svg_verify_attribute(client, login, school, published_key):
    token = signed_for(school.student.email, published_key)
    baked = bake_ob2_svg("", verify=token)
    assert _upload(login(school.student), baked, "badge.svg").status_code == 302
    assert _held(school.student)[0].raw_text == token


# Recipient identity


@pytest.mark.parametrize("algorithm", ["sha256", "md5"])
def test_hashed_identity_with_salt(algorithm):
    recipient = hashed("sam@school.example", salt="pepper", algorithm=algorithm)
    assert identity_matches(recipient, "sam@school.example")
    assert identity_matches(recipient, "Sam@School.example")  # addresses compare lowercased
    assert not identity_matches(recipient, "olga@school.example")
    assert not identity_matches({**recipient, "salt": "other"}, "sam@school.example")


def test_plain_identity():
    recipient = {"type": "email", "hashed": False, "identity": "Sam@school.example"}
    assert identity_matches(recipient, "sam@school.example")
    assert not identity_matches(recipient, "olga@school.example")


# Every bad input, by name


def _forged_signature(token: str) -> str:
    header, _payload, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(_payload + "=="))
    payload["badge"]["name"] = "Rocket Science"
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def _hs256(token: str) -> str:
    """The same payload signed with HMAC instead of the issuer's RSA key."""
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    return jwt.api_jws.PyJWS().encode(payload, "k" * 32, algorithm="HS256")


def _bad_inputs(web: Web, email: str, key) -> dict[str, tuple[str, bytes | str, str]]:
    """name -> (how: paste or upload, what, a phrase the message must hold)."""
    mine = hosted_for(web, email, expires=None, id="https://example.org/sams-badge.json")
    web.publish(SPEC_ASSERTION)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign_host = {**mine, "id": "https://elsewhere.example/badge.json"}
    web.publish(foreign_host)
    return {
        "empty": ("paste", "   ", "nothing to import"),
        "not_json": ("paste", "my badge from last year", "not JSON"),
        "broken_json": ("paste", '{"type": "Assertion",', "not valid JSON"),
        "json_not_an_assertion": (
            "paste",
            json.dumps({"@context": "https://www.w3.org/ns/credentials/v2", "type": ["X"]}),
            "not an Open Badges 2.0 assertion",
        ),
        "assertion_without_badge": (
            "paste",
            json.dumps({k: v for k, v in mine.items() if k != "badge"}),
            "has no badge",
        ),
        "wrong_recipient_spec_sample": ("paste", json.dumps(SPEC_ASSERTION), "someone else"),
        "hosted_changed": (
            "paste",
            json.dumps({**mine, "evidence": "https://x.example"}),
            "does not match",
        ),
        "hosted_gone": (
            "paste",
            json.dumps({**mine, "id": "https://example.org/deleted.json"}),
            "404",
        ),
        "hosted_on_another_origin": ("paste", json.dumps(foreign_host), "does not allow"),
        "signed_forged": (
            "paste",
            _forged_signature(signed_for(email, key)),
            "does not match the issuer",
        ),
        "signed_by_another_key": (
            "paste",
            signed_for(email, other_key),
            "does not match the issuer",
        ),
        "signed_hs256": ("paste", _hs256(signed_for(email, key)), "RS256"),
        "unreachable_url": ("paste", "https://nowhere.example/badge.json", "could not be found"),
        "private_address_url": (
            "paste",
            "https://intranet.school.example/b.json",
            "private network",
        ),
        "link_local_url": ("paste", "https://metadata.example/b.json", "private network"),
        "plain_http_url": ("paste", "http://example.org/beths-robotics-badge.json", "HTTPS only"),
        "huge_file": ("upload", b"{" + b" " * (11 * 1024 * 1024) + b"}", "too large"),
        "not_utf8": ("upload", b"\xff\xfe\x00badge", "UTF-8"),
        "png_without_chunk": ("upload", plain_png(), "no baked credential"),
        "png_with_ob3_credential": (
            "upload",
            bake_png(plain_png(), '{"id": "x"}'),
            "not an Open Badges 2.0",
        ),
        "damaged_png": ("upload", plain_png()[:40], "PNG"),
        "malformed_svg": (
            "upload",
            b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
            "not well-formed",
        ),
        "svg_billion_laughs": ("upload", BILLION_LAUGHS, "entities"),
        "svg_external_entity": ("upload", EXTERNAL_ENTITY, "entities"),
        "svg_without_assertion": (
            "upload",
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "no baked",
        ),
    }


BAD_NAMES = [
    "empty", "not_json", "broken_json", "json_not_an_assertion", "assertion_without_badge",
    "wrong_recipient_spec_sample", "hosted_changed", "hosted_gone", "hosted_on_another_origin",
    "signed_forged", "signed_by_another_key", "signed_hs256", "unreachable_url",
    "private_address_url", "link_local_url", "plain_http_url", "huge_file", "not_utf8",
    "png_without_chunk", "png_with_ob3_credential", "damaged_png", "malformed_svg",
    "svg_billion_laughs", "svg_external_entity", "svg_without_assertion",
]  # fmt: skip


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_input_gets_a_clear_400(client, login, school, web, published_key, name):
    how, what, phrase = _bad_inputs(web, school.student.email, published_key)[name]
    student = login(school.student)
    if how == "paste":
        answer = _paste(student, what)
    else:
        answer = _upload(student, what, "badge.bin")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400, text[:2000]
    assert phrase.lower() in text.lower(), text[text.find("alert") : text.find("alert") + 600]
    assert _held(school.student) == []


@pytest.mark.parametrize(
    ("url", "spanish"),
    [
        ("https://nowhere.example/badge.json", "No se pudo verificar la insignia: "),
        ("https://intranet.school.example/b.json", "No se pudo verificar la insignia: "),
    ],
    ids=["unreachable_url", "private_address_url"],
)
def test_a_spanish_learner_reads_why_the_badge_was_refused(
    client, login, school, web, url, spanish
):
    school.student.language = "es"
    db.session.commit()
    flask_babel.refresh()  # the test's app context forgets the language picked so far

    answer = _paste(login(school.student), url)

    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert spanish in text
    assert "The badge could not be checked" not in text
    assert _held(school.student) == []
