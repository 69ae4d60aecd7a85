"""The learner's sharing pages, the public badge page, the verification link and the downloads.

/s/<share_token> exists only while the learner shares the credential, and
/v/<verify_token> (the printed certificate's QR code) while the learner keeps it
on; both tokens are random, so neither address can be guessed from the
credential id. Every answer here depends on the session or on a private token:
none may be kept by a shared cache (NO_STORE); the public pages are kept whole
inside each server process for anonymous visitors (`app.share.kept_pages`).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.extensions import limiter
from app.issuing.urls import credential_url
from app.keyring import issuing_context
from app.main.filters import format_date
from app.models_base import utcnow
from app.share import kept_pages
from app.share.certificate import verification_url
from app.share.certificate import verify_page_url
from app.share.forms import SharingForm
from app.share.forms import VerificationLinkForm
from app.share.images import badge_png
from app.share.learner_record import can_see_record
from app.share.learner_record import clr_json
from app.share.learner_record import learner_record
from app.share.learner_record import render_transcript
from app.share.linkedin import add_to_profile_url
from app.share.og_image import render_og_image
from app.share.qr import qr_data_uri
from app.share.services import download
from app.share.services import is_owner
from app.share.services import linkedin_fields
from app.share.services import set_sharing
from app.share.services import set_verification_link
from app.share.services import share_url
from app.share.summary import summarize
from app.verify.documents import checkable_credential
from app.verify.documents import credential_by_id
from app.verify.documents import shared_credential
from app.verify.service import Verification
from app.verify.service import verify_record
from app.verify.verdicts import validity_instants

bp = Blueprint("share", __name__)

NO_STORE = "private, no-store"
# Rendering a PDF or a preview card costs ~0.1-0.2 s of CPU: anonymous visitors get a quota.
PUBLIC_RENDER_LIMIT = "30 per minute"


def _shared_or_404(share_token: str) -> IssuedCredential:
    credential = shared_credential(share_token)
    if credential is None:
        raise NotFound(
            gettext(
                "There is no shared badge at this address. The learner may have stopped sharing it."
            )
        )
    return credential


def _private_or_404(credential_id: str) -> IssuedCredential:
    """The credential, for its learner, administrators and its reviewers; 404 for anyone else."""
    credential = credential_by_id(credential_id)
    if credential is None or not credential.can_view(current_user):
        raise NotFound(gettext("There is no credential with that id."))
    return credential


def _file_response(credential: IssuedCredential, kind: str) -> Response:
    item = download(
        credential,
        kind,
        ctx=issuing_context(),
        now=utcnow(),
        paper=request.args.get("paper"),
    )
    response = Response(item.data, mimetype=item.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/s/<share_token>")
def public_page(share_token: str):
    """The public badge page, with a live verification summary (kept whole for anonymous visitors
    while nothing it shows changes: `app.share.kept_pages`)."""
    return kept_pages.pages.serve(
        "share", share_token, lambda now: _public_page(share_token, now), shows_minute=False
    )


def _public_page(share_token: str, now: datetime) -> kept_pages.Rendered:
    credential = _shared_or_404(share_token)
    public_url = issuing_context().public_url
    link = share_url(credential, public_url)
    verify_url = verification_url(credential, public_url)
    verification = verify_record(credential, now=now)
    response = Response(
        render_template(
            "share/public.html",
            summary=summarize(credential),
            verification=verification,
            credential=credential,
            share_url=link,
            og_image_url=f"{link}/og.png",
            image_url=url_for("share.public_image", share_token=share_token),
            verify_url=verify_url,
            qr=qr_data_uri(verify_url, box_size=6, border=2) if verify_url else None,
            now=now,
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Robots-Tag"] = "noindex"
    return kept_pages.Rendered(response, _instants(credential, verification))


def _instants(credential: IssuedCredential, verification: Verification) -> tuple[datetime, ...]:
    """The dates on which a page about `credential` changes its wording."""
    row = (credential.valid_until,) if credential.valid_until is not None else ()
    return validity_instants(verification.report) + row


@bp.get("/s/<share_token>/og.png")
@limiter.limit(PUBLIC_RENDER_LIMIT)
def og_image(share_token: str):
    """The 1200×630 link-preview card."""
    credential = _shared_or_404(share_token)
    summary = summarize(credential)
    png = render_og_image(
        badge_png(credential.badge),
        badge_name=summary.badge_name,
        learner_name=summary.learner_name,
        issuer_name=summary.issuer_name,
        issued_on=format_date(summary.issued_at),
    )
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/s/<share_token>/badge.png")
def public_image(share_token: str):
    """The plain badge image (no credential inside) for the page itself."""
    credential = _shared_or_404(share_token)
    response = Response(badge_png(credential.badge), mimetype="image/png")
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/s/<share_token>/download/<kind>")
@limiter.limit(PUBLIC_RENDER_LIMIT)
def public_download(share_token: str, kind: str):
    """Downloads offered on the public page: baked PNG/SVG, PDF, JSON, JWT."""
    return _file_response(_shared_or_404(share_token), kind)


@bp.get("/credentials/<credential_id>/download/<kind>")
@login_required
def private_download(credential_id: str, kind: str):
    """The same downloads for the learner (and staff), whether or not it is shared."""
    return _file_response(_private_or_404(credential_id), kind)


@bp.get("/credentials/<credential_id>/certificate.pdf")
@login_required
def certificate(credential_id: str):
    """The PDF certificate (?paper=a4|letter)."""
    return _file_response(_private_or_404(credential_id), "pdf")


def _share_page(credential: IssuedCredential, status: int = 200, **forms):
    public_url = issuing_context().public_url
    fields = linkedin_fields(credential, public_url)
    sharing = forms.get("form") or SharingForm()
    sharing.sharing.data = "off" if credential.share_enabled else "on"
    verification = forms.get("verification_form") or VerificationLinkForm()
    verification.verification.data = "off" if credential.verify_enabled else "on"
    response = Response(
        render_template(
            "share/settings.html",
            credential=credential,
            summary=summarize(credential),
            form=sharing,
            verification_form=verification,
            is_owner=is_owner(credential, current_user),
            share_url=share_url(credential, public_url),
            credential_url=credential_url(public_url, credential),
            verify_url=verification_url(credential, public_url),
            verify_page=verify_page_url(public_url),
            linkedin_url=add_to_profile_url(fields),
            linkedin_fields=fields.labelled(),
            now=utcnow(),
        ),
        status=status,
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


def _switch(credential_id: str, form, change, form_name: str, messages: dict[bool, str]):
    """Flip one of the learner's switches: validate, one service call, commit, redirect."""
    credential = _private_or_404(credential_id)
    if not form.validate_on_submit():
        flash(gettext("Choose on or off."), "error")
        return _share_page(credential, 400, **{form_name: form})
    try:
        enabled = change(credential)
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _share_page(credential, error.status_code, **{form_name: form})
    db.session.commit()
    flash(messages[enabled], "success")
    return redirect(url_for("share.share_settings", credential_id=credential.id))


@bp.get("/credentials/<credential_id>/share")
@login_required
def share_settings(credential_id: str):
    """The learner's page to share a credential: public link, QR link, LinkedIn, downloads."""
    return _share_page(_private_or_404(credential_id))


@bp.post("/credentials/<credential_id>/share")
@login_required
def change_sharing(credential_id: str):
    """Turn the public page on or off (the learner only); sharing again makes a new link."""
    form = SharingForm()

    def change(credential: IssuedCredential) -> bool:
        enabled = form.sharing.data == "on"
        set_sharing(credential, actor=current_user, enabled=enabled)
        return enabled

    return _switch(
        credential_id,
        form,
        change,
        "form",
        {
            True: "Your badge page is public. Anyone with the link can see it.",
            False: "Your badge page is no longer public: its link now answers “not found”.",
        },
    )


@bp.post("/credentials/<credential_id>/verification")
@login_required
def change_verification(credential_id: str):
    """Turn the printed certificate's verification link on or off (the learner only)."""
    form = VerificationLinkForm()

    def change(credential: IssuedCredential) -> bool:
        enabled = form.verification.data == "on"
        set_verification_link(credential, actor=current_user, enabled=enabled)
        return enabled

    return _switch(
        credential_id,
        form,
        change,
        "verification_form",
        {
            True: "The verification link is on: printed certificates verify online again.",
            False: (
                "The verification link is off: the QR code on printed certificates now answers "
                "“not found”."
            ),
        },
    )


def _verification_page(credential: IssuedCredential, now: datetime) -> kept_pages.Rendered:
    """Verification with the row's status read now (a kept report only while it is unchanged)."""
    readable = credential.can_read_document(current_user)
    verification = verify_record(credential, now=now)
    response = Response(
        render_template(
            "verify/result.html",
            verification=verification,
            checked_at=now,
            json_url=url_for("badges.public.credential", credential_id=credential.id, format="json")
            if readable
            else None,
            jwt_url=url_for("badges.public.credential", credential_id=credential.id, format="jwt")
            if readable and credential.jwt_text
            else None,
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return kept_pages.Rendered(response, _instants(credential, verification))


@bp.get("/v/<verify_token>")
def verification_link(verify_token: str):
    """The printed certificate's QR code: answers while the learner keeps it on (kept whole
    for anonymous visitors while nothing it shows changes: `app.share.kept_pages`)."""
    return kept_pages.pages.serve(
        "verify", verify_token, lambda now: _verification_link(verify_token, now), shows_minute=True
    )


def _verification_link(verify_token: str, now: datetime) -> kept_pages.Rendered:
    credential = checkable_credential(verify_token)
    if credential is None:
        raise NotFound(
            gettext(
                "This verification link is switched off or does not exist. "
                "The certificate's PDF carries the signed credential: upload "
                "it on the verify page to check it."
            )
        )
    return _verification_page(credential, now)


@bp.get("/credentials/<credential_id>/verify")
def verify_credential(credential_id: str):
    """The verification page by credential id, which certificates printed before /v/ carried.

    It shows what the credential document shows, so it answers to the same people:
    anyone while the learner shares it, the learner and the staff always.
    """
    credential = credential_by_id(credential_id)
    if credential is None or not credential.can_read_document(current_user):
        raise NotFound(gettext("There is no credential with that id at this school."))
    return _verification_page(credential, utcnow()).response


def _learner_or_404(user_id: int) -> User:
    learner = db.session.get(User, user_id)
    if learner is None or not learner.is_student or not can_see_record(learner, current_user):
        raise NotFound(gettext("There is no learner record here."))
    return learner


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/record")
@login_required
def my_record():
    """The signed-in learner's own record; staff hold none, so they go to their dashboard."""
    if not current_user.is_student:
        flash(gettext("Staff have no learner record of their own: here is your dashboard."), "info")
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("share.record", user_id=current_user.id))


@bp.get("/learners/<int:user_id>/record")
@login_required
def record(user_id: int):
    """All of a learner's credentials, by year and by standard."""
    return render_template(
        "share/record.html", record=learner_record(_learner_or_404(user_id)), now=utcnow()
    )


@bp.get("/learners/<int:user_id>/record.json")
@login_required
def record_clr(user_id: int):
    """The learner record as a signed CLR 2.0 ClrCredential; 204 when it holds none."""
    learner = _learner_or_404(user_id)
    record_json = clr_json(learner, ctx=issuing_context(), now=utcnow())
    if record_json is None:
        # No credential to sign (none yet, or all revoked): an empty record, not an error.
        return Response(status=204, headers={"Cache-Control": "no-store"})
    return _attachment(
        record_json,
        "application/vc+ld+json",
        f"learner-record-{learner.learner_uuid[:8]}.json",
    )


@bp.get("/learners/<int:user_id>/transcript.pdf")
@login_required
def record_transcript(user_id: int):
    """The printable transcript, with a QR code per credential and the CLR attached."""
    learner = _learner_or_404(user_id)
    return _attachment(
        render_transcript(learner, ctx=issuing_context(), now=utcnow()),
        "application/pdf",
        f"transcript-{learner.learner_uuid[:8]}.pdf",
    )
