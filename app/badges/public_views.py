"""Public documents: DID document, JWKS, status lists, credentials, achievements, images.

Signed documents are served as the exact bytes stored at signing time; they are
never re-serialized.
"""

from __future__ import annotations

import json

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
from sqlalchemy import select

from app.accounts.names import can_correct_name
from app.badges.achievement import achievement_document
from app.badges.forms import ConfirmForm
from app.badges.forms import ReasonForm
from app.badges.forms import RevokeForm
from app.badges.image_store import sha256_hex
from app.badges.image_store import shown_image
from app.badges.images import default_svg
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusList
from app.badges.models import StatusPurpose
from app.badges.signed_documents import document_access
from app.badges.signed_documents import signed_document
from app.credentials.did import build_did_document
from app.credentials.did import build_jwks
from app.credentials.did import did_document_json
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.extensions import login_manager
from app.issuing.issuance import get_credential
from app.issuing.profile import issuer_profile
from app.issuing.reissue import credential_name
from app.issuing.reissue import needs_reissue
from app.issuing.reissue import reissue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.issuing.status_lists import published_status
from app.issuing.urls import credential_url
from app.keyring import issuing_context
from app.models_base import utcnow

bp = Blueprint("public", __name__)

VC_JSON = "application/vc+ld+json"
JSON_TYPES = (VC_JSON, "application/ld+json", "application/json", "application/vc")
JWT_TYPES = ("text/plain", "application/jwt", "application/vc+jwt")
_OFFERED = ("text/html",) + JSON_TYPES + JWT_TYPES
_ONE_TYPE = frozenset(_OFFERED)
IMAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=300",
}
STATUS_MAX_AGE = 300


def _document(body: str | bytes, content_type: str, *, max_age: int = 300) -> Response:
    """A public JSON document: readable from any origin, cacheable for `max_age` seconds."""
    response = Response(body, content_type=content_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _json(document: dict, content_type: str = "application/json") -> Response:
    return _document(json.dumps(document, ensure_ascii=False, indent=2), content_type)


@bp.get("/.well-known/did.json")
def did_document():
    """The issuer's DID document: every Ed25519 key ever used, and the recent RSA keys."""
    ctx = issuing_context()
    document = build_did_document(ctx.issuer_id, ctx.keystore.records())
    return _document(did_document_json(document), "application/did+json")


@bp.get("/.well-known/jwks.json")
def jwks():
    """Every RSA key ever used, for the VC-JWT proofs."""
    ctx = issuing_context()
    records = [r for r in ctx.keystore.records() if r.kind == "rsa"]
    return _json(build_jwks(ctx.issuer_id, records), "application/jwk-set+json")


@bp.get("/status/<purpose>/<int:number>")
def status_list(purpose: str, number: int):
    """The signed BitstringStatusListCredential, exactly as last published."""
    if purpose not in {p.value for p in StatusPurpose}:
        raise NotFound(gettext("There is no such status list."))
    row = db.session.scalar(
        select(StatusList).where(
            StatusList.purpose == StatusPurpose(purpose), StatusList.number == number
        )
    )
    if row is None or row.signed_json is None:
        raise NotFound(gettext("There is no such status list."))
    return _document(row.signed_json, VC_JSON, max_age=STATUS_MAX_AGE)


@bp.get("/credentials/<credential_id>/status")
def credential_status(credential_id: str):
    """The suspension entry the credential cannot carry: see `published_status`."""
    issued = get_credential(credential_id)
    return _json(published_status(issued, public_url=issuing_context().public_url))


def _requested_format() -> str:
    """`json`, `jwt` or `html`, from ?format= first, then the Accept header."""
    explicit = request.args.get("format", "").lower()
    if explicit in ("json", "jwt", "html"):
        return explicit
    if explicit:
        raise UserError(gettext("Unknown format: ask for format=json, format=jwt or format=html."))
    accept = request.headers.get("Accept", "")
    # A verifier names one type: no need to parse the header (a tenth of the answer's time).
    best = accept if accept in _ONE_TYPE else request.accept_mimetypes.best_match(_OFFERED)
    if best in JSON_TYPES:
        return "json"
    if best in JWT_TYPES:
        return "jwt"
    return "html"


def _vary(response: Response) -> Response:
    """Varies by Accept; Flask adds Cookie whenever the answer read the session."""
    response.headers["Vary"] = "Accept"
    return response


# A shared document may be kept by any cache that asks again each time (If-None-Match), so
# stopping sharing takes it down at once; an unshared one is the learner's and the staff's
# alone and is never stored.
SHARED_DOCUMENT_CACHE = "public, no-cache"
UNSHARED_DOCUMENT_CACHE = "private, no-store"


def _signed_document(credential_id: str, wanted: str) -> Response:
    """The stored bytes with a strong ETag; 304 when the reader already holds them.

    Readable from any origin: a cross-origin request carries no cookie, so it gets
    the document only while the credential is shared. Who may read is checked
    before anything else, so a 304 tells a stranger no more than a 404.
    """
    access = document_access(credential_id)
    if access is None or not access.readable_by(current_user):
        raise NotFound(gettext("There is no credential with that id."))
    document = signed_document(access, wanted)
    if document is None:
        raise NotFound(gettext("This credential has no JWT form."))
    if request.if_none_match.contains_weak(document.tag):
        response = Response(status=304)
    else:
        content_type = VC_JSON if wanted == "json" else "text/plain; charset=utf-8"
        response = Response(document.body, content_type=content_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(document.tag)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = (
        SHARED_DOCUMENT_CACHE if access.share_enabled else UNSHARED_DOCUMENT_CACHE
    )
    return _vary(response)


@bp.get("/credentials/<credential_id>")
def credential(credential_id: str):
    """The credential: signed JSON or JWT (stored bytes), its page for the learner and staff.

    The document is served to anyone only while the learner shares the credential;
    otherwise to the learner and staff alone, and 404 to everyone else, with no
    document in the answer (a file's verification never needs to fetch it).
    """
    wanted = _requested_format()
    if wanted in ("json", "jwt"):
        return _signed_document(credential_id, wanted)
    issued = get_credential(credential_id)
    if not current_user.is_authenticated:
        return _vary(login_manager.unauthorized())
    if not issued.can_view(current_user):
        raise NotFound(gettext("There is no credential with that id."))
    response = Response(_credential_page(issued, ReasonForm()))
    response.headers["Cache-Control"] = "private, no-store"
    return _vary(response)


def _credential_page(issued: IssuedCredential, form: ReasonForm) -> str:
    document = json.loads(issued.json_text)
    achievement = document.get("credentialSubject", {}).get("achievement", {})
    can_change_status = (
        issued.badge.can_review(current_user) and issued.state != CredentialState.REVOKED
    )
    return render_template(
        "badges/credential.html",
        credential=issued,
        document=document,
        achievement=achievement,
        learner_name=credential_name(issued) or issued.recipient.name,
        url=credential_url(issuing_context().public_url, issued),
        can_change_status=can_change_status,
        can_reissue=can_change_status and needs_reissue(issued),
        can_correct_name=can_correct_name(current_user, issued.recipient),
        reissue_form=ConfirmForm(),
        form=form,
        CredentialState=CredentialState,
    )


STATUS_MESSAGES = {
    StatusChange.REVOKE: "The credential is revoked. Verifiers will now see it as revoked.",
    StatusChange.SUSPEND: "The credential is suspended until you reinstate it.",
    StatusChange.REINSTATE: "The credential is active again.",
}


def _reviewed_credential(credential_id: str, action: str) -> IssuedCredential:
    """The credential, for its badge's reviewers: 403 to others who see it, 404 to the rest."""
    issued = get_credential(credential_id)
    if not issued.badge.can_review(current_user):
        if issued.can_view(current_user):
            raise NotAllowed(gettext("Only the badge's reviewers can %(action)s.", action=action))
        raise NotFound(gettext("There is no credential with that id."))
    return issued


@bp.post("/credentials/<credential_id>/<any(revoke, suspend, reinstate):action>")
@login_required
def change_status(credential_id: str, action: str):
    """Revoke, suspend or reinstate with a reason; reviewers of the badge only."""
    issued = _reviewed_credential(credential_id, "change this credential's status")
    form = RevokeForm() if action == "revoke" else ReasonForm()
    if not form.validate_on_submit():
        # A missing reason is said once, beside the field; anything else (an expired form) here.
        if not form.reason.errors:
            flash(gettext("The form could not be read (it may have expired): try again."), "error")
        return _credential_page(issued, form), 400
    if isinstance(form, RevokeForm) and not (form.step.data == "confirm" and form.understood.data):
        return _revoke_confirmation(issued, form)
    change = StatusChange(action)
    try:
        change_credential_status(
            issued,
            change,
            ctx=issuing_context(),
            actor=current_user,
            reason=form.reason.data or "",
            now=utcnow(),
        )
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _credential_page(issued, form), error.status_code
    db.session.commit()
    flash(STATUS_MESSAGES[change], "success")
    return redirect(url_for("badges.public.credential", credential_id=issued.id))


@bp.post("/credentials/<credential_id>/reissue")
@login_required
def reissue(credential_id: str):
    """Issue the credential afresh with the learner's corrected name; revoke this one."""
    issued = _reviewed_credential(credential_id, "re-issue this credential")
    if not ConfirmForm().validate_on_submit():
        raise UserError(gettext("The form expired; reload the page and try again."))
    try:
        fresh = reissue_credential(issued, ctx=issuing_context(), actor=current_user, now=utcnow())
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _credential_page(issued, ReasonForm()), error.status_code
    db.session.commit()
    flash(
        gettext(
            "A new credential carries the name “%(recipient_name)s”. The "
            "earlier one is revoked: “Re-issued with corrected name”.",
            recipient_name=fresh.recipient.name,
        ),
        "success",
    )
    return redirect(url_for("badges.public.credential", credential_id=fresh.id))


def _revoke_confirmation(issued: IssuedCredential, form: RevokeForm) -> tuple[str, int]:
    """The second step of revoking: nothing changes until the reviewer confirms here."""
    status = 200
    if form.step.data == "confirm":
        form.understood.errors = ["Tick the box to confirm, or cancel."]
        status = 400
    form.step.data = "confirm"
    page = render_template("badges/revoke_confirm.html", credential=issued, form=form)
    return page, status


def _published_badge(achievement_uuid: str) -> Badge:
    badge = db.session.scalar(select(Badge).where(Badge.achievement_uuid == achievement_uuid))
    if badge is None or badge.state == BadgeState.DRAFT:
        raise NotFound(gettext("There is no such achievement."))
    return badge


@bp.get("/achievements/<achievement_uuid>")
def achievement(achievement_uuid: str):
    """The achievement as it stands now (credentials embed the version they were issued under)."""
    badge = _published_badge(achievement_uuid)
    public_url = issuing_context().public_url
    document = achievement_document(badge, public_url)
    explicit = request.args.get("format", "").lower()
    best = request.accept_mimetypes.best_match(("text/html",) + JSON_TYPES)
    if explicit == "json" or (explicit != "html" and best in JSON_TYPES):
        return _vary(
            _json(
                document,
                "application/ld+json" if best == "application/ld+json" else "application/json",
            )
        )
    profile = issuer_profile(public_url)
    db.session.commit()
    return _vary(Response(render_template("badges/achievement.html", badge=badge, profile=profile)))


def _image_response(data: bytes, mime: str, sha256: str) -> Response:
    """The image with its digest as ETag: a reader that has it gets a 304."""
    response = Response(data, content_type=mime)
    response.headers.update(IMAGE_HEADERS)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(sha256)
    response.make_conditional(request)
    return response


def _badge_image_response(badge: Badge) -> Response:
    """The badge image (sanitized SVG or PNG), or the generated medallion.

    Laurel answers with the bytes even when they live in a bucket, rather than
    redirecting to a presigned URL: the image URL in every credential stays the one
    answer (verifiers and baking tools need not follow a redirect, the bucket may be
    private, and no expiring URL ends up in a cache), and the bytes are small and kept
    per process by digest (app.badges.image_store).
    """
    shown = shown_image(badge)
    if shown is not None:
        return _image_response(shown.data, shown.mime, shown.sha256)
    medallion = default_svg(badge.name)
    return _image_response(medallion, "image/svg+xml", sha256_hex(medallion))


@bp.get("/achievements/<achievement_uuid>/image")
def achievement_image(achievement_uuid: str):
    """The badge image (sanitized SVG or PNG), or the generated medallion."""
    return _badge_image_response(_published_badge(achievement_uuid))


@bp.get("/badges/<slug>/image")
@login_required
def badge_image(slug: str):
    """The image of a badge by its slug; a draft's only for people who may see the draft.

    Published and archived images are public anyway (/achievements/<uuid>/image), and
    dashboards show earned badges whose definition is archived.
    """
    badge = db.session.scalar(select(Badge).where(Badge.slug == slug))
    if badge is None or (badge.state == BadgeState.DRAFT and not badge.is_visible_to(current_user)):
        raise NotFound(gettext("There is no such badge."))
    return _badge_image_response(badge)


@bp.get("/issuer/logo")
def issuer_logo():
    """The school's logo, named in every credential's issuer profile."""
    profile = issuer_profile(issuing_context().public_url)
    db.session.commit()
    if not profile.logo:
        raise NotFound(gettext("The school has no logo."))
    return _image_response(
        profile.logo, profile.logo_mime or "application/octet-stream", sha256_hex(profile.logo)
    )
