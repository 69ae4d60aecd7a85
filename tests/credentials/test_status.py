"""Bitstring Status List: official lists decode, bits are MSB-first, bad lists are refused."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path

import pytest

from app.credentials.errors import InputError
from app.credentials.errors import StatusError
from app.credentials.keys import public_key_from_multikey
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.status import MAX_DECODED_BYTES
from app.credentials.status import MIN_ENTRIES
from app.credentials.status import StatusList
from app.credentials.status import build_status_list_credential
from app.credentials.status import random_free_index
from app.credentials.status import status_entry

VECTORS = Path(__file__).parent / "vectors" / "bitstring_status_list"
# W3C Bitstring Status List v1.0, example list: all zero, 16,384 bytes.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://laurel.test/status/revocation/1"


def multibase_gzip(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(data)).rstrip(b"=").decode()


def multibase(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# Official lists


def test_statuslist_decode_spec_example_all_zero():
    status_list = StatusList.decode(SPEC_EXAMPLE)
    assert status_list.size == MIN_ENTRIES
    assert status_list.to_bytes() == bytes(16384)


def test_statuslist_decode_1edtech_testlist_bit_23_set_msb_first():
    document = json.loads((VECTORS / "testlist.json").read_text())
    status_list = StatusList.decode(document["credentialSubject"]["encodedList"])
    assert [i for i in range(status_list.size) if status_list.get(i)] == [23]
    assert status_list.to_bytes()[2] == 0x01


def test_statuslist_1edtech_vector_credential_index_is_revoked():
    credential = json.loads((VECTORS / "credential-status-revoked.json").read_text())
    entry = credential["credentialStatus"]
    status = json.loads((VECTORS / "testlist.json").read_text())
    assert entry["statusListCredential"].endswith("/bit-string-list/testlist")
    assert StatusList.decode(status["credentialSubject"]["encodedList"]).get(
        int(entry["statusListIndex"])
    )


def test_statuslist_1edtech_vector_list_credential_signature_verifies():
    status = json.loads((VECTORS / "testlist.json").read_text())
    (proof,) = status["proof"]
    key = public_key_from_multikey(proof["verificationMethod"].split("#")[1])
    verify_proof(status, proof, public_key=key)


# Bits


def test_statuslist_new_is_all_clear_with_minimum_size():
    status_list = StatusList.new()
    assert status_list.size == 131072
    assert not any(status_list.get(i) for i in (0, 1, 7, 8, 65535, 131071))


def test_statuslist_set_index_0_is_msb_of_byte_0():
    status_list = StatusList.new()
    status_list.set(0, True)
    status_list.set(15, True)
    assert status_list.to_bytes()[:2] == b"\x80\x01"


def test_statuslist_set_then_clear_restores_bit_only():
    status_list = StatusList.new()
    for index in (22, 23, 24):
        status_list.set(index, True)
    status_list.set(23, False)
    assert [status_list.get(i) for i in (22, 23, 24)] == [True, False, True]
    assert status_list.to_bytes()[2:4] == b"\x02\x80"


def test_statuslist_encode_decode_round_trip():
    status_list = StatusList.new(MIN_ENTRIES * 2)
    for index in (0, 1000, 131073, MIN_ENTRIES * 2 - 1):
        status_list.set(index, True)
    encoded = status_list.encode()
    assert encoded.startswith("uH4sI") and "=" not in encoded
    assert StatusList.decode(encoded).to_bytes() == status_list.to_bytes()


def test_statuslist_encode_is_deterministic():
    assert StatusList.new().encode() == StatusList.new().encode()


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "5"])
def test_statuslist_index_outside_list_raises_statuserror(index):
    with pytest.raises(StatusError, match="outside the list"):
        StatusList.new().get(index)


@pytest.mark.parametrize("size", [MIN_ENTRIES - 8, MIN_ENTRIES + 1])
def test_statuslist_new_bad_size_raises_statuserror(size):
    with pytest.raises(StatusError, match="multiple of 8"):
        StatusList.new(size)


# Broken lists


@pytest.mark.parametrize(
    "encoded, message",
    [
        ("zH4sIAAAAAAAAA", "must start with 'u'"),
        (SPEC_EXAMPLE.replace("u", "U", 1), "must start with 'u'"),
        ("", "must start with 'u'"),
        ("uH4s+IAAA", "not valid base64url"),
        ("uH4sIA!", "not valid base64url"),
        ("uA", "not valid base64url"),
        (multibase(b"not gzip at all"), "not valid GZIP"),
        (multibase(gzip.compress(bytes(16384))[:-30]), "cut short"),
        (multibase(gzip.compress(bytes(16384)) + b"junk"), "unexpected data"),
        (multibase_gzip(bytes(16383)), "at least 131072"),
    ],
)
def test_statuslist_decode_broken_list_raises_statuserror(encoded, message):
    with pytest.raises(StatusError, match=message):
        StatusList.decode(encoded)


def test_statuslist_decode_gzip_bomb_stopped_at_limit():
    """About 100 KB of GZIP that would expand to 100 MB is refused without expanding it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()
    assert len(bomb) < 200_000
    with pytest.raises(StatusError, match="more than 16 MB"):
        StatusList.decode(multibase(bomb))
    assert MAX_DECODED_BYTES == 16 * 1024 * 1024


# Entries and list credentials


def test_random_free_index_avoids_taken_and_stays_in_range():
    taken = set(range(0, 1000))
    draws = {random_free_index(taken, size=1024) for _ in range(200)}
    assert draws <= set(range(1000, 1024))


def test_random_free_index_is_spread_not_sequential():
    draws = [random_free_index(set(), size=MIN_ENTRIES) for _ in range(50)]
    assert len(set(draws)) > 45
    assert max(draws) - min(draws) > MIN_ENTRIES // 4


def test_random_free_index_nearly_full_list_finds_last_slot():
    taken = set(range(MIN_ENTRIES)) - {77777}
    assert random_free_index(taken, size=MIN_ENTRIES) == 77777


def test_random_free_index_full_list_raises_statuserror():
    with pytest.raises(StatusError, match="full"):
        random_free_index(set(range(64)), size=64)


def test_status_entry_index_as_string_and_id_not_list_url():
    assert status_entry(list_url=LIST_URL, index=9041, purpose="revocation") == {
        "id": f"{LIST_URL}#9041",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "9041",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize(
    "purpose, index", [("refresh", 1), ("revocation", -1), ("suspension", True)]
)
def test_status_entry_bad_purpose_or_index_raises_inputerror(purpose, index):
    with pytest.raises(InputError):
        status_entry(list_url=LIST_URL, index=index, purpose=purpose)


def test_build_status_list_credential_shape():
    status_list = StatusList.new()
    status_list.set(23, True)
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer_id="did:web:laurel.test",
        purpose="revocation",
        status_list=status_list,
        valid_from="2026-11-23T10:00:00Z",
    )
    assert document == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:web:laurel.test",
        "validFrom": "2026-11-23T10:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(),
        },
    }
    assert StatusList.decode(document["credentialSubject"]["encodedList"]).get(23)
