"""Tests for canonicalization and the JSON-LD safe-mode check."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import UnknownContextError
from app.credentials.rdfc import canonize
from app.credentials.rdfc import check_safe

VECTORS = Path(__file__).parent / "vectors"
EXAMPLES = sorted((VECTORS / "ob_v3p0_examples").glob("*.json"))


def _ob_vector() -> dict[str, Any]:
    path = VECTORS / "eddsa_rdfc_2022_ob_v3p0" / "credential_unsigned.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_check_safe_official_examples_pass(path: Path) -> None:
    check_safe(json.loads(path.read_text(encoding="utf-8")))


def test_check_safe_undefined_property_names_the_term() -> None:
    document = _ob_vector()
    document["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(DroppedTermError) as caught:
        check_safe(document)
    assert caught.value.terms == ["favouriteColour"]
    assert "the term 'favouriteColour' is not defined by any context" in str(caught.value)


def test_check_safe_relative_type_names_the_type() -> None:
    document = _ob_vector()
    document["type"].append("HonoursCredential")
    with pytest.raises(DroppedTermError) as caught:
        check_safe(document)
    assert "HonoursCredential" in caught.value.terms


def test_check_safe_schema_type_without_extensions_context_rejected() -> None:
    """Does a 1EdTech schema type fail without extensions.json, as in jsonld.js safe mode?"""
    document = _ob_vector()
    document["credentialSchema"] = [
        {"id": "https://example.org/schema.json", "type": "1EdTechJsonSchemaValidator2019"}
    ]
    with pytest.raises(DroppedTermError) as caught:
        check_safe(document)
    assert "1EdTechJsonSchemaValidator2019" in caught.value.terms
    document["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    check_safe(document)


def test_check_safe_relative_id_rejected() -> None:
    document = _ob_vector()
    document["id"] = "credentials/3527"
    with pytest.raises(DroppedTermError) as caught:
        check_safe(document)
    assert "credentials/3527" in caught.value.terms


def test_canonize_unknown_context_names_the_url() -> None:
    document = _ob_vector()
    document["@context"].append("https://example.org/contexts/mine.jsonld")
    with pytest.raises(UnknownContextError) as caught:
        canonize(document)
    assert caught.value.url == "https://example.org/contexts/mine.jsonld"
    with pytest.raises(UnknownContextError):
        check_safe(document)


@pytest.mark.parametrize("character", ["\x00", "\x08", "\x0b", "\x0c", "\x1b", "\x7f"])
def test_canonize_control_character_refused(character: str) -> None:
    document = _ob_vector()
    document["name"] = f"Team{character}work"
    with pytest.raises(InputError, match="control character"):
        canonize(document)


def test_canonize_tab_and_newlines_escaped_like_rdfc() -> None:
    document = _ob_vector()
    document["name"] = 'Tab\there\nnew "line"\r\\'
    assert '"Tab\\there\\nnew \\"line\\"\\r\\\\"' in canonize(document)


def test_canonize_iri_needing_escape_refused() -> None:
    document = _ob_vector()
    document["credentialSubject"]["id"] = "did:example:a{b}"
    with pytest.raises(InputError, match="not allowed in an IRI"):
        canonize(document)


def test_canonize_not_an_object_raises_input_error() -> None:
    with pytest.raises(InputError):
        canonize(["not", "an", "object"])  # type: ignore[arg-type]


def test_canonize_invalid_jsonld_raises_input_error() -> None:
    document = _ob_vector()
    document["@context"] = [42]
    with pytest.raises(InputError, match="not valid JSON-LD"):
        canonize(document)


def test_canonize_value_change_changes_output() -> None:
    document = _ob_vector()
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    assert canonize(document) != canonize(changed)


def test_canonize_key_order_does_not_matter() -> None:
    document = _ob_vector()
    reordered = dict(reversed(list(document.items())))
    assert canonize(document) == canonize(reordered)


def test_canonize_extended_loader_does_not_leak_into_bundled_loader() -> None:
    """Does a test loader's extra context stay invisible to the production loader?"""
    from app.credentials.loader import bundled_loader

    extra_url = "https://example.org/contexts/extra.jsonld"

    def extended(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == extra_url:
            return {"contextUrl": None, "documentUrl": url, "tag": "static",
                    "document": {"@context": {"extra": "https://example.org/extra#"}}}
        return bundled_loader(url, options)

    document = _ob_vector()
    document["@context"].append(extra_url)
    document["extra"] = "value"
    assert "https://example.org/extra#" in canonize(document, loader=extended)
    with pytest.raises(UnknownContextError):
        canonize(document)
