"""Canonicalization templates: run JSON-LD expansion once per credential shape, then substitute.

Pure module: imports neither flask nor sqlalchemy nor any other app package.

JSON-LD expansion is about 80 % of the cost of canonicalizing a credential,
and for two credentials of the same badge it does the same work: only the
string values differ. So Laurel expands a copy of the document whose string
values are replaced by unique placeholders, remembers where each placeholder
lands in the RDF dataset, and for the next document of that shape puts the
real values in those places and runs only the RDFC-1.0 labelling and sorting
(which does depend on the values, so it is never cached).

A value is substituted only when the result is provably what full expansion
would give, otherwise the template keeps the real value (making it part of the
cache key) or the caller falls back to the full path:

* the placeholder must land in the dataset verbatim, as a whole RDF term;
* in an IRI position the real value must be an absolute IRI with the same
  scheme prefix (pyld returns such values unchanged) and must not be a term
  some bundled context defines;
* in a literal position the datatype must not be xsd:double or rdf:JSON,
  the two datatypes for which pyld rewrites the lexical form;
* `@context`, `type` and every `@`-keyword value (except `@id`) stay part of
  the shape, because they choose the (scoped) contexts;
* numbers, booleans and null stay part of the shape;
* the resulting quads are de-duplicated, as JSON-LD's node map merges equal
  values and nodes with equal ids.

Tests compare this path with full pyld canonicalization on many varied documents.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

Dataset = dict[str, list[dict[str, Any]]]
BuildDataset = Callable[[dict[str, Any]], Dataset]

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
_REWRITTEN_DATATYPES = frozenset({XSD_DOUBLE, RDF_JSON})

# A scheme pyld accepts plus a suffix with nothing that needs escaping or that pyld's
# absolute-IRI test (no whitespace) rejects; "//" is kept with the prefix because pyld
# never treats "scheme://..." as a compact IRI.
_IRI_VALUE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*:(?://)?)[^\s<>\"{}|^`\\\x00-\x20]*$")

# A secret, per-process marker, so no document can contain a placeholder by design.
_NONCE = secrets.token_hex(8)
_MARKER = f"lph{_NONCE}n"
_PLACEHOLDER = re.compile(rf"^(?:[A-Za-z][A-Za-z0-9+.\-]*:(?://)?)?{_MARKER}(\d+)x$")

_STRING = "s"


class _Term:
    """An RDF term of a template; `slot` is the leaf index whose value replaces `value`."""

    __slots__ = ("kind", "value", "datatype", "language", "slot", "_shared")

    def __init__(
        self, kind: str, value: str, datatype: str | None, language: str | None, slot: int | None
    ) -> None:
        self.kind = kind
        self.value = value
        self.datatype = datatype
        self.language = language
        self.slot = slot
        # pyld's canonicalizer relabels blank-node terms in place, so only those are copied.
        self._shared = None if slot is not None or kind == "blank node" else self._build(value)

    def _build(self, value: str) -> dict[str, Any]:
        term: dict[str, Any] = {"type": self.kind, "value": value}
        if self.datatype is not None:
            term["datatype"] = self.datatype
        if self.language is not None:
            term["language"] = self.language
        return term

    def render(self, leaves: list[str]) -> dict[str, Any]:
        if self._shared is not None:
            return self._shared
        return self._build(self.value if self.slot is None else leaves[self.slot])


@dataclass(frozen=True)
class _Template:
    """A dataset whose terms may name leaf slots; None marks a shape without a fast path."""

    graphs: tuple[tuple[str, tuple[tuple[_Term, _Term, _Term], ...]], ...]


@dataclass(frozen=True)
class _Shape:
    """What the placeholder run learned: the leaves that may be substituted."""

    substitutable: frozenset[int]


def _leaf_class(value: str, reserved_terms: frozenset[str]) -> str:
    match = _IRI_VALUE.match(value)
    if match is None or value in reserved_terms:
        return _STRING
    return match.group(1)


class _Leaves:
    """The string leaves of a document, in a key-order-independent traversal order."""

    def __init__(
        self,
        document: dict[str, Any],
        reserved_terms: frozenset[str],
        marked_keys: frozenset[str] = frozenset(),
    ) -> None:
        self.values: list[str] = []
        self.classes: list[str] = []
        self.keys: list[str | None] = []
        self.marked: list[bool] = []
        self._reserved = reserved_terms
        self._marked_keys = marked_keys
        tokens: list[Any] = []
        self._walk(document, tokens, False, None, False)
        self.skeleton = tuple(tokens)

    def _walk(
        self, node: Any, tokens: list[Any], fixed: bool, key: str | None, marked: bool
    ) -> None:
        """Append the shape as a flat token stream: 0/1 open/close an object, 2/3 a list,
        a key is a str, a leaf is its class (a str right after a key or in a list),
        any other scalar a (type name, value) pair."""
        if isinstance(node, dict):
            tokens.append(0)
            for name in sorted(node):
                tokens.append(name)
                self._walk(
                    node[name],
                    tokens,
                    fixed or _is_fixed_key(name),
                    name,
                    marked or name in self._marked_keys,
                )
            tokens.append(1)
        elif isinstance(node, list):
            tokens.append(2)
            for item in node:
                self._walk(item, tokens, fixed, key, marked)
            tokens.append(3)
        elif isinstance(node, str) and not fixed:
            leaf_class = _leaf_class(node, self._reserved)
            self.values.append(node)
            self.classes.append(leaf_class)
            self.keys.append(key)
            self.marked.append(marked)
            tokens.append(leaf_class)
        else:
            tokens.append((type(node).__name__, node))

    def placeholder(self, index: int) -> str:
        prefix = self.classes[index]
        return f"{'' if prefix == _STRING else prefix}{_MARKER}{index}x"

    def with_placeholders(self, document: dict[str, Any], slots: frozenset[int]) -> dict[str, Any]:
        counter = iter(range(len(self.values)))

        def rebuild(node: Any, fixed: bool) -> Any:
            if isinstance(node, dict):
                return {
                    key: rebuild(node[key], fixed or _is_fixed_key(key)) for key in sorted(node)
                }
            if isinstance(node, list):
                return [rebuild(item, fixed) for item in node]
            if isinstance(node, str) and not fixed:
                index = next(counter)
                return self.placeholder(index) if index in slots else node
            return node

        result: dict[str, Any] = rebuild(document, False)
        return result


def shape_key(
    document: dict[str, Any],
    *,
    values_of: frozenset[str],
    values_within: frozenset[str],
    classify: Callable[[str], Hashable] | None = None,
) -> tuple[Any, ...]:
    """A document's shape (structure, keys, JSON types, `type` and `@` values) plus the
    string values directly under a property in `values_of` or anywhere within one in
    `values_within`, plus `classify(value)` of every string value when given."""
    leaves = _Leaves(document, frozenset(), values_within)
    kept = tuple(
        value
        for value, key, marked in zip(leaves.values, leaves.keys, leaves.marked, strict=True)
        if marked or key in values_of
    )
    classes = () if classify is None else tuple(classify(value) for value in leaves.values)
    return (leaves.skeleton, kept, classes)


def _is_fixed_key(key: str) -> bool:
    """Keys whose values shape the expansion itself and so stay part of the cache key."""
    return key == "type" or (key.startswith("@") and key != "@id")


def _locate(dataset: Dataset, leaves: _Leaves) -> tuple[dict[int, int], set[int]]:
    """Count each placeholder's verbatim, substitutable appearances; note leaves that misbehave."""
    found: dict[int, int] = {}
    bad: set[int] = set()
    for graph_name, triples in dataset.items():
        if _MARKER in graph_name:
            bad.update(range(len(leaves.values)))
        for triple in triples:
            for role in ("subject", "predicate", "object"):
                term = triple[role]
                for extra in ("datatype", "language"):
                    if _MARKER in (term.get(extra) or ""):
                        bad.update(range(len(leaves.values)))
                value = term["value"]
                if _MARKER not in value:
                    continue
                match = _PLACEHOLDER.match(value)
                index = int(match.group(1)) if match else None
                if (
                    index is None
                    or index >= len(leaves.values)
                    or value != leaves.placeholder(index)
                ):
                    bad.update(_indices_in(value, len(leaves.values)))
                    continue
                usable = role != "predicate" and (
                    (term["type"] == "IRI" and leaves.classes[index] != _STRING)
                    or (
                        term["type"] == "literal"
                        and term.get("datatype") not in _REWRITTEN_DATATYPES
                    )
                )
                if usable:
                    found[index] = found.get(index, 0) + 1
                else:
                    bad.add(index)
    return found, bad


def _indices_in(value: str, count: int) -> set[int]:
    indices = {int(number) for number in re.findall(rf"{_MARKER}(\d+)x", value)}
    return {index for index in indices if index < count} or set(range(count))


def _template_from(dataset: Dataset, leaves: _Leaves) -> _Template:
    def term(raw: dict[str, Any]) -> _Term:
        match = _PLACEHOLDER.match(raw["value"]) if _MARKER in raw["value"] else None
        return _Term(
            kind=raw["type"],
            value=raw["value"],
            datatype=raw.get("datatype"),
            language=raw.get("language"),
            slot=int(match.group(1)) if match else None,
        )

    return _Template(
        graphs=tuple(
            (
                graph_name,
                tuple(
                    (term(triple["subject"]), term(triple["predicate"]), term(triple["object"]))
                    for triple in triples
                ),
            )
            for graph_name, triples in dataset.items()
        )
    )


def _render(template: _Template, leaves: list[str]) -> Dataset:
    dataset: Dataset = {}
    for graph_name, triples in template.graphs:
        seen: set[tuple[str, ...]] = set()
        rendered = []
        for subject, predicate, obj in triples:
            triple = {
                "subject": subject.render(leaves),
                "predicate": predicate.render(leaves),
                "object": obj.render(leaves),
            }
            # JSON-LD's node map merges equal values, so equal quads appear once.
            identity = (
                triple["subject"]["value"],
                predicate.value,
                obj.kind,
                triple["object"]["value"],
                obj.datatype or "",
                obj.language or "",
            )
            if identity not in seen:
                seen.add(identity)
                rendered.append(triple)
        dataset[graph_name] = rendered
    return dataset


class TemplateCache:
    """Learned shapes and templates for one document loader (thread-safe, bounded)."""

    def __init__(
        self,
        reserved_terms: frozenset[str],
        check_literal: Callable[[str], None],
        *,
        maxsize: int = 512,
    ) -> None:
        """
        :param reserved_terms: context terms that look like IRIs (never substituted).
        :param check_literal: raises for a value the full path would refuse as a literal.
        """
        self._reserved = reserved_terms
        self._check_literal = check_literal
        self._shapes: LRUCache[Any, _Shape] = LRUCache(maxsize=maxsize)
        self._templates: LRUCache[Any, _Template | None] = LRUCache(maxsize=maxsize)
        self._safe: LRUCache[Any, bool] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def dataset(self, document: dict[str, Any], build: BuildDataset) -> Dataset | None:
        """The document's RDF dataset from a template, or None when the full path must run.

        `build` is full JSON-LD-to-RDF conversion; it runs only for a new shape or template.
        Errors from it propagate only through the caller's full path: here they mean None.
        """
        found = self._lookup(document, build)
        if found is None:
            return None
        key, leaves, shape = found
        with self._lock:
            known = key in self._templates
            template = self._templates.get(key)
        if not known:
            template = self._learn_template(document, leaves, shape, build)
            with self._lock:
                self._templates[key] = template
        if template is None:
            return None
        for index in shape.substitutable:
            self._check_literal(leaves.values[index])
        return _render(template, leaves.values)

    def known_safe(self, document: dict[str, Any], build: BuildDataset) -> bool:
        """Whether a document of this template key already passed the safe-mode check.

        Safe mode only looks at keys, types, contexts and whether ids are absolute;
        all of these are fixed by the template key (substituted values are literals
        or absolute IRIs of a fixed scheme).
        """
        found = self._lookup(document, build)
        if found is None:
            return False
        with self._lock:
            return found[0] in self._safe

    def remember_safe(self, document: dict[str, Any], build: BuildDataset) -> None:
        """Record that a document of this template key passed the safe-mode check."""
        found = self._lookup(document, build)
        if found is not None:
            with self._lock:
                self._safe[found[0]] = True

    def _lookup(
        self, document: dict[str, Any], build: BuildDataset
    ) -> tuple[Any, _Leaves, _Shape] | None:
        leaves = _Leaves(document, self._reserved)
        if any(_MARKER in value for value in leaves.values):
            return None
        shape = self._shape(document, leaves, build)
        if shape is None:
            return None
        fixed_values = tuple(
            value for index, value in enumerate(leaves.values) if index not in shape.substitutable
        )
        return (leaves.skeleton, fixed_values), leaves, shape

    def _shape(
        self, document: dict[str, Any], leaves: _Leaves, build: BuildDataset
    ) -> _Shape | None:
        with self._lock:
            shape = self._shapes.get(leaves.skeleton)
        if shape is not None:
            return shape
        every = frozenset(range(len(leaves.values)))
        try:
            dataset = build(leaves.with_placeholders(document, every))
        except Exception:  # noqa: BLE001 - the full path reports the real error
            return None
        found, bad = _locate(dataset, leaves)
        shape = _Shape(substitutable=frozenset(index for index in found if index not in bad))
        with self._lock:
            self._shapes[leaves.skeleton] = shape
            if shape.substitutable == every:
                # Every value is substituted, so this run already is the template.
                self._templates[(leaves.skeleton, ())] = _template_from(dataset, leaves)
        return shape

    def _learn_template(
        self, document: dict[str, Any], leaves: _Leaves, shape: _Shape, build: BuildDataset
    ) -> _Template | None:
        try:
            dataset = build(leaves.with_placeholders(document, shape.substitutable))
        except Exception:  # noqa: BLE001 - the full path reports the real error
            return None
        found, bad = _locate(dataset, leaves)
        if bad or set(found) != set(shape.substitutable):
            return None
        return _template_from(dataset, leaves)
