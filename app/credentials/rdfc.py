"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, and the safe-mode check.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Canonicalization is pyld's URDNA2015 (identical output to RDFC-1.0) over the
bundled contexts only. Two things pyld does not do are added here:

* JSON-LD "safe mode": pyld silently drops a term no context defines, so a
  document could be signed in Python and then fail 1EdTech's safe-mode
  validation. `check_safe` names every such term.
* Escaping: pyld 3.3.0 writes control characters other than tab, newline and
  carriage return raw into the N-Quads, where RDFC-1.0 (and jsonld.js's
  rdf-canonize) writes `\\b`, `\\f` or `\\uXXXX`. Because canonical blank-node
  labels hash those N-Quads, fixing the output afterwards is not enough, so
  Laurel refuses such text (and IRIs that would need escaping) with an
  InputError instead of producing a signature nobody else verifies.

With the bundled loader, expansion runs once per document shape (`shapes`);
the result is tested to equal full expansion. The safe-mode verdict is
remembered the same way.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from functools import cache
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from .errors import CredentialError
from .errors import DroppedTermError
from .errors import InputError
from .loader import DocumentLoader
from .loader import bundled_loader
from .loader import bundled_terms
from .shapes import TemplateCache
from .words import N_

# RDFC-1.0 writes these with \b, \f or \uXXXX; pyld 3.3.0 does not (see module docstring).
_UNESCAPED_BY_PYLD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters an N-Quads IRI must escape; rdf-canonize does, pyld does not.
_IRI_NEEDS_ESCAPE = re.compile('[\x00-\x20<>"{}|^`\\\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+\-.]*:[^\s]*$")

Dataset = dict[str, list[dict[str, Any]]]

# One processed-context cache per document loader: pyld's shared cache is keyed
# by URL alone, so a test loader's extra context must never become visible to
# the bundled-only production loader.
_context_caches: weakref.WeakKeyDictionary[Callable[..., Any], LRUCache[str, Any]] = (
    weakref.WeakKeyDictionary()
)


def _options(loader: DocumentLoader) -> dict[str, Any]:
    try:
        contexts = _context_caches.setdefault(loader, LRUCache(maxsize=100))
    except TypeError:
        contexts = LRUCache(maxsize=100)
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(contexts, loader),
        "base": None,
        "processingMode": "json-ld-1.1",
    }


def _as_credential_error(error: BaseException) -> CredentialError:
    """Find the Laurel error (e.g. an unknown context) pyld wrapped, or describe pyld's own."""
    innermost = error
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, CredentialError):
            return current
        innermost = current
        current = current.__cause__ or getattr(current, "cause", None)
    if isinstance(innermost, RecursionError):
        return InputError(N_("The document is nested too deeply to be read."))
    detail = innermost.args[0] if innermost.args else type(innermost).__name__
    return InputError(N_("The document is not valid JSON-LD (%(detail)s).", detail=detail))


def _require_object(document: Any) -> None:
    if not isinstance(document, dict):
        raise InputError(N_("A credential must be a JSON object."))


def expand(
    document: dict[str, Any],
    *,
    loader: DocumentLoader = bundled_loader,
    on_dropped: Callable[[str | None], Any] | None = None,
) -> list[Any]:
    """Expand a JSON-LD document with the given (by default bundled-only) loader.

    :raises UnknownContextError: a context is not bundled.
    :raises InputError: the document is not valid JSON-LD.
    """
    _require_object(document)
    processor = jsonld.JsonLdProcessor(on_property_dropped=on_dropped or jsonld.noop)
    try:
        return processor.expand(document, _options(loader))  # type: ignore[no-any-return]
    except (jsonld.JsonLdError, RecursionError) as error:
        raise _as_credential_error(error) from error


def to_dataset(document: dict[str, Any], *, loader: DocumentLoader = bundled_loader) -> Dataset:
    """Convert a JSON-LD document to pyld's RDF dataset, refusing text pyld would mis-escape.

    :raises UnknownContextError: a context is not bundled.
    :raises InputError: not JSON-LD, or text/IRIs that pyld cannot canonicalize correctly.
    """
    _require_object(document)
    try:
        dataset: Dataset = jsonld.JsonLdProcessor().to_rdf(document, _options(loader))
    except (jsonld.JsonLdError, RecursionError) as error:
        raise _as_credential_error(error) from error
    for triples in dataset.values():
        for triple in triples:
            _check_escapable(triple)
    return dataset


def _check_literal_text(value: str) -> None:
    if _UNESCAPED_BY_PYLD.search(value):
        raise InputError(
            "The document contains an invisible control character; "
            "remove it (tab and line breaks are fine) and try again."
        )


def _check_escapable(triple: dict[str, Any]) -> None:
    for term in triple.values():
        value = term["value"]
        if term["type"] == "literal":
            _check_literal_text(value)
            datatype = term.get("datatype", "")
            if _IRI_NEEDS_ESCAPE.search(datatype):
                raise InputError(
                    N_("The datatype %(datatype)s is not a valid IRI.", datatype=repr(datatype))
                )
        elif term["type"] == "IRI" and _IRI_NEEDS_ESCAPE.search(value):
            raise InputError(
                N_(
                    "The identifier %(value)s contains characters not allowed in an IRI.",
                    value=repr(value),
                )
            )


def iri_needs_escape(value: str) -> bool:
    """True when `value` holds a character an N-Quads IRI must escape (which Laurel refuses)."""
    return bool(_IRI_NEEDS_ESCAPE.search(value))


def canonize_dataset(dataset: Dataset) -> str:
    """Canonical N-Quads (RDFC-1.0) of a dataset from `to_dataset` (which it consumes)."""
    result: str = URDNA2015().main(dataset, {"format": "application/n-quads"})
    return result


@cache
def _bundled_templates() -> TemplateCache:
    reserved = frozenset(term for term in bundled_terms() if ":" in term)
    return TemplateCache(reserved, _check_literal_text)


def canonize(
    document: dict[str, Any], *, loader: DocumentLoader = bundled_loader, fast: bool = True
) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, using bundled contexts only.

    With the bundled loader, a document whose shape was seen before skips JSON-LD
    expansion (see `shapes`); `fast=False` forces full expansion, for comparison.

    :raises UnknownContextError: a context is not bundled.
    :raises InputError: not JSON-LD, or text pyld cannot canonicalize like other implementations.
    """
    _require_object(document)
    dataset = None
    if fast and loader is bundled_loader:
        try:
            dataset = _bundled_templates().dataset(document, _build_bundled)
        except RecursionError:
            dataset = None  # the full path reports it as an InputError
    if dataset is None:
        dataset = to_dataset(document, loader=loader)
    return canonize_dataset(dataset)


def check_safe(document: dict[str, Any], *, loader: DocumentLoader = bundled_loader) -> None:
    """Refuse a document whose JSON-LD expansion would lose or misread a term.

    This is the "safe mode" of jsonld.js, which pyld lacks: every property must
    expand to an absolute IRI and every `type` and `id` must be absolute.

    :raises DroppedTermError: names each undefined term, type or relative id.
    :raises UnknownContextError: a context is not bundled.
    """
    templates = _bundled_templates() if loader is bundled_loader else None
    if templates is not None and _known_safe(templates, document):
        return
    dropped: list[str] = []

    def note_dropped(term: str | None) -> None:
        dropped.append(str(term))

    expanded = expand(document, loader=loader, on_dropped=note_dropped)
    problems = [f"the term {term!r} is not defined by any context" for term in dropped]
    bad_types: list[str] = []
    bad_ids: list[str] = []
    _collect_relative(expanded, bad_types, bad_ids)
    problems += [f"the type {name!r} is not defined by any context" for name in bad_types]
    problems += [f"the id {value!r} is not an absolute IRI" for value in bad_ids]
    if problems:
        unique = list(dict.fromkeys(problems))
        message = "The document cannot be signed safely: " + "; ".join(unique) + "."
        raise DroppedTermError(list(dict.fromkeys(dropped + bad_types + bad_ids)), message)
    if templates is not None:
        templates.remember_safe(document, _build_bundled)


def _build_bundled(document: dict[str, Any]) -> Dataset:
    return to_dataset(document, loader=bundled_loader)


def _known_safe(templates: TemplateCache, document: dict[str, Any]) -> bool:
    try:
        return templates.known_safe(document, _build_bundled)
    except RecursionError:
        return False


def _is_absolute(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("_:") or bool(_ABSOLUTE_IRI.match(value)))


def _collect_relative(node: Any, bad_types: list[str], bad_ids: list[str]) -> None:
    """Walk expanded JSON-LD and collect @type and @id values that are not absolute."""
    if isinstance(node, list):
        for item in node:
            _collect_relative(item, bad_types, bad_ids)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        datatype = node.get("@type")
        if datatype is not None and datatype != "@json" and not _is_absolute(datatype):
            bad_types.append(str(datatype))
        return
    types = node.get("@type", [])
    for name in types if isinstance(types, list) else [types]:
        if not _is_absolute(name):
            bad_types.append(str(name))
    if "@id" in node and not _is_absolute(node["@id"]):
        bad_ids.append(str(node["@id"]))
    for key, value in node.items():
        if key not in ("@type", "@id"):
            _collect_relative(value, bad_types, bad_ids)
