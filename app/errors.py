"""Laurel's exception tree for services, and the HTML/JSON error handlers.

Services raise these; views turn them into a flash message or an error page with a
4xx status. A user's mistake is never a 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


class LaurelError(Exception):
    """Base of every error a service raises on purpose. `str(error)` is for a person."""

    status_code = 400


class UserError(LaurelError):
    """The request cannot be carried out as given (bad input, wrong state)."""

    status_code = 400


class Conflict(UserError):
    """The request clashes with the current state (already approved, edited meanwhile)."""

    status_code = 409


class NotAllowed(LaurelError):
    """The actor may not do this."""

    status_code = 403


class NotFound(LaurelError):
    """There is no such thing, or the actor may not know it exists."""

    status_code = 404


class Unavailable(LaurelError):
    """A service Laurel depends on (the file store) cannot be reached or is misconfigured.

    Not the visitor's fault and not a bug: a 503 page that names what to fix.
    """

    status_code = 503


def _wants_json() -> bool:
    from flask import request

    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def register_error_handlers(app: Flask) -> None:
    """Render LaurelErrors and HTTP errors as a page, or as JSON for API clients."""
    from flask import jsonify
    from flask import render_template
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    def render(status: int, title: str, message: str):
        if _wants_json():
            return jsonify({"error": title, "message": message, "status": status}), status
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status

    @app.errorhandler(LaurelError)
    def handle_laurel_error(error: LaurelError):
        return render(error.status_code, type(error).__name__, str(error))

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return render(
            400,
            "Form expired",
            "The form was missing its security token or it expired. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(413)
    def handle_too_large(error: HTTPException):
        limit = app.config["LAUREL_MAX_UPLOAD_MB"]
        return render(413, "Upload too large", f"That upload is larger than the {limit} MB limit.")

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        return render(error.code or 500, error.name, error.description or error.name)
