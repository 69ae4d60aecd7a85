"""The shape: the credential against the official Open Badges 3.0 (or CLR 2.0) JSON Schema.

Pure module. A VC 1.1 credential is read in VC 2.0 terms for this check only.
Only a credential whose type is an Open Badges or CLR one, or that names a
bundled schema in `credentialSchema`, is checked: a plain W3C credential has no
schema to match.
"""

from __future__ import annotations

from typing import Any

from app.credentials.errors import CredentialError
from app.credentials.errors import SchemaError
from app.credentials.proofs.eddsa_rdfc_2022 import proof_list
from app.credentials.schema import schemas_for
from app.credentials.schema import validate_credential
from app.credentials.words import N_
from app.credentials.words import text_of

from .fields import as_list
from .report import Outcome
from .run import Run

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def check_schema(run: Run) -> None:
    """Validate against the schema of the standard the credential's type names."""
    credential = run.credential
    v1 = VC_V1_CONTEXT in as_list(credential.get("@context"))
    if not schemas_for(_as_v2(credential) if v1 else credential):
        return
    # A single proof object and a one-element list mean the same (VCDM "proof set");
    # the strict OB schema demands the list, which many issuers (1EdTech's own
    # examples included) do not write, so the schema sees the list form.
    document = (
        {**credential, "proof": proof_list(credential)} if "proof" in credential else credential
    )
    try:
        validate_credential(_as_v2(document) if v1 else document)
    except SchemaError as error:
        run.add("schema", Outcome.FAILED, text_of(error), "\n".join(error.errors))
    except CredentialError as error:
        run.add("schema", Outcome.FAILED, text_of(error))
    else:
        standard = (
            "Comprehensive Learner Record 2.0"
            if "ClrCredential" in as_list(credential.get("type"))
            else "Open Badges 3.0"
        )
        matches = (
            N_(
                "The credential matches the %(standard)s JSON Schema (read as VC 2.0; it uses "
                "the older VC 1.1 data model).",
                standard=standard,
            )
            if v1
            else N_("The credential matches the %(standard)s JSON Schema.", standard=standard)
        )
        run.add("schema", Outcome.PASSED, matches)


def _as_v2(document: dict[str, Any]) -> dict[str, Any]:
    """A VC 1.1 OB credential in VC 2.0 terms, for the schema check only (OB-IMPL "VC 1.1").

    The OB 3.0 schemas require the v2 context and validFrom; the 1.1 names of the
    same facts are issuanceDate and expirationDate.
    """
    renamed = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}
    converted = {renamed.get(key, key): value for key, value in document.items()}
    converted["@context"] = [
        VC_V2_CONTEXT if url == VC_V1_CONTEXT else url for url in as_list(document["@context"])
    ]
    return converted
