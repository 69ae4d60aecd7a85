"""The issuer shutdown kit: everything verifiers fetch, as plain files for a static web host.

`export_static(directory)` writes the DID document, the JWKS, the status lists and,
for each credential its learner shares, the signed document and a verification
page, at the paths Laurel serves them, so credentials keep verifying after Laurel
is switched off. Credentials that are not shared are not published: their holders
keep the files, which verify against the exported keys and status lists.

Status lists are final once the service is off, so the export signs them once
more with a `validUntil` far ahead (LIST_VALID_YEARS) and a `ttl` of a year: a
verifier keeps trusting the last word of the school for decades, and may cache
it, instead of reporting "could not check" the day a short validity would run out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext
from flask_babel import ngettext

from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.credentials import status as bitstring
from app.credentials.document import format_datetime
from app.credentials.signing import serialize
from app.credentials.signing import sign_document
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.profile import issuer_profile
from app.issuing.status_lists import all_status_lists
from app.issuing.urls import status_list_url
from app.share.summary import summarize
from app.verify.documents import issuer_key_documents

LIST_VALID_YEARS = 100
LIST_TTL_MS = 365 * 24 * 60 * 60 * 1000
SERVING_NOTES = "SERVING.txt"


@dataclass(frozen=True)
class ExportSummary:
    directory: Path
    files: list[str]
    credentials: int


def _far_ahead(now: datetime, years: int) -> datetime:
    # 29 February has no counterpart in most years: the 28th stands in.
    return now.replace(year=now.year + years, day=min(now.day, 28))


def final_status_list(
    bits: bytes, list_url: str, purpose: str, *, ctx: IssuingContext, now: datetime, years: int
) -> bytes:
    """The status list signed anew, valid for `years`: what the static host serves."""
    unsigned = bitstring.build_status_list_credential(
        list_url=list_url,
        issuer_id=ctx.issuer_id,
        purpose=purpose,
        status_list=bitstring.StatusList.from_bytes(bits),
        valid_from=format_datetime(now),
        valid_until=format_datetime(_far_ahead(now, years)),
        ttl_ms=LIST_TTL_MS,
    )
    return serialize(sign_document(unsigned, keystore=ctx.keystore, now=now)).encode("utf-8")


def shared_credentials() -> list[IssuedCredential]:
    """The credentials whose learners share them publicly, oldest first."""
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.share_enabled.is_(True))
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


def page_paths(credential: IssuedCredential) -> list[str]:
    """Where the credential's static verification page goes: its share link and QR link."""
    paths = [f"credentials/{credential.id}.html", f"s/{credential.share_token}/index.html"]
    if credential.verify_enabled:
        paths.append(f"v/{credential.verify_token}/index.html")
    return paths


class _Writer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: list[str] = []

    def write(self, relative: str, data: bytes) -> None:
        path = self.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files.append(relative)


def export_static(
    directory: Path,
    *,
    ctx: IssuingContext,
    now: datetime,
    years: int = LIST_VALID_YEARS,
) -> ExportSummary:
    """Write the shutdown kit into `directory` (which must be empty or new).

    :raises UserError: the directory holds files already, or `years` is not positive.
    """
    if years < 1:
        raise UserError(gettext("The status lists must stay valid for at least one year."))
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UserError(
            gettext("%(directory)s is not an empty folder; choose a new one.", directory=directory)
        )
    suspended = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(IssuedCredential)
        .where(IssuedCredential.state == CredentialState.SUSPENDED)
    )
    if suspended:
        raise UserError(
            ngettext(
                "%(num)s credential is suspended. Static files cannot publish a suspension: "
                "reinstate or revoke it (laurel reinstate / laurel revoke) first.",
                "%(num)s credentials are suspended. Static files cannot publish a suspension: "
                "reinstate or revoke each one (laurel reinstate / laurel revoke) first.",
                suspended,
            )
        )
    writer = _Writer(directory)
    did_json, jwks_json = issuer_key_documents(ctx)
    writer.write(".well-known/did.json", did_json)
    writer.write(".well-known/jwks.json", jwks_json)
    for row in all_status_lists():
        url = status_list_url(ctx.public_url, row.purpose, row.number)
        data = final_status_list(row.bits, url, row.purpose.value, ctx=ctx, now=now, years=years)
        writer.write(f"status/{row.purpose.value}/{row.number}", data)
    school = issuer_profile(ctx.public_url)
    credentials = shared_credentials()
    for credential in credentials:
        writer.write(f"credentials/{credential.id}", credential.json_text.encode("utf-8"))
        if credential.jwt_text:
            writer.write(f"credentials/{credential.id}.jwt", credential.jwt_text.encode("ascii"))
        page = render_template(
            "records/static_credential.html",
            summary=summarize(credential),
            document_text=json.dumps(
                json.loads(credential.json_text), ensure_ascii=False, indent=2
            ),
            school=school,
            public_url=ctx.public_url,
            now=now,
        )
        for path in page_paths(credential):
            writer.write(path, page.encode("utf-8"))
    writer.write(
        "index.html",
        render_template(
            "records/static_index.html", school=school, public_url=ctx.public_url, now=now
        ).encode("utf-8"),
    )
    writer.write(
        SERVING_NOTES,
        render_template("records/serving.txt", public_url=ctx.public_url).encode("utf-8"),
    )
    return ExportSummary(directory=directory, files=writer.files, credentials=len(credentials))
