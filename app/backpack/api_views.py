"""The Open Badges 3.0 API as a Service Provider: discovery, credentials and the profile.

Every operation but discovery takes a bearer token from /oauth/token, issued for one
student with the scopes the student allowed; the session cookie plays no part, so
CSRF does not apply. Errors are Imsx_StatusInfo bodies with the matching HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import Response
from flask import request
from flask_babel import force_locale

from app.accounts.models import User
from app.backpack.discovery import API_PATH
from app.backpack.discovery import service_description
from app.backpack.imsx import status_info
from app.backpack.models import OAuthToken
from app.backpack.oauth_server import init_oauth
from app.backpack.oauth_server import require_oauth
from app.backpack.profile import learner_profile
from app.backpack.profile import put_profile
from app.backpack.scopes import CREDENTIAL_READONLY
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack.scopes import PROFILE_READONLY
from app.backpack.scopes import PROFILE_UPDATE
from app.backpack.store import held_credentials
from app.backpack.store import keep
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.errors import LaurelError
from app.extensions import csrf
from app.extensions import db
from app.extensions import limiter
from app.i18n import DEFAULT_LANGUAGE
from app.issuing.profile import current_issuer_name
from app.keyring import issuing_context
from app.models_base import utcnow

bp = Blueprint("backpack_api", __name__, url_prefix=API_PATH)
bp.record_once(lambda state: init_oauth(state.app))
csrf.exempt(bp)

JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")
NO_STORE = "no-store"


@bp.errorhandler(LaurelError)
def _laurel_error(error: LaurelError) -> Response:
    return status_info(error.status_code, str(error))


def _with_token(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the view with the student of a valid bearer token holding `scope`; else Imsx 401/403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                token: OAuthToken = require_oauth.acquire_token([scope])
            except OAuth2Error as error:
                status = error.status_code if error.status_code in (401, 403) else 401
                response = status_info(status, error.description or error.error)
                for name, value in error.get_headers():
                    if name.lower() == "www-authenticate":
                        response.headers[name] = value
                return response
            student = db.session.get(User, token.user_id)
            if student is None or not student.is_active:
                return status_info(401, "The account this token was issued for is closed.")
            response = view(student, token, *args, **kwargs)
            response.headers["Cache-Control"] = NO_STORE
            return response

        return wrapped

    return decorator


@bp.get("/discovery")
@limiter.limit("120 per minute")
def discovery():
    """The Service Description Document (public: clients read it before registering)."""
    ctx = issuing_context()
    document = service_description(ctx.public_url, current_issuer_name(ctx.public_url))
    response = Response(json.dumps(document, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@dataclass(frozen=True)
class _Entry:
    """One credential of the answer: its text as stored, its form, and when it was issued."""

    issued: datetime
    text: str
    is_jwt: bool


def _entries(student: User) -> list[_Entry]:
    """The student's credentials from this school (JSON, revoked left out), then held ones."""
    own = db.session.scalars(
        sa.select(IssuedCredential)
        .where(
            IssuedCredential.recipient_id == student.id,
            IssuedCredential.state != CredentialState.REVOKED,
        )
        .order_by(IssuedCredential.issued_at, IssuedCredential.id)
    )
    entries = [_Entry(c.issued_at, c.json_text, False) for c in own]
    entries += [
        _Entry(
            h.issued_on or h.received_at,
            h.raw_text.strip() if h.format == "jwt" else h.raw_text,
            h.format == "jwt",
        )
        for h in held_credentials(student)
    ]
    return entries


class _BadQuery(LaurelError):
    """A paging parameter Laurel cannot use: answered 400 with invalid_query_parameter."""

    status_code = 400


def _query_int(name: str, minimum: int) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isdigit() or int(value) < minimum or int(value) > 2**31 - 1:
        raise _BadQuery(f"“{name}” must be a whole number of at least {minimum}.")
    return int(value)


def _since() -> datetime | None:
    value = request.args.get("since")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _BadQuery("“since” must be a date and time such as 2026-09-01T00:00:00Z.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _link(limit: int, offset: int, since: str | None, rel: str) -> str:
    query = {"limit": limit, "offset": offset, **({"since": since} if since else {})}
    url = f"{issuing_context().public_url}{API_PATH}/credentials?{urlencode(query)}"
    return f'<{url}>; rel="{rel}"'


@bp.get("/credentials")
@_with_token(CREDENTIAL_READONLY)
def get_credentials(student: User, token: OAuthToken):
    """getCredentials: the learner's credentials, paged by limit/offset, filtered by since."""
    try:
        limit, offset, since = _query_int("limit", 1), _query_int("offset", 0) or 0, _since()
    except _BadQuery as problem:
        return status_info(400, str(problem), "invalid_query_parameter")
    entries = [e for e in _entries(student) if since is None or e.issued > since]
    total = len(entries)
    page = entries[offset : offset + limit] if limit else entries[offset:]
    # The stored texts are spliced in as they are: each JSON credential is a JSON object,
    # so the answer is valid JSON and every credential in it is byte for byte as kept.
    json_parts = ",".join(e.text for e in page if not e.is_jwt)
    jws_parts = ",".join(json.dumps(e.text) for e in page if e.is_jwt)
    body = f'{{"credential":[{json_parts}],"compactJwsString":[{jws_parts}]}}'
    response = Response(body, mimetype="application/json")
    response.headers["X-Total-Count"] = str(total)
    size = limit or max(total, 1)
    links = [_link(size, 0, request.args.get("since"), "first")]
    last_offset = max(0, ((total - 1) // size) * size) if total else 0
    links.append(_link(size, last_offset, request.args.get("since"), "last"))
    if offset + len(page) < total:
        links.append(_link(size, offset + size, request.args.get("since"), "next"))
    if offset > 0:
        links.append(_link(size, max(0, offset - size), request.args.get("since"), "prev"))
    response.headers["Link"] = ", ".join(links)
    return response


@bp.post("/credentials")
@_with_token(CREDENTIAL_UPSERT)
def upsert_credential(student: User, token: OAuthToken):
    """upsertCredential: verify and keep a credential; 201 new, 200 replaced; echo it back."""
    body = request.get_data(cache=False)
    if not body.strip():
        return status_info(400, "The body is empty: send a credential (JSON) or a VC-JWT.")
    # The refusals are the protocol's answer to a program: in English, whatever it accepts.
    with force_locale(DEFAULT_LANGUAGE):
        kept = keep(student, body, client_id=token.client_id, now=utcnow())
    held = kept.held
    mimetype = "text/plain" if held.format == "jwt" else "application/json"
    if held.format == "json" and request.mimetype in JSON_TYPES:
        mimetype = request.mimetype
    return Response(
        held.raw_text.encode("utf-8"), status=201 if kept.created else 200, mimetype=mimetype
    )


@bp.get("/profile")
@_with_token(PROFILE_READONLY)
def get_profile(student: User, token: OAuthToken):
    """getProfile: the learner's Profile."""
    return _json(learner_profile(student))


@bp.put("/profile")
@_with_token(PROFILE_UPDATE)
def update_profile(student: User, token: OAuthToken):
    """putProfile: replace the learner's own Profile fields; 200 with the stored Profile."""
    return _json(put_profile(student, request.get_data(cache=False), now=utcnow()))


def _json(document: dict[str, Any]) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/json")
