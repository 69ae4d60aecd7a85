"""Endorsements a credential embeds are each verified and reported: in the JSON report and in
`laurel verify`'s output (offline: the endorsers sign with did:key here).

Bad endorsements tried: one altered after it was signed, one that endorses another
achievement, one that is no credential at all (a number), one of another credential;
none changes the verdict of the credential that carries them.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.credentials.endorsement import EndorserData
from app.credentials.endorsement import build_endorsement
from app.credentials.proofs.eddsa_rdfc_2022 import add_proof
from app.credentials.signing import sign_credential
from app.verify.core.pipeline import verify_document
from tests.credentials.samples import NOW
from tests.credentials.samples import sample_achievement
from tests.credentials.samples import sample_credential
from tests.credentials.vc_samples import did_key_signer
from tests.credentials.vc_samples import plain_credential
from tests.verify.factory import own_resolver
from tests.verify.test_cli_verify import env  # noqa: F401  (a fixture)

NUMBER = 41
ACHIEVEMENT_ID = sample_achievement(NUMBER).id


def _endorsement(seed: int, name: str, subject_id: str) -> dict:
    signer = did_key_signer(seed)
    unsigned = build_endorsement(
        credential_id=f"urn:uuid:e0000000-0000-4000-8000-{seed:012d}",
        endorser=EndorserData(id=signer.did, name=name, organisation="Riverside Garage"),
        subject_id=subject_id,
        subject_name="Small-engine repair",
        comment="Rebuilt the brakes on our tow truck.",
        valid_from=NOW,
    )
    return add_proof(
        unsigned,
        private_key=signer.private_key,
        verification_method=signer.verification_method,
        created="2026-11-23T10:00:00Z",
    )


@pytest.fixture(scope="module")
def endorsed(keys_dir) -> str:
    """A school credential whose achievement embeds four endorsements, one good."""
    genuine = _endorsement(51, "Dana Ruiz", ACHIEVEMENT_ID)
    altered = copy.deepcopy(_endorsement(52, "Lee Park", ACHIEVEMENT_ID))
    altered["credentialSubject"]["endorsementComment"] = "Best in the county."
    elsewhere = _endorsement(53, "Ana Diaz", "urn:uuid:another-achievement")
    achievement = dataclasses.replace(
        sample_achievement(NUMBER), endorsements=(genuine, altered, elsewhere)
    )
    unsigned = sample_credential(NUMBER, achievement=achievement, status_entries=())
    return sign_credential(unsigned, keystore=keys_dir.store, now=NOW).json_text


def test_each_embedded_endorsement_is_reported_and_the_verdict_stands(keys_dir, endorsed):
    report = verify_document(json.loads(endorsed), resolver=own_resolver(keys_dir.store), now=NOW)
    assert report.verified
    found = report.to_json()["endorsements"]
    assert [(item["endorser"]["name"], item["about"], item["verified"]) for item in found] == [
        ("Dana Ruiz", "achievement", True),
        ("Lee Park", "achievement", False),
        ("Ana Diaz", "achievement", False),
    ]
    assert found[0]["outcome"] == "verified" and found[0]["reason"] is None
    assert found[0]["endorser"]["id"].startswith("did:key:z6Mk")
    assert found[0]["endorsed_id"] == ACHIEVEMENT_ID
    assert found[1]["outcome"] == "failed"
    assert "signature" in found[1]["reason"].lower()
    assert found[2]["reason"] == "It endorses something other than this achievement."


def test_endorsements_of_the_credential_itself_and_unreadable_ones(keys_dir):
    holder = did_key_signer(61)
    credential = plain_credential(
        holder.did,
        endorsement=[
            7,
            _endorsement(62, "Dana Ruiz", "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33"),
        ],
    )
    signed = add_proof(
        credential,
        private_key=holder.private_key,
        verification_method=holder.verification_method,
        created="2026-11-23T10:00:00Z",
    )
    report = verify_document(signed, resolver=own_resolver(keys_dir.store), now=NOW)
    assert report.valid
    unreadable, genuine = report.to_json()["endorsements"]
    assert unreadable["about"] == "credential" and unreadable["verified"] is False
    assert unreadable["reason"] == "It cannot be read: it is neither a JSON object nor a JWT."
    assert genuine["about"] == "credential" and genuine["verified"] is True


def test_laurel_verify_prints_and_reports_the_endorsements(env, endorsed, tmp_path):  # noqa: F811
    path = tmp_path / "credential.json"
    path.write_text(endorsed)
    runner = CliRunner()
    printed = runner.invoke(cli, ["verify", str(path), "--offline"], env=env)
    assert printed.exit_code == 0, printed.output
    lines = printed.stdout.split("Endorsements it carries (each verified on its own):\n")[1]
    assert "passed" in lines and "Dana Ruiz, endorsing the achievement: verified" in lines
    assert (
        "FAILED" in lines and "Ana Diaz, endorsing the achievement: It endorses something" in lines
    )

    as_json = runner.invoke(cli, ["verify", str(path), "--offline", "--json"], env=env)
    data = json.loads(as_json.stdout)
    assert [item["verified"] for item in data["endorsements"]] == [True, False, False]
    assert Path(path).read_text() == endorsed
