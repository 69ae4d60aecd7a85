"""Benchmark: credentials per second for Laurel's DI and JWT proofs, against Digital Bazaar's vc-js.

Run from the repository root: `python bench/credentials.py` (or `make bench`).
Builds one realistic OpenBadgeCredential (rubric, result, alignments, two
evidence items, a status entry; about 40 properties), measures Laurel signing
and verifying it (median of several rounds), then runs vc-js on the same
credential through `node tests/interop/js/bench.mjs <credential.json>`, which
prints {"issue_per_s": ..., "verify_per_s": ...}, and prints Laurel / vc-js.
Exits non-zero when the node side is missing or fails. bench/run.py takes the two
Data Integrity ratios from `di_ratios()`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from app.credentials.document import AchievementData  # noqa: E402
from app.credentials.document import AlignmentData  # noqa: E402
from app.credentials.document import EvidenceData  # noqa: E402
from app.credentials.document import Issuer  # noqa: E402
from app.credentials.document import RubricLevelData  # noqa: E402
from app.credentials.document import SubjectData  # noqa: E402
from app.credentials.document import build_credential  # noqa: E402
from app.credentials.loader import bundled_loader  # noqa: E402
from app.credentials.proofs import vc_jwt  # noqa: E402
from app.credentials.proofs.eddsa_rdfc_2022 import add_proof  # noqa: E402
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof  # noqa: E402
from app.credentials.rdfc import check_safe  # noqa: E402
from app.credentials.schema import validate_credential  # noqa: E402
from bench import harness  # noqa: E402

NODE_BENCH = ROOT / "tests" / "interop" / "js" / "bench.mjs"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ISSUER_ID = "did:web:school.example"
VERIFICATION_METHOD = f"{ISSUER_ID}#key-1"
ROUNDS = 2 if harness.QUICK else 5
COUNT = 20 if harness.QUICK else 200
# Seconds per round of each vc-js operation (bench.mjs runs three rounds).
NODE_SECONDS = 0.3 if harness.QUICK else 2


def realistic_credential(number: int) -> dict[str, Any]:
    """One learner's credential for a rubric-graded badge; `number` varies learner and ids."""
    levels = (
        RubricLevelData("https://school.example/badges/engines/levels/1", "Developing"),
        RubricLevelData(
            "https://school.example/badges/engines/levels/2",
            "Proficient",
            "Rebuilds a carburettor and explains every step.",
        ),
        RubricLevelData("https://school.example/badges/engines/levels/3", "Mastery"),
    )
    school = Issuer(
        id=ISSUER_ID,
        name="Riverside High School",
        url="https://school.example",
        email="office@school.example",
        description="A public high school with a vocational wing.",
        image_url="https://school.example/static/logo.png",
    )
    achievement = AchievementData(
        id="https://school.example/badges/engines",
        name="Small-engine repair",
        description="Diagnoses and repairs a small petrol engine safely.",
        criteria_narrative="Strip and rebuild a carburettor; keep a photo log of every step.",
        criteria_url="https://school.example/badges/engines/criteria",
        image_url="https://school.example/badges/engines/image.png",
        achievement_type="Competency",
        tags=("mechanics", "engines", "vocational"),
        alignments=(
            AlignmentData(
                "Maintain small engines",
                "https://standards.example/cte/ENG.4",
                target_code="ENG.4",
                target_framework="CTE Standards",
                target_description="Maintains and repairs small engines.",
            ),
            AlignmentData("Workshop safety", "https://standards.example/cte/SAF.1"),
        ),
        rubric_levels=levels,
        required_level_id=levels[1].id,
        version="3",
        creator=Issuer(
            id="https://school.example/people/okafor",
            name="Ms Okafor",
            url="https://school.example",
        ),
    )
    return build_credential(
        credential_id=f"urn:uuid:6f1c1e52-8a4b-4c6e-9d7f-{number:012d}",
        issuer=school,
        achievement=achievement,
        subject=SubjectData(
            id=f"urn:uuid:1b7e4f0a-2c3d-4e5f-8a9b-{number:012d}",
            email=f"student{number}@school.example",
            salt=f"{number:016x}a7c3e9",
        ),
        valid_from=NOW,
        achieved_level_id=levels[1].id,
        evidence=(
            EvidenceData(
                f"https://school.example/evidence/{number}/photos",
                "Photo log of the rebuild",
                narrative=f"Learner {number} rebuilt the carburettor over three sessions.",
                genre="Photo log",
            ),
            EvidenceData(
                f"https://school.example/evidence/{number}/reflection",
                "Reflection",
                description="What I would do differently next time.",
                genre="Reflection",
            ),
        ),
        valid_until=datetime(2031, 11, 23, 10, 0, tzinfo=UTC),
        status_entries=(
            {
                "id": f"https://school.example/status/revocation/1#{4000 + number}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(4000 + number),
                "statusListCredential": "https://school.example/status/revocation/1",
            },
        ),
    )


def _full_path_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundled contexts through another loader: pyld runs in full (static context cache on)."""
    return bundled_loader(url, options)


def per_second(operation: Callable[[int], object], count: int) -> float:
    """Median rate over ROUNDS rounds of `count` operations on distinct credentials."""
    operation(0)
    rates = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for index in range(count):
            operation(index)
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def count_properties(node: Any) -> int:
    if isinstance(node, dict):
        return sum(1 + count_properties(value) for key, value in node.items() if key != "@context")
    if isinstance(node, list):
        return sum(count_properties(item) for item in node)
    return 0


def run_node(credential: dict[str, Any]) -> dict[str, float] | None:
    if not NODE_BENCH.exists():
        print(f"vc-js side missing: {NODE_BENCH.relative_to(ROOT)} does not exist; no comparison.")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(credential, handle)
    try:
        result = subprocess.run(
            ["node", str(NODE_BENCH), handle.name],
            cwd=ROOT,
            env={**os.environ, "BENCH_SECONDS": str(NODE_SECONDS)},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        Path(handle.name).unlink()
    if result.returncode != 0:
        print(f"vc-js side failed (exit {result.returncode}):\n{result.stderr.strip()}")
        return None
    try:
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        numbers: dict[str, float] = json.loads(lines[-1])
        return {key: float(numbers[key]) for key in ("issue_per_s", "verify_per_s")}
    except (IndexError, ValueError, KeyError, TypeError):
        print(f"vc-js side printed no usable JSON:\n{result.stdout.strip()}")
        return None


def laurel_rates(*, full: bool) -> tuple[dict[str, Any], dict[str, float]]:
    """The first credential (unsigned) and Laurel's rates per second on COUNT of them.

    Only "DI sign" and "DI verify" unless `full`: then the full pyld path, the checks
    before issuing and VC-JWT too.
    """
    count = COUNT
    credentials = [realistic_credential(number) for number in range(count)]
    ed_key = Ed25519PrivateKey.generate()

    def sign(index: int, loader: Any = bundled_loader) -> dict[str, Any]:
        return add_proof(
            credentials[index],
            private_key=ed_key,
            verification_method=VERIFICATION_METHOD,
            created=f"2026-11-23T10:{index // 60 % 60:02d}:{index % 60:02d}Z",
            loader=loader,
        )

    signed = [sign(index) for index in range(count)]

    def verify(index: int, loader: Any = bundled_loader) -> None:
        document = signed[index]
        verify_proof(document, document["proof"][0], public_key=ed_key.public_key(), loader=loader)

    def issue_checked(index: int) -> None:
        check_safe(credentials[index])
        validate_credential(credentials[index])
        sign(index)

    rates = {
        "DI sign": per_second(sign, count),
        "DI verify": per_second(verify, count),
    }
    if not full:
        return credentials[0], rates
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    tokens = [
        vc_jwt.sign_jwt(document, private_key=rsa_key, kid=f"{ISSUER_ID}#rsa-1")
        for document in signed
    ]
    slow = max(count // 5, 1)
    rates |= {
        "DI sign, full pyld path": per_second(lambda i: sign(i, _full_path_loader), slow),
        "DI verify, full pyld path": per_second(lambda i: verify(i, _full_path_loader), slow),
        "DI sign + safe mode + JSON Schema": per_second(issue_checked, slow),
        "JWT sign": per_second(
            lambda i: vc_jwt.sign_jwt(signed[i], private_key=rsa_key, kid=f"{ISSUER_ID}#rsa-1"),
            count,
        ),
        "JWT verify": per_second(
            lambda i: vc_jwt.verify_jwt(
                tokens[i], public_key=rsa_key.public_key(), algorithm="RS256"
            ),
            count,
        ),
    }
    return credentials[0], rates


def di_ratios() -> dict[str, float]:
    """Laurel's Data Integrity sign and verify rates over vc-js's on the same credential."""
    credential, rates = laurel_rates(full=False)
    node = run_node(credential)
    if node is None:
        raise harness.BenchError("vc-js could not be measured (see above)")
    return {
        "di_sign_ratio_vs_vcjs": rates["DI sign"] / node["issue_per_s"],
        "di_verify_ratio_vs_vcjs": rates["DI verify"] / node["verify_per_s"],
        "di_sign_per_s": rates["DI sign"],
        "di_verify_per_s": rates["DI verify"],
        "vcjs_issue_per_s": node["issue_per_s"],
        "vcjs_verify_per_s": node["verify_per_s"],
    }


def main() -> int:
    credential, rates = laurel_rates(full=True)
    print(
        f"credential: {count_properties(credential)} properties, "
        f"{len(json.dumps(credential))} bytes; median of {ROUNDS} rounds"
    )
    for name, rate in rates.items():
        print(f"  {name:36s} {rate:9.1f} /s  {1000 / rate:7.2f} ms")

    node = run_node(credential)
    if node is None:
        return 1
    print("vc-js (Digital Bazaar) on the same credential:")
    print(f"  {'issue':36s} {node['issue_per_s']:9.1f} /s  {1000 / node['issue_per_s']:7.2f} ms")
    print(f"  {'verify':36s} {node['verify_per_s']:9.1f} /s  {1000 / node['verify_per_s']:7.2f} ms")
    print("Laurel / vc-js:")
    print(
        f"  DI sign   {rates['DI sign'] / node['issue_per_s']:.2f}x"
        f"   (full pyld path {rates['DI sign, full pyld path'] / node['issue_per_s']:.2f}x)"
    )
    print(
        f"  DI verify {rates['DI verify'] / node['verify_per_s']:.2f}x"
        f"   (full pyld path {rates['DI verify, full pyld path'] / node['verify_per_s']:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
