"""The counselor's verify page: no account; a URL, pasted JSON or JWT, a file, or a QR scan.

The pure pipeline (app.verify.core) does the checking; this page feeds it what
the person gave, with Laurel's own keys and records injected, and shows the
verdict first. Bad input is a clear message and a 4xx, never a 500.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask import Response
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional

from app.credentials.errors import CredentialError
from app.extensions import limiter
from app.main.filters import format_datetime
from app.main.filters import say
from app.main.navigation import SCHOOL_NAME
from app.models_base import utcnow
from app.verify import trust_views
from app.verify import verdicts
from app.verify.service import Verification
from app.verify.service import run_verification
from app.web.page_keeping import KeptPage
from app.web.page_keeping import anonymous_visitor
from app.web.page_keeping import rendering_key

bp = Blueprint("verify", __name__)
bp.register_blueprint(trust_views.bp)

MAX_PASTED_CHARS = 2 * 1024 * 1024


class VerifyForm(FlaskForm):
    url = StringField(
        lazy_gettext("Address of the credential"),
        validators=[
            Optional(),
            Length(max=4096, message=lazy_gettext("That address is too long.")),
        ],
        description=lazy_gettext(
            "A link to a credential, a badge page or a verification page (https://…)."
        ),
    )
    text = TextAreaField(
        lazy_gettext("Or paste the credential"),
        validators=[
            Optional(),
            Length(
                max=MAX_PASTED_CHARS,
                message=lazy_gettext("That text is too long to be a credential."),
            ),
        ],
        description=lazy_gettext("The signed JSON, or the JWT (a long text starting with eyJ)."),
    )
    file = FileField(
        lazy_gettext("Or upload a file"),
        description=lazy_gettext(
            "A badge image (PNG or SVG), a PDF certificate, or a .json or .jwt file."
        ),
    )


class NothingToCheck(Exception):
    """The form was sent with nothing usable in it (or with several things)."""


def _submitted(form: VerifyForm) -> tuple[bytes | str, str | None, str | None]:
    """The one thing the person gave: (data, filename, content type)."""
    upload = form.file.data
    given = []
    if upload is not None and getattr(upload, "filename", None):
        given.append((upload.read(), upload.filename, upload.mimetype))
    if (form.text.data or "").strip():
        given.append((form.text.data, None, None))
    address = (form.url.data or "").strip()
    if address:
        if not address.startswith(("https://", "http://")) or any(c.isspace() for c in address):
            raise NothingToCheck(
                f"“{address[:80]}” is not a web address: an address starts with https://. "
                "To check a signed JSON or a JWT, paste it in the text box instead."
            )
        given.append((address, None, None))
    if not given:
        raise NothingToCheck("Give a credential to check: an address, pasted text, or a file.")
    if len(given) > 1:
        raise NothingToCheck(
            "Give one thing at a time: an address, pasted text or a file, not several."
        )
    return given[0]


def _form_page(form: VerifyForm, *, error: str | None = None, status: int = 200):
    return render_template("verify/form.html", form=form, error=error), status


@bp.get("/verify")
def form():
    """The empty verify page."""
    return _form_page(VerifyForm())


@bp.post("/verify")
@limiter.limit("60 per minute")
def check():
    """Verify what was sent and show the result (or the form again with the problem)."""
    form = VerifyForm()
    if not form.validate_on_submit():
        problems = [error for errors in form.errors.values() for error in errors]
        return _form_page(
            form,
            error=" ".join(problems) or gettext("The form could not be read; try again."),
            status=400,
        )
    try:
        data, filename, content_type = _submitted(form)
        now = utcnow()
        verification = run_verification(data, now=now, filename=filename, content_type=content_type)
    except NothingToCheck as problem:
        return _form_page(form, error=str(problem), status=400)
    except CredentialError as problem:
        return _form_page(form, error=say(problem), status=400)
    return _result_page(verification, now)


# Where a kept report keeps its result pages (`verdicts.Answers`), one per mount point and language.
KEPT_RESULT = "verify form"


def _result_page(verification: Verification, now: datetime) -> Response:
    """The result, kept whole with a kept report for anonymous visitors (`app.web.page_keeping`).

    The report stands only while the credential's status and the clock's side of its dates
    do; the page also prints the minute and shows the learner's name, the badge and the
    school's name, all read with the report's record, so a kept page is served while these
    are the ones it was rendered under. Each mount point and language keeps its latest page
    only, so a report keeps a few pages whatever the minutes.
    """
    answers = verification.answers
    if answers is None or not anonymous_visitor():
        return _rendered_result(verification, now)
    record = verification.record
    assert record is not None  # a report is kept only with its record
    # The header's school name was read with the record: the page asks for it no second time.
    request.environ[SCHOOL_NAME] = record.school_name
    version = verdicts.page_version(record)
    minute = format_datetime(now)
    key = (KEPT_RESULT, *rendering_key())
    kept = answers.get(key)
    if kept is not None and kept.serves(version, now, minute):
        return kept.response()
    response = _rendered_result(verification, now)
    kept = KeptPage.of(response, version, (), now, minute)
    if kept is not None:
        answers[key] = kept
    return response


def _rendered_result(verification: Verification, now: datetime) -> Response:
    page = render_template(
        "verify/result.html", verification=verification, checked_at=now, json_url=None
    )
    return make_response(page, verification.http_status)
