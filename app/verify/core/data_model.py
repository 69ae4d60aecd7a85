"""The data model: the credential against every rule of W3C VCDM 2.0 (or 1.1 for a 1.1 one).

Pure module. A credential that breaks a MUST of the data model is not a valid
verifiable credential, whatever its signature says; each broken rule is a line.
"""

from __future__ import annotations

from app.credentials.vcdm import data_model_errors
from app.credentials.words import N_
from app.credentials.words import text_of

from .report import Outcome
from .run import Run


def check_data_model(run: Run) -> None:
    """One failed line per broken rule, or one passed line."""
    document = {key: value for key, value in run.credential.items() if key != "proof"}
    errors = data_model_errors(document)
    for error in errors:
        run.add("data model", Outcome.FAILED, text_of(error), error.rule)
    if not errors:
        run.add(
            "data model",
            Outcome.PASSED,
            N_("The credential follows the W3C Verifiable Credentials data model."),
        )
