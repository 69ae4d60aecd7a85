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
            return {
                "contextUrl": None,
                "documentUrl": url,
                "tag": "static",
                "document": {"@context": {"extra": "https://example.org/extra#"}},
            }
        return bundled_loader(url, options)

    document = _ob_vector()
    document["@context"].append(extra_url)
    document["extra"] = "value"
    assert "https://example.org/extra#" in canonize(document, loader=extended)
    with pytest.raises(UnknownContextError):
        canonize(document)


# --- the per-shape template path must equal full pyld canonicalization --------------------

_TRICKY_TEXT = [
    "Teamwork",
    "",
    " ",
    "Zoë & Łukasz — 日本語 🎓",
    'He said "hi"',
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "cr\rlf\r\n",
    "<b>bold</b>",
    "Profile",
    "Achievement",
    "xsd:string",
    "schema:name",
    "https://example.org/x",
    "urn:uuid:1",
    "did:web:laurel.test",
    "_:b0",
    "@id",
    "@context",
    "2026-11-23T10:00:00Z",
    "42",
    "3.5",
    "true",
    "\u00a0nbsp",
    "\u2028sep",
]
_TRICKY_IRIS = [
    "https://laurel.test/a",
    "https://laurel.test/a#frag",
    "urn:uuid:6f1c1e52-0000-4000-8000-1",
    "did:web:laurel.test",
    "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
    "mailto:a@example.org",
    "http://example.org/space here",
    "relative/path",
    "xsd:foo",
    "schema:thing",
    "https:no-slashes",
    "tag:laurel.test,2026:x",
    "HTTPS://LAUREL.TEST/UP",
    "https://laurel.test/é",
    "ftp://x",
    "_:blank",
    "urn:x:{brace}",
    "https://laurel.test/a",
]


def _varied_credential(rng: Any, number: int) -> dict[str, Any]:
    """A sample credential whose strings are replaced by tricky values, sometimes repeated."""
    from .samples import sample_credential

    document = sample_credential(number % 3)

    def vary(node: Any, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: (v if k in ("@context", "type") else vary(v, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [vary(item, key) for item in node]
        if isinstance(node, str) and rng.random() < 0.7:
            if key in (
                "id",
                "url",
                "targetUrl",
                "achievedLevel",
                "resultDescription",
                "requiredLevel",
                "statusListCredential",
            ):
                return rng.choice(_TRICKY_IRIS)
            return rng.choice(_TRICKY_TEXT)
        return node

    varied = vary(document, None)
    if rng.random() < 0.3:
        varied["credentialSubject"]["achievement"]["creator"]["id"] = varied["issuer"]["id"]
    if rng.random() < 0.3:
        varied["credentialSubject"]["achievement"]["creditsAvailable"] = rng.choice([1, 2.5, 1e21])
    if rng.random() < 0.2:
        varied["evidence"].append(dict(varied["evidence"][0]))
    return varied


def _outcome(document: dict[str, Any], *, fast: bool) -> tuple[str, str]:
    try:
        return ("ok", canonize(document, fast=fast))
    except (InputError, DroppedTermError, UnknownContextError) as error:
        return (type(error).__name__, str(error))


def _safe_outcome(document: dict[str, Any], loader: Any = None) -> tuple[str, str]:
    try:
        if loader is None:
            check_safe(document)
        else:
            check_safe(document, loader=loader)
        return ("ok", "")
    except (InputError, DroppedTermError, UnknownContextError) as error:
        return (type(error).__name__, str(error))


def _uncached_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundled contexts through another loader object, which bypasses all templates."""
    from app.credentials.loader import bundled_loader

    return bundled_loader(url, options)


def test_canonize_fast_path_equals_full_path_on_varied_credentials() -> None:
    import random

    rng = random.Random(20261123)
    fast_hits = 0
    for number in range(80):
        document = _varied_credential(rng, number)
        if rng.random() < 0.2:
            document["credentialSubject"]["undefinedTerm"] = "x"
        full = _outcome(document, fast=False)
        assert _outcome(document, fast=True) == full, number
        assert _outcome(document, fast=True) == full, number
        fast_hits += full[0] == "ok"
        safe = _safe_outcome(document, _uncached_loader)
        assert _safe_outcome(document) == safe, number
        assert _safe_outcome(document) == safe, number
    assert fast_hits > 25


def test_canonize_fast_path_equals_full_path_when_values_change_within_a_shape() -> None:
    """Same shape, new values each time: the template is reused and must stay exact."""
    import random

    from .samples import sample_credential

    rng = random.Random(7)
    texts = [text for text in _TRICKY_TEXT if not text.startswith(("https:", "urn:", "did:"))]

    def vary(node: Any, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: (v if k in ("@context", "type") else vary(v, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [vary(item, key) for item in node]
        if isinstance(node, str) and node.startswith("https://"):
            return "https://laurel.test/" + rng.choice(["a", "b", "a#x", "é", "c/d"])
        if isinstance(node, str) and node.startswith("urn:uuid:"):
            return "urn:uuid:" + rng.choice(["1", "2", "3"])
        if isinstance(node, str) and key not in ("validFrom", "validUntil", "awardedDate"):
            return rng.choice(texts)
        return node

    for _ in range(40):
        document = vary(sample_credential(1), None)
        assert canonize(document) == canonize(document, fast=False)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_canonize_fast_path_equals_full_path_on_official_examples(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    expected = canonize(document, fast=False)
    assert canonize(document) == expected
    assert canonize(document) == expected


def test_canonize_fast_path_shape_reused_with_new_values_matches_full_path() -> None:
    from .samples import sample_credential

    canonize(sample_credential(0))
    for number in range(1, 6):
        document = sample_credential(number)
        assert canonize(document) == canonize(document, fast=False)


def test_canonize_fast_path_control_character_still_refused() -> None:
    from .samples import sample_credential

    canonize(sample_credential(0))
    document = sample_credential(0)
    document["name"] = "bell\x07"
    with pytest.raises(InputError, match="control character"):
        canonize(document)


def test_canonize_deeply_nested_document_raises_input_error() -> None:
    document = _ob_vector()
    node: dict[str, Any] = document["credentialSubject"]
    for _ in range(5000):
        node["achievement"] = {"criteria": {}}
        node = node["achievement"]["criteria"]
    with pytest.raises(InputError):
        canonize(document)
