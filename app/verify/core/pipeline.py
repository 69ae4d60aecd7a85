"""The verification pipeline: input -> credential -> proofs and keys -> dates -> status -> schema.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. Keys, documents, the clock and what only the school's records
know come in as arguments (a resolver, a fetcher, `now`, a `LocalStatus`), so
the same code serves the web page, the JSON API and `laurel verify` on a file
with no network. Each stage lives in the module named for it; primitives raise,
and the stages turn each `CredentialError` into a failed or "could not check" line.
A learner record's credentials each go through every stage too (`contents.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from app.credentials.errors import CredentialError
from app.credentials.errors import InputError
from app.credentials.words import N_
from app.credentials.words import text_of

from .contents import check_contents
from .contents import embedded_credentials
from .data_model import check_data_model
from .dates import check_dates
from .endorsements import Embedded
from .endorsements import embedded_endorsements
from .endorsements import judge
from .endorsements import unreadable
from .fetching import Fetcher
from .fetching import FetchError
from .fetching import fetch_bytes
from .fields import issuer_id_of
from .headline import build_report
from .issuer import establish_identity
from .local_status import LocalStatus
from .parse import Parsed
from .parse import check_size
from .parse import credential_from_jwt
from .parse import credential_link
from .parse import parse_input
from .parse import require_credential
from .proofs import check_contexts
from .proofs import check_proofs
from .report import EndorsementResult
from .report import Outcome
from .report import Report
from .resolvers import KeyResolver
from .run import Run
from .schema import check_schema
from .status import check_status
from .status_lists import VerifiedStatusLists
from .trust import TrustEntry

MAX_URL_LENGTH = 4096
_URL = re.compile(r"^https?://\S+$")
_SOURCE_NAMES = {
    "json": N_("a JSON file"),
    "jwt": N_("a JWT"),
    "png": N_("a PNG badge image"),
    "svg": N_("an SVG badge image"),
    "pdf": N_("a PDF certificate"),
    "embedded": N_("the learner record it is part of"),
    "presentation": N_("the presentation it is part of"),
    "endorsement": N_("the credential it endorses"),
}
_PASTED_NAMES = {"json": N_("the pasted JSON"), "jwt": N_("the pasted JWT")}
_FORMAT_NAMES = {
    "json": N_("JSON"),
    "jwt": N_("a JWT"),
    "png": N_("a PNG badge image"),
    "svg": N_("an SVG badge image"),
    "pdf": N_("a PDF certificate"),
}


def _read_from(source_format: str, source_url: str | None, pasted: bool) -> str:
    """Where the credential was read, as the person gave it: an address, pasted text, a file."""
    if source_url is not None:
        return N_(
            "%(url)s (%(format)s)",
            url=source_url,
            format=_FORMAT_NAMES.get(source_format, source_format),
        )
    if pasted:
        return _PASTED_NAMES.get(source_format, N_("the pasted text"))
    return _SOURCE_NAMES.get(source_format, source_format)


def verify(
    data: bytes | str,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    resolver: KeyResolver,
    fetcher: Fetcher | None = None,
    now: datetime,
    own_issuer_id: str | None = None,
    local_status: LocalStatus | None = None,
    trusted: Sequence[TrustEntry] = (),
    status_lists: VerifiedStatusLists | None = None,
) -> Report:
    """Verify a credential given as a file, pasted text or a URL.

    :param resolver: finds public keys (own key store, did:key, did:web, JWKS).
    :param fetcher: retrieves URLs (the input URL, status lists); None means offline.
    :param now: the moment against which validity dates are judged.
    :param own_issuer_id: this school's DID, to mark its own credentials.
    :param local_status: the school's own records of its credentials (suspension, reasons).
    :param trusted: the school's trust list: issuers it names when their key signed.
    :param status_lists: the own issuer's status lists already verified, kept by the caller.
    :raises InputError: the input is unusable (empty, too large, unreadable, not a credential).
    """
    source_url = _input_url(data)
    # Text is what a person pastes; a file or a download arrives as bytes.
    pasted = isinstance(data, str) and source_url is None and filename is None
    if source_url is not None:
        data = _download(source_url, fetcher)
    given_as = "address" if source_url else "text" if pasted else "file"
    parsed = parse_input(data, filename=filename, content_type=content_type, given_as=given_as)
    inputs = _Inputs(
        resolver, fetcher, now, own_issuer_id, local_status, tuple(trusted), status_lists
    )
    return _report(parsed, inputs, _read_from(parsed.source_format, source_url, pasted), source_url)


def verify_document(
    credential: dict[str, Any],
    *,
    resolver: KeyResolver,
    fetcher: Fetcher | None = None,
    now: datetime,
    own_issuer_id: str | None = None,
    local_status: LocalStatus | None = None,
    trusted: Sequence[TrustEntry] = (),
    source_format: str = "json",
    status_lists: VerifiedStatusLists | None = None,
) -> Report:
    """Verify a credential already read as JSON (an API body, a presentation's member).

    The parameters are `verify`'s; `source_format` names where it came from
    ("json", or "presentation" for a credential inside a verifiable presentation).

    :raises InputError: not a JSON object whose type includes VerifiableCredential.
    """
    if not isinstance(credential, dict):
        raise InputError(N_("A verifiable credential must be a JSON object."))
    inputs = _Inputs(
        resolver, fetcher, now, own_issuer_id, local_status, tuple(trusted), status_lists
    )
    parsed = Parsed(source_format, credential=credential)
    source = _SOURCE_NAMES.get(source_format, source_format)
    return _report(parsed, inputs, source, None)


def _report(parsed: Parsed, inputs: _Inputs, source: str, source_url: str | None) -> Report:
    """Every stage on the credential `parsed` holds, and on a learner record's members."""
    credential = _find_credential(parsed)
    run = _checked_run(parsed, credential, inputs, source)
    embedded = embedded_credentials(credential)
    parts: list[Report] = []
    if embedded is not None:
        unreadable = 0
        for item in embedded:
            part = _embedded_report(item, parsed, inputs)
            if part is None:
                unreadable += 1
            else:
                parts.append(part)
        run.guarded("contents", partial(check_contents, run, parts, unreadable))
    report = build_report(run, source_url=source_url)
    report.parts = parts
    report.endorsements = [
        _endorsement(found, parsed, inputs) for found in embedded_endorsements(credential)
    ]
    return report


@dataclass(frozen=True)
class _Inputs:
    """What every run of one verification shares: keys, network, clock, the school's records."""

    resolver: KeyResolver
    fetcher: Fetcher | None
    now: datetime
    own_issuer_id: str | None
    local_status: LocalStatus | None
    trusted: tuple[TrustEntry, ...]
    status_lists: VerifiedStatusLists | None


def _checked_run(parsed: Parsed, credential: dict[str, Any], inputs: _Inputs, source: str) -> Run:
    """Every stage on one credential (read from `source`): contexts, proofs, issuer, dates,
    status, schema."""
    run = Run(
        parsed,
        credential,
        issuer_id_of(credential),
        resolver=inputs.resolver,
        fetcher=inputs.fetcher,
        now=inputs.now,
        own_issuer_id=inputs.own_issuer_id,
        local_status=inputs.local_status,
        trusted=inputs.trusted,
        status_lists=inputs.status_lists,
    )
    run.add("credential", Outcome.PASSED, N_("Read a credential from %(source)s.", source=source))
    if parsed.credential is not None and parsed.jwt is not None:
        if credential_from_jwt(parsed.jwt) != parsed.credential:
            run.add(
                "credential",
                Outcome.FAILED,
                N_("The JSON and JWT copies attached to the PDF are not the same credential."),
            )
    run.guarded("contexts", partial(check_contexts, run))
    run.guarded("data model", partial(check_data_model, run))
    check_proofs(run)
    run.identity = establish_identity(run)
    run.guarded("dates", partial(check_dates, run))
    run.guarded("status", partial(check_status, run))
    run.guarded("schema", partial(check_schema, run))
    return run


def _embedded_report(item: Any, record: Parsed, inputs: _Inputs) -> Report | None:
    """The report of one credential inside a learner record; None when it is no credential.

    It is checked with the documents the record came with (a PDF's DID document).
    """
    if isinstance(item, dict):
        parsed = Parsed("embedded", credential=item, attachments=record.attachments)
    elif isinstance(item, str):
        parsed = Parsed("embedded", jwt=item, attachments=record.attachments)
    else:
        return None
    try:
        credential = _find_credential(parsed)
    except CredentialError:
        return None
    source = _SOURCE_NAMES.get(parsed.source_format, parsed.source_format)
    return build_report(_checked_run(parsed, credential, inputs, source), source_url=None)


def _endorsement(found: Embedded, parsed: Parsed, inputs: _Inputs) -> EndorsementResult:
    """One embedded endorsement through every stage (its own endorsements are not followed)."""
    if isinstance(found.item, dict):
        inner = Parsed("endorsement", credential=found.item, attachments=parsed.attachments)
    elif isinstance(found.item, str):
        inner = Parsed("endorsement", jwt=found.item, attachments=parsed.attachments)
    else:
        return unreadable(found, N_("it is neither a JSON object nor a JWT."))
    try:
        document = _find_credential(inner)
    except CredentialError as error:
        return unreadable(found, text_of(error))
    run = _checked_run(inner, document, inputs, _SOURCE_NAMES["endorsement"])
    endorsement_id = document.get("id")
    recorded = (
        inputs.local_status.recorded_status(endorsement_id)
        if inputs.local_status is not None and isinstance(endorsement_id, str)
        else None
    )
    return judge(found, build_report(run, source_url=None), recorded)


def _find_credential(parsed: Parsed) -> dict[str, Any]:
    """The credential: the JSON form when there is one, else the JWT's payload."""
    if parsed.credential is not None:
        credential = parsed.credential
    elif parsed.jwt is not None:
        credential = credential_from_jwt(parsed.jwt)
    else:
        raise InputError(N_("No credential was found in the input."))
    require_credential(credential)
    return credential


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
        raise InputError(N_("Laurel is working offline, so it cannot download %(url)s.", url=url))
    try:
        raw = fetch_bytes(fetcher, url)
        check_size(raw)
        linked = credential_link(raw, url)
        if linked is not None:
            raw = fetch_bytes(fetcher, linked)
            check_size(raw)
    except FetchError as error:
        raise InputError(
            N_("Laurel could not download the credential: %(error)s", error=text_of(error))
        ) from None
    return raw
