"""The signatures: JSON-LD contexts, embedded Data Integrity proofs and VC-JWTs (VC 1.1 and 2.0).

Pure module. Each proof is checked with the key `issuer.resolve_key` found and
tied to the issuer; the JWT algorithm comes from that key, never from the
token's header, so `alg: none`, HMAC with a public key as the secret and other
algorithm confusions are refused.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.errors import CredentialError
from app.credentials.errors import DroppedTermError
from app.credentials.errors import ProofError
from app.credentials.errors import UnknownContextError
from app.credentials.keys import PublicKey
from app.credentials.proofs.data_integrity import ASSERTION
from app.credentials.proofs.data_integrity import CRYPTOSUITES
from app.credentials.proofs.data_integrity import PROOF_TYPE
from app.credentials.proofs.data_integrity import previous_ids
from app.credentials.proofs.data_integrity import proof_list
from app.credentials.proofs.data_integrity import verify_proof
from app.credentials.proofs.vc_jwt import ALGORITHMS
from app.credentials.proofs.vc_jwt import read_jwt
from app.credentials.proofs.vc_jwt import verify_jwt
from app.credentials.rdfc import check_safe
from app.credentials.words import N_
from app.credentials.words import Text
from app.credentials.words import text_of

from .fields import first_dict
from .fields import issuer_id_of
from .fields import parse_date
from .issuer import controller_of
from .issuer import resolve_key
from .report import Outcome
from .run import Run


def check_contexts(run: Run) -> None:
    """Every term is defined by a bundled context, so the signature covers all of it."""
    try:
        check_safe({key: value for key, value in run.credential.items() if key != "proof"})
    except UnknownContextError as error:
        run.add(
            "contexts",
            Outcome.FAILED,
            N_(
                "The credential uses the context %(url)s, which Laurel does not know; "
                "it cannot be read safely.",
                url=error.url,
            ),
            error.url,
        )
    except DroppedTermError as error:
        run.add(
            "contexts",
            Outcome.FAILED,
            N_(
                "The credential has properties that no context defines, so they are not "
                "covered by a signature: %(terms)s.",
                terms=", ".join(error.terms),
            ),
            ", ".join(error.terms),
        )
    except CredentialError as error:
        run.add(
            "contexts",
            Outcome.FAILED,
            N_("The credential is not valid JSON-LD: %(error)s", error=text_of(error)),
        )
    else:
        run.add("contexts", Outcome.PASSED, N_("Every property is defined by a known context."))


def check_proofs(run: Run) -> None:
    """Check every embedded proof and the JWT; a credential with neither is not verified.

    Every proof of a set or chain must verify. A proof beside others may be another
    party's (an endorser's, a witness's), but one of them must be the issuer's.
    """
    embedded = proof_list(run.credential)
    token = run.parsed.jwt
    if not embedded and token is None:
        run.add(
            "proof",
            Outcome.FAILED,
            N_("The credential carries no proof (signature), so nothing shows who issued it."),
        )
        return
    signers: list[str] = []
    for proof in embedded:
        run.guarded(
            "proof", partial(_check_embedded_proof, run, proof, signers, others=len(embedded) > 1)
        )
    if len(embedded) > 1 and signers and run.issuer_id not in signers:
        run.add(
            "key",
            Outcome.FAILED,
            N_(
                "No proof is the issuer's: the key belongs to %(signer)s, not to the issuer "
                "%(issuer)s.",
                signer=signers[0],
                issuer=run.issuer_id,
            ),
        )
    if token is not None:
        run.guarded("proof", partial(_check_jwt, run, token))


def _check_embedded_proof(run: Run, proof: Any, signers: list[str], *, others: bool) -> None:
    """Check one Data Integrity proof; the controller of a key whose proof verified
    joins `signers`."""
    if not isinstance(proof, dict):
        run.add("proof", Outcome.FAILED, N_("The proof is not a JSON object."))
        return
    kind = proof.get("type")
    suite = proof.get("cryptosuite")
    if kind != PROOF_TYPE or suite not in CRYPTOSUITES:
        named = f"{kind} / {suite}" if suite else str(kind)
        run.add(
            "proof",
            Outcome.FAILED,
            N_(
                "The proof uses %(named)s, which Laurel does not accept; it checks "
                "%(proof_type)s proofs with the %(suites)s cryptosuite.",
                named=named,
                proof_type=PROOF_TYPE,
                suites=" / ".join(CRYPTOSUITES),
            ),
        )
        return
    if proof.get("proofPurpose") != ASSERTION:
        run.add(
            "proof",
            Outcome.FAILED,
            N_(
                "The proof is for %(purpose)s, not for issuing a credential (%(assertion)s).",
                purpose=repr(proof.get("proofPurpose")),
                assertion=ASSERTION,
            ),
        )
        return
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        run.add("proof", Outcome.FAILED, N_("The proof does not name the key that made it."))
        return
    key = resolve_key(run, method, others=others)
    if key is None:
        run.add(
            "proof",
            Outcome.UNKNOWN,
            N_("The signature could not be checked without the issuer's key."),
        )
        return
    if not isinstance(key.public_key, Ed25519PublicKey):
        run.add(
            "proof",
            Outcome.FAILED,
            N_(
                "The key %(method)s is not an Ed25519 key, as %(suite)s requires.",
                method=method,
                suite=suite,
            ),
        )
        return
    try:
        verify_proof(run.credential, proof, public_key=key.public_key)
    except UnknownContextError as error:
        run.add(
            "proof",
            Outcome.FAILED,
            N_(
                "The signature cannot be checked: Laurel does not know the context %(url)s.",
                url=error.url,
            ),
            error.url,
        )
    except CredentialError as error:
        run.add("proof", Outcome.FAILED, text_of(error))
    else:
        signers.append(controller_of(key, run.issuer_id) or method)
        run.add("proof", Outcome.PASSED, _valid_signature(suite, proof))


def _valid_signature(suite: str, proof: dict[str, Any]) -> Text:
    signed = parse_date(proof.get("created"))
    if previous_ids(proof):
        if signed:
            return N_(
                "The signature (%(suite)s) is valid: nothing changed since signing on "
                "%(date)s (it follows an earlier proof).",
                suite=suite,
                date=signed,
            )
        return N_(
            "The signature (%(suite)s) is valid: nothing changed since signing (it follows "
            "an earlier proof).",
            suite=suite,
        )
    if signed:
        return N_(
            "The signature (%(suite)s) is valid: nothing changed since signing on %(date)s.",
            suite=suite,
            date=signed,
        )
    return N_("The signature (%(suite)s) is valid: nothing changed since signing.", suite=suite)


def _check_jwt(run: Run, token: str) -> None:
    header, payload = read_jwt(token)
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        run.add(
            "proof",
            Outcome.FAILED,
            N_(
                "The JWT is signed with %(algorithm)s; Laurel accepts only %(accepted)s "
                "(public-key signatures), so it cannot be trusted.",
                algorithm=repr(algorithm),
                accepted=", ".join(ALGORITHMS),
            ),
        )
        return
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        run.add(
            "proof",
            Outcome.FAILED,
            N_("The JWT does not name its key (kid), so its key cannot be tied to the issuer."),
        )
        return
    key = resolve_key(run, kid)
    if key is None:
        run.add(
            "proof",
            Outcome.UNKNOWN,
            N_("The JWT signature could not be checked without the issuer's key."),
        )
        return
    expected = _jwt_algorithm(key.public_key)
    if expected is None:
        run.add(
            "proof",
            Outcome.FAILED,
            N_("The key %(kid)s is not an RSA or P-256 key, so it cannot check a JWT.", kid=kid),
        )
        return
    if algorithm != expected:
        run.add(
            "proof",
            Outcome.FAILED,
            N_(
                "The JWT claims the algorithm %(algorithm)s, but the issuer's key %(kid)s is "
                "for %(expected)s; a token that names another algorithm is refused.",
                algorithm=algorithm,
                kid=kid,
                expected=expected,
            ),
        )
        return
    try:
        if "vc" in payload:
            _verify_v1_jwt(token, key.public_key, expected)
        else:
            verify_jwt(token, public_key=key.public_key, algorithm=expected)
    except CredentialError as error:
        run.add("proof", Outcome.FAILED, text_of(error))
    else:
        run.add(
            "proof",
            Outcome.PASSED,
            N_("The JWT signature (%(algorithm)s) is valid.", algorithm=expected),
        )


def _verify_v1_jwt(token: str, public_key: PublicKey, algorithm: str) -> None:
    """A VC 1.1 JWT (`vc` claim): check the signature and that iss/jti/sub agree with it.

    :raises ProofError: bad signature or disagreeing claims.
    """
    try:
        payload = pyjwt.decode(
            token,
            public_key,
            algorithms=[algorithm],
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
            },
        )
    except pyjwt.InvalidSignatureError:
        raise ProofError(N_("The JWT signature does not verify with the issuer's key.")) from None
    except pyjwt.PyJWTError as error:
        # PyJWT's own words, quoted as a technical detail.
        raise ProofError(N_("The JWT cannot be verified: %(error)s.", error=str(error))) from None
    credential = payload["vc"]
    subject = first_dict(credential.get("credentialSubject"))
    expected = {
        "iss": issuer_id_of(credential),
        "jti": credential.get("id"),
        "sub": subject.get("id"),
    }
    for claim, value in expected.items():
        if claim in payload and value is not None and payload[claim] != value:
            raise ProofError(
                N_("The JWT claim %(claim)s does not match the credential.", claim=repr(claim))
            )
    if payload.get("iss") is None and expected["iss"] is None:
        raise ProofError(N_("The JWT does not say who issued it."))


def _jwt_algorithm(key: PublicKey) -> str | None:
    """The one JWT algorithm a key may verify: it comes from our key, never from the token."""
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    return None
