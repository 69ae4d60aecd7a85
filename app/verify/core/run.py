"""One verification in progress: its inputs, the checks made so far and the facts they found.

Pure module. Each stage (proofs, issuer, dates, status, schema) is a function
taking the `Run`; it records its lines with `add` or `note` and its findings in
`facts`, from which `verdict()` follows once every stage has run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from app.credentials.words import N_

from .fetching import Fetcher
from .local_status import LocalStatus
from .parse import Parsed
from .report import Check
from .report import Outcome
from .report import Verdict
from .resolvers import AttachedDocumentsResolver
from .resolvers import KeyResolver
from .status_lists import VerifiedStatusLists
from .trust import IssuerIdentity
from .trust import TrustEntry

logger = logging.getLogger(__name__)


@dataclass
class Facts:
    """What the run learned, from which the verdict follows."""

    invalid: bool = False
    not_yet_valid: bool = False
    expired: bool = False
    revoked: bool = False
    suspended: bool = False
    # A learner record some of whose credentials were revoked or suspended since.
    contents_withdrawn: bool = False


@dataclass
class Run:
    """The inputs of one verification and what it has found so far."""

    parsed: Parsed
    credential: dict[str, Any]
    issuer_id: str | None
    resolver: KeyResolver
    fetcher: Fetcher | None
    now: datetime
    own_issuer_id: str | None = None
    local_status: LocalStatus | None = None
    trusted: Sequence[TrustEntry] = ()
    status_lists: VerifiedStatusLists | None = None
    identity: IssuerIdentity | None = None
    checks: list[Check] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    attached: AttachedDocumentsResolver = field(init=False)

    def __post_init__(self) -> None:
        attachments = self.parsed.attachments
        self.attached = AttachedDocumentsResolver(attachments.did_document, attachments.jwks)

    def add(self, name: str, outcome: Outcome, message: str, detail: str | None = None) -> None:
        """Record a check; a failure marks the credential invalid."""
        self.checks.append(Check(name, outcome, message, detail))
        if outcome is Outcome.FAILED:
            self.facts.invalid = True

    def note(self, name: str, message: str) -> None:
        """Record a failed line that does not make the document a forgery (expired, revoked)."""
        self.checks.append(Check(name, Outcome.FAILED, message))

    def guarded(self, name: str, step: Callable[[], None]) -> None:
        """Run a step; an unexpected error becomes "could not check", never a crash."""
        try:
            step()
        except Exception:
            logger.exception("verification step %s failed unexpectedly", name)
            self.add(
                name,
                Outcome.UNKNOWN,
                N_("Laurel could not complete this check because of an internal error."),
            )

    @property
    def is_own(self) -> bool:
        """True when the credential names this school as its issuer."""
        return self.own_issuer_id is not None and self.issuer_id == self.own_issuer_id

    @property
    def signature_checked(self) -> bool:
        """True when at least one proof verified."""
        return any(c.name == "proof" and c.outcome is Outcome.PASSED for c in self.checks)

    def verdict(self) -> Verdict:
        """The overall answer, in the order of precedence of `Verdict`."""
        facts = self.facts
        if facts.invalid:
            return Verdict.NOT_VERIFIED
        if facts.revoked:
            return Verdict.REVOKED
        if facts.suspended:
            return Verdict.SUSPENDED
        if facts.contents_withdrawn:
            return Verdict.PARTLY_WITHDRAWN
        if any(check.outcome is Outcome.UNKNOWN for check in self.checks):
            return Verdict.UNCHECKED
        if facts.expired:
            return Verdict.EXPIRED
        if self.identity is None or not self.identity.established:
            # A valid signature by a key no one vouches for proves nothing about who made it.
            return Verdict.UNKNOWN_ISSUER
        return Verdict.VERIFIED
