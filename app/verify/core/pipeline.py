"""The verification pipeline: input -> proofs and keys -> dates -> status -> schema -> Report.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. Keys, documents and the clock come in as arguments (a
resolver, a fetcher, `now`), so the same code serves the web page, the JSON API
and `laurel verify` on a file with no network. Primitives raise; this module
turns each `CredentialError` into a failed or "could not check" line, and never
says "not revoked" when the status list could not be fetched and verified.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.errors import CredentialError
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import KeyResolutionError
from app.credentials.errors import ProofError
from app.credentials.errors import SchemaError
from app.credentials.errors import UnknownContextError
from app.credentials.keys import PublicKey
from app.credentials.proofs.eddsa_rdfc_2022 import CRYPTOSUITE
from app.credentials.proofs.eddsa_rdfc_2022 import PROOF_PURPOSE
from app.credentials.proofs.eddsa_rdfc_2022 import PROOF_TYPE
from app.credentials.proofs.eddsa_rdfc_2022 import proof_list
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.proofs.vc_jwt import ALGORITHMS
from app.credentials.proofs.vc_jwt import read_jwt
from app.credentials.proofs.vc_jwt import verify_jwt
from app.credentials.rdfc import check_safe
from app.credentials.schema import validate_credential
from app.credentials.status import StatusList

from .parse import Parsed
from .parse import check_size
from .parse import credential_link
from .parse import parse_input
from .parse import require_credential
from .report import Check
from .report import Outcome
from .report import Report
from .report import Verdict
from .resolvers import AttachedDocumentsResolver
from .resolvers import Fetcher
from .resolvers import FetchError
from .resolvers import KeyResolver
from .resolvers import ResolvedKey
from .resolvers import fetch_bytes
from .resolvers import fetch_json

logger = logging.getLogger(__name__)

StatusReasons = Callable[[str, str], "str | None"]
"""(credential id, status purpose) -> the reason Laurel recorded, for its own credentials."""

JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat", "aud")
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
STATUS_LIST_ENTRY = "BitstringStatusListEntry"
STATUS_LIST_CREDENTIAL = "BitstringStatusListCredential"
REVOCATION_LIST_ENTRY = "1EdTechRevocationList"
SUPPORTED_PURPOSES = ("revocation", "suspension")
MAX_URL_LENGTH = 4096
_URL = re.compile(r"^https?://\S+$")
_SOURCE_NAMES = {
    "json": "a JSON file",
    "jwt": "a JWT",
    "png": "a PNG badge image",
    "svg": "an SVG badge image",
    "pdf": "a PDF certificate",
}


def verify(
    data: bytes | str,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    resolver: KeyResolver,
    fetcher: Fetcher | None = None,
    now: datetime,
    own_issuer_id: str | None = None,
    status_reasons: StatusReasons | None = None,
) -> Report:
    """Verify a credential given as a file, pasted text or a URL.

    :param resolver: finds public keys (own key store, did:key, did:web, JWKS).
    :param fetcher: retrieves URLs (the input URL, status lists); None means offline.
    :param now: the moment against which validity dates are judged.
    :param own_issuer_id: this school's DID, to mark its own credentials.
    :param status_reasons: Laurel's stored revocation/suspension reason, for its own credentials.
    :raises InputError: the input is unusable (empty, too large, unreadable, not a credential).
    """
    source_url = _input_url(data)
    if source_url is not None:
        data = _download(source_url, fetcher)
    parsed = parse_input(data, filename=filename, content_type=content_type)
    run = _Run(
        parsed,
        resolver=resolver,
        fetcher=fetcher,
        now=now,
        own_issuer_id=own_issuer_id,
        status_reasons=status_reasons,
    )
    report = run.execute()
    report.source_url = source_url
    return report


def _input_url(data: bytes | str) -> str | None:
    """The input as a URL when it is one short line starting with http(s)://."""
    if len(data) > MAX_URL_LENGTH:
        return None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    text = data.strip()
    return text if _URL.match(text) else None


def _download(url: str, fetcher: Fetcher | None) -> bytes:
    """The bytes at `url`; a page that links its credential (a share page) is followed once."""
    if fetcher is None:
        raise InputError(f"Laurel is working offline, so it cannot download {url}.")
    try:
        raw = fetch_bytes(fetcher, url)
        check_size(raw)
        linked = credential_link(raw, url)
        if linked is not None:
            raw = fetch_bytes(fetcher, linked)
            check_size(raw)
    except FetchError as error:
        raise InputError(f"Laurel could not download the credential: {error}") from None
    return raw


@dataclass
class _Facts:
    """What the run learned, from which the verdict follows."""

    invalid: bool = False
    not_yet_valid: bool = False
    expired: bool = False
    revoked: bool = False
    suspended: bool = False


class _Run:
    """One verification: holds the checks as they are made and assembles the Report."""

    def __init__(
        self,
        parsed: Parsed,
        *,
        resolver: KeyResolver,
        fetcher: Fetcher | None,
        now: datetime,
        own_issuer_id: str | None,
        status_reasons: StatusReasons | None,
    ) -> None:
        self.parsed = parsed
        self.resolver = resolver
        self.attached = AttachedDocumentsResolver(
            parsed.attachments.did_document, parsed.attachments.jwks
        )
        self.fetcher = fetcher
        self.now = now
        self.own_issuer_id = own_issuer_id
        self.status_reasons = status_reasons
        self.checks: list[Check] = []
        self.facts = _Facts()
        self.status_reason: str | None = None
        self.credential: dict[str, Any] = {}
        self.issuer_id: str | None = None

    def add(self, name: str, outcome: Outcome, message: str, detail: str | None = None) -> None:
        """Record a check; a failure marks the credential invalid."""
        self.checks.append(Check(name, outcome, message, detail))
        if outcome is Outcome.FAILED:
            self.facts.invalid = True

    def execute(self) -> Report:
        """Run every step and build the report."""
        self.credential = self._find_credential()
        self.issuer_id = _issuer_id(self.credential)
        self._guarded("contexts", self._check_contexts)
        self._check_proofs()
        self._guarded("dates", self._check_dates)
        self._guarded("status", self._check_status)
        self._guarded("schema", self._check_schema)
        return self._report()

    def _guarded(self, name: str, step: Callable[[], None]) -> None:
        """Run a step; an unexpected error becomes "could not check", never a crash."""
        try:
            step()
        except Exception:
            logger.exception("verification step %s failed unexpectedly", name)
            self.add(
                name,
                Outcome.UNKNOWN,
                "Laurel could not complete this check because of an internal error.",
            )

    # -- finding the credential -------------------------------------------------

    def _find_credential(self) -> dict[str, Any]:
        parsed = self.parsed
        from_jwt = _credential_from_jwt(parsed.jwt) if parsed.jwt else None
        credential = parsed.credential if parsed.credential is not None else from_jwt
        if credential is None:
            raise InputError("No credential was found in the input.")
        require_credential(credential)
        source = _SOURCE_NAMES.get(parsed.source_format, parsed.source_format)
        self.add("credential", Outcome.PASSED, f"Read a credential from {source}.")
        if parsed.credential is not None and from_jwt is not None and from_jwt != parsed.credential:
            self.add(
                "credential",
                Outcome.FAILED,
                "The JSON and JWT copies attached to the PDF are not the same credential.",
            )
        return credential

    # -- JSON-LD -----------------------------------------------------------------

    def _check_contexts(self) -> None:
        try:
            check_safe(_without_proof(self.credential))
        except UnknownContextError as error:
            self.add(
                "contexts",
                Outcome.FAILED,
                f"The credential uses the context {error.url}, which Laurel does not know; "
                "it cannot be read safely.",
                error.url,
            )
        except DroppedTermError as error:
            self.add(
                "contexts",
                Outcome.FAILED,
                "The credential has properties that no context defines, so they are not covered "
                f"by a signature: {', '.join(error.terms)}.",
                ", ".join(error.terms),
            )
        except CredentialError as error:
            self.add("contexts", Outcome.FAILED, f"The credential is not valid JSON-LD: {error}")
        else:
            self.add("contexts", Outcome.PASSED, "Every property is defined by a known context.")

    # -- proofs and keys ---------------------------------------------------------

    def _check_proofs(self) -> None:
        embedded = proof_list(self.credential)
        if not embedded and self.parsed.jwt is None:
            self.add(
                "proof",
                Outcome.FAILED,
                "The credential carries no proof (signature), so nothing shows who issued it.",
            )
            return
        for proof in embedded:
            self._guarded("proof", partial(self._check_embedded_proof, proof))
        token = self.parsed.jwt
        if token is not None:
            self._guarded("proof", partial(self._check_jwt, token))

    def _check_embedded_proof(self, proof: Any) -> None:
        if not isinstance(proof, dict):
            self.add("proof", Outcome.FAILED, "The proof is not a JSON object.")
            return
        kind = proof.get("type")
        suite = proof.get("cryptosuite")
        if kind != PROOF_TYPE or suite != CRYPTOSUITE:
            named = f"{kind} / {suite}" if suite else str(kind)
            self.add(
                "proof",
                Outcome.FAILED,
                f"The proof uses {named}, which Laurel does not accept; it checks "
                f"{PROOF_TYPE} proofs with the {CRYPTOSUITE} cryptosuite.",
            )
            return
        if proof.get("proofPurpose") != PROOF_PURPOSE:
            self.add(
                "proof",
                Outcome.FAILED,
                f"The proof is for {proof.get('proofPurpose')!r}, not for issuing a credential "
                f"({PROOF_PURPOSE}).",
            )
            return
        method = proof.get("verificationMethod")
        if not isinstance(method, str) or not method:
            self.add("proof", Outcome.FAILED, "The proof does not name the key that made it.")
            return
        key = self._resolve_key(method, self.issuer_id)
        if key is None:
            self.add(
                "proof",
                Outcome.UNKNOWN,
                "The signature could not be checked without the issuer's key.",
            )
            return
        if not isinstance(key.public_key, Ed25519PublicKey):
            self.add(
                "proof",
                Outcome.FAILED,
                f"The key {method} is not an Ed25519 key, as {CRYPTOSUITE} requires.",
            )
            return
        try:
            verify_proof(self.credential, proof, public_key=key.public_key)
        except UnknownContextError as error:
            self.add(
                "proof",
                Outcome.FAILED,
                f"The signature cannot be checked: Laurel does not know the context {error.url}.",
                error.url,
            )
        except CredentialError as error:
            self.add("proof", Outcome.FAILED, str(error))
        else:
            signed = _format_day(_parse_date(proof.get("created")))
            when = f" on {signed}" if signed else ""
            self.add(
                "proof",
                Outcome.PASSED,
                f"The signature ({CRYPTOSUITE}) is valid: nothing changed since signing{when}.",
            )

    def _check_jwt(self, token: str) -> None:
        header, payload = read_jwt(token)
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            self.add(
                "proof",
                Outcome.FAILED,
                f"The JWT is signed with {algorithm!r}; Laurel accepts only "
                f"{' and '.join(ALGORITHMS)} "
                "(public-key signatures), so it cannot be trusted.",
            )
            return
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            self.add(
                "proof",
                Outcome.FAILED,
                "The JWT does not name its key (kid), so its key cannot be tied to the issuer.",
            )
            return
        key = self._resolve_key(kid, self.issuer_id)
        if key is None:
            self.add(
                "proof",
                Outcome.UNKNOWN,
                "The JWT signature could not be checked without the issuer's key.",
            )
            return
        expected = _jwt_algorithm(key.public_key)
        if expected is None:
            self.add(
                "proof",
                Outcome.FAILED,
                f"The key {kid} is not an RSA or P-256 key, so it cannot check a JWT.",
            )
            return
        if algorithm != expected:
            self.add(
                "proof",
                Outcome.FAILED,
                f"The JWT claims the algorithm {algorithm}, but the issuer's key {kid} is for "
                f"{expected}; a token that names another algorithm is refused.",
            )
            return
        try:
            if "vc" in payload:
                _verify_v1_jwt(token, key.public_key, expected)
            else:
                verify_jwt(token, public_key=key.public_key, algorithm=expected)
        except CredentialError as error:
            self.add("proof", Outcome.FAILED, str(error))
        else:
            self.add("proof", Outcome.PASSED, f"The JWT signature ({expected}) is valid.")

    def _resolve_key(self, method: str, issuer_id: str | None) -> ResolvedKey | None:
        """Find the key of `method` and record the "key" check, including the controller test."""
        network_problem: str | None = None
        key: ResolvedKey | None = None
        try:
            key = self.resolver.resolve(method)
        except FetchError as error:
            network_problem = str(error)
        except KeyResolutionError as error:
            self.add("key", Outcome.FAILED, str(error))
            return None
        if key is None:
            try:
                key = self.attached.resolve(method)
            except KeyResolutionError as error:
                self.add("key", Outcome.FAILED, str(error))
                return None
        if key is None:
            if network_problem is not None:
                message = f"Laurel could not fetch the issuer's key {method}: {network_problem}"
            elif self.fetcher is None:
                message = f"Laurel is working offline and cannot look up the key {method}."
            else:
                message = f"Laurel does not know how to look up the key {method}."
            self.add("key", Outcome.UNKNOWN, message)
            return None
        self._check_controller(key, issuer_id, network_problem)
        return key

    def _check_controller(
        self, key: ResolvedKey, issuer_id: str | None, network_problem: str | None
    ) -> None:
        if issuer_id is None:
            self.add(
                "key",
                Outcome.FAILED,
                "The credential does not name its issuer, so no key can speak for it.",
            )
            return
        controller = key.controller
        if controller is None and _same_origin(key.verification_method, issuer_id):
            controller = issuer_id
        if controller is None:
            self.add(
                "key",
                Outcome.FAILED,
                f"Nothing ties the key {key.verification_method} to the issuer {issuer_id}.",
            )
        elif controller != issuer_id:
            self.add(
                "key",
                Outcome.FAILED,
                f"The key belongs to {controller}, not to the issuer {issuer_id}.",
            )
        elif not key.linked:
            domain = _domain_of(issuer_id)
            reason = f" ({network_problem})" if network_problem else ""
            self.add(
                "key",
                Outcome.UNKNOWN,
                f"The signing key comes from {key.source}. Laurel could not check online that "
                f"this key belongs to {domain}{reason}.",
            )
        else:
            self.add("key", Outcome.PASSED, f"The key belongs to the issuer ({key.source}).")

    # -- dates -------------------------------------------------------------------

    def _check_dates(self) -> None:
        valid_from_text = self.credential.get("validFrom", self.credential.get("issuanceDate"))
        valid_until_text = self.credential.get("validUntil", self.credential.get("expirationDate"))
        valid_from = _parse_date(valid_from_text)
        valid_until = _parse_date(valid_until_text)
        if valid_from_text is not None and valid_from is None:
            self.add(
                "dates",
                Outcome.FAILED,
                f"The start date {valid_from_text!r} is not a date and time.",
            )
            return
        if valid_until_text is not None and valid_until is None:
            self.add(
                "dates",
                Outcome.FAILED,
                f"The end date {valid_until_text!r} is not a date and time.",
            )
            return
        if valid_from is not None and valid_from > self.now:
            self.facts.not_yet_valid = True
            self.add(
                "dates",
                Outcome.FAILED,
                f"Not yet valid: it takes effect on {_format_day(valid_from)}.",
            )
            return
        if valid_until is not None and valid_until <= self.now:
            self.facts.expired = True
            self.checks.append(
                Check(
                    "dates",
                    Outcome.FAILED,
                    f"Expired on {_format_day(valid_until)}; still a genuine record of the award.",
                )
            )
            return
        since = f" since {_format_day(valid_from)}" if valid_from else ""
        until = f", until {_format_day(valid_until)}" if valid_until else ", with no end date"
        self.add("dates", Outcome.PASSED, f"Valid{since}{until}.")

    # -- status ------------------------------------------------------------------

    def _check_status(self) -> None:
        # Only revocation and suspension bear on validity; "refresh" and "message"
        # entries (Bitstring Status List) are not Laurel's to judge and are left out.
        entries = [
            entry
            for entry in _as_list(self.credential.get("credentialStatus"))
            if not (
                isinstance(entry, dict)
                and entry.get("type") == STATUS_LIST_ENTRY
                and entry.get("statusPurpose") not in SUPPORTED_PURPOSES
            )
        ]
        if not entries:
            self.add(
                "status",
                Outcome.PASSED,
                "The issuer gave this credential no status list, so it cannot be revoked.",
            )
            return
        lists: dict[str, dict[str, Any]] = {}
        for entry in entries:
            kind = entry.get("type") if isinstance(entry, dict) else None
            if kind == STATUS_LIST_ENTRY:
                self._check_status_entry(entry, lists)
            elif kind == REVOCATION_LIST_ENTRY:
                self._check_revocation_list(entry)
            else:
                self.add(
                    "status",
                    Outcome.UNKNOWN,
                    f"Laurel cannot read a status entry of type {kind!r}.",
                )

    def _check_status_entry(self, entry: dict[str, Any], lists: dict[str, dict[str, Any]]) -> None:
        purpose = str(entry.get("statusPurpose"))
        index = _status_index(entry.get("statusListIndex"))
        url = entry.get("statusListCredential")
        if index is None or not isinstance(url, str) or not url:
            self.add(
                "status",
                Outcome.UNKNOWN,
                f"The {purpose} entry is malformed, so it could not be checked.",
            )
            return
        could_not = f"Could not check whether the credential was {_PAST[purpose]}"
        if entry.get("statusSize", 1) not in (1, "1"):
            self.add("status", Outcome.UNKNOWN, f"{could_not}: its entries are not single bits.")
            return
        if self.fetcher is None:
            self.add("status", Outcome.UNKNOWN, f"{could_not}: Laurel is working offline.")
            return
        try:
            status_list = lists.get(url) or self._verified_status_list(url, purpose)
            lists[url] = status_list
            bits = StatusList.decode(status_list["credentialSubject"]["encodedList"])
            is_set = bits.get(index)
        except CredentialError as error:
            self.add("status", Outcome.UNKNOWN, f"{could_not}: {error}")
            return
        if is_set:
            self._mark(purpose)
            return
        listed_as = status_list.get("id", url)
        if listed_as != url:
            # A list published under another name could be an old or a different list of the
            # same issuer: it may show a credential revoked, but never vouch that it is not.
            self.add(
                "status", Outcome.UNKNOWN, f"{could_not}: the list at {url} says it is {listed_as}."
            )
            return
        self.add(
            "status",
            Outcome.PASSED,
            f"Not {_PAST[purpose]}: the issuer's {purpose} list was checked.",
        )

    def _check_revocation_list(self, entry: dict[str, Any]) -> None:
        """The deprecated 1EdTech Revocation List: unsigned JSON naming revoked credentials."""
        could_not = "Could not check whether the credential was revoked"
        url = entry.get("id")
        if not isinstance(url, str) or not url:
            self.add("status", Outcome.UNKNOWN, f"{could_not}: the entry names no list.")
            return
        if self.fetcher is None:
            self.add("status", Outcome.UNKNOWN, f"{could_not}: Laurel is working offline.")
            return
        try:
            items = fetch_json(self.fetcher, url).get("revokedCredential")
        except CredentialError as error:
            self.add("status", Outcome.UNKNOWN, f"{could_not}: {error}")
            return
        if not isinstance(items, list):
            self.add("status", Outcome.UNKNOWN, f"{could_not}: {url} is not a revocation list.")
            return
        for item in items:
            if (
                isinstance(item, dict)
                and item.get("id") == self.credential.get("id")
                and item.get("revoked", True) is not False
            ):
                self._mark("revocation", _text(item.get("revocationReason")))
                return
        self.add("status", Outcome.PASSED, "Not revoked: the issuer's revocation list was checked.")

    def _mark(self, purpose: str, listed_reason: str | None = None) -> None:
        """Record a revocation or suspension, with Laurel's or the list's reason."""
        if purpose == "revocation":
            self.facts.revoked = True
        else:
            self.facts.suspended = True
        reason = self._stored_reason(purpose) or listed_reason
        self.status_reason = self.status_reason or reason
        said = f" Reason: {reason}" if reason else ""
        self.checks.append(
            Check("status", Outcome.FAILED, f"{_PAST[purpose].capitalize()} by the issuer.{said}")
        )

    def _stored_reason(self, purpose: str) -> str | None:
        credential_id = self.credential.get("id")
        if self.status_reasons is None or not self._is_own() or not isinstance(credential_id, str):
            return None
        return self.status_reasons(credential_id, purpose)

    def _verified_status_list(self, url: str, purpose: str) -> dict[str, Any]:
        """Fetch a BitstringStatusListCredential and check it as strictly as a credential.

        :raises CredentialError: not retrievable, not a list of this issuer, or a bad signature.
        """
        assert self.fetcher is not None
        document = fetch_json(self.fetcher, url)
        types = document.get("type", [])
        if STATUS_LIST_CREDENTIAL not in (types if isinstance(types, list) else [types]):
            raise ProofError(f"the document at {url} is not a status list credential.")
        list_issuer = _issuer_id(document)
        if list_issuer != self.issuer_id:
            raise ProofError(f"the status list was published by {list_issuer}, not by the issuer.")
        subject = document.get("credentialSubject")
        purposes = subject.get("statusPurpose") if isinstance(subject, dict) else None
        if purpose not in (purposes if isinstance(purposes, list) else [purposes]):
            raise ProofError(f"the list at {url} is not a {purpose} list.")
        valid_until = _parse_date(document.get("validUntil"))
        if valid_until is not None and valid_until <= self.now:
            raise ProofError("the issuer's status list is out of date.")
        self._verify_list_proof(document, list_issuer)
        return document

    def _verify_list_proof(self, document: dict[str, Any], list_issuer: str | None) -> None:
        proofs = proof_list(document)
        if not proofs:
            raise ProofError("the status list is not signed.")
        for proof in proofs:
            if not isinstance(proof, dict) or not isinstance(proof.get("verificationMethod"), str):
                raise ProofError("the status list's proof is malformed.")
            try:
                key = self.resolver.resolve(proof["verificationMethod"])
            except KeyResolutionError as error:
                raise ProofError(f"the status list's key cannot be found: {error}") from None
            if key is None or key.controller != list_issuer or not key.linked:
                raise ProofError("the status list's key does not belong to the issuer.")
            if not isinstance(key.public_key, Ed25519PublicKey):
                raise ProofError("the status list's key is not an Ed25519 key.")
            try:
                verify_proof(document, proof, public_key=key.public_key)
            except ProofError:
                raise ProofError("the status list's signature does not verify.") from None

    # -- schema ------------------------------------------------------------------

    def _check_schema(self) -> None:
        v1 = _is_v1(self.credential)
        # A single proof object and a one-element list mean the same (VCDM "proof set");
        # the strict OB schema demands the list, which many issuers (1EdTech's own
        # examples included) do not write, so the schema sees the list form.
        document = (
            {**self.credential, "proof": proof_list(self.credential)}
            if "proof" in self.credential
            else self.credential
        )
        try:
            validate_credential(_as_v2(document) if v1 else document)
        except SchemaError as error:
            self.add("schema", Outcome.FAILED, str(error), "\n".join(error.errors))
        except CredentialError as error:
            self.add("schema", Outcome.FAILED, str(error))
        else:
            read_as = " (read as VC 2.0; it uses the older VC 1.1 data model)" if v1 else ""
            standard = (
                "Comprehensive Learner Record 2.0"
                if "ClrCredential" in _as_list(self.credential.get("type"))
                else "Open Badges 3.0"
            )
            self.add(
                "schema",
                Outcome.PASSED,
                f"The credential matches the {standard} JSON Schema{read_as}.",
            )

    # -- the report --------------------------------------------------------------

    def _is_own(self) -> bool:
        return self.own_issuer_id is not None and self.issuer_id == self.own_issuer_id

    def _verdict(self) -> Verdict:
        facts = self.facts
        if facts.invalid:
            return Verdict.NOT_VERIFIED
        if facts.revoked:
            return Verdict.REVOKED
        if facts.suspended:
            return Verdict.SUSPENDED
        if any(check.outcome is Outcome.UNKNOWN for check in self.checks):
            return Verdict.UNCHECKED
        if facts.expired:
            return Verdict.EXPIRED
        return Verdict.VERIFIED

    def _report(self) -> Report:
        credential = self.credential
        issuer = credential.get("issuer")
        subject = _first_dict(credential.get("credentialSubject"))
        achievement = _first_dict(subject.get("achievement"))
        criteria = (
            achievement.get("criteria") if isinstance(achievement.get("criteria"), dict) else None
        )
        valid_from = _parse_date(credential.get("validFrom", credential.get("issuanceDate")))
        report = Report(
            verdict=self._verdict(),
            headline="",
            checks=self.checks,
            source_format=self.parsed.source_format,
            credential=credential,
            jwt=self.parsed.jwt,
            issuer_id=self.issuer_id,
            issuer_name=_text(issuer.get("name")) if isinstance(issuer, dict) else None,
            is_own_issuer=self._is_own() if self.own_issuer_id is not None else None,
            subject_id=_text(subject.get("id")),
            subject_hashed_identifiers=[
                item for item in _as_list(subject.get("identifier")) if isinstance(item, dict)
            ],
            badge_name=_text(achievement.get("name")) or _text(credential.get("name")),
            badge_description=_text(achievement.get("description")),
            criteria={
                key: value
                for key, value in criteria.items()
                if key in ("id", "narrative") and isinstance(value, str)
            }
            if criteria
            else None,
            achievement_image_url=_image_url(achievement.get("image")),
            issued_on=_parse_date(credential.get("awardedDate")) or valid_from,
            valid_from=valid_from,
            valid_until=_parse_date(credential.get("validUntil", credential.get("expirationDate"))),
            evidence=_public_evidence(credential.get("evidence")),
            status_reason=self.status_reason,
        )
        report.headline = _headline(report, self.checks, not_yet_valid=self.facts.not_yet_valid)
        return report


_PAST = {"revocation": "revoked", "suspension": "suspended"}


def _headline(report: Report, checks: list[Check], *, not_yet_valid: bool) -> str:
    """One sentence for a person: the verdict first, then what the credential says."""
    badge = f"“{report.badge_name}”" if report.badge_name else "This credential"
    issuer = report.issuer_name or report.issuer_id or "an unnamed issuer"
    if report.subject_hashed_identifiers:
        recipient = (
            "a hashed email address"
            if any(
                item.get("identityType") == "emailAddress"
                for item in report.subject_hashed_identifiers
            )
            else "a hashed identifier"
        )
    else:
        recipient = report.subject_id or "an unnamed learner"
    day = _format_day(report.issued_on)
    said = f"{badge}, issued by {issuer} to {recipient}" + (f" on {day}" if day else "")
    verdict = report.verdict
    if verdict is Verdict.VERIFIED:
        return f"Genuine — {said}."
    if verdict is Verdict.EXPIRED:
        return f"Expired on {_format_day(report.valid_until)}, still a genuine record — {said}."
    if verdict is Verdict.REVOKED:
        reason = f" Reason: {report.status_reason}" if report.status_reason else ""
        return f"Revoked — {said}, has been withdrawn by the issuer.{reason}"
    if verdict is Verdict.SUSPENDED:
        return f"Suspended — {said}, is on hold by the issuer."
    if verdict is Verdict.UNCHECKED:
        unknown = next(check for check in checks if check.outcome is Outcome.UNKNOWN)
        if not any(c.name == "proof" and c.outcome is Outcome.PASSED for c in checks):
            # Without a checked signature, what the document says is only a claim.
            return f"Could not check the signature — {unknown.message}"
        return f"Could not check everything — {said}. {unknown.message}"
    failed = [check for check in checks if check.outcome is Outcome.FAILED]
    if not_yet_valid and len(failed) == 1:
        return f"Not yet valid — {said}; it takes effect on {_format_day(report.valid_from)}."
    return f"Not verified — {failed[0].message}"


def _credential_from_jwt(token: str) -> dict[str, Any]:
    """The credential in a VC-JWT, unverified: the payload minus its claims, or `vc` (VC 1.1)."""
    _header, payload = read_jwt(token)
    if "vc" in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise InputError("The JWT's vc claim is not a credential object.")
        return credential
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


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
        raise ProofError("The JWT signature does not verify with the issuer's key.") from None
    except pyjwt.PyJWTError as error:
        raise ProofError(f"The JWT cannot be verified: {error}.") from None
    credential = payload["vc"]
    subject = _first_dict(credential.get("credentialSubject"))
    expected = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
        "sub": subject.get("id"),
    }
    for claim, value in expected.items():
        if claim in payload and value is not None and payload[claim] != value:
            raise ProofError(f"The JWT claim {claim!r} does not match the credential.")
    if payload.get("iss") is None and expected["iss"] is None:
        raise ProofError("The JWT does not say who issued it.")


def _jwt_algorithm(key: PublicKey) -> str | None:
    """The one JWT algorithm a key may verify: it comes from our key, never from the token."""
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    return None


def _issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) and value else None


def _without_proof(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def _is_v1(document: dict[str, Any]) -> bool:
    return VC_V1_CONTEXT in _as_list(document.get("@context"))


def _as_v2(document: dict[str, Any]) -> dict[str, Any]:
    """A VC 1.1 OB credential in VC 2.0 terms, for the schema check only (OB-IMPL "VC 1.1").

    The OB 3.0 schemas require the v2 context and validFrom; the 1.1 names of the
    same facts are issuanceDate and expirationDate.
    """
    renamed = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}
    converted = {renamed.get(key, key): value for key, value in document.items()}
    converted["@context"] = [
        VC_V2_CONTEXT if url == VC_V1_CONTEXT else url for url in _as_list(document["@context"])
    ]
    return converted


def _status_index(value: Any) -> int | None:
    """statusListIndex: a base-10 string (BSL) or, from older issuers, a JSON number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def _same_origin(method: str, issuer_id: str | None) -> bool:
    """An HTTPS key served from the issuer's own HTTPS origin is the issuer's."""
    if not issuer_id or not issuer_id.startswith("https://") or not method.startswith("https://"):
        return False
    return urlsplit(method).netloc == urlsplit(issuer_id).netloc


def _domain_of(issuer_id: str | None) -> str:
    if issuer_id and issuer_id.startswith("did:web:"):
        return issuer_id.split(":")[2].replace("%3A", ":")
    if issuer_id and issuer_id.startswith("https://"):
        return urlsplit(issuer_id).netloc
    return issuer_id or "the issuer"


def _parse_date(value: Any) -> datetime | None:
    """An XML Schema dateTime; one without a time zone is read as UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _format_day(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    day = moment.astimezone(UTC)
    return f"{day.day} {day:%B %Y}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first_dict(value: Any) -> dict[str, Any]:
    return next((item for item in _as_list(value) if isinstance(item, dict)), {})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _image_url(image: Any) -> str | None:
    if isinstance(image, dict):
        return _text(image.get("id"))
    return _text(image)


def _public_evidence(evidence: Any) -> list[dict[str, str]]:
    """The evidence items in the credential: the student chose what to make public at issuance."""
    fields = ("id", "name", "narrative", "description", "genre")
    return [
        {name: item[name] for name in fields if isinstance(item.get(name), str)}
        for item in _as_list(evidence)
        if isinstance(item, dict)
    ]
