"""Endorsement pages: staff invitations, the endorser's form, signed documents, DID documents.

The badge, share and verification pages show endorsements through the two template
globals registered here, so their views need not know about endorsements.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.credentials.endorsement import endorser_did
from app.endorsements import services
from app.endorsements.checks import EndorsementChecks
from app.endorsements.checks import endorsement_checks
from app.endorsements.forms import EndorseForm
from app.endorsements.forms import InviteForm
from app.endorsements.forms import WithdrawForm
from app.endorsements.models import Endorsement
from app.errors import LaurelError
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from app.notifications.outbox import email_enabled
from app.verify.documents import endorser_did_json
from app.web.mount import public_link

bp = Blueprint("endorsements", __name__)

STAFF = (Role.ADMIN, Role.INSTRUCTOR)


@bp.app_template_global()
def badge_endorsements(badge: Badge) -> list[Endorsement]:
    """The standing endorsements of a badge itself, for its pages."""
    return services.standing_endorsements(badge_id=badge.id)


@bp.app_template_global()
def credential_endorsements(credential: Any) -> EndorsementChecks:
    """The endorsements a credential carries or has, each checked, for share and verify pages.

    :param credential: a stored credential, or a verified credential's document (or None).
    """
    if isinstance(credential, IssuedCredential):
        credential = json.loads(credential.json_text)
    return endorsement_checks(credential, now=utcnow())


def _invite_form(form: InviteForm) -> InviteForm:
    form.badge_id.choices = [(b.id, b.name) for b in services.invitable_badges(current_user)]
    form.credential_id.choices = [("", "— the badge itself —")] + [
        (c.id, f"{c.recipient.name} — {c.badge.name}")
        for c in services.invitable_credentials(current_user)
    ]
    return form


def _staff_page(form: InviteForm, status: int = 200, invite_url: str | None = None):
    invites, endorsements = services.staff_overview(current_user)
    page = render_template(
        "endorsements/index.html",
        form=_invite_form(form),
        invites=invites,
        endorsements=endorsements,
        invite_url=invite_url,
        withdraw_form=WithdrawForm(),
    )
    return page, status


@bp.get("/endorsements")
@role_required(*STAFF)
def index():
    """Invitations waiting for an endorser, and the endorsements of the badges one reviews."""
    return _staff_page(InviteForm())


@bp.post("/endorsements")
@role_required(*STAFF)
def invite():
    """Make an invitation link; it is shown once (only its hash is kept)."""
    form = InviteForm()
    badge = db.session.get(Badge, form.badge_id.data) if form.badge_id.data else None
    credential = None
    if form.credential_id.data:
        credential = db.session.get(IssuedCredential, form.credential_id.data)
        if credential is None:
            return _error_page(form, UserError(gettext("There is no such credential.")))
    if badge is None:
        return _error_page(form, UserError(gettext("Choose a badge.")))
    try:
        token = services.create_invite(
            badge=badge,
            credential=credential,
            invitee=form.invitee.data or "",
            actor=current_user,
            now=utcnow(),
            email=form.email.data or "",
        )
    except LaurelError as error:
        db.session.rollback()
        return _error_page(form, error)
    db.session.commit()
    if form.email.data and form.email.data.strip():
        if email_enabled():
            flash(
                gettext("The link is on its way to %(email)s.", email=form.email.data.strip()),
                "success",
            )
        else:
            flash(gettext("Email is not set up on this server: send the link yourself."), "info")
    return _staff_page(
        InviteForm(formdata=None),
        # On the school's public address, not the one the inviter typed.
        invite_url=public_link("endorsements.endorse", token=token),
    )


def _error_page(form: InviteForm, error: LaurelError):
    form.invitee.errors = [str(error)]
    return _staff_page(form, error.status_code)


def _subject_choices(form: EndorseForm, invite) -> None:
    choices = [
        (
            services.BADGE_SUBJECT,
            gettext("The badge “%(badge_name)s”", badge_name=invite.badge.name),
        )
    ]
    if invite.credential is not None:
        choices.append(
            (
                invite.credential.id,
                gettext(
                    "%(learner_name)s’s “%(badge_name)s”",
                    learner_name=invite.credential.recipient.name,
                    badge_name=invite.badge.name,
                ),
            )
        )
    form.subject.choices = choices
    if form.subject.data is None:
        form.subject.data = choices[-1][0]


@bp.route("/endorse/<token>", methods=["GET", "POST"])
def endorse(token: str):
    """The endorser's page: who they are, what they endorse, and their comment."""
    now = utcnow()
    invite = services.open_invite(token, now=now)
    form = EndorseForm()
    _subject_choices(form, invite)
    if not form.is_submitted():
        return render_template("endorsements/endorse.html", form=form, invite=invite)
    if not form.validate():
        return render_template("endorsements/endorse.html", form=form, invite=invite), 400
    data = services.EndorserInput(
        name=form.name.data or "",
        organisation=form.organisation.data or "",
        email=form.email.data or "",
        url=form.url.data or "",
        comment=form.comment.data or "",
        subject=form.subject.data or "",
    )
    try:
        endorsement = services.endorse(
            token,
            data,
            ctx=issuing_context(),
            now=now,
        )
    except LaurelError as error:
        db.session.rollback()
        form.comment.errors = [str(error)]
        page = render_template("endorsements/endorse.html", form=form, invite=invite)
        return page, error.status_code
    db.session.commit()
    return render_template(
        "endorsements/thanks.html",
        endorsement=endorsement,
        endorser_did=endorser_did(issuing_context().issuer_id, endorsement.endorser_id),
    )


def _json(body: str, content_type: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/endorsements/<endorsement_id>")
def document(endorsement_id: str):
    """The signed EndorsementCredential: public for a badge's; a credential's, while readable.

    A withdrawn endorsement answers 410 Gone.
    """
    endorsement = services.get_endorsement(endorsement_id)
    credential = endorsement.credential
    if credential is not None and not credential.can_read_document(current_user):
        raise NotFound(gettext("There is no endorsement with that id."))
    if endorsement.withdrawn:
        return _json(
            json.dumps({"error": "This endorsement was withdrawn."}), "application/json"
        ), 410
    response = _json(endorsement.json_text, "application/vc+ld+json")
    response.headers["Cache-Control"] = "private, no-store" if credential else "public, max-age=300"
    return response


@bp.post("/endorsements/<endorsement_id>/withdraw")
@role_required(Role.ADMIN)
def withdraw(endorsement_id: str):
    """Withdraw an endorsement (admins): it no longer shows and is no longer embedded."""
    endorsement = services.get_endorsement(endorsement_id)
    form = WithdrawForm()
    services.withdraw(endorsement, actor=current_user, reason=form.reason.data or "", now=utcnow())
    db.session.commit()
    flash(
        gettext(
            "The endorsement by %(endorser_name)s is withdrawn.",
            endorser_name=endorsement.endorser.name,
        ),
        "success",
    )
    return redirect(url_for("endorsements.index"))


@bp.get("/endorsers/<endorser_id>/did.json")
def endorser_document(endorser_id: str):
    """The endorser's DID document: their one Ed25519 key, for their endorsements' proofs."""
    body = endorser_did_json(endorser_id, issuing_context())
    if body is None:
        raise NotFound(gettext("There is no endorser with that id."))
    response = _json(body.decode("utf-8"), "application/did+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
