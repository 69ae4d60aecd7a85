"""Laurel verifies credentials that another implementation signed.

js/issue-di.mjs has Digital Bazaar's @digitalbazaar/vc issue an eddsa-rdfc-2022
credential with a freshly generated Ed25519 Multikey and a did:key issuer, so
Laurel's verifier meets a proof, a key and a serialization Laurel did not make.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.credentials.did import public_key_from_did_key
from app.credentials.document import Issuer
from app.credentials.errors import ProofError
from app.credentials.keys import public_key_from_jwk
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.proofs.vc_jwt import verify_jwt
from app.credentials.status import StatusList
from app.credentials.status import build_status_list_credential
from app.credentials.status import status_entry
from app.verify.core.fetching import FetchError
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Report
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from app.verify.core.trust import TrustEntry
from tests.credentials.samples import NOW
from tests.credentials.samples import sample_credential
from tests.fixtures.node import NodeScripts

from .issuer import VERIFY_AT

pytestmark = pytest.mark.node

VECTORS = Path(__file__).resolve().parents[1] / "credentials" / "vectors"


def _issued_elsewhere(node_scripts: NodeScripts, unsigned: dict[str, Any]) -> dict[str, Any]:
    signed: dict[str, Any] = node_scripts.run(
        "issue-di", {"credential": unsigned, "created": VERIFY_AT}
    )
    return signed


def _laurel_verifies(credential: dict[str, Any]) -> Report:
    """Laurel's verdict, with the credential's did:key on the trust list (else: unknown issuer)."""
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return verify(
        json.dumps(credential).encode(),
        filename="credential.json",
        resolver=build_resolver(fetcher=None),
        now=NOW,
        trusted=[TrustEntry(str(issuer_id), "Issuer signed with Digital Bazaar's vc-js")],
    )


@pytest.fixture(scope="module")
def foreign_credential(node_scripts: NodeScripts) -> dict[str, Any]:
    """A Laurel-shaped OB 3.0 credential (no status entry) signed by vc-js with a did:key."""
    return _issued_elsewhere(node_scripts, sample_credential(5, status_entries=()))


def test_foreign_credential_issuer_is_did_key_of_its_proof(
    foreign_credential: dict[str, Any],
) -> None:
    proof = foreign_credential["proof"]
    issuer = foreign_credential["issuer"]["id"]
    assert issuer.startswith("did:key:z6Mk")
    assert proof["verificationMethod"] == f"{issuer}#{issuer.removeprefix('did:key:')}"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"


def test_foreign_credential_pipeline_verifies(foreign_credential: dict[str, Any]) -> None:
    """vc-js writes a single proof as an object, which the current OB schema allows."""
    report = _laurel_verifies(foreign_credential)

    failed = [check for check in report.checks if check.outcome is not Outcome.PASSED]
    assert report.verdict is Verdict.VERIFIED, failed


def test_foreign_credential_with_proof_listed_pipeline_verifies(
    foreign_credential: dict[str, Any],
) -> None:
    """The same graph with `proof` as a one-item list, as the strict OB schema wants."""
    listed = {**foreign_credential, "proof": [foreign_credential["proof"]]}

    report = _laurel_verifies(listed)

    failed = [check for check in report.checks if check.outcome is not Outcome.PASSED]
    assert report.verdict is Verdict.VERIFIED, failed
    assert any(check.name == "proof" and check.outcome is Outcome.PASSED for check in report.checks)


def test_foreign_credential_tampered_pipeline_rejects(foreign_credential: dict[str, Any]) -> None:
    tampered = copy.deepcopy(foreign_credential)
    tampered["credentialSubject"]["achievement"]["description"] = "Rewritten after signing."

    report = _laurel_verifies(tampered)

    assert report.verdict is Verdict.NOT_VERIFIED
    assert any(check.name == "proof" and check.outcome is Outcome.FAILED for check in report.checks)


def test_foreign_credential_proof_verifies_with_did_key(foreign_credential: dict[str, Any]) -> None:
    proof = foreign_credential["proof"]
    public_key = public_key_from_did_key(proof["verificationMethod"])

    verify_proof(foreign_credential, proof, public_key=public_key)

    other = copy.deepcopy(foreign_credential)
    other["validFrom"] = "2026-11-24T10:00:00Z"
    with pytest.raises(ProofError):
        verify_proof(other, proof, public_key=public_key)


def test_official_vector_credential_signed_elsewhere_verifies(node_scripts: NodeScripts) -> None:
    unsigned = json.loads(
        (VECTORS / "eddsa_rdfc_2022_ob_v3p0" / "credential_unsigned.json").read_text(
            encoding="utf-8"
        )
    )
    signed = _issued_elsewhere(node_scripts, unsigned)
    proof = signed["proof"]

    verify_proof(signed, proof, public_key=public_key_from_did_key(proof["verificationMethod"]))


# --- VC-JWTs signed by jose --------------------------------------------------------------------

OTHER_ISSUER = Issuer(
    id="did:web:issuer.example", name="Another School", url="https://issuer.example"
)


class PublishedDocuments:
    """A fetcher over documents another issuer publishes (URL -> JSON), offline."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents

    def __call__(self, url: str) -> bytes:
        if url not in self.documents:
            raise FetchError(f"{url} is not published.")
        return json.dumps(self.documents[url]).encode()


def _jose_signed(
    node_scripts: NodeScripts, algorithm: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(unsigned credential, {"jwt", "jwk"}) for a credential jose signed with a fresh key."""
    unsigned = sample_credential(6, issuer=OTHER_ISSUER, status_entries=())
    signed: dict[str, Any] = node_scripts.run(
        "sign-jwt",
        {"credential": unsigned, "alg": algorithm, "kid": f"{OTHER_ISSUER.id}#{algorithm}-1"},
    )
    return unsigned, signed


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_foreign_jwt_verify_jwt_returns_the_credential(
    node_scripts: NodeScripts, algorithm: str
) -> None:
    unsigned, signed = _jose_signed(node_scripts, algorithm)

    credential = verify_jwt(
        signed["jwt"], public_key=public_key_from_jwk(signed["jwk"]), algorithm=algorithm
    )

    assert credential == unsigned


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_foreign_jwt_pipeline_verifies_with_published_jwks(
    node_scripts: NodeScripts, algorithm: str
) -> None:
    _unsigned, signed = _jose_signed(node_scripts, algorithm)
    published = PublishedDocuments(
        {
            "https://issuer.example/.well-known/did.json": {
                "@context": ["https://www.w3.org/ns/did/v1"],
                "id": OTHER_ISSUER.id,
            },
            "https://issuer.example/.well-known/jwks.json": {"keys": [signed["jwk"]]},
        }
    )

    report = verify(
        signed["jwt"], resolver=build_resolver(fetcher=published), fetcher=published, now=NOW
    )

    failed = [check for check in report.checks if check.outcome is not Outcome.PASSED]
    assert report.verdict is Verdict.VERIFIED, failed
    assert report.issuer_id == OTHER_ISSUER.id


# --- a foreign credential with a foreign status list ----------------------------------------

FOREIGN_LIST_URL = "https://issuer.example/status/revocation"


@pytest.mark.parametrize(
    ("revoked", "verdict"), [(False, Verdict.VERIFIED), (True, Verdict.REVOKED)]
)
def test_foreign_credential_with_foreign_status_list_pipeline_reads_status(
    node_scripts: NodeScripts, revoked: bool, verdict: Verdict
) -> None:
    index = 70123
    bits = StatusList.new()
    bits.set(index, revoked)
    unsigned_list = build_status_list_credential(
        list_url=FOREIGN_LIST_URL,
        issuer_id=OTHER_ISSUER.id,
        purpose="revocation",
        status_list=bits,
        valid_from=VERIFY_AT,
    )
    entry = status_entry(list_url=FOREIGN_LIST_URL, index=index, purpose="revocation")
    unsigned = sample_credential(7, issuer=OTHER_ISSUER, status_entries=(entry,))
    credential, status_list = node_scripts.run(
        "issue-di", {"credentials": [unsigned, unsigned_list], "created": VERIFY_AT}
    )
    assert status_list["issuer"] == credential["issuer"]["id"]
    published = PublishedDocuments({FOREIGN_LIST_URL: status_list})

    report = verify(
        json.dumps(credential).encode(),
        filename="credential.json",
        resolver=build_resolver(fetcher=published),
        fetcher=published,
        now=NOW,
        trusted=[TrustEntry(credential["issuer"]["id"], "Another school (on the trust list)")],
    )

    failed = [check for check in report.checks if check.outcome is not Outcome.PASSED]
    assert report.verdict is verdict, failed
    assert any(check.name == "status" for check in report.checks)
