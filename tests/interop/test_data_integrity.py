"""Laurel's Data Integrity proofs checked by an implementation Laurel did not write.

js/verify-di.mjs runs Digital Bazaar's @digitalbazaar/vc verifyCredential with the
eddsa-rdfc-2022 cryptosuite and @digitalbazaar/vc-bitstring-status-list, offline:
bundled contexts, Laurel's DID document (did:web:laurel.test) and, where the
credential has a status entry, Laurel's signed status list credential.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.credentials.document import EvidenceData
from app.credentials.keys import KeyStore
from app.credentials.signing import sign_credential
from tests.credentials.samples import NOW
from tests.credentials.samples import sample_achievement
from tests.credentials.samples import sample_credential
from tests.fixtures.keys import KEYS_CREATED
from tests.fixtures.keys import TEST_PASSPHRASE
from tests.fixtures.keys import KeysDir
from tests.fixtures.node import NodeScripts

from .issuer import VERIFY_AT
from .issuer import did_document
from .issuer import signed_learner_record
from .issuer import signed_sample
from .issuer import signed_status_list

pytestmark = pytest.mark.node

STATUS_INDEX = 1000  # sample credential 0's revocation index


def _verify(
    node_scripts: NodeScripts, keys_dir: KeysDir, credential: dict[str, Any], *extra: dict[str, Any]
) -> dict[str, Any]:
    payload = {
        "credential": credential,
        "documents": [did_document(keys_dir.store), *extra],
        "now": VERIFY_AT,
    }
    result: dict[str, Any] = node_scripts.run("verify-di", payload)
    return result


def test_di_credential_with_unset_status_bit_verifies_and_reads_not_revoked(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    signed = signed_sample(keys_dir.store)
    status_list = signed_status_list(keys_dir.store, revoked=[STATUS_INDEX + 1])

    result = _verify(node_scripts, keys_dir, signed.document, status_list)

    assert result["verified"] is True, result["error"]
    assert result["statuses"] == [
        {"statusPurpose": "revocation", "statusListIndex": str(STATUS_INDEX), "status": False}
    ]


def test_di_credential_with_revoked_bit_reports_revoked_status(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    signed = signed_sample(keys_dir.store)
    status_list = signed_status_list(keys_dir.store, revoked=[STATUS_INDEX])

    result = _verify(node_scripts, keys_dir, signed.document, status_list)

    # The status list verified and its bit reads 1: vc-js reports the status, the caller decides.
    assert result["statuses"] == [
        {"statusPurpose": "revocation", "statusListIndex": str(STATUS_INDEX), "status": True}
    ]


def test_di_credential_stored_text_verifies(node_scripts: NodeScripts, keys_dir: KeysDir) -> None:
    """What Laurel serves is `json_text`; that exact text must verify elsewhere."""
    signed = signed_sample(keys_dir.store, 4)
    status_list = signed_status_list(keys_dir.store)

    result = _verify(node_scripts, keys_dir, json.loads(signed.json_text), status_list)

    assert result["verified"] is True, result["error"]


def test_di_credential_tampered_fails(node_scripts: NodeScripts, keys_dir: KeysDir) -> None:
    signed = signed_sample(keys_dir.store)
    tampered = copy.deepcopy(signed.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Something never earned"

    result = _verify(node_scripts, keys_dir, tampered, signed_status_list(keys_dir.store))

    assert result["verified"] is False
    assert "signature" in result["error"].lower()


def test_di_credential_with_tampered_status_list_fails(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    signed = signed_sample(keys_dir.store)
    status_list = signed_status_list(keys_dir.store)
    forged = signed_status_list(keys_dir.store, revoked=[STATUS_INDEX])
    status_list["credentialSubject"]["encodedList"] = forged["credentialSubject"]["encodedList"]

    result = _verify(node_scripts, keys_dir, signed.document, status_list)

    assert result["verified"] is False
    assert "BitstringStatusListCredential" in result["error"]


def test_status_list_credential_verifies_on_its_own(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    status_list = signed_status_list(keys_dir.store, revoked=[7, 131071])

    result = _verify(node_scripts, keys_dir, status_list)

    assert result["verified"] is True, result["error"]
    assert result["statuses"] == []


def test_learner_record_verifies(node_scripts: NodeScripts, keys_dir: KeysDir) -> None:
    record = signed_learner_record(keys_dir.store)

    result = _verify(node_scripts, keys_dir, record)

    assert result["verified"] is True, result["error"]


def test_learner_record_embedded_credentials_each_verify(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    record = signed_learner_record(keys_dir.store)
    embedded = record["credentialSubject"]["verifiableCredential"]

    results = node_scripts.run(
        "verify-di",
        {
            "credentials": embedded,
            "documents": [did_document(keys_dir.store), signed_status_list(keys_dir.store)],
            "now": VERIFY_AT,
        },
    )

    assert len(embedded) == 2
    assert [result["error"] for result in results] == [None, None]


def test_di_credential_key_missing_from_did_document_fails(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    signed = signed_sample(keys_dir.store)
    document = did_document(keys_dir.store)
    document["assertionMethod"] = []

    result = node_scripts.run(
        "verify-di",
        {"credential": signed.document, "documents": [document], "now": VERIFY_AT},
    )

    assert result["verified"] is False
    assert "not authorized" in result["error"]


def test_credentials_signed_before_and_after_rotation_both_verify(
    node_scripts: NodeScripts, tmp_path: Path
) -> None:
    """The DID document lists every key ever used, so old credentials keep verifying."""
    store = KeyStore(tmp_path / "keys", TEST_PASSPHRASE)
    store.init(now=KEYS_CREATED)
    before = sign_credential(sample_credential(40, status_entries=()), keystore=store, now=NOW)
    store.rotate(now=NOW, kind="ed25519")
    after = sign_credential(sample_credential(41, status_entries=()), keystore=store, now=NOW)
    document = did_document(store)
    assert [m["type"] for m in document["verificationMethod"]] == [
        "Multikey",
        "Multikey",
        "JsonWebKey",
    ]

    for signed, fragment in ((before, "key-1"), (after, "key-2")):
        assert signed.document["proof"][0]["verificationMethod"].endswith(f"#{fragment}")
        result = node_scripts.run(
            "verify-di", {"credential": signed.document, "documents": [document], "now": VERIFY_AT}
        )
        assert result["verified"] is True, (fragment, result["error"])


def test_credentials_with_difficult_text_verify(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    """Signed on Laurel's fast path (one template per shape), checked by vc-js's own canonizer."""
    texts = [
        "Zoë & Łukasz — 日本語 🎓 العربية",
        "She said \"well done\" and 'again'",
        "C:\\Users\\student \\n not a newline \\",
        "line one\nline two\r\nline three\rend\ttab",
        "<script>alert(1)</script> &amp;",
        "\u00a0nbsp \u2028 \u2029 \ufeff \u200b 👩🏽‍🔧",
        "Long. " * 4000,
    ]
    signed = []
    for number, text in enumerate(texts, start=50):
        achievement = replace(sample_achievement(number), description=text, criteria_narrative=text)
        evidence = (EvidenceData(f"https://laurel.test/evidence/{number}", "Log", narrative=text),)
        document = signed_sample(
            keys_dir.store, number, achievement=achievement, evidence=evidence, name=text[:60]
        ).document
        assert document["credentialSubject"]["achievement"]["description"] == text
        signed.append(document)

    results = node_scripts.run(
        "verify-di",
        {
            "credentials": signed,
            "documents": [did_document(keys_dir.store), signed_status_list(keys_dir.store)],
            "now": VERIFY_AT,
        },
    )

    assert [result["error"] for result in results] == [None] * len(texts)


OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OLDER_OB_CONTEXT = (
    Path(__file__).resolve().parents[1]
    / "credentials"
    / "vectors"
    / "context_history"
    / "ob_v3p0_context-3.0.3_2024-03-04_spec-repo-74da24d.json"
)


def _verify_with_older_context(
    node_scripts: NodeScripts, keys_dir: KeysDir, credential: dict[str, Any]
) -> dict[str, Any]:
    """vc-js with the 2024 copy of context-3.0.3 (no jti, no endorsementJwt), as some
    verifiers and wallets still bundle it."""
    older = json.loads(OLDER_OB_CONTEXT.read_text(encoding="utf-8"))
    result: dict[str, Any] = node_scripts.run(
        "verify-di",
        {
            "credential": credential,
            "documents": [did_document(keys_dir.store)],
            "contexts": {OB_CONTEXT: older},
            "now": VERIFY_AT,
        },
    )
    return result


def test_credential_verifies_with_older_copy_of_ob_context(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    signed = signed_sample(keys_dir.store, 80, status_entries=())

    result = _verify_with_older_context(node_scripts, keys_dir, signed.document)

    assert result["verified"] is True, result["error"]


def test_credential_with_term_missing_from_older_context_fails_there(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    """Why Laurel keeps endorsementJwt (and jti) out of credentials: older copies reject them."""
    unsigned = sample_credential(81, status_entries=())
    unsigned["endorsementJwt"] = ["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"]
    signed = sign_credential(unsigned, keystore=keys_dir.store, now=NOW, formats=("di",))

    current = _verify(node_scripts, keys_dir, signed.document)
    older = _verify_with_older_context(node_scripts, keys_dir, signed.document)

    assert current["verified"] is True, current["error"]
    assert older["verified"] is False
    assert "safe mode" in older["error"].lower()
