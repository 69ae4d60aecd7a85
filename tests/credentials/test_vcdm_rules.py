"""Every MUST of the VC Data Model 2.0 (and 1.1 for 1.1 input) refuses to sign, naming its rule."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.loader import STANDARDS_DIR
from app.credentials.vc import sign_presentation
from app.credentials.vc import sign_vc
from app.credentials.vcdm import DataModelError
from app.credentials.vcdm import check_credential
from app.credentials.vcdm import data_model_errors
from tests.credentials.samples import NOW
from tests.credentials.vc_samples import EXAMPLES
from tests.credentials.vc_samples import V2
from tests.credentials.vc_samples import did_key_signer
from tests.credentials.vc_samples import plain_credential
from tests.credentials.vc_samples import v1_credential

SIGNER = did_key_signer(7)
ISSUER = SIGNER.did
SRI_384 = "sha384-" + "A" * 64
# The digests of the bundled v2 context, as VCDM 2.0 publishes them for its relatedResource.
V2_BYTES = (STANDARDS_DIR / "contexts/www.w3.org/ns/credentials/v2").read_bytes()
V2_SRI = "sha384-" + base64.b64encode(hashlib.sha384(V2_BYTES).digest()).decode()
V2_MULTIBASE = "u" + base64.urlsafe_b64encode(
    bytes([0x20, 48]) + hashlib.sha384(V2_BYTES).digest()
).decode().rstrip("=")


def _without(name: str) -> dict[str, Any]:
    credential = plain_credential(ISSUER)
    del credential[name]
    return credential


def _related(*resources: Any) -> dict[str, Any]:
    return plain_credential(ISSUER, relatedResource=list(resources))


RESOURCE = {"id": "https://example.com/syllabus.pdf", "digestSRI": SRI_384}

# (rule the error must name, the credential that breaks it)
BROKEN: list[Any] = [
    pytest.param("context-required", _without("@context"), id="no-context"),
    pytest.param(
        "context-first",
        plain_credential(ISSUER, **{"@context": [EXAMPLES]}),
        id="only-examples-context",
    ),
    pytest.param(
        "context-first",
        plain_credential(ISSUER, **{"@context": [EXAMPLES, V2]}),
        id="v2-context-not-first",
    ),
    pytest.param(
        "context-ordered-set", plain_credential(ISSUER, **{"@context": V2}), id="context-a-string"
    ),
    pytest.param(
        "context-items",
        plain_credential(ISSUER, **{"@context": [V2, 42]}),
        id="context-item-number",
    ),
    pytest.param("type-required", _without("type"), id="no-type"),
    pytest.param(
        "type-verifiable-credential",
        plain_credential(ISSUER, type=["AlumniCredential"]),
        id="type-without-verifiable-credential",
    ),
    pytest.param(
        "type-values", plain_credential(ISSUER, type=["VerifiableCredential", 5]), id="type-number"
    ),
    pytest.param("id-url", plain_credential(ISSUER, id="not a url"), id="credential-id-not-url"),
    pytest.param(
        "id-url",
        plain_credential(ISSUER, credentialSubject={"id": "abc", "alumniOf": "x"}),
        id="subject-id-not-url",
    ),
    pytest.param("issuer-required", _without("issuer"), id="no-issuer"),
    pytest.param("issuer-url", plain_credential("not a url"), id="issuer-not-url"),
    pytest.param(
        "issuer-url", plain_credential({"name": "A school"}), id="issuer-object-without-id"
    ),
    pytest.param("issuer-url", plain_credential(None), id="issuer-null"),
    pytest.param("credential-subject-required", _without("credentialSubject"), id="no-subject"),
    pytest.param(
        "credential-subject-object",
        plain_credential(ISSUER, credentialSubject=None),
        id="subject-null",
    ),
    pytest.param(
        "credential-subject-non-empty",
        plain_credential(ISSUER, credentialSubject={}),
        id="subject-empty-object",
    ),
    pytest.param(
        "credential-subject-non-empty",
        plain_credential(ISSUER, credentialSubject=[]),
        id="subject-empty-list",
    ),
    pytest.param(
        "credential-subject-object",
        plain_credential(ISSUER, credentialSubject="did:example:abc"),
        id="subject-a-string",
    ),
    pytest.param(
        "credential-status-type",
        plain_credential(ISSUER, credentialStatus={"id": "https://example.com/status/1"}),
        id="status-without-type",
    ),
    pytest.param(
        "terms-of-use-type",
        plain_credential(ISSUER, termsOfUse=[{"id": "https://example.com/tou"}]),
        id="terms-of-use-without-type",
    ),
    pytest.param(
        "evidence-type",
        plain_credential(ISSUER, evidence=[{"id": "https://example.com/evidence"}]),
        id="evidence-without-type",
    ),
    pytest.param(
        "refresh-service-type",
        plain_credential(ISSUER, refreshService={"id": "https://example.com/refresh"}),
        id="refresh-service-without-type",
    ),
    pytest.param(
        "credential-schema-type",
        plain_credential(ISSUER, credentialSchema={"id": "https://example.com/schema.json"}),
        id="credential-schema-without-type",
    ),
    pytest.param(
        "credential-schema-id",
        plain_credential(ISSUER, credentialSchema={"type": "JsonSchema"}),
        id="credential-schema-without-id",
    ),
    pytest.param(
        "evidence-object",
        plain_credential(ISSUER, evidence=["https://example.com/evidence"]),
        id="evidence-a-string",
    ),
    pytest.param(
        "render-method-type",
        plain_credential(ISSUER, renderMethod={"id": "https://example.com/render"}),
        id="render-method-without-type",
    ),
    pytest.param(
        "valid-from-datetime",
        plain_credential(ISSUER, validFrom="Sat 25 Feb 2023 07:16:31 PM CST"),
        id="valid-from-not-datetime",
    ),
    pytest.param(
        "valid-from-datetime",
        plain_credential(ISSUER, validFrom="2023-01-01T00:00:00"),
        id="valid-from-without-zone",
    ),
    pytest.param(
        "valid-until-datetime",
        plain_credential(ISSUER, validUntil="2024-02-30"),
        id="valid-until-a-date",
    ),
    pytest.param(
        "valid-from-before-valid-until",
        plain_credential(ISSUER, validUntil="2022-12-31T23:59:59Z"),
        id="valid-until-before-valid-from",
    ),
    pytest.param("name-text", plain_credential(ISSUER, name=3), id="name-number"),
    pytest.param(
        "description-text",
        plain_credential(ISSUER, description={"@value": "x", "@foo": "y"}),
        id="description-bad-language-object",
    ),
    pytest.param(
        "related-resource-object",
        _related("https://www.w3.org/ns/credentials/v2"),
        id="related-resource-strings",
    ),
    pytest.param(
        "related-resource-id", _related({"digestSRI": SRI_384}), id="related-resource-without-id"
    ),
    pytest.param(
        "related-resource-unique", _related(RESOURCE, RESOURCE), id="related-resource-duplicate-id"
    ),
    pytest.param(
        "related-resource-digest",
        _related({"id": "https://www.w3.org/ns/credentials/v2"}),
        id="related-resource-without-digest",
    ),
    pytest.param(
        "related-resource-digest-sri",
        _related({"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-abc"}),
        id="related-resource-wrong-sri",
    ),
    pytest.param(
        "related-resource-digest-match",
        _related({"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": SRI_384}),
        id="related-resource-sri-not-matching",
    ),
    pytest.param(
        "related-resource-digest-match",
        _related(
            {
                "id": "https://www.w3.org/ns/credentials/v2",
                "digestMultibase": "u"
                + base64.urlsafe_b64encode(bytes([0x20, 48]) + bytes(48)).decode().rstrip("="),
            }
        ),
        id="related-resource-multibase-not-matching",
    ),
    pytest.param(
        "related-resource-digest-multibase",
        _related({"id": "https://www.w3.org/ns/credentials/v2", "digestMultibase": "xyz"}),
        id="related-resource-wrong-multibase",
    ),
]


@pytest.mark.parametrize(("rule", "credential"), BROKEN)
def test_sign_refuses_credential_breaking_rule(rule: str, credential: dict[str, Any]) -> None:
    with pytest.raises(DataModelError) as caught:
        sign_vc(
            credential,
            private_key=SIGNER.private_key,
            verification_method=SIGNER.verification_method,
            now=NOW,
        )
    assert rule in [error.rule for error in _all_errors(credential)]
    assert f"rule: {caught.value.rule}" in str(caught.value)


def _all_errors(credential: dict[str, Any]) -> list[DataModelError]:
    return data_model_errors(credential)


V1_BROKEN: list[Any] = [
    pytest.param(
        "issuance-date-required",
        {key: value for key, value in v1_credential(ISSUER).items() if key != "issuanceDate"},
        id="v1-without-issuance-date",
    ),
    pytest.param(
        "issuance-date-datetime",
        {**v1_credential(ISSUER), "issuanceDate": "25 Feb 2023"},
        id="v1-issuance-date-not-datetime",
    ),
    pytest.param(
        "expiration-date-datetime",
        {**v1_credential(ISSUER), "expirationDate": "soon"},
        id="v1-expiration-date-not-datetime",
    ),
]


@pytest.mark.parametrize(("rule", "credential"), V1_BROKEN)
def test_v1_credential_breaking_rule_names_it(rule: str, credential: dict[str, Any]) -> None:
    with pytest.raises(DataModelError) as caught:
        check_credential(credential)
    assert caught.value.rule == rule


GOOD: list[Any] = [
    pytest.param(plain_credential(ISSUER), id="minimal"),
    pytest.param(
        plain_credential({"id": ISSUER, "name": "Example University"}), id="issuer-object"
    ),
    pytest.param(
        plain_credential(
            ISSUER,
            credentialSubject=[{"id": "did:example:a", "alumniOf": "x"}, {"alumniOf": "y"}],
        ),
        id="two-subjects",
    ),
    pytest.param(
        plain_credential(ISSUER, validUntil="2023-01-01T00:00:00Z"), id="valid-from-equals-until"
    ),
    pytest.param(
        plain_credential(ISSUER, validFrom="2023-01-01T00:00:00-05:00"), id="valid-from-offset"
    ),
    pytest.param(
        plain_credential(ISSUER, name={"@value": "Alumni", "@language": "en"}),
        id="name-language-object",
    ),
    pytest.param(
        _related(
            {
                "id": "https://www.w3.org/ns/credentials/v2",
                "digestSRI": V2_SRI,
            }
        ),
        id="related-resource-sri",
    ),
    pytest.param(
        _related({"id": "https://www.w3.org/ns/credentials/v2", "digestMultibase": V2_MULTIBASE}),
        id="related-resource-multibase",
    ),
    pytest.param(v1_credential(ISSUER), id="vc-1.1"),
]


@pytest.mark.parametrize("credential", GOOD)
def test_credential_following_every_rule_passes(credential: dict[str, Any]) -> None:
    check_credential(credential)


def test_presentation_rules_named() -> None:
    cases = [
        ("type-verifiable-presentation", {"@context": [V2], "type": ["Presentation"]}),
        ("holder-url", {"@context": [V2], "type": "VerifiablePresentation", "holder": "me"}),
        (
            "verifiable-credential-object",
            {"@context": [V2], "type": "VerifiablePresentation", "verifiableCredential": ["x"]},
        ),
        (
            "credential-subject-required",
            {
                "@context": [V2],
                "type": "VerifiablePresentation",
                "verifiableCredential": [_without("credentialSubject")],
            },
        ),
    ]
    for rule, presentation in cases:
        with pytest.raises(DataModelError) as caught:
            sign_presentation(
                presentation,
                private_key=SIGNER.private_key,
                verification_method=SIGNER.verification_method,
                now=NOW,
            )
        assert caught.value.rule == rule, presentation


@pytest.mark.parametrize(
    "context",
    [
        {"VerifiableCredential": "https://example.com/vc"},
        {"type": "https://example.com/type"},
        {"id": "https://example.com/id"},
    ],
    ids=["redefine-verifiable-credential", "redefine-type", "redefine-id"],
)
def test_sign_refuses_protected_term_redefinition(context: dict[str, str]) -> None:
    """VCDM 2.0 §5.2: the base context's terms are protected; redefining one is an error."""
    with pytest.raises(InputError, match="redefine a protected term"):
        sign_vc(
            plain_credential(ISSUER, **{"@context": [V2, context]}),
            private_key=SIGNER.private_key,
            verification_method=SIGNER.verification_method,
            now=NOW,
        )


def test_sign_refuses_undefined_term() -> None:
    """A term no context defines would be dropped, so it would not be signed: refused."""
    credential = plain_credential(ISSUER, **{"@context": [V2]})
    with pytest.raises(DroppedTermError):
        sign_vc(
            credential,
            private_key=SIGNER.private_key,
            verification_method=SIGNER.verification_method,
            now=NOW,
        )
