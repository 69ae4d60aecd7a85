"""JSON API: verify anything (POST /api/v1/verify), read a credential, the OpenAPI document.

CSRF does not apply: the API takes no cookies-based actions, only public reads
and stateless verification. Errors are JSON with a 4xx status.
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from flask_babel import gettext

from app.api.openapi import openapi_document
from app.credentials.errors import CredentialError
from app.errors import NotFound
from app.errors import UserError
from app.extensions import csrf
from app.extensions import limiter
from app.keyring import issuing_context
from app.models_base import utcnow
from app.verify.documents import credential_by_id
from app.verify.service import Verification
from app.verify.service import run_verification

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

JSON_TYPES = ("application/vc+ld+json", "application/ld+json", "application/json")
JWT_TYPES = ("application/vc+jwt", "application/jwt", "text/plain")


def _error(status: int, title: str, message: str) -> Response:
    response = jsonify({"error": title, "message": message, "status": status})
    response.status_code = status
    return response


def _verify_input() -> tuple[bytes | str, str | None, str | None]:
    """What to verify: a multipart file, a JSON body, or JWT/URL text.

    A JSON body is the credential itself, or {"verifiableCredential": …} (VC API),
    or {"url": "https://…"}.
    :raises UserError: nothing usable in the request.
    """
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise UserError(gettext("Send the file to check in a form field named “file”."))
        return upload.read(), upload.filename, upload.mimetype
    body = request.get_data(cache=False)
    if not body.strip():
        raise UserError(
            gettext('The request body is empty: send a credential (JSON or JWT), or {"url": …}.')
        )
    if request.mimetype in JSON_TYPES:
        return _unwrap_json(body), "credential.json", request.mimetype
    return body, None, request.mimetype


def _unwrap_json(body: bytes) -> bytes | str:
    """The credential inside a VC API or {"url": …} wrapper; the body itself otherwise."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return body  # the pipeline's parser explains what is wrong with it
    if (
        isinstance(document, dict)
        and set(document) <= {"verifiableCredential", "options"}
        and document
    ):
        inner = document.get("verifiableCredential")
        if isinstance(inner, str):
            return inner
        if isinstance(inner, dict):
            return json.dumps(inner)
        raise UserError(
            gettext("“verifiableCredential” must be a credential object or a JWT string.")
        )
    if isinstance(document, dict) and set(document) == {"url"}:
        if not isinstance(document["url"], str):
            raise UserError(gettext("“url” must be a string."))
        return document["url"]
    return body


def _report_json(verification: Verification) -> dict:
    result = verification.report.to_json()
    record = verification.record
    result["summary"] = verification.sentence
    if record is not None:
        result["record"] = {
            "learner_name": record.learner_name,
            "level": record.level_name,
            "state": record.state.value,
            "status_reason": record.status_reason,
        }
    return result


@bp.post("/verify")
@limiter.limit("120 per minute")
def verify():
    """Verify a credential and answer the report as JSON (422 when it is not genuine)."""
    try:
        data, filename, content_type = _verify_input()
        verification = run_verification(
            data, now=utcnow(), filename=filename, content_type=content_type
        )
    except UserError as problem:
        return _error(400, "Bad request", str(problem))
    except CredentialError as problem:
        return _error(400, "Unusable input", str(problem))
    return _verify_answer(verification)


def _verify_answer(verification: Verification) -> Response:
    """The report as JSON; its bytes kept with a kept report (`app.verify.verdicts`).

    Beyond the status the kept report stands for, the answer shows the learner's name.
    """
    record = verification.record
    shown = None if record is None else record.learner_name
    kept = verification.answers
    body = None if kept is None else kept.get(("api", shown))
    if body is None:
        body = jsonify(_report_json(verification)).get_data()
        if kept is not None:
            kept[("api", shown)] = body
    return Response(body, status=verification.http_status, mimetype="application/json")


@bp.get("/credentials/<credential_id>")
def credential(credential_id: str):
    """The stored signed credential: JSON (default) or the VC-JWT, by Accept header."""
    issued = credential_by_id(credential_id)
    # The API reads public documents only: a credential while its learner shares it.
    if issued is None or not issued.can_read_document(None):
        raise NotFound(gettext("There is no credential with that id."))
    # No Accept header means anything goes: the signed JSON.
    best = (
        request.accept_mimetypes.best_match(JSON_TYPES + JWT_TYPES)
        if request.accept_mimetypes
        else JSON_TYPES[0]
    )
    if best is None:
        return _error(
            406,
            "Not acceptable",
            "Ask for application/vc+ld+json, application/json or application/vc+jwt.",
        )
    if best in JWT_TYPES:
        if not issued.jwt_text:
            raise NotFound(gettext("This credential has no JWT form."))
        response = Response(
            issued.jwt_text, mimetype=best if best != "text/plain" else "text/plain"
        )
    else:
        response = Response(issued.json_text, mimetype=best)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    # Not stored anywhere: stopping sharing must take the document down at once.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/health")
def health():
    """For load balancers: the process answers (no database, no keys touched)."""
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    response = jsonify(openapi_document(issuing_context().public_url))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
