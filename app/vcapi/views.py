"""The VC-API's four doors: issue, verify a credential, verify a presentation, change a status.

Bodies are JSON; errors are JSON with a 4xx status and a sentence naming what is wrong
(a broken data model rule is named by `rule`). Issuing and status changes need a bearer
token of an API client with the door's scope; verification is public and rate-limited
as /api/v1/verify is. CSRF does not apply: no cookie authorizes anything here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from app.backpack.models import OAuthClient
from app.backpack.oauth_server import require_oauth
from app.backpack.scopes import VC_ISSUE
from app.backpack.scopes import VC_STATUS
from app.credentials.errors import CredentialError
from app.credentials.vcdm import DataModelError
from app.errors import LaurelError
from app.extensions import csrf
from app.extensions import db
from app.extensions import limiter
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.models_base import utcnow
from app.vcapi.kept import STATUS_ENTRY_TYPES
from app.vcapi.kept import credential_for_status
from app.vcapi.kept import issue_and_keep
from app.verify.core.report import Outcome
from app.verify.core.report import Report
from app.verify.service import verify_json_credential
from app.verify.service import verify_json_presentation

bp = Blueprint("vcapi", __name__)
csrf.exempt(bp)
VERIFY_LIMIT = "120 per minute"
# The status words a VC-API client sends, as Laurel's status changes.
STATUS_WORDS = {
    "revoked": StatusChange.REVOKE,
    "suspended": StatusChange.SUSPEND,
    "active": StatusChange.REINSTATE,
    "reinstated": StatusChange.REINSTATE,
}


ERROR_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found"}
# VCALM's problem type for an option the endpoint does not know how to process.
UNKNOWN_OPTION_TYPE = "https://www.w3.org/TR/vcalm#UNKNOWN_OPTION_PROVIDED"
# The options each door understands. Verification runs every check whatever is asked, so
# the conformance harnesses' `checks` is understood; VCALM's returnResults and
# returnProblemDetails ask for what the answer always holds (`report`, `errors`).
ISSUE_OPTIONS = frozenset({"issuer", "credentialStatus"})
VERIFY_OPTIONS = frozenset({"checks", "returnResults", "returnProblemDetails", "returnCredential"})
PRESENTATION_OPTIONS = frozenset({"checks", "challenge", "domain"})
# Options of VCALM that Laurel knows but cannot honour, and why.
UNSUPPORTED_OPTIONS = {
    "mandatoryPointers": "Laurel signs with eddsa-rdfc-2022, which discloses everything "
    "(there is no selective disclosure)",
    "credentialId": "Laurel refers to a credential by its own “id” (put it in the "
    "credential) or by the id it mints for one without",
}


def _error(status: int, message: str, **extra: Any) -> Response:
    """The error body of /api/v1: a title, a sentence for a person, the status."""
    title = ERROR_TITLES.get(status, "Refused")
    response = jsonify({"error": title, "message": message, "status": status, **extra})
    response.status_code = status
    return response


@bp.errorhandler(LaurelError)
def _laurel_error(error: LaurelError) -> Response:
    return _error(error.status_code, str(error))


def _with_scope(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the view for the API client whose bearer token holds `scope`; else 401/403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                token = require_oauth.acquire_token([scope])
            except OAuth2Error as error:
                status = error.status_code if error.status_code in (401, 403) else 401
                response = _error(status, error.description or error.error)
                for name, value in error.get_headers():
                    if name.lower() == "www-authenticate":
                        response.headers[name] = value
                return response
            client = db.session.scalar(db.select(OAuthClient).filter_by(client_id=token.client_id))
            if client is None or not client.is_api_client:
                return _error(403, "Only an API client's token opens the VC-API.")
            return view(client, *args, **kwargs)

        return wrapped

    return decorator


def _body(*required: str) -> dict[str, Any]:
    """The JSON object sent, holding `required` members.

    :raises BadBody: not JSON, not an object, a member missing or options not an object.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadBody("Send a JSON object (Content-Type: application/json).")
    missing = [name for name in required if name not in body]
    if missing:
        raise BadBody(f"The body lacks “{missing[0]}”.")
    if not isinstance(body.get("options", {}), dict):
        raise BadBody("“options” must be an object.")
    return body


class BadBody(LaurelError):
    status_code = 400


class UnknownOption(BadBody):
    """An option the door does not understand: VCALM says refuse it rather than ignore it."""

    def __init__(self, option: str, known: frozenset[str]) -> None:
        reason = UNSUPPORTED_OPTIONS.get(option)
        if reason is None:
            listed = ", ".join(sorted(known))
            reason = f"this endpoint understands {listed}" if known else "it takes none"
        super().__init__(f"Unknown option “options.{option[:100]}”: {reason}.")
        self.option = option


def _options(body: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The body's options, every one understood by this door.

    :raises UnknownOption: the first option (in sorted order) the door does not know.
    """
    options: dict[str, Any] = body.get("options") or {}
    unknown = sorted(name for name in options if name not in known)
    if unknown:
        raise UnknownOption(unknown[0], known)
    return options


@bp.errorhandler(UnknownOption)
def _unknown_option(error: UnknownOption) -> Response:
    return _error(400, str(error), type=UNKNOWN_OPTION_TYPE, option=error.option)


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body[name]
    if not isinstance(value, dict):
        raise BadBody(f"“{name}” must be a JSON object.")
    return value


@bp.post("/credentials/issue")
@_with_scope(VC_ISSUE)
def issue_credential(client: OAuthClient):
    """Sign the credential as the school (did:web) or its did:key issuer and keep it: 201.

    The answer carries the signed credential exactly as kept (the same bytes).
    """
    body = _body("credential")
    credential = _object(body, "credential")
    options = _options(body, ISSUE_OPTIONS)
    try:
        kept = issue_and_keep(
            issuing_context(), credential, options, client_id=client.client_id, now=utcnow()
        )
    except DataModelError as error:
        db.session.rollback()
        return _error(400, str(error), rule=error.rule, path=error.path)
    except CredentialError as error:
        db.session.rollback()
        return _error(400, str(error))
    except LaurelError as error:
        db.session.rollback()
        return _error(error.status_code, str(error))
    db.session.commit()
    answer = Response(f'{{"verifiableCredential": {kept.json_text}}}', 201)
    answer.mimetype = "application/json"
    return answer


def _outcomes(checks: list[Any]) -> dict[str, list[Any]]:
    """VC-API's summary: the names of passed checks, and the others as warnings or errors."""
    return {
        "checks": [check.name for check in checks if check.outcome is Outcome.PASSED],
        "warnings": [check.to_json() for check in checks if check.outcome is Outcome.UNKNOWN],
        "errors": [check.to_json() for check in checks if check.outcome is Outcome.FAILED],
    }


def _credential_answer(report: Report) -> tuple[dict[str, Any], int]:
    answer = {"verified": report.valid, **_outcomes(report.checks), "report": report.to_json()}
    if not report.valid and not answer["errors"]:
        answer["errors"] = [{"name": "verdict", "message": report.headline}]
    return answer, 200 if report.valid else 422


@bp.post("/credentials/verify")
@limiter.limit(VERIFY_LIMIT)
def verify_credential():
    """Verify a credential: 200 when verified, 422 with the report otherwise."""
    body = _body("verifiableCredential")
    options = _options(body, VERIFY_OPTIONS)
    for name in VERIFY_OPTIONS - {"checks"}:
        if name in options and not isinstance(options[name], bool):
            raise BadBody(f"“options.{name}” must be true or false.")
    credential = _object(body, "verifiableCredential")
    try:
        report = verify_json_credential(credential, now=utcnow())
    except CredentialError as error:
        return _error(400, str(error))
    answer, status = _credential_answer(report)
    if options.get("returnCredential"):
        answer["credential"] = credential
    return jsonify(answer), status


@bp.post("/presentations/verify")
@limiter.limit(VERIFY_LIMIT)
def verify_presentation():
    """Verify a presentation with the verifier's challenge and domain: 200 or 422."""
    body = _body("verifiablePresentation")
    options = _options(body, PRESENTATION_OPTIONS)
    for name in ("challenge", "domain"):
        if options.get(name) is not None and not isinstance(options[name], str):
            raise BadBody(f"“options.{name}” must be a string.")
    report = verify_json_presentation(
        _object(body, "verifiablePresentation"),
        now=utcnow(),
        challenge=options.get("challenge"),
        domain=options.get("domain"),
    )
    answer = {"verified": report.verified, **_outcomes(report.checks), "report": report.to_json()}
    for item in report.credentials:
        if not item.valid:
            answer["errors"].append({"name": "credential", "message": item.headline})
    return jsonify(answer), 200 if report.verified else 422


def _status_change(body: dict[str, Any]) -> StatusChange:
    """The change asked: [{type, status: "revoked"|…}], or VCALM's {statusPurpose} + status."""
    entries = body["credentialStatus"]
    entry = entries[0] if isinstance(entries, list) and len(entries) == 1 else entries
    if not isinstance(entry, dict) or entry.get("type") not in STATUS_ENTRY_TYPES:
        raise BadBody(
            "“credentialStatus” must be one object of type BitstringStatusListEntry "
            "with a “status”."
        )
    word = entry.get("status")
    if isinstance(word, str) and word in STATUS_WORDS:
        return STATUS_WORDS[word]
    purpose, flag = entry.get("statusPurpose"), body.get("status")
    if isinstance(flag, bool) and purpose in ("revocation", "suspension"):
        if purpose == "revocation":
            if not flag:
                raise BadBody("A revocation cannot be undone.")
            return StatusChange.REVOKE
        return StatusChange.SUSPEND if flag else StatusChange.REINSTATE
    raise BadBody(f"Unknown status: give one of {', '.join(STATUS_WORDS)}.")


@bp.post("/credentials/status")
@_with_scope(VC_STATUS)
def update_status(client: OAuthClient):
    """Revoke, suspend or reinstate a badge credential of the school or a credential this
    client issued: 200; 400 for an id Laurel did not mint, 404 for an unknown id or
    another client's credential."""
    body = _body("credentialId", "credentialStatus")
    credential_id = body["credentialId"]
    if not isinstance(credential_id, str):
        raise BadBody("“credentialId” must be the credential's id (a URL).")
    change = _status_change(body)
    ctx = issuing_context()
    credential = credential_for_status(
        credential_id, public_url=ctx.public_url, client_id=client.client_id
    )
    change_credential_status(
        credential,
        change,
        ctx=ctx,
        actor=None,
        reason=f"Changed through the VC-API by {client.client_name}.",
        now=utcnow(),
    )
    db.session.commit()
    return jsonify({"credentialId": credential_id, "state": credential.state.value}), 200
