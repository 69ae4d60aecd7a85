"""The learner's routes for sending a credential to another Open Badges 3.0 backpack.

POST /credentials/<id>/send starts (or completes, with a kept token) a send; the
backpack's authorization page answers at CALLBACK_PATH; a connected backpack can be
disconnected. Every failure is a page with the reason and a 4xx status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.backpack_send import services
from app.backpack_send.errors import SendError
from app.backpack_send.forms import DisconnectForm
from app.backpack_send.forms import SendForm
from app.backpack_send.panel import send_panel
from app.backpack_send.services import CALLBACK_PATH
from app.backpack_send.services import Sending
from app.backpack_send.services import Sent
from app.config import laurel_version
from app.extensions import db
from app.extensions import limiter
from app.issuing.profile import current_issuer_name
from app.keyring import issuing_context
from app.models_base import utcnow
from app.sealing import Sealer
from app.verify.documents import credential_by_id
from app.verify.service import guarded_adapter
from app.verify.service import network_fetcher

bp = Blueprint("backpack_send", __name__)
# The browser session remembers the state of the send it started (one at a time).
SESSION_STATE = "backpack_send_state"
MAX_ID = 2**31 - 1
# Each send makes Laurel contact another server: a learner gets a generous quota, not a proxy.
SEND_LIMIT = "20 per minute"


@bp.app_context_processor
def _send_panel() -> dict[str, Any]:
    """`backpack_send_panel(credential)` for the credential's page (None but for its learner)."""
    return {"backpack_send_panel": lambda credential: send_panel(credential, current_user)}


def _sending() -> Sending:
    public_url = issuing_context().public_url
    return Sending(
        fetcher=network_fetcher(),
        adapter=guarded_adapter,
        sealer=Sealer(current_app.config["SECRET_KEY"], purpose=services.SEALING_PURPOSE),
        public_url=public_url,
        school_name=current_issuer_name(public_url),
        software_version=laurel_version(),
    )


def _failed(error: SendError, credential_id: str | None):
    """The reason a send failed, on its own page (what was stored meanwhile is kept)."""
    db.session.commit()
    page = render_template(
        "backpack_send/failed.html", message=str(error), credential_id=credential_id
    )
    return page, error.status_code


def _sent(result: Sent, credential_id: str):
    db.session.commit()
    if result.created:
        message = gettext(
            "Sent: the credential is now stored in %(backpack_name)s.",
            backpack_name=result.backpack_name,
        )
    else:
        message = gettext(
            "Sent: %(backpack_name)s already had this credential and replaced its copy.",
            backpack_name=result.backpack_name,
        )
    flash(message, "success")
    return redirect(url_for("badges.public.credential", credential_id=credential_id))


@bp.post("/credentials/<credential_id>/send")
@login_required
@limiter.limit(SEND_LIMIT)
def send(credential_id: str):
    """Send the credential to the backpack at the address the learner entered."""
    credential = services.check_sender(credential_by_id(credential_id), current_user)
    form = SendForm()
    if not form.validate_on_submit():
        errors = [message for messages in form.errors.values() for message in messages]
        reason = errors[0] if errors else gettext("The form could not be read; reload the page.")
        if "csrf_token" in form.errors:
            reason = gettext("The form expired; reload the credential's page and try again.")
        return _failed(SendError(reason), credential.id)
    try:
        outcome = services.begin(
            current_user, credential, form.address.data or "", _sending(), now=utcnow()
        )
    except SendError as error:
        return _failed(error, credential.id)
    if isinstance(outcome, Sent):
        return _sent(outcome, credential.id)
    db.session.commit()
    session[SESSION_STATE] = outcome.state
    return redirect(outcome.url)


@bp.get(CALLBACK_PATH)
@login_required
def callback():
    """The backpack's answer to the authorization request: exchange the code, send."""
    answer = services.Answer(
        state=request.args.get("state", ""),
        code=request.args.get("code", ""),
        error=request.args.get("error", ""),
        error_description=request.args.get("error_description", ""),
        iss=request.args.get("iss"),
    )
    try:
        pending = services.claim_pending(
            current_user, answer, session.get(SESSION_STATE), now=utcnow()
        )
    except SendError as error:
        return _failed(error, None)
    session.pop(SESSION_STATE, None)
    db.session.commit()  # the state is spent, whatever happens next
    credential_id = pending.credential_id
    try:
        result = services.finish(current_user, pending, answer, _sending(), now=utcnow())
    except SendError as error:
        return _failed(error, credential_id)
    return _sent(result, credential_id)


@bp.post(f"/backpack/connections/<int(max={MAX_ID}):connection_id>/disconnect")
@login_required
def disconnect(connection_id: int):
    """Forget the learner's access to a backpack; the next send asks again."""
    if not DisconnectForm().validate_on_submit():
        return _failed(SendError(gettext("The form expired; reload the page and try again.")), None)
    done = services.disconnect(current_user, connection_id, _sending())
    db.session.commit()
    if done.problem is None:
        flash(
            gettext(
                "Disconnected from %(backpack_name)s: Laurel no longer keeps its access.",
                backpack_name=done.backpack_name,
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "Disconnected from %(backpack_name)s: Laurel no longer keeps "
                "its access, but the backpack may still honour it until it "
                "expires. %(problem)s You can withdraw Laurel's access on "
                "%(backpack_name)s's own pages.",
                backpack_name=done.backpack_name,
                problem=done.problem,
            ),
            "warning",
        )
    back = request.form.get("credential_id", "")
    if credential_by_id(back) is not None:
        return redirect(url_for("badges.public.credential", credential_id=back))
    return redirect(url_for("main.dashboard"))
