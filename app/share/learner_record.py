"""A learner's record across years: their credentials grouped, a signed CLR 2.0, a transcript PDF.

The record is the alternative to fixed grades: every badge a learner earned,
by school year and by standard. The `ClrCredential` embeds each credential with
its own proof, unchanged, and is signed as a whole by the school.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from app.accounts.counselors import can_read_learner
from app.accounts.models import User
from app.backpack.models import HeldCredential
from app.backpack.store import held_credentials
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.standards import standard_label
from app.credentials.clr import build_clr
from app.credentials.document import SubjectData
from app.credentials.signing import sign_document
from app.extensions import db
from app.i18n import language_of
from app.issuing.context import IssuingContext
from app.issuing.profile import issuer_data
from app.issuing.profile import issuer_profile
from app.pathways.record import RecordPathway
from app.pathways.record import clr_structure
from app.pathways.record import record_pathways
from app.share.certificate import verification_url
from app.share.pdf import PdfAttachment
from app.share.pdf import html_to_pdf
from app.share.qr import qr_data_uri
from app.share.summary import CredentialSummary
from app.share.summary import summarize
from app.verify.documents import issuer_key_documents

NO_STANDARD = "Not aligned to a standard"


def can_see_record(learner: User, viewer: User | None) -> bool:
    """The learner, administrators, instructors of one of their classes, their counselors."""
    return can_read_learner(learner, viewer)


def learner_credentials(learner: User) -> list[IssuedCredential]:
    """Every credential issued to `learner`, oldest first."""
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.recipient_id == learner.id)
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


@dataclass(frozen=True)
class LearnerRecord:
    learner: User
    summaries: list[CredentialSummary]
    # Credentials from other issuers the learner keeps here (the Open Badges API backpack).
    held: list[HeldCredential]
    # The pathways the learner's badges belong to, each badge marked earned or not.
    pathways: list[RecordPathway]

    @property
    def has_signed_record(self) -> bool:
        """True when a CLR can be signed: some credential is not revoked, or one kept is put in."""
        return any(not summary.is_revoked for summary in self.summaries) or any(
            held.in_record for held in self.held
        )

    @property
    def by_year(self) -> list[tuple[int, list[CredentialSummary]]]:
        """Newest year first; within a year, oldest first."""
        years: dict[int, list[CredentialSummary]] = defaultdict(list)
        for summary in self.summaries:
            years[summary.issued_at.year].append(summary)
        return sorted(years.items(), reverse=True)

    @property
    def by_standard(self) -> list[tuple[str, list[CredentialSummary]]]:
        """Each standard (framework and code, or name) with the credentials aligned to it."""
        standards: dict[str, list[CredentialSummary]] = defaultdict(list)
        for summary in self.summaries:
            labels = {standard_label(a.framework, a.code, a.name) for a in summary.alignments} or {
                NO_STANDARD
            }
            for label in labels:
                standards[label].append(summary)
        return sorted(
            standards.items(), key=lambda item: (item[0] == NO_STANDARD, item[0].casefold())
        )


def learner_record(learner: User) -> LearnerRecord:
    credentials = learner_credentials(learner)
    return LearnerRecord(
        learner=learner,
        summaries=[summarize(c) for c in credentials],
        held=held_credentials(learner),
        pathways=record_pathways(_held_badge_ids(credentials)),
    )


def _held_badge_ids(credentials: list[IssuedCredential]) -> set[int]:
    return {c.badge_id for c in credentials if c.state != CredentialState.REVOKED}


def signed_clr(learner: User, *, ctx: IssuingContext, now: datetime) -> dict | None:
    """The learner's credentials in a signed ClrCredential; None when there is none to put in.

    Revoked credentials are left out (and the record says it is partial). A suspended
    one stays in, since a suspension may be lifted, and the record's description
    names it: verifiers check each credential's status as they check the record.
    """
    credentials = learner_credentials(learner)
    kept = [c for c in credentials if c.state != CredentialState.REVOKED]
    chosen = record_held_credentials(learner)
    if not kept and not chosen:
        return None
    profile = issuer_profile(ctx.public_url)
    suspended = [c for c in kept if c.state == CredentialState.SUSPENDED]
    achievements, associations = clr_structure(_held_badge_ids(kept), ctx.public_url)
    unsigned = build_clr(
        clr_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuer_data(profile, ctx),
        subject=_subject(learner),
        credentials=[json.loads(c.json_text) for c in kept] + chosen,
        valid_from=now,
        name=f"Learner record from {profile.name}",
        partial=len(kept) < len(credentials),
        description=_suspended_note(suspended) if suspended else None,
        achievements=achievements,
        associations=associations,
    )
    return sign_document(unsigned, keystore=ctx.keystore, now=now)


def _subject(learner: User) -> SubjectData:
    """The learner as a record's subject: the school's current name and hashed email."""
    return SubjectData(
        id=learner.subject_id, email=learner.email, salt=learner.identity_salt, name=learner.name
    )


def record_held_credentials(learner: User) -> list[dict]:
    """The credentials from other issuers the learner chose to put in the record (JSON ones).

    Each keeps its own issuer's proof; the school's signature over the record says only
    that the learner presented it, and verifiers check each credential on its own.
    """
    return [
        json.loads(held.raw_text)
        for held in held_credentials(learner)
        if held.in_record and held.format == "json"
    ]


def check_embeddable(
    learner: User, held: HeldCredential, *, ctx: IssuingContext, now: datetime
) -> None:
    """Sign a trial record holding `held` alone, so a credential that cannot be signed in a
    record (a term no bundled context defines, say) is refused when chosen, not when the
    learner next downloads the record.

    :raises CredentialError: its message says why.
    """
    profile = issuer_profile(ctx.public_url)
    trial = build_clr(
        clr_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuer_data(profile, ctx),
        subject=_subject(learner),
        credentials=[json.loads(held.raw_text)],
        valid_from=now,
        name="Trial",
    )
    sign_document(trial, keystore=ctx.keystore, now=now)


def _suspended_note(suspended: list[IssuedCredential]) -> str:
    names = ", ".join(f"“{credential.badge.name}”" for credential in suspended)
    return f"Suspended by the school when this record was signed: {names}."


def clr_json(learner: User, *, ctx: IssuingContext, now: datetime) -> bytes | None:
    """The signed learner record as JSON bytes; None for an empty record."""
    signed = signed_clr(learner, ctx=ctx, now=now)
    if signed is None:
        return None
    return json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8")


def render_transcript(learner: User, *, ctx: IssuingContext, now: datetime) -> bytes:
    """A printable transcript: each credential with a QR of its verification page; CLR attached."""
    record = learner_record(learner)
    urls = {
        summary.credential.id: verification_url(summary.credential, ctx.public_url)
        for summary in record.summaries
    }
    qr_codes = {key: qr_data_uri(url, box_size=4, border=1) for key, url in urls.items() if url}
    with force_locale(language_of(learner)):
        html = render_template(
            "certificates/transcript.html",
            record=record,
            qr_codes=qr_codes,
            school=issuer_profile(ctx.public_url),
            now=now,
        )
    did_json, jwks_json = issuer_key_documents(ctx)
    attachments = [
        PdfAttachment("did.json", did_json, "The school's DID document when this PDF was made"),
        PdfAttachment("jwks.json", jwks_json, "The school's JWKS when this PDF was made"),
    ]
    record_json = clr_json(learner, ctx=ctx, now=now)
    if record_json is not None:
        description = "The signed Comprehensive Learner Record (CLR 2.0), every credential inside"
        attachments.insert(0, PdfAttachment("learner-record.json", record_json, description))
    return html_to_pdf(
        html, attachments, stylesheets=[render_template("certificates/transcript.css")]
    )
