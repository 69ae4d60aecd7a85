"""JSON Schema (Draft 2019-09) validation against the bundled 1EdTech schemas.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
An OpenBadgeCredential must pass both OB schema families (the JSON-LD-tolerant
`_schema.json` and the strict 2024 `-jsonschema1.json`); a ClrCredential the
CLR 2.0 schema. `$ref`s resolve inside the bundle only, never over the network.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from cachetools import LRUCache
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
from .shapes import shape_key

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

# JSON Schema keywords of the bundled schemas that only look at structure, keys and JSON
# types (all part of a document's shape); `format` is an annotation in Draft 2019-09.
_SHAPE_KEYWORDS = frozenset(
    {
        "$comment",
        "$defs",
        "$id",
        "$ref",
        "$schema",
        "additionalItems",
        "additionalProperties",
        "allOf",
        "anyOf",
        "contains",
        "description",
        "format",
        "items",
        "minItems",
        "oneOf",
        "properties",
        "propertyNames",
        "required",
        "title",
        "type",
    }
)
# Keywords that look at a string's value.
_VALUE_KEYWORDS = frozenset({"enum", "pattern", "const"})
# Keywords that apply to the same instance (not to children or keys).
_SAME_INSTANCE = ("allOf", "anyOf", "oneOf", "items", "additionalItems", "contains")

_passed: LRUCache[Any, bool] = LRUCache(maxsize=1024)
_passed_lock = threading.Lock()


def _retrieve(uri: str) -> Resource[Any]:
    try:
        return Resource.from_contents(bundled_document(uri))
    except UnknownContextError:
        raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]


@cache
def _validator(schema_url: str) -> Draft201909Validator:
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return Draft201909Validator(bundled_document(schema_url), registry=registry)


def _same_instance(node: Any, root: dict[str, Any], seen: set[str]) -> list[dict[str, Any]]:
    """Every subschema that applies to the same instance as `node` ($ref and combinators)."""
    found: list[dict[str, Any]] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if not isinstance(current, dict):
            continue
        found.append(current)
        reference = current.get("$ref")
        if isinstance(reference, str) and reference not in seen:
            seen.add(reference)
            target: Any = root
            for part in reference.removeprefix("#/").split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            pending.append(target)
        for keyword in _SAME_INSTANCE:
            value = current.get(keyword)
            pending.extend(value if isinstance(value, list) else [value])
    return found


def _checks_values(node: Any, root: dict[str, Any]) -> bool:
    return any(_VALUE_KEYWORDS & part.keys() for part in _same_instance(node, root, set()))


@cache
def _value_properties(
    schema_urls: tuple[str, ...],
) -> tuple[frozenset[str], frozenset[str]] | None:
    """Property names whose string values some schema constrains (enum/pattern/const):
    directly, and anywhere within (language-map objects under the property).

    None when a schema uses a keyword this analysis does not understand: then
    results are never remembered.
    """
    direct: set[str] = set()
    within: set[str] = set()
    for url in schema_urls:
        root = bundled_document(url)
        if isinstance(root.get("additionalProperties"), dict) and _checks_values(
            root["additionalProperties"], root
        ):
            return None
        stack: list[Any] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            if not (node.keys() <= _SHAPE_KEYWORDS | _VALUE_KEYWORDS):
                return None
            for name, child in node.get("properties", {}).items():
                parts = _same_instance(child, root, set())
                if any(_VALUE_KEYWORDS & part.keys() for part in parts):
                    direct.add(name)
                if any(
                    isinstance(part.get(keyword), dict) and _checks_values(part[keyword], root)
                    for part in parts
                    for keyword in ("additionalProperties",)
                ):
                    within.add(name)
            for keyword, value in node.items():
                if keyword in ("properties", "$defs"):
                    stack.extend(value.values())
                elif keyword not in ("enum", "const", "required", "type"):
                    stack.append(value)
    return frozenset(direct), frozenset(within)


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
    # A document whose shape and constrained values match one that passed passes too:
    # every other keyword of these schemas looks only at the shape.
    value_properties = _value_properties(tuple(urls))
    memo = None
    if value_properties is not None:
        direct, within = value_properties
        memo = (tuple(urls), shape_key(document, values_of=direct, values_within=within))
        with _passed_lock:
            if memo in _passed:
                return
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
    if memo is not None:
        with _passed_lock:
            _passed[memo] = True
