"""The Open Badges 2.0 checks on their own: no Flask, no database, documents from a table.

The web import (tests/backpack/test_ob2_import.py) drives the same code through
Laurel's guarded fetcher; here the fetcher is the injected callable the module takes.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import pytest

from app.verify.core.fetching import DocumentNotFound
from app.verify.core.fetching import FetchError
from app.verify.core.ob2 import Ob2Refused
from app.verify.core.ob2 import assertion_text
from app.verify.core.ob2 import check_ob2
from tests.backpack.test_ob2_import import REVOCATION_LIST
from tests.backpack.test_ob2_import import SPEC_ASSERTION
from tests.backpack.test_ob2_import import SPEC_BADGE_CLASS
from tests.backpack.test_ob2_import import SPEC_ISSUER
from tests.backpack.test_ob2_import import hashed

NOW = datetime(2026, 12, 4, tzinfo=UTC)
EMAIL = "beth@example.org"


def table(*documents: dict):
    published = {document["id"]: json.dumps(document).encode() for document in documents}

    def fetch(url: str) -> bytes:
        if url not in published:
            raise DocumentNotFound(f"{url}: no such document.")
        return published[url]

    return fetch


def beths() -> dict:
    return {**SPEC_ASSERTION, "recipient": hashed(EMAIL)}


def test_spec_sample_hosted_is_checked_and_expired():
    fetch = table(beths(), SPEC_BADGE_CLASS, SPEC_ISSUER, REVOCATION_LIST)
    badge = check_ob2(json.dumps(beths()), emails=[EMAIL], fetcher=fetch, now=NOW)
    assert (badge.method, badge.outcome) == ("hosted", "expired")
    assert badge.issuer_name == "An Example Badge Issuer"
    assert badge.issued_on == datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_url_is_fetched_with_the_injected_fetcher():
    fetch = table(beths())
    assert json.loads(assertion_text(SPEC_ASSERTION["id"].encode(), fetcher=fetch)) == beths()


def test_fetch_failure_is_a_fetch_error_not_a_crash():
    with pytest.raises(FetchError):
        check_ob2(json.dumps(beths()), emails=[EMAIL], fetcher=table(), now=NOW)


def test_svg_with_too_many_elements_is_refused_before_parsing():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 60_000 + b"</svg>"
    with pytest.raises(Ob2Refused, match="elements"):
        assertion_text(svg, fetcher=table())
