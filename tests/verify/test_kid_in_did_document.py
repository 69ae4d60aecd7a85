"""Laurel's own verifier finds a VC-JWT's RSA key in the DID document, with no JWKS served."""

from __future__ import annotations

from app.verify.core.pipeline import verify
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import NOW
from tests.verify.factory import JWKS_URL
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import school_documents


def test_jwt_kid_resolved_from_did_document_without_jwks(keys_dir):
    documents = school_documents(keys_dir.store)
    del documents[JWKS_URL]
    fetcher = MemoryFetcher(documents)
    signed = issue(keys_dir.store, 6)

    report = verify(signed.jwt, resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=NOW)

    assert report.verdict is Verdict.VERIFIED, report.checks
    assert JWKS_URL not in fetcher.requested
