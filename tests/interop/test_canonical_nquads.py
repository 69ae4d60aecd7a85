"""Laurel's canonical N-Quads (pyld plus its own guards and shape templates) equal jsonld.js's.

A Data Integrity signature is over RDFC-1.0 canonical N-Quads, so the same
document must canonicalize to the same bytes in every implementation.
js/canon.mjs runs jsonld.js `canonize` (RDFC-1.0, `safe: true`) with the bundled
contexts only. Laurel's fast path (a template per credential shape, values
substituted) and its full pyld path are both compared.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from app.credentials.document import EvidenceData
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.loader import bundled_loader
from app.credentials.rdfc import canonize
from app.credentials.rdfc import check_safe
from app.credentials.signing import sign_credential
from tests.credentials.samples import NOW
from tests.credentials.samples import sample_credential
from tests.fixtures.keys import KeysDir
from tests.fixtures.node import NodeScripts

pytestmark = pytest.mark.node

VECTORS = Path(__file__).resolve().parents[1] / "credentials" / "vectors"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
# Control characters RDFC-1.0 escapes as \b, \f or \uXXXX and pyld 3.3.0 writes raw.
CONTROL_CHARACTERS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _jsonld_js(
    node_scripts: NodeScripts,
    documents: list[dict[str, Any]],
    contexts: dict[str, Any] | None = None,
) -> list[dict[str, str]]:
    results: list[dict[str, str]] = node_scripts.run(
        "canon", {"documents": documents, "contexts": contexts or {}}
    )
    assert len(results) == len(documents)
    return results


def _laurel(document: dict[str, Any], *, fast: bool) -> str:
    """Laurel's canonical form of a document it would sign: safe-mode check, then canonize."""
    check_safe(document)
    return canonize(document, fast=fast)


def _assert_same_everywhere(node_scripts: NodeScripts, documents: list[dict[str, Any]]) -> None:
    for document in documents:  # first the full path, so later shapes reach the fast path too
        _laurel(document, fast=False)
    expected = _jsonld_js(node_scripts, documents)
    for number, (document, other) in enumerate(zip(documents, expected, strict=True)):
        assert "error" not in other, (number, other)
        assert _laurel(document, fast=True) == other["nquads"], number
        assert _laurel(document, fast=False) == other["nquads"], number


# --- official vectors and examples ----------------------------------------------------------


@pytest.mark.parametrize("folder", ["eddsa_rdfc_2022_ob_v3p0", "eddsa_rdfc_2022_clr_v2p0"])
def test_official_vector_canonical_form_equal_in_both(
    node_scripts: NodeScripts, folder: str
) -> None:
    unsigned = _read_json(VECTORS / folder / "credential_unsigned.json")
    published = (VECTORS / folder / "document-canon.txt").read_text(encoding="utf-8")

    [result] = _jsonld_js(node_scripts, [unsigned])

    assert result["nquads"] == published
    assert canonize(unsigned) == published


def test_w3c_vector_canonical_form_equal_in_both(node_scripts: NodeScripts) -> None:
    folder = VECTORS / "w3c_vc_di_eddsa_rdfc_2022"
    examples = _read_json(folder / "credentials-examples-v2.jsonld")

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == EXAMPLES_CONTEXT:
            return {"contextUrl": None, "documentUrl": url, "document": examples}
        return bundled_loader(url, options)

    unsigned = _read_json(folder / "unsigned.json")
    published = (folder / "canonDocDataInt.txt").read_text(encoding="utf-8")

    [result] = _jsonld_js(node_scripts, [unsigned], {EXAMPLES_CONTEXT: examples})

    assert result["nquads"].strip() == published.strip()
    assert canonize(unsigned, loader=loader) == result["nquads"]


def test_official_examples_canonical_form_equal_in_both(node_scripts: NodeScripts) -> None:
    examples = [_read_json(path) for path in sorted((VECTORS / "ob_v3p0_examples").glob("*.json"))]
    assert len(examples) == 8

    _assert_same_everywhere(node_scripts, examples)


# --- Laurel's own credentials with difficult text ----------------------------------------------

_DIFFICULT_TEXT = [
    "Zoë & Łukasz — 日本語 🎓 العربية",
    "She said \"well done\" and 'again'",
    "C:\\Users\\student\\notes \\n is not a newline \\",
    "line one\nline two\r\nline three\rend",
    "tab\tseparated\tvalues",
    "<script>alert(1)</script> &amp; <b>bold</b>",
    "\u00a0non-breaking, \u2028line separator, \u2029paragraph, \ufeffBOM, \u200bzero width",
    "emoji with joiners: 👩🏽‍🔧 👨‍👩‍👧",
    'looks like N-Quads: <https://x.example> "lit"^^<xsd:string> _:b0 .',
    " leading and trailing spaces ",
]


def _with_text(number: int, text: str) -> dict[str, Any]:
    """A sample credential whose free text (names, narratives, descriptions) is `text`."""
    document = sample_credential(number)
    achievement = document["credentialSubject"]["achievement"]
    achievement["description"] = text
    achievement["criteria"]["narrative"] = f"# Criteria\n\n{text}"
    document["name"] = text[:60] or "Badge"
    document["evidence"] = [
        {
            **document["evidence"][0],
            "id": f"https://laurel.test/evidence/{number}-{item}",
            "name": f"{text[:20]} {item}",
            "narrative": text,
        }
        for item in range(2)
    ]
    return document


def test_credentials_with_difficult_text_equal_in_both(node_scripts: NodeScripts) -> None:
    documents = [_with_text(number, text) for number, text in enumerate(_DIFFICULT_TEXT)]

    _assert_same_everywhere(node_scripts, documents)


def test_credential_with_long_text_and_many_evidence_items_equal_in_both(
    node_scripts: NodeScripts,
) -> None:
    long_text = " ".join(
        f"Step {step}: checked the spark plug gap (0.6 mm) — ok." for step in range(600)
    )
    evidence = tuple(
        EvidenceData(
            f"https://laurel.test/evidence/many-{item}",
            f"Photo {item}",
            narrative=f"Photo {item}.\n{_DIFFICULT_TEXT[item % len(_DIFFICULT_TEXT)]}",
            genre="Photo log",
        )
        for item in range(40)
    )
    documents = [
        _with_text(90, long_text),
        sample_credential(91, evidence=evidence),
        sample_credential(92, evidence=evidence[:1]),
    ]
    assert len(json.dumps(documents[0])) > 40_000

    _assert_same_everywhere(node_scripts, documents)


def test_signed_credential_canonical_form_equal_in_both(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    """The signed document (proof included) reads the same: a verifier canonicalizes it too."""
    signed = sign_credential(_with_text(7, _DIFFICULT_TEXT[0]), keystore=keys_dir.store, now=NOW)

    [result] = _jsonld_js(node_scripts, [signed.document])

    assert canonize(signed.document, fast=False) == result["nquads"]


# --- random variations: where Laurel signs, jsonld.js agrees byte for byte -----------------------

_TEXT_VALUES = _DIFFICULT_TEXT + ["", " ", "Profile", "@id", "_:b0", "xsd:string", "42", "true"]
_IRI_VALUES = [
    "https://laurel.test/a",
    "https://laurel.test/a#frag",
    "urn:uuid:6f1c1e52-0000-4000-8000-1",
    "did:web:laurel.test",
    "mailto:a@example.org",
    "tag:laurel.test,2026:x",
    "https://laurel.test/é",
    "HTTPS://LAUREL.TEST/UP",
]
# Relative or with a space: safe mode refuses them. Braces: RDFC-1.0 escapes them, pyld does not.
_BAD_IRI_VALUES = ["relative/path", "http://example.org/space here", "urn:x:{brace}"]
_IRI_KEYS = {
    "id",
    "url",
    "targetUrl",
    "achievedLevel",
    "resultDescription",
    "requiredLevel",
    "statusListCredential",
}


def _randomly_varied(rng: random.Random, number: int) -> dict[str, Any]:
    def replacement(key: str | None) -> str:
        if key not in _IRI_KEYS:
            return rng.choice(_TEXT_VALUES)
        return rng.choice(_BAD_IRI_VALUES if rng.random() < 0.04 else _IRI_VALUES)

    def vary(node: Any, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: (v if k in ("@context", "type") else vary(v, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [vary(item, key) for item in node]
        if isinstance(node, str) and rng.random() < 0.5:
            return replacement(key)
        return node

    return vary(sample_credential(number % 4), None)  # type: ignore[no-any-return]


def _laurel_outcome(document: dict[str, Any]) -> tuple[str, str]:
    try:
        return "signable", _laurel(document, fast=True)
    except DroppedTermError as error:
        return "unsafe", str(error)
    except InputError as error:
        return "refused", str(error)


def test_randomly_varied_credentials_laurel_and_jsonld_js_agree(node_scripts: NodeScripts) -> None:
    """Where Laurel would sign, jsonld.js gives the same bytes; where its safe-mode check
    refuses, jsonld.js's safe mode refuses too."""
    rng = random.Random(20261123)
    documents = [_randomly_varied(rng, number) for number in range(60)]
    outcomes = [_laurel_outcome(document) for document in documents]

    results = _jsonld_js(node_scripts, documents)

    for number, ((kind, ours), theirs) in enumerate(zip(outcomes, results, strict=True)):
        if kind == "signable":
            assert "error" not in theirs, (number, theirs, documents[number])
            assert ours == theirs["nquads"], number
            assert canonize(documents[number], fast=False) == ours, number
        elif kind == "unsafe":
            assert "error" in theirs, (number, ours)
    kinds = {kind for kind, _ in outcomes}
    assert sum(kind == "signable" for kind, _ in outcomes) >= 25
    assert kinds == {"signable", "unsafe", "refused"}, kinds


# --- what Laurel refuses, and why ----------------------------------------------------------------


def _rdfc_escape(character: str) -> str:
    """RDFC-1.0's escape of a control character in a literal: \\b, \\f or \\uXXXX."""
    return {"\b": "\\b", "\f": "\\f"}.get(character, f"\\u{ord(character):04X}")


def _with_control_character(character: str) -> dict[str, Any]:
    return _with_text(60, f"before{character}after")


@pytest.fixture(scope="module")
def jsonld_js_control_characters(node_scripts: NodeScripts) -> dict[str, str]:
    """jsonld.js's N-Quads of each control-character document, in one node run."""
    documents = [_with_control_character(character) for character in CONTROL_CHARACTERS]
    results = _jsonld_js(node_scripts, documents)
    return {
        character: result["nquads"]
        for character, result in zip(CONTROL_CHARACTERS, results, strict=True)
    }


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_control_character_refused_where_pyld_and_jsonld_js_disagree(
    jsonld_js_control_characters: dict[str, str], keys_dir: KeysDir, character: str
) -> None:
    document = _with_control_character(character)

    with pytest.raises(InputError, match="control character"):
        canonize(document)
    with pytest.raises(InputError, match="control character"):
        canonize(document, fast=False)
    with pytest.raises(InputError, match="control character"):
        sign_credential(document, keystore=keys_dir.store, now=NOW)

    theirs = jsonld_js_control_characters[character]
    pyld_raw = jsonld.normalize(
        copy.deepcopy(document),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": bundled_loader,
        },
    )
    assert character not in theirs
    assert f"before{_rdfc_escape(character)}after" in theirs  # as RDFC-1.0 requires
    assert character in pyld_raw  # pyld writes it raw
    assert pyld_raw != theirs


def test_undefined_term_refused_by_laurel_and_jsonld_js(node_scripts: NodeScripts) -> None:
    document = sample_credential(61)
    document["credentialSubject"]["favouriteColour"] = "green"

    with pytest.raises(DroppedTermError) as refused:
        check_safe(document)
    [result] = _jsonld_js(node_scripts, [document])

    assert "favouriteColour" in refused.value.terms
    assert "error" in result
    assert "safe mode" in result["error"].lower() or "dropped" in result["error"].lower()
