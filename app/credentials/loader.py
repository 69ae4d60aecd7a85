"""Bundled JSON-LD contexts and JSON Schemas, and the offline document loader.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Every context and schema Laurel reads is a byte-for-byte copy under
`standards/`, listed in `standards/index.json` with its SHA-256. A URL that is
not bundled is an error naming that URL; Laurel never fetches a context, so a
credential verifies the same way in ten years as today.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from .errors import CredentialError
from .errors import UnknownContextError

STANDARDS_DIR = Path(__file__).parent / "standards"

DocumentLoader = Callable[[str, "dict[str, Any] | None"], "dict[str, Any]"]


def read_bundle(directory: Path) -> dict[str, Any]:
    """Read index.json and every file it lists, checking each SHA-256.

    :raises CredentialError: a file does not match its recorded digest.
    """
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    documents: dict[str, Any] = {}
    for entry in index["entries"]:
        raw = (directory / entry["path"]).read_bytes()
        if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
            raise CredentialError(
                f"The bundled file {entry['path']} does not match its recorded SHA-256; "
                "the installation is damaged."
            )
        documents[entry["url"]] = json.loads(raw)
    return documents


@cache
def _bundle() -> dict[str, Any]:
    """The bundle, read and checked once per process."""
    return read_bundle(STANDARDS_DIR)


def is_bundled(url: str) -> bool:
    """Tell whether Laurel ships this context or schema URL."""
    return url in _bundle()


def bundled_document(url: str) -> Any:
    """Return a private copy of a bundled context or schema.

    :raises UnknownContextError: the URL is not bundled.
    """
    try:
        document = _bundle()[url]
    except KeyError:
        raise UnknownContextError(url) from None
    return copy.deepcopy(document)


def bundled_bytes(url: str) -> bytes | None:
    """The bytes of a bundled file as published at `url` (None when it is not bundled),
    for checking a digest someone gives of that URL's resource."""
    path = _paths().get(url)
    return None if path is None else (STANDARDS_DIR / path).read_bytes()


@cache
def _paths() -> dict[str, str]:
    index = json.loads((STANDARDS_DIR / "index.json").read_text(encoding="utf-8"))
    return {entry["url"]: entry["path"] for entry in index["entries"]}


def bundled_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader serving bundled files only.

    The "static" tag lets pyld keep the processed context between calls,
    which makes canonicalization 1.6-1.9x faster.

    :raises UnknownContextError: the URL is not bundled.
    """
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": bundled_document(url),
        "tag": "static",
    }


@cache
def bundled_terms() -> frozenset[str]:
    """Every key that appears anywhere in a bundled JSON-LD context (terms and keywords)."""
    terms: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            terms.update(node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    for document in _bundle().values():
        if isinstance(document, dict) and "@context" in document:
            collect(document["@context"])
    return frozenset(terms)
