"""Verifiable presentations: the holder's proof (authentication, challenge, domain) and
every credential inside, each through the whole credential pipeline.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. The presentation's proof must be an authentication proof
(a Data Integrity proof, or the Ed25519Signature2020 that the Learner Credential Wallet
still signs with) by the holder (when the presentation names one) and carry the verifier's
challenge and domain when the verifier asks for them, so that a presentation
made for one verifier cannot be replayed to another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.errors import CredentialError
from app.credentials.errors import DroppedTermError
from app.credentials.errors import KeyResolutionError
from app.credentials.errors import UnknownContextError
from app.credentials.proofs.data_integrity import AUTHENTICATION
from app.credentials.proofs.data_integrity import CRYPTOSUITES
from app.credentials.proofs.data_integrity import ED25519_2020
from app.credentials.proofs.data_integrity import JCS
from app.credentials.proofs.data_integrity import PROOF_TYPE
from app.credentials.proofs.data_integrity import RDFC
from app.credentials.proofs.data_integrity import proof_list
from app.credentials.proofs.data_integrity import verify_proof
from app.credentials.rdfc import check_safe
from app.credentials.vcdm import ENVELOPED_CREDENTIAL_TYPE
from app.credentials.vcdm import data_model_errors
from app.credentials.words import N_
from app.credentials.words import Text
from app.credentials.words import text_of

from .fetching import Fetcher
from .fetching import FetchError
from .fields import as_list
from .issuer import controller_of
from .local_status import LocalStatus
from .pipeline import verify_document
from .report import Check
from .report import Outcome
from .report import Report
from .resolvers import KeyResolver
from .trust import TrustEntry


@dataclass
class PresentationReport:
    """The checks of the presentation itself and the report of each credential in it."""

    checks: list[Check]
    holder: str | None
    credentials: list[Report] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """True when every check of the presentation passed and every credential is valid."""
        return all(check.outcome is Outcome.PASSED for check in self.checks) and all(
            report.valid for report in self.credentials
        )

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "verified": self.verified,
            "holder": self.holder,
            "checks": [check.to_json() for check in self.checks],
            "credentials": [report.to_json() for report in self.credentials],
        }


def verify_presentation(
    presentation: dict[str, Any],
    *,
    resolver: KeyResolver,
    fetcher: Fetcher | None = None,
    now: datetime,
    challenge: str | None = None,
    domain: str | None = None,
    own_issuer_id: str | None = None,
    local_status: LocalStatus | None = None,
    trusted: Sequence[TrustEntry] = (),
) -> PresentationReport:
    """Verify a presentation: its data model, contexts, proofs and each credential in it.

    :param challenge: the challenge this verifier gave the holder; every proof must echo it.
    :param domain: this verifier's domain; every proof must name it.
    The other parameters are those of `pipeline.verify`.
    """
    holder = _holder_id(presentation)
    checks: list[Check] = []
    if not isinstance(presentation, dict):
        checks.append(
            Check("presentation", Outcome.FAILED, N_("A presentation must be a JSON object."))
        )
        return PresentationReport(checks, None)
    own = {key: value for key, value in presentation.items() if key != "proof"}
    errors = data_model_errors(
        {key: value for key, value in own.items() if key != "verifiableCredential"},
        presentation=True,
    )
    for error in errors:
        checks.append(Check("data model", Outcome.FAILED, text_of(error), error.rule))
    checks.append(_contexts_check(own))
    checks += _proof_checks(presentation, holder, resolver, challenge, domain)
    report = PresentationReport(checks, holder)
    for item in as_list(presentation.get("verifiableCredential")):
        if isinstance(item, dict) and ENVELOPED_CREDENTIAL_TYPE in as_list(item.get("type")):
            checks.append(
                Check(
                    "credentials",
                    Outcome.UNKNOWN,
                    N_(
                        "The presentation holds an enveloped credential, which Laurel cannot check."
                    ),
                )
            )
            continue
        try:
            report.credentials.append(
                verify_document(
                    item,
                    resolver=resolver,
                    fetcher=fetcher,
                    now=now,
                    own_issuer_id=own_issuer_id,
                    local_status=local_status,
                    trusted=trusted,
                    source_format="presentation",
                )
            )
        except CredentialError as error:
            checks.append(Check("credentials", Outcome.FAILED, text_of(error)))
    return report


def _holder_id(presentation: Any) -> str | None:
    if not isinstance(presentation, dict):
        return None
    holder = presentation.get("holder")
    value = holder.get("id") if isinstance(holder, dict) else holder
    return value if isinstance(value, str) else None


def _contexts_check(document: dict[str, Any]) -> Check:
    try:
        check_safe(document)
    except UnknownContextError as error:
        return Check(
            "contexts",
            Outcome.FAILED,
            N_(
                "The presentation uses the context %(url)s, which Laurel does not know.",
                url=error.url,
            ),
            error.url,
        )
    except DroppedTermError as error:
        return Check(
            "contexts",
            Outcome.FAILED,
            N_(
                "The presentation has properties that no context defines: %(terms)s.",
                terms=", ".join(error.terms),
            ),
        )
    except CredentialError as error:
        return Check(
            "contexts",
            Outcome.FAILED,
            N_("The presentation is not valid JSON-LD: %(error)s", error=text_of(error)),
        )
    return Check("contexts", Outcome.PASSED, N_("Every property is defined by a known context."))


def _proof_checks(
    presentation: dict[str, Any],
    holder: str | None,
    resolver: KeyResolver,
    challenge: str | None,
    domain: str | None,
) -> list[Check]:
    proofs = proof_list(presentation)
    if not proofs:
        return [
            Check(
                "proof",
                Outcome.FAILED,
                N_("The presentation carries no proof, so nothing shows who presented it."),
            )
        ]
    return [
        _proof_check(presentation, proof, holder, resolver, challenge, domain) for proof in proofs
    ]


def _proof_check(
    presentation: dict[str, Any],
    proof: Any,
    holder: str | None,
    resolver: KeyResolver,
    challenge: str | None,
    domain: str | None,
) -> Check:
    problem = _options_problem(proof, challenge, domain)
    if problem is not None:
        return Check("proof", Outcome.FAILED, problem)
    method = proof["verificationMethod"]
    try:
        key = resolver.resolve(method)
    except FetchError as error:
        return Check(
            "proof",
            Outcome.UNKNOWN,
            N_(
                "Laurel could not fetch the key %(method)s: %(error)s",
                method=method,
                error=text_of(error),
            ),
        )
    except KeyResolutionError as error:
        return Check("proof", Outcome.FAILED, text_of(error))
    if key is None:
        return Check(
            "proof",
            Outcome.UNKNOWN,
            N_("Laurel does not know how to look up the key %(method)s.", method=method),
        )
    controller = controller_of(key, holder)
    if holder is not None and controller != holder:
        return Check(
            "proof",
            Outcome.FAILED,
            N_(
                "The presentation's key belongs to %(controller)s, not to the holder %(holder)s.",
                controller=controller,
                holder=holder,
            )
            if controller
            else N_(
                "The presentation's key belongs to no one named, not to the holder %(holder)s.",
                holder=holder,
            ),
        )
    if not isinstance(key.public_key, Ed25519PublicKey):
        return Check(
            "proof", Outcome.FAILED, N_("The key %(method)s is not an Ed25519 key.", method=method)
        )
    try:
        verify_proof(presentation, proof, public_key=key.public_key, purpose=AUTHENTICATION)
    except CredentialError as error:
        return Check("proof", Outcome.FAILED, text_of(error))
    suite = str(proof.get("cryptosuite") or proof["type"])
    return Check(
        "proof",
        Outcome.PASSED,
        N_(
            "The holder's signature (%(suite)s) is valid for this verifier's challenge.",
            suite=suite,
        )
        if challenge is not None
        else N_("The holder's signature (%(suite)s) is valid.", suite=suite),
    )


def _options_problem(proof: Any, challenge: str | None, domain: str | None) -> Text | None:
    """What makes a presentation proof unacceptable before any key is looked up."""
    if not isinstance(proof, dict):
        return N_("The proof is not a JSON object.")
    legacy = proof.get("type") == ED25519_2020
    if not legacy and (
        proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") not in CRYPTOSUITES
    ):
        return N_(
            "The proof uses %(kind)s / %(suite)s; Laurel checks %(proof_type)s proofs with "
            "%(rdfc)s or %(jcs)s, and %(legacy)s.",
            kind=str(proof.get("type")),
            suite=str(proof.get("cryptosuite")),
            proof_type=PROOF_TYPE,
            rdfc=RDFC,
            jcs=JCS,
            legacy=ED25519_2020,
        )
    if proof.get("proofPurpose") != AUTHENTICATION:
        return N_(
            "The presentation proof is for %(purpose)s, not %(wanted)s.",
            purpose=repr(proof.get("proofPurpose")),
            wanted=repr(AUTHENTICATION),
        )
    if not isinstance(proof.get("verificationMethod"), str) or not proof["verificationMethod"]:
        return N_("The proof does not name the key that made it.")
    if challenge is not None and proof.get("challenge") != challenge:
        return N_(
            "The presentation was made for another challenge (%(given)s, expected "
            "%(expected)s); it may be a replay.",
            given=repr(proof.get("challenge")),
            expected=repr(challenge),
        )
    if domain is not None and domain not in as_list(proof.get("domain")):
        return N_(
            "The presentation was made for another domain (%(given)s, expected %(expected)s).",
            given=repr(proof.get("domain")),
            expected=repr(domain),
        )
    return None
