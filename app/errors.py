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


def _status_texts() -> dict[int, tuple[str, str]]:
    """Laurel's own heading and sentence for each HTTP error a person meets, in their language
    (Werkzeug's descriptions are English only)."""
    from flask_babel import gettext

    return {
        400: (
            gettext("That request could not be read"),
            gettext("Something in it was missing or malformed. Go back and try again."),
        ),
        401: (
            gettext("Sign in first"),
            gettext("This page is for signed-in people. Sign in, then try again."),
        ),
        403: (
            gettext("Not allowed"),
            gettext("Your account may not open this page. Ask the school if you think it should."),
        ),
        404: (
            gettext("Page not found"),
            gettext(
                "There is nothing at this address. Check the link, or start again from the "
                "start page."
            ),
        ),
        405: (
            gettext("That did not work"),
            gettext("This page cannot be used that way. Go back and use the buttons on the page."),
        ),
        409: (
            gettext("That clashes with a change"),
            gettext("Someone changed this meanwhile. Reload the page and try again."),
        ),
        410: (
            gettext("No longer here"),
            gettext("What was at this address has been removed for good."),
        ),
        413: (gettext("Upload too large"), gettext("That upload is larger than allowed.")),
        415: (
            gettext("That kind of file cannot be used here"),
            gettext("Send one of the kinds of file the page asks for."),
        ),
        422: (
            gettext("That could not be used"),
            gettext("The request was readable, but Laurel could not use what it held."),
        ),
        429: (
            gettext("Please wait a moment"),
            gettext("Too many requests came from here in a short time. Try again in a minute."),
        ),
        500: (
            gettext("Something went wrong on our side"),
            gettext(
                "Laurel could not finish this request. Nothing was half-saved; try again in a "
                "moment."
            ),
        ),
        503: (
            gettext("Not available just now"),
            gettext("A service Laurel needs cannot be reached. Try again in a few minutes."),
        ),
    }


def _laurel_titles() -> dict[type[LaurelError], str]:
    """The heading of each of Laurel's own errors; their message is already the person's."""
    from flask_babel import gettext

    return {
        NotAllowed: gettext("Not allowed"),
        NotFound: gettext("Not found"),
        Conflict: gettext("That clashes with a change"),
        UserError: gettext("That did not work"),
        Unavailable: gettext("Not available just now"),
    }


def register_error_handlers(app: Flask) -> None:
    """Render LaurelErrors and HTTP errors as a page, or as JSON for API clients.

    The JSON keeps the error's English name (`error`), which clients match on; a page shows
    Laurel's own heading and sentence for the status, in the visitor's language.
    """
    from flask import jsonify
    from flask import render_template
    from flask_babel import gettext
    from flask_limiter.errors import RateLimitExceeded
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    def render(status: int, name: str, heading: str, message: str):
        if _wants_json():
            return jsonify({"error": name, "message": message, "status": status}), status
        return render_template(
            "errors/error.html", status=status, heading=heading, message=message
        ), status

    @app.errorhandler(LaurelError)
    def handle_laurel_error(error: LaurelError):
        titles = _laurel_titles()
        heading = next(
            (title for kind, title in titles.items() if isinstance(error, kind)),
            gettext("That did not work"),
        )
        return render(error.status_code, type(error).__name__, heading, str(error))

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return render(
            400,
            "Form expired",
            gettext("Form expired"),
            gettext(
                "The form was missing its security token or it expired. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(413)
    def handle_too_large(error: HTTPException):
        limit = app.config["LAUREL_MAX_UPLOAD_MB"]
        return render(
            413,
            "Upload too large",
            gettext("Upload too large"),
            gettext("That upload is larger than the %(limit)s MB limit.", limit=limit),
        )

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        heading, text = _status_texts().get(status, (error.name, error.description or ""))
        if isinstance(error, RateLimitExceeded) and error.limit.error_message:
            text = error.description or text  # the route's own words (already translated)
        if _wants_json():
            return render(status, error.name, error.name, error.description or error.name)
        return render(status, error.name, heading, text)
