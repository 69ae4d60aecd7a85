"""The W3C Verifiable Credentials Data Model rules (2.0, and 1.1 for 1.1 documents).

Pure module: imports neither flask nor sqlalchemy nor any other app package.
`check_credential` and `check_presentation` raise a `DataModelError` naming the
first rule a document breaks, in words a person can act on; `data_model_errors`
lists them all. Each rule is a MUST of VCDM 2.0 (or of 1.1, for a document whose
first context is the 1.1 one). What JSON-LD itself checks (terms defined by the
contexts) is `rdfc.check_safe`'s concern, not this module's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import base58

from .errors import InputError
from .loader import bundled_bytes
from .words import N_

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
# The v2 base context defines DataIntegrityProof; a 1.1 document needs this one for it.
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
CREDENTIAL_TYPE = "VerifiableCredential"
PRESENTATION_TYPE = "VerifiablePresentation"
ENVELOPED_CREDENTIAL_TYPE = "EnvelopedVerifiableCredential"
# Properties whose every value is an object that MUST say its `type` (VCDM 2.0 §4).
TYPED_PROPERTIES = (
    "credentialStatus",
    "termsOfUse",
    "evidence",
    "refreshService",
    "credentialSchema",
    "renderMethod",
    "confidenceMethod",
)

# XML Schema dateTimeStamp (time zone required) and dateTime (1.1: time zone optional).
_DATE_TIME = (
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
)
_ZONE = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)"
DATE_TIME_STAMP = re.compile(_DATE_TIME + _ZONE + "$")
DATE_TIME = re.compile(_DATE_TIME + _ZONE + "?$")
# An absolute URL (RFC 3986 scheme ":" and something), as `id`, `issuer` and `holder` need.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$")
_SRI_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}
# Multihash codes of the SHA-2 and SHA-3 digests, with their hashlib names and lengths.
_MULTIHASHES = {
    0x12: ("sha256", 32),
    0x20: ("sha384", 48),
    0x13: ("sha512", 64),
    0x16: ("sha3_256", 32),
    0x15: ("sha3_384", 48),
    0x14: ("sha3_512", 64),
}


class DataModelError(InputError):
    """A document breaks a rule of the VC data model; `rule` names it, `path` says where."""

    def __init__(self, rule: str, message: str, path: str = "") -> None:
        super().__init__(
            N_("%(message)s (VC data model rule: %(rule)s)", message=message, rule=rule)
        )
        self.rule = rule
        self.path = path


def is_v1(document: dict[str, Any]) -> bool:
    """Tell whether the document's first context is the VC 1.1 one."""
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return first == V1_CONTEXT


def check_credential(document: Any) -> None:
    """Check every data model rule for a credential (its proofs aside).

    :raises DataModelError: the first rule broken.
    """
    for error in data_model_errors(document):
        raise error


def check_presentation(document: Any) -> None:
    """Check every data model rule for a presentation and the credentials it embeds.

    :raises DataModelError: the first rule broken.
    """
    for error in data_model_errors(document, presentation=True):
        raise error


def data_model_errors(document: Any, *, presentation: bool = False) -> list[DataModelError]:
    """Every rule a credential (or a presentation) breaks, in order."""
    if not isinstance(document, dict):
        return [DataModelError("json-object", N_("A verifiable credential must be a JSON object."))]
    checks = _PRESENTATION_CHECKS if presentation else _CREDENTIAL_CHECKS
    return [error for check in checks for error in check(document)]


Errors = Iterator[DataModelError]


def _check_context(document: dict[str, Any]) -> Errors:
    context = document.get("@context")
    if context is None:
        yield DataModelError("context-required", N_("The document has no @context."))
        return
    if not isinstance(context, list) or not context:
        yield DataModelError(
            "context-ordered-set",
            N_(
                "The @context must be a list whose first item is %(v2)s (or %(v1)s for a VC 1.1 "
                "document).",
                v2=V2_CONTEXT,
                v1=V1_CONTEXT,
            ),
        )
        return
    if context[0] not in (V2_CONTEXT, V1_CONTEXT):
        yield DataModelError(
            "context-first",
            N_(
                "The first @context must be %(v2)s (or %(v1)s for a VC 1.1 document), not "
                "%(given)s.",
                v2=V2_CONTEXT,
                v1=V1_CONTEXT,
                given=repr(context[0]),
            ),
        )
    for index, item in enumerate(context):
        if not (isinstance(item, dict) or (isinstance(item, str) and _URL.match(item))):
            yield DataModelError(
                "context-items",
                N_(
                    "Each @context item must be a URL or an object; item %(index)s is %(item)s.",
                    index=index,
                    item=repr(item),
                ),
                f"@context[{index}]",
            )


def _check_type(wanted: str) -> Callable[[dict[str, Any]], Errors]:
    def check(document: dict[str, Any]) -> Errors:
        if "type" not in document:
            yield DataModelError(
                "type-required", N_("The document has no type (it needs %(type)s).", type=wanted)
            )
            return
        types = document.get("type")
        names = types if isinstance(types, list) else [types]
        if not all(isinstance(name, str) and name for name in names):
            yield DataModelError(
                "type-values", N_("Every value of `type` must be a text term or URL."), "type"
            )
        elif wanted not in names:
            yield DataModelError(
                "type-" + _kebab(wanted), N_("The type must include %(type)s.", type=wanted)
            )

    return check


def _check_ids(document: dict[str, Any]) -> Errors:
    """Every `id` in the document (outside @context) is a URL."""
    for path, node in _objects(document):
        value = node.get("id")
        if "id" in node and not (isinstance(value, str) and _URL.match(value)):
            where = f"{path}.id" if path else "id"
            yield DataModelError(
                "id-url",
                N_(
                    "The value of %(where)s must be a URL, not %(value)s.",
                    where=where,
                    value=repr(value),
                ),
                where,
            )


def _check_issuer(document: dict[str, Any]) -> Errors:
    if "issuer" not in document:
        yield DataModelError("issuer-required", N_("The credential has no issuer."))
        return
    issuer = document["issuer"]
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not (isinstance(value, str) and _URL.match(value)):
        yield DataModelError(
            "issuer-url",
            N_(
                "The issuer must be a URL or an object whose id is a URL; it is %(issuer)s.",
                issuer=repr(issuer),
            ),
            "issuer",
        )


def _check_subject(document: dict[str, Any]) -> Errors:
    if "credentialSubject" not in document:
        yield DataModelError(
            "credential-subject-required", N_("The credential has no credentialSubject.")
        )
        return
    subject = document["credentialSubject"]
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects:
        yield DataModelError(
            "credential-subject-non-empty", N_("The credentialSubject must not be an empty list.")
        )
    for index, item in enumerate(subjects):
        if not isinstance(item, dict):
            yield DataModelError(
                "credential-subject-object",
                N_("Each credentialSubject must be an object, not %(item)s.", item=repr(item)),
                f"credentialSubject[{index}]",
            )
        elif not item:
            yield DataModelError(
                "credential-subject-non-empty",
                N_("Each credentialSubject must have at least one property."),
                f"credentialSubject[{index}]",
            )


def _check_typed(document: dict[str, Any]) -> Errors:
    for name in TYPED_PROPERTIES:
        if name not in document:
            continue
        values = document[name] if isinstance(document[name], list) else [document[name]]
        for index, value in enumerate(values):
            where = f"{name}[{index}]"
            if not isinstance(value, dict):
                yield DataModelError(
                    _kebab(name) + "-object",
                    N_(
                        "Each %(name)s must be an object, not %(value)s.",
                        name=name,
                        value=repr(value),
                    ),
                    where,
                )
            elif not value.get("type"):
                yield DataModelError(
                    _kebab(name) + "-type", N_("Each %(name)s must say its type.", name=name), where
                )
            elif name == "credentialSchema" and "id" not in value:
                yield DataModelError(
                    "credential-schema-id", N_("Each credentialSchema must have an id."), where
                )


def _check_dates(document: dict[str, Any]) -> Errors:
    if is_v1(document):
        yield from _check_v1_dates(document)
        return
    moments: dict[str, datetime] = {}
    for name in ("validFrom", "validUntil"):
        if name not in document:
            continue
        value = document[name]
        if not (isinstance(value, str) and DATE_TIME_STAMP.match(value)):
            yield DataModelError(
                _kebab(name) + "-datetime",
                N_(
                    "%(name)s must be a date and time with a time zone (XML Schema "
                    "dateTimeStamp, e.g. 2024-01-01T00:00:00Z), not %(value)s.",
                    name=name,
                    value=repr(value),
                ),
                name,
            )
            continue
        moment = _moment(value)
        if moment is not None:
            moments[name] = moment
    if "validFrom" in moments and "validUntil" in moments:
        if moments["validFrom"] > moments["validUntil"]:
            yield DataModelError(
                "valid-from-before-valid-until", N_("validFrom must not be later than validUntil.")
            )


def _check_v1_dates(document: dict[str, Any]) -> Errors:
    if "issuanceDate" not in document:
        yield DataModelError(
            "issuance-date-required", N_("A VC 1.1 credential must have an issuanceDate.")
        )
    for name in ("issuanceDate", "expirationDate"):
        value = document.get(name)
        if name in document and not (isinstance(value, str) and DATE_TIME.match(value)):
            yield DataModelError(
                _kebab(name) + "-datetime",
                N_(
                    "%(name)s must be an XML Schema dateTime, not %(value)s.",
                    name=name,
                    value=repr(value),
                ),
                name,
            )


def _check_language_values(document: dict[str, Any]) -> Errors:
    for name in ("name", "description"):
        if name not in document:
            continue
        values = document[name] if isinstance(document[name], list) else [document[name]]
        for value in values:
            if not (isinstance(value, str) or _is_language_value(value)):
                yield DataModelError(
                    name + "-text",
                    N_(
                        "%(name)s must be text or a language value object ({'@value': ..., "
                        "'@language': ...}), not %(value)s.",
                        name=name,
                        value=repr(value),
                    ),
                    name,
                )


def _check_related_resources(document: dict[str, Any]) -> Errors:
    if "relatedResource" not in document:
        return
    value = document["relatedResource"]
    resources = value if isinstance(value, list) else [value]
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        where = f"relatedResource[{index}]"
        if not isinstance(resource, dict):
            yield DataModelError(
                "related-resource-object",
                N_(
                    "Each relatedResource must be an object with an id and a digest, not "
                    "%(value)s.",
                    value=repr(resource),
                ),
                where,
            )
            continue
        resource_id = resource.get("id")
        if not (isinstance(resource_id, str) and _URL.match(resource_id)):
            yield DataModelError(
                "related-resource-id",
                N_("Each relatedResource must have an id that is a URL."),
                where,
            )
        elif resource_id in seen:
            yield DataModelError(
                "related-resource-unique",
                N_("The relatedResource %(url)s is listed twice.", url=resource_id),
                where,
            )
        else:
            seen.add(resource_id)
        if "digestSRI" not in resource and "digestMultibase" not in resource:
            yield DataModelError(
                "related-resource-digest",
                N_("Each relatedResource must have a digestSRI or a digestMultibase."),
                where,
            )
        if "digestSRI" in resource and not _valid_sri(resource["digestSRI"]):
            yield DataModelError(
                "related-resource-digest-sri",
                N_(
                    "The digestSRI must be a Subresource Integrity value "
                    "(sha256-, sha384- or sha512- and the base64 digest of that length)."
                ),
                where,
            )
        if "digestMultibase" in resource and _multihash(resource["digestMultibase"]) is None:
            yield DataModelError(
                "related-resource-digest-multibase",
                N_(
                    "The digestMultibase must be a multibase-encoded multihash of a SHA-2 or "
                    "SHA-3 digest."
                ),
                where,
            )
        if isinstance(resource_id, str) and not _digests_match(resource_id, resource):
            yield DataModelError(
                "related-resource-digest-match",
                N_(
                    "The digest of the relatedResource %(url)s does not match the resource.",
                    url=resource_id,
                ),
                where,
            )


def _check_holder(document: dict[str, Any]) -> Errors:
    if "holder" not in document:
        return
    holder = document["holder"]
    value = holder.get("id") if isinstance(holder, dict) else holder
    if not (isinstance(value, str) and _URL.match(value)):
        yield DataModelError(
            "holder-url",
            N_("The holder must be a URL or an object whose id is a URL."),
            "holder",
        )


def _check_embedded_credentials(document: dict[str, Any]) -> Errors:
    value = document.get("verifiableCredential", [])
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        where = f"verifiableCredential[{index}]"
        if not isinstance(item, dict):
            yield DataModelError(
                "verifiable-credential-object",
                N_("Each verifiableCredential of a presentation must be an object."),
                where,
            )
            continue
        if ENVELOPED_CREDENTIAL_TYPE in _types(item):
            continue
        for error in data_model_errors(item):
            yield DataModelError(
                error.rule, N_("%(where)s: %(error)s", where=where, error=error.args[0]), where
            )


_CREDENTIAL_CHECKS: tuple[Callable[[dict[str, Any]], Errors], ...] = (
    _check_context,
    _check_type(CREDENTIAL_TYPE),
    _check_ids,
    _check_issuer,
    _check_subject,
    _check_typed,
    _check_dates,
    _check_language_values,
    _check_related_resources,
)
_PRESENTATION_CHECKS: tuple[Callable[[dict[str, Any]], Errors], ...] = (
    _check_context,
    _check_type(PRESENTATION_TYPE),
    _check_ids,
    _check_holder,
    _check_typed,
    _check_related_resources,
    _check_embedded_credentials,
)


def _objects(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object of a credential with its path, skipping @context and proofs
    (a proof's `id` is checked by Data Integrity) and embedded credentials (checked alone)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("@context", "proof", "verifiableCredential"):
                continue
            yield from _objects(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _objects(item, f"{path}[{index}]")


def _types(node: dict[str, Any]) -> list[Any]:
    value = node.get("type")
    return value if isinstance(value, list) else [value]


def _is_language_value(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("@value"), str)
        and set(value) <= {"@value", "@language", "@direction"}
    )


def _sri(value: Any) -> tuple[str, bytes] | None:
    """The algorithm and digest of a Subresource Integrity value (None when malformed)."""
    if not isinstance(value, str):
        return None
    match = _SRI.match(value)
    if match is None:
        return None
    try:
        digest = base64.b64decode(match.group(2), validate=True)
    except binascii.Error:
        return None
    return (match.group(1), digest) if len(digest) == _SRI_LENGTHS[match.group(1)] else None


def _valid_sri(value: Any) -> bool:
    return _sri(value) is not None


def _multihash(value: Any) -> tuple[str, bytes] | None:
    """The hashlib algorithm and digest of a multibase multihash (None when malformed)."""
    if not isinstance(value, str) or len(value) < 2:
        return None
    try:
        if value[0] == "z":
            raw = base58.b58decode(value[1:])
        elif value[0] == "u":
            raw = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
        else:
            return None
    except (ValueError, binascii.Error):
        return None
    if len(raw) < 2 or raw[0] not in _MULTIHASHES:
        return None
    algorithm, length = _MULTIHASHES[raw[0]]
    return (algorithm, raw[2:]) if raw[1] == length == len(raw) - 2 else None


def _digests_match(url: str, resource: dict[str, Any]) -> bool:
    """Whether the digests given match the resource, when Laurel holds its bytes (a bundled
    context or schema); a resource Laurel does not hold is not fetched, so not compared."""
    content = bundled_bytes(url)
    if content is None:
        return True
    given = [
        parsed
        for parsed in (_sri(resource.get("digestSRI")), _multihash(resource.get("digestMultibase")))
        if parsed is not None
    ]
    return all(hashlib.new(algorithm, content).digest() == digest for algorithm, digest in given)


def _moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # Years beyond 9999 and other valid dateTimeStamps Python cannot hold: no order check.
        return None


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
