"""What Laurel's pages and certificates say about one issued credential.

Read from the signed document as issued (the achievement it embeds, not the
badge as edited since), plus what only Laurel knows: the learner's name, the
level's name and the revocation or suspension with its reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from html import unescape
from typing import Any

import nh3
from flask_babel import gettext

from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.credentials.document import signed_name
from app.main.filters import format_date
from app.main.filters import render_markdown

CRITERIA_SUMMARY_CHARS = 420
LIST_ITEM_END = re.compile(r"</li>", re.IGNORECASE)


@dataclass(frozen=True)
class Alignment:
    name: str
    url: str | None
    code: str | None
    framework: str | None


@dataclass(frozen=True)
class Evidence:
    name: str
    narrative: str | None
    description: str | None
    genre: str | None
    url: str | None


@dataclass(frozen=True)
class CredentialSummary:
    credential: IssuedCredential
    document: dict[str, Any]
    badge_name: str
    description: str
    criteria_narrative: str
    alignments: list[Alignment]
    evidence: list[Evidence]
    issuer_name: str
    issuer_url: str | None
    learner_name: str
    level_name: str | None
    issued_at: datetime
    valid_until: datetime | None

    @property
    def state(self) -> CredentialState:
        return self.credential.state

    @property
    def is_revoked(self) -> bool:
        return self.credential.state == CredentialState.REVOKED

    @property
    def is_suspended(self) -> bool:
        return self.credential.state == CredentialState.SUSPENDED

    @property
    def status_reason(self) -> str | None:
        return self.credential.status_reason

    @property
    def status_changed_at(self) -> datetime | None:
        return self.credential.status_changed_at

    def is_expired(self, now: datetime) -> bool:
        return self.valid_until is not None and self.valid_until <= now

    def validity(self, now: datetime) -> str:
        """ "does not expire" / "valid until …" / "expired on …, still a genuine record"."""
        if self.valid_until is None:
            return gettext("Does not expire")
        if self.is_expired(now):
            return gettext(
                "Expired on %(date)s, still a genuine record", date=format_date(self.valid_until)
            )
        return gettext("Valid until %(date)s", date=format_date(self.valid_until))

    @property
    def criteria_summary(self) -> str:
        """The criteria as plain text, cut at a word near CRITERIA_SUMMARY_CHARS."""
        html = LIST_ITEM_END.sub("; ", str(render_markdown(self.criteria_narrative)))
        # nh3 returns HTML (`&gt;` for ">"); the templates escape plain text themselves.
        text = " ".join(unescape(nh3.clean(html, tags=set())).split()).rstrip("; ")
        if len(text) <= CRITERIA_SUMMARY_CHARS:
            return text
        cut = text[:CRITERIA_SUMMARY_CHARS].rsplit(" ", 1)[0]
        return f"{cut.rstrip(',;:.')}…"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def summarize(credential: IssuedCredential) -> CredentialSummary:
    """Collect what a page needs about `credential` from its stored document and its row."""
    document = json.loads(credential.json_text)
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    criteria = achievement.get("criteria") or {}
    issuer = document.get("issuer") or {}
    return CredentialSummary(
        credential=credential,
        document=document,
        badge_name=achievement.get("name") or credential.badge.name,
        description=achievement.get("description") or "",
        criteria_narrative=criteria.get("narrative") or "",
        alignments=[
            Alignment(
                name=a.get("targetName") or "",
                url=_text(a.get("targetUrl")),
                code=_text(a.get("targetCode")),
                framework=_text(a.get("targetFramework")),
            )
            for a in _list(achievement.get("alignment"))
            if isinstance(a, dict)
        ],
        evidence=[
            Evidence(
                name=e.get("name") or "Evidence",
                narrative=_text(e.get("narrative")),
                description=_text(e.get("description")),
                genre=_text(e.get("genre")),
                url=_text(e.get("id"))
                if str(e.get("id", "")).startswith(("http://", "https://"))
                else None,
            )
            for e in _list(document.get("evidence"))
            if isinstance(e, dict)
        ],
        issuer_name=issuer.get("name") or "",
        issuer_url=_text(issuer.get("url")),
        # The signed name, so a printed certificate shows what the signature covers; only
        # credentials issued before names were signed fall back to the recorded name.
        learner_name=signed_name(document) or credential.recipient.name,
        level_name=credential.level_name,
        issued_at=_aware(credential.issued_at),
        valid_until=_aware(credential.valid_until) if credential.valid_until else None,
    )
