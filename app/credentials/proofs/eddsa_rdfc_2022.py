"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC DI EdDSA).

Pure module: imports neither flask nor sqlalchemy nor any other app package.
The cryptosuite Laurel signs its Open Badges credentials with; the work is done
by `data_integrity`, which also knows eddsa-jcs-2022, proof sets and chains.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..loader import DocumentLoader
from ..loader import bundled_loader
from . import data_integrity
from .data_integrity import ASSERTION as PROOF_PURPOSE
from .data_integrity import PROOF_TYPE
from .data_integrity import RDFC as CRYPTOSUITE
from .data_integrity import proof_list
from .data_integrity import verify_proof

__all__ = ["CRYPTOSUITE", "PROOF_PURPOSE", "PROOF_TYPE", "add_proof", "proof_list", "verify_proof"]


def add_proof(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    loader: DocumentLoader = bundled_loader,
) -> dict[str, Any]:
    """Return a copy of `document` with an eddsa-rdfc-2022 assertion proof appended
    to its `proof` list (a proof set: it signs the document without any other proof).

    :raises ProofError: `created` is not a date-time with a time zone.
    :raises InputError: the document is not plain JSON.
    :raises UnknownContextError, InputError, DroppedTermError: the document cannot be canonicalized.
    """
    return data_integrity.add_proof(
        document,
        private_key=private_key,
        verification_method=verification_method,
        created=created,
        loader=loader,
    )
