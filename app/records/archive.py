"""A learner's archive: one zip with every credential, the school's keys and its status lists.

What a learner takes away when they leave (or the school closes): each credential
as signed JSON, VC-JWT, baked PNG and PDF certificate, the signed learner record
(CLR), the issuer's DID document and JWKS, the status lists as last signed, the
credentials from other issuers kept in their backpack (byte for byte as they
arrived, under kept/), and a README in plain words. Everything needed to check the
school's files is inside, so they verify without Laurel; `issuer/documents.json`
says which URL each issuer file was served at, for tools that look documents up by URL.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from flask import render_template
from flask_babel import gettext

from app.accounts.models import User
from app.backpack.models import HeldCredential
from app.backpack.store import held_credentials
from app.errors import UserError
from app.issuing.context import IssuingContext
from app.issuing.profile import issuer_profile
from app.issuing.status_lists import all_status_lists
from app.issuing.status_lists import published_status
from app.issuing.urls import status_list_url
from app.share.learner_record import clr_json
from app.share.learner_record import learner_credentials
from app.share.services import download
from app.share.summary import summarize
from app.verify.documents import issuer_key_documents

CREDENTIAL_FORMATS = ("json", "jwt", "png", "pdf")
# Zip entries carry a date: the archive's `now` (the zip format starts in 1980).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def archive_name(learner: User) -> str:
    return f"learner-archive-{learner.learner_uuid[:8]}.zip"


def _add(bundle: zipfile.ZipFile, name: str, data: bytes, moment: datetime) -> None:
    stamp = max(moment.timetuple()[:6], _ZIP_EPOCH)
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def issuer_documents(ctx: IssuingContext) -> list[tuple[str, str, bytes]]:
    """(file name, URL it is served at, bytes) of the issuer's keys and signed status lists."""
    did_json, jwks_json = issuer_key_documents(ctx)
    documents = [
        ("issuer/did.json", f"{ctx.public_url}/.well-known/did.json", did_json),
        ("issuer/jwks.json", f"{ctx.public_url}/.well-known/jwks.json", jwks_json),
    ]
    for row in all_status_lists():
        if row.signed_json:
            documents.append(
                (
                    f"issuer/status-{row.purpose.value}-{row.number}.json",
                    status_list_url(ctx.public_url, row.purpose, row.number),
                    row.signed_json.encode("utf-8"),
                )
            )
    return documents


def held_file_name(held: HeldCredential) -> str:
    """The file a kept credential goes in: its row id and an extension for its form."""
    if held.format == "ob2":
        extension = "ob2.json" if held.raw_text.lstrip().startswith("{") else "ob2.jws"
    else:
        extension = held.format
    return f"held-{held.id}.{extension}"


def build_learner_archive(learner: User, *, ctx: IssuingContext, now: datetime) -> bytes:
    """The learner's archive as zip bytes.

    :raises UserError: the learner has no credential yet.
    """
    credentials = learner_credentials(learner)
    held = held_credentials(learner)
    if not credentials and not held:
        raise UserError(gettext("There is no credential to put in an archive yet."))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        listed = []
        for credential in credentials:
            files = []
            for kind in CREDENTIAL_FORMATS:
                if kind == "jwt" and not credential.jwt_text:
                    continue
                item = download(credential, kind, ctx=ctx, now=now)
                _add(bundle, f"credentials/{item.filename}", item.data, now)
                files.append(item.filename)
            listed.append((summarize(credential), files))
        kept = []
        for other in held:
            name = held_file_name(other)
            _add(bundle, f"kept/{name}", other.raw_text.encode("utf-8"), now)
            kept.append((other, name))
        record = clr_json(learner, ctx=ctx, now=now)
        if record is not None:
            _add(bundle, "learner-record.json", record, now)
        documents = issuer_documents(ctx)
        for credential in credentials:
            status = published_status(credential, public_url=ctx.public_url)
            documents.append(
                (
                    f"issuer/credential-status-{credential.id}.json",
                    status["id"],
                    json.dumps(status, indent=2).encode("utf-8"),
                )
            )
        for name, _url, data in documents:
            _add(bundle, name, data, now)
        index = {"documents": [{"file": name, "url": url} for name, url, _data in documents]}
        _add(bundle, "issuer/documents.json", json.dumps(index, indent=2).encode("utf-8"), now)
        readme = render_template(
            "records/archive_readme.txt",
            learner=learner,
            school=issuer_profile(ctx.public_url),
            listed=listed,
            kept=kept,
            has_record=record is not None,
            documents=documents,
            public_url=ctx.public_url,
            now=now,
        )
        _add(bundle, "README.txt", readme.encode("utf-8"), now)
    return buffer.getvalue()
