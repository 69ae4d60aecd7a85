"""The OAuth 2.0 endpoints of the Open Badges API: registration, consent, token, revocation.

Registration, token and revocation are called by applications, not browsers, so
CSRF does not apply to them (they authenticate with the client secret or take no
session); the consent page is the student's own form and keeps Laurel's CSRF check.
An authorization request with an unknown client or a redirect URI the client did not
register is answered here with an error page, never with a redirect (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.backpack.oauth_server import authorization
from app.backpack.oauth_server import init_oauth
from app.backpack.scopes import PLAIN_WORDS
from app.errors import NotAllowed
from app.extensions import csrf
from app.extensions import limiter

bp = Blueprint("oauth", __name__, url_prefix="/oauth")
bp.record_once(lambda state: init_oauth(state.app))
# Applications register and fetch tokens a few times a day; a burst is a scraper.
CLIENT_LIMIT = "60 per minute"


@bp.post("/register")
@csrf.exempt
@limiter.limit(CLIENT_LIMIT)
def register():
    """RFC 7591 dynamic client registration: 201 with client_id and client_secret."""
    if not request.is_json:
        return jsonify(
            error="invalid_client_metadata",
            error_description="Send the client metadata as a JSON object (application/json).",
        ), 400
    return authorization.create_endpoint_response("client_registration")


@bp.post("/token")
@csrf.exempt
@limiter.limit(CLIENT_LIMIT)
def token():
    """The token endpoint: authorization_code (with PKCE) and refresh_token grants."""
    return authorization.create_token_response()


@bp.post("/revoke")
@csrf.exempt
@limiter.limit(CLIENT_LIMIT)
def revoke():
    """RFC 7009 revocation of an access or refresh token by the client it was issued to."""
    return authorization.create_endpoint_response("revocation")


@bp.route("/authorize", methods=["GET", "POST"])
@login_required
def authorize():
    """The consent page: the signed-in student allows or denies an application."""
    if not current_user.is_student:
        raise NotAllowed(
            gettext(
                "Only students hold a backpack: sign in with a student account to connect an app."
            )
        )
    try:
        grant = authorization.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):
            # The client and its redirect URI are known: the error goes back to it.
            return authorization.handle_error_response(request, error)
        return render_template("backpack/consent_error.html", error=error), 400
    if request.method == "GET":
        scopes = grant.request.payload.scope.split() if grant.request.payload.scope else []
        return render_template(
            "backpack/consent.html",
            client=grant.client,
            scopes=[PLAIN_WORDS[scope] for scope in scopes if scope in PLAIN_WORDS],
        )
    allowed = request.form.get("decision") == "allow"
    return authorization.create_authorization_response(
        grant=grant, grant_user=current_user if allowed else None
    )
