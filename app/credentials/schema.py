"""JSON Schema (Draft 2019-09) validation against the bundled 1EdTech schemas.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
An OpenBadgeCredential must pass both OB schema families (the JSON-LD-tolerant
`_schema.json` and the strict 2024 `-jsonschema1.json`); a ClrCredential the
CLR 2.0 schema. `$ref`s resolve inside the bundle only, never over the network.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing import Resource
from referencing.exceptions import NoSuchResource

from .errors import InputError
from .errors import SchemaError
from .errors import UnknownContextError
from .loader import bundled_document
from .loader import is_bundled

_SCHEMA_BASE = "https://purl.imsglobal.org/spec/"
OB_SCHEMAS = (
    _SCHEMA_BASE + "ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    _SCHEMA_BASE + "ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json",
)
ENDORSEMENT_SCHEMAS = (
    _SCHEMA_BASE + "ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json",
    _SCHEMA_BASE + "ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json",
)
CLR_SCHEMAS = (_SCHEMA_BASE + "clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json",)
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
_MAX_MESSAGE = 200


def _retrieve(uri: str) -> Resource[Any]:
    try:
        return Resource.from_contents(bundled_document(uri))
    except UnknownContextError:
        raise NoSuchResource(ref=uri) from None


@cache
def _validator(schema_url: str) -> Draft201909Validator:
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return Draft201909Validator(bundled_document(schema_url), registry=registry)


def schemas_for(document: dict[str, Any]) -> list[str]:
    """The bundled schema URLs a document must pass: by its type, plus bundled listed ones."""
    types = document.get("type", [])
    types = types if isinstance(types, list) else [types]
    if "ClrCredential" in types:
        urls = list(CLR_SCHEMAS)
    elif "OpenBadgeCredential" in types or "AchievementCredential" in types:
        urls = list(OB_SCHEMAS)
    elif "EndorsementCredential" in types:
        urls = list(ENDORSEMENT_SCHEMAS)
    else:
        urls = []
    listed = document.get("credentialSchema", [])
    for entry in listed if isinstance(listed, list) else [listed]:
        if (
            isinstance(entry, dict)
            and entry.get("type") == SCHEMA_VALIDATOR_TYPE
            and isinstance(entry.get("id"), str)
            and is_bundled(entry["id"])
            and entry["id"] not in urls
        ):
            urls.append(entry["id"])
    return urls


def _describe(error: ValidationError) -> str:
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    ).lstrip(".")
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return f"{location or 'the document'}: {message}"


def validate_credential(document: dict[str, Any]) -> None:
    """Validate an OB, endorsement or CLR credential against every schema that applies.

    :raises SchemaError: lists each problem as "path: message".
    :raises InputError: not a JSON object.
    """
    if not isinstance(document, dict):
        raise InputError("A credential must be a JSON object.")
    urls = schemas_for(document)
    if not urls:
        raise SchemaError("Laurel has no JSON Schema for a credential of this type.")
    problems: list[str] = []
    for url in urls:
        errors = sorted(_validator(url).iter_errors(document), key=lambda e: list(e.absolute_path))
        problems += [_describe(error) for error in errors]
    problems = list(dict.fromkeys(problems))
    if problems:
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise SchemaError(
            f"The credential does not match the Open Badges / CLR schema ({count}): {problems[0]}",
            problems,
        )
