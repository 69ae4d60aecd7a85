"""JSON Schema (Draft 2019-09) validation against the bundled 1EdTech schemas.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
An OpenBadgeCredential must pass both OB schema families (the JSON-LD-tolerant
`_schema.json` and the strict 2024 `-jsonschema1.json`); a ClrCredential the
CLR 2.0 schema. `$ref`s resolve inside the bundle only, never over the network.
The `date-time` and `date` formats are checked (jsonschema treats `format` as an
annotation unless told to check it).
"""

from __future__ import annotations

import re
import threading
from datetime import date
from functools import cache
from typing import Any

from cachetools import LRUCache
from jsonschema import Draft201909Validator
from jsonschema import FormatChecker
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
from .words import N_
from .words import N_plural

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
# W3C VC JSON Schema: a credentialSchema of this type names a JSON Schema by URL.
SCHEMA_TYPES = (SCHEMA_VALIDATOR_TYPE, "JsonSchema")
_MAX_MESSAGE = 200

# JSON Schema keywords of the bundled schemas that only look at structure, keys and JSON
# types (all part of a document's shape), and `format`, whose verdict on every string
# value is part of the remembered key (see validate_credential).
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

# What both RFC 3339 (the schemas' `format`) and XML Schema dateTimeStamp (the VCDM 2.0
# datatype of validFrom and validUntil) accept: a time zone is mandatory, "T" and "Z"
# upper case, no leap second, offsets within +-14:00. The day is checked against the
# calendar separately.
_FULL_DATE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_DATE_TIME = re.compile(
    _FULL_DATE.pattern + r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
    r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
)
_FORMAT_NAMES = {
    "date-time": "date and time with a time zone, like 2026-11-23T10:00:00Z",
    "date": "date, like 2026-11-23",
}


def _is_calendar_day(match: re.Match[str] | None) -> bool:
    if match is None:
        return False
    try:
        date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def is_date_time(value: str) -> bool:
    """Whether a string is an RFC 3339 date-time that is also an XML Schema dateTimeStamp."""
    return _is_calendar_day(_DATE_TIME.fullmatch(value))


def is_full_date(value: str) -> bool:
    """Whether a string is an RFC 3339 full-date (YYYY-MM-DD, a real day)."""
    return _is_calendar_day(_FULL_DATE.fullmatch(value))


_format_checker = FormatChecker(())


@_format_checker.checks("date-time")
def _checks_date_time(value: object) -> bool:
    return not isinstance(value, str) or is_date_time(value)


@_format_checker.checks("date")
def _checks_full_date(value: object) -> bool:
    return not isinstance(value, str) or is_full_date(value)


def _format_verdicts(value: str) -> tuple[bool, bool]:
    return is_date_time(value), is_full_date(value)


def _retrieve(uri: str) -> Resource[Any]:
    try:
        return Resource.from_contents(bundled_document(uri))
    except UnknownContextError:
        raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]


@cache
def _validator(schema_url: str) -> Draft201909Validator:
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return Draft201909Validator(
        bundled_document(schema_url), registry=registry, format_checker=_format_checker
    )


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
            and entry.get("type") in SCHEMA_TYPES
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
    if error.validator == "format" and error.validator_value in _FORMAT_NAMES:
        message = f"{error.instance!r} is not a valid {_FORMAT_NAMES[error.validator_value]}"
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return f"{location or 'the document'}: {message}"


def validate_credential(document: dict[str, Any]) -> None:
    """Validate an OB, endorsement or CLR credential against every schema that applies.

    :raises SchemaError: lists each problem as "path: message".
    :raises InputError: not a JSON object.
    """
    if not isinstance(document, dict):
        raise InputError(N_("A credential must be a JSON object."))
    urls = schemas_for(document)
    if not urls:
        raise SchemaError(N_("Laurel has no JSON Schema for a credential of this type."))
    # A document whose shape and constrained values match one that passed passes too:
    # every other keyword of these schemas looks only at the shape, except `format`, which
    # looks at whether a value is a date-time or a date, so that verdict for every string
    # value is part of the key (run on every call; a remembered pass never hides a bad date).
    value_properties = _value_properties(tuple(urls))
    memo = None
    if value_properties is not None:
        direct, within = value_properties
        memo = (
            tuple(urls),
            shape_key(document, values_of=direct, values_within=within, classify=_format_verdicts),
        )
        with _passed_lock:
            if memo in _passed:
                return
    problems: list[str] = []
    for url in urls:
        errors = sorted(_validator(url).iter_errors(document), key=lambda e: list(e.absolute_path))
        problems += [_describe(error) for error in errors]
    problems = list(dict.fromkeys(problems))
    if problems:
        # The first problem is jsonschema's own wording, quoted as a technical detail.
        raise SchemaError(
            N_plural(
                "The credential does not match the Open Badges / CLR schema (%(num)s problem): "
                "%(first)s",
                "The credential does not match the Open Badges / CLR schema (%(num)s problems): "
                "%(first)s",
                len(problems),
                first=problems[0],
            ),
            problems,
        )
    if memo is not None:
        with _passed_lock:
            _passed[memo] = True
