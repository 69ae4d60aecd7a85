"""Running the verification pipeline for the web page, the API and the share pages.

Laurel's own documents (its credentials, status lists, DID document and JWKS)
are read from the database rather than fetched over the network from itself;
other addresses go through the guarded HTTPS fetcher, which refuses private,
loopback and link-local hosts unless LAUREL_VERIFY_ALLOW_LOOPBACK is set (tests,
a developer's machine). Tests may also inject LAUREL_VERIFY_HOST_RESOLVER and
LAUREL_VERIFY_TRANSPORT (the HTTPS request itself, after the guard: nothing on the wire).
The trusted issuers are the admin's list (the trust list page, `laurel trust`)
plus the entries of the LAUREL_TRUST_LIST file when it is set.
What only the database knows (a suspension, the reason and date of a change)
goes into the pipeline as its `LocalStatus` input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext
from markupsafe import Markup

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.endorsements.models import Endorsement
from app.extensions import db
from app.extensions import read_one
from app.keyring import issuing_context
from app.main.filters import format_date
from app.main.filters import say
from app.models_base import is_uuid
from app.verify import verdicts
from app.verify.core.fetching import Fetcher
from app.verify.core.fetching import FetchError
from app.verify.core.fetching import GuardedAdapter
from app.verify.core.fetching import HttpFetcher
from app.verify.core.fetching import system_host_addresses
from app.verify.core.local_status import RecordedState
from app.verify.core.local_status import RecordedStatus
from app.verify.core.pipeline import verify
from app.verify.core.pipeline import verify_document
from app.verify.core.presentation import PresentationReport
from app.verify.core.presentation import verify_presentation
from app.verify.core.report import Check
from app.verify.core.report import Report
from app.verify.core.report import Verdict
from app.verify.core.resolvers import OwnKeyResolver
from app.verify.core.resolvers import build_resolver
from app.verify.core.status_lists import VerifiedStatusLists
from app.verify.documents import own_document
from app.verify.trust_list import trusted_entries

# The verdict in a word or two, shown first on the verify page.
VERDICT_TITLES = {
    Verdict.VERIFIED: lazy_gettext("Genuine"),
    Verdict.EXPIRED: lazy_gettext("Expired"),
    Verdict.REVOKED: lazy_gettext("Revoked"),
    Verdict.SUSPENDED: lazy_gettext("Suspended"),
    Verdict.PARTLY_WITHDRAWN: lazy_gettext("Not every credential stands"),
    Verdict.UNCHECKED: lazy_gettext("Could not check"),
    Verdict.UNKNOWN_ISSUER: lazy_gettext("Unknown issuer"),
    Verdict.NOT_VERIFIED: lazy_gettext("Not genuine"),
}


class SiteFetcher:
    """Answers this site's own URLs from the database and hands the rest to `network`."""

    def __init__(self, site_url: str, network: Fetcher) -> None:
        self.site = urlsplit(site_url)
        self.network = network

    def __call__(self, url: str) -> bytes:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (self.site.scheme, self.site.netloc):
            return self.network(url)
        path = parts.path
        prefix = self.site.path.rstrip("/")
        if prefix and not path.startswith(prefix + "/"):
            return self.network(url)
        document = own_document(path[len(prefix) :], issuing_context())
        if document is None:
            raise FetchError(f"{url} is not a document this school publishes.")
        return document


# The school's own status lists, each version verified once in this process.
OWN_STATUS_LISTS = VerifiedStatusLists()


def _guard_settings() -> dict[str, Any]:
    config = current_app.config
    return {
        "resolve_host": config.get("LAUREL_VERIFY_HOST_RESOLVER") or system_host_addresses,
        "allow_loopback": bool(config.get("LAUREL_VERIFY_ALLOW_LOOPBACK", False)),
    }


def network_fetcher() -> HttpFetcher:
    """The guarded HTTPS fetcher, with this application's guard settings."""
    return HttpFetcher(
        **_guard_settings(), transport=current_app.config.get("LAUREL_VERIFY_TRANSPORT")
    )


def guarded_adapter() -> GuardedAdapter:
    """The same guard for requests other than GETs of documents (an OAuth client's POSTs)."""
    return GuardedAdapter(**_guard_settings())


def site_fetcher() -> SiteFetcher:
    return SiteFetcher(issuing_context().public_url, network_fetcher())


def own_record(report: Report) -> verdicts.OwnRecord | None:
    """Laurel's row for the credential in `report`, if the report proves it ours and genuine."""
    document_id = (report.credential or {}).get("id")
    if not (report.genuine and report.is_own_issuer and isinstance(document_id, str)):
        return None
    return _own_credential(document_id)


_OWN_RECORD = (
    sa.select(*verdicts.COLUMNS)
    .join(User, User.id == IssuedCredential.recipient_id)
    .join(Badge, Badge.id == IssuedCredential.badge_id)
    .where(IssuedCredential.id == sa.bindparam("id"))
)


def _own_uuid(credential_id: str) -> str | None:
    """The uuid in a credential id of this school (its /credentials/<uuid> URL), else None."""
    prefix = f"{issuing_context().public_url}/credentials/"
    if not credential_id.startswith(prefix) or not is_uuid(credential_id[len(prefix) :]):
        return None
    return credential_id[len(prefix) :]


def own_credential(credential_id: str) -> IssuedCredential | None:
    """Laurel's whole row for a credential id of this school (to change its status)."""
    uuid = _own_uuid(credential_id)
    return None if uuid is None else db.session.get(IssuedCredential, uuid)


def _own_credential(credential_id: str) -> verdicts.OwnRecord | None:
    """Laurel's record of a credential id of this school: its status, the learner's name and
    the versions of its badge and of the school's profile."""
    uuid = _own_uuid(credential_id)
    if uuid is None:
        return None
    # A report needs the row's status and the learner's name, not the signed bytes again;
    # a result page kept with it, what else it shows (`verdicts.page_version`), in the same query.
    row = read_one(_OWN_RECORD, {"id": uuid})
    return None if row is None else verdicts.OwnRecord(*tuple(row))


def own_endorsement(endorsement_id: str) -> Endorsement | None:
    """The school's row of an endorsement it keeps (<public url>/endorsements/<uuid>)."""
    prefix = f"{issuing_context().public_url}/endorsements/"
    if not endorsement_id.startswith(prefix):
        return None
    uuid = endorsement_id[len(prefix) :]
    return db.session.get(Endorsement, uuid) if is_uuid(uuid) else None


_RECORDED_STATES = {
    CredentialState.REVOKED: RecordedState.REVOKED,
    CredentialState.SUSPENDED: RecordedState.SUSPENDED,
}


class StoredStatus:
    """The pipeline's `LocalStatus`: revocations and suspensions as this school recorded them,
    and the endorsements it keeps that it has withdrawn since."""

    def recorded_status(self, credential_id: str) -> RecordedStatus | None:
        endorsement = own_endorsement(credential_id)
        if endorsement is not None:
            if endorsement.withdrawn_at is None:
                return None
            return RecordedStatus(
                RecordedState.REVOKED, endorsement.withdrawal_reason, endorsement.withdrawn_at
            )
        record = _own_credential(credential_id)
        if record is None or record.state not in _RECORDED_STATES:
            return None
        return RecordedStatus(
            _RECORDED_STATES[record.state], record.status_reason, record.status_changed_at
        )


@dataclass(frozen=True)
class Verification:
    """A pipeline report, with Laurel's own record when the credential is this school's."""

    report: Report
    record: verdicts.OwnRecord | None
    # Kept with a kept report; made when first shown otherwise.
    technical: Markup | None = None
    # Where answers made from a kept report are kept with it (None: the report is not kept).
    answers: verdicts.Answers | None = None

    @property
    def technical_json(self) -> Markup:
        """The report as the API gives it, as HTML-safe indented JSON."""
        return self.technical or verdicts.technical_json(self.report)

    @property
    def tone(self) -> str:
        """success / warning / error: the colour of the verdict box."""
        verdict = self.report.verdict
        if verdict is Verdict.VERIFIED:
            return "success"
        if verdict in (
            Verdict.EXPIRED,
            Verdict.UNCHECKED,
            Verdict.SUSPENDED,
            Verdict.PARTLY_WITHDRAWN,
            Verdict.UNKNOWN_ISSUER,
        ):
            return "warning"
        return "error"

    @property
    def title(self) -> str:
        """The verdict in a word or two, shown first."""
        return str(VERDICT_TITLES[self.report.verdict])

    @property
    def sentence(self) -> str:
        """The verdict as one sentence, naming the learner when the credential is this school's."""
        report = self.report
        if self.record is None:
            return say(report.headline)
        learner = report.learner_name or self.record.learner_name
        said = gettext(
            "“%(badge)s”, issued by %(issuer)s to %(learner)s on %(date)s",
            badge=report.badge_name,
            issuer=say(report.issuer_phrase),
            learner=learner,
            date=format_date(self.record.issued_at),
        )
        reason = (
            gettext(" Reason: %(reason)s", reason=report.status_reason)
            if report.status_reason
            else ""
        )
        when = format_date(self.record.status_changed_at)
        if report.verdict == Verdict.VERIFIED:
            return gettext("Genuine — %(said)s.", said=said)
        if report.verdict == Verdict.EXPIRED:
            return gettext(
                "Expired on %(date)s, still a genuine record — %(said)s.",
                date=format_date(report.valid_until),
                said=said,
            )
        if report.verdict == Verdict.REVOKED:
            return gettext(
                "Revoked on %(date)s — %(said)s, was withdrawn by the school.%(reason)s",
                date=when,
                said=said,
                reason=reason,
            )
        if report.verdict == Verdict.SUSPENDED:
            return gettext(
                "Suspended on %(date)s — %(said)s, is on hold by the school.%(reason)s",
                date=when,
                said=said,
                reason=reason,
            )
        return say(report.headline)

    @property
    def checks(self) -> list[Check]:
        return self.report.checks

    @property
    def http_status(self) -> int:
        """422 for a document that is not a genuine credential, 200 for every other answer.

        A forgery or a tampered file is input Laurel cannot accept, so the page and
        the API say so with a 4xx (the report explains why); expired, revoked and
        "could not check" are answers about a genuine document.
        """
        return 422 if self.report.verdict is Verdict.NOT_VERIFIED else 200


def run_verification(
    data: bytes | str,
    *,
    now: datetime,
    filename: str | None = None,
    content_type: str | None = None,
) -> Verification:
    """Verify what a person gave (file, pasted text or URL).

    :raises InputError: the input is unusable; its message is for the person.
    A report on one of this school's credentials is kept per process and served again
    while the credential's status, read afresh here, is unchanged (`app.verify.verdicts`).
    """
    key = verdicts.input_key(data, filename, content_type)
    kept = verdicts.reports.get(key, _record_and_version, now)
    if kept is not None:
        return Verification(*kept)
    ctx = issuing_context()
    fetcher = site_fetcher()
    report = verify(
        data,
        filename=filename,
        content_type=content_type,
        resolver=build_resolver(fetcher=fetcher, own=OwnKeyResolver(ctx.keystore, ctx.issuer_id)),
        fetcher=fetcher,
        now=now,
        own_issuer_id=ctx.issuer_id,
        local_status=StoredStatus(),
        trusted=trusted_entries(current_app.config.get("LAUREL_TRUST_LIST")),
        status_lists=OWN_STATUS_LISTS,
    )
    record = own_record(report)
    if record is not None and verdicts.cacheable(report):
        stored = verdicts.reports.put(key, report, verdicts.status_version(record), now)
        return Verification(report, record, stored.technical, stored.answers)
    return Verification(report, record)


def _verifier_inputs() -> dict[str, Any]:
    """What every verification here takes: resolver, fetcher, the school's own status."""
    ctx = issuing_context()
    fetcher = site_fetcher()
    return {
        "resolver": build_resolver(
            fetcher=fetcher, own=OwnKeyResolver(ctx.keystore, ctx.issuer_id)
        ),
        "fetcher": fetcher,
        "own_issuer_id": ctx.issuer_id,
        "local_status": StoredStatus(),
        "trusted": trusted_entries(current_app.config.get("LAUREL_TRUST_LIST")),
    }


def verify_json_credential(credential: dict[str, Any], *, now: datetime) -> Report:
    """Verify a credential given as a JSON object (the VC-API's body), uncached.

    :raises InputError: not a verifiable credential object.
    """
    return verify_document(credential, now=now, status_lists=OWN_STATUS_LISTS, **_verifier_inputs())


def verify_json_presentation(
    presentation: dict[str, Any], *, now: datetime, challenge: str | None, domain: str | None
) -> PresentationReport:
    """Verify a presentation (the holder's proof, `challenge`, `domain`) and its credentials."""
    return verify_presentation(
        presentation, now=now, challenge=challenge, domain=domain, **_verifier_inputs()
    )


def _record_and_version(report: Report) -> tuple[verdicts.OwnRecord, verdicts.Version] | None:
    record = own_record(report)
    return None if record is None else (record, verdicts.status_version(record))


def verify_record(credential: IssuedCredential, *, now: datetime) -> Verification:
    """Verify a stored credential (a kept report only while its status is unchanged)."""
    return run_verification(credential.json_text, now=now, filename="credential.json")
