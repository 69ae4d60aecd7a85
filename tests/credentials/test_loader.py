"""Tests for the bundled, offline JSON-LD document loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.credentials.errors import UnknownContextError
from app.credentials.loader import STANDARDS_DIR
from app.credentials.loader import bundled_document
from app.credentials.loader import bundled_loader
from app.credentials.loader import is_bundled

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def test_bundled_loader_known_context_returns_static_document() -> None:
    loaded = bundled_loader(OB_CONTEXT)
    assert loaded["tag"] == "static"
    assert loaded["documentUrl"] == OB_CONTEXT
    assert loaded["contextUrl"] is None
    assert "@context" in loaded["document"]


def test_bundled_loader_unknown_url_names_the_url() -> None:
    with pytest.raises(UnknownContextError) as caught:
        bundled_loader("https://example.org/never-bundled.jsonld")
    assert caught.value.url == "https://example.org/never-bundled.jsonld"
    assert "https://example.org/never-bundled.jsonld" in str(caught.value)


def test_bundled_document_mutating_copy_leaves_bundle_intact() -> None:
    first = bundled_document(OB_CONTEXT)
    first["@context"] = "changed"
    assert bundled_document(OB_CONTEXT)["@context"] != "changed"


def test_is_bundled_index_entries_all_bundled() -> None:
    index = json.loads((STANDARDS_DIR / "index.json").read_text(encoding="utf-8"))
    assert index["entries"]
    assert all(is_bundled(entry["url"]) for entry in index["entries"])
    assert is_bundled("https://www.w3.org/ns/credentials/examples/v2")
    assert not is_bundled("https://www.w3.org/ns/credentials/undefined-terms/v2")


def test_read_bundle_tampered_file_raises_credential_error(tmp_path: Path) -> None:
    from app.credentials.errors import CredentialError
    from app.credentials.loader import read_bundle

    shutil.copytree(STANDARDS_DIR, tmp_path / "standards")
    assert OB_CONTEXT in read_bundle(tmp_path / "standards")
    context = tmp_path / "standards/contexts/purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    context.write_bytes(context.read_bytes().replace(b"Achievement", b"Achievment", 1))
    with pytest.raises(CredentialError, match="does not match its recorded SHA-256"):
        read_bundle(tmp_path / "standards")
