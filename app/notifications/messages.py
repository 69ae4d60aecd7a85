"""Rendering an outbox row into an email: plain text and HTML from templates/email/.

Rendered when sent, from the ids the row holds, so the email says what is true then.
Links are absolute, on the school's public address (LAUREL_PUBLIC_URL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask import render_template
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_babel import ngettext

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.evidence.models import EventKind
from app.evidence.models import Submission
from app.evidence.models import SubmissionEvent
from app.extensions import db
from app.i18n import DEFAULT_LANGUAGE
from app.i18n import supported
from app.issuing.profile import current_issuer_name
from app.notifications.models import NotificationKind
from app.notifications.models import OutboxEmail
from app.notifications.outbox import open_secret


class Gone(Exception):
    """What the notification was about no longer exists; there is nothing to say."""


@dataclass(frozen=True)
class Content:
    """What one notification says: a subject, its main link, and its template's values."""

    subject: str
    link: str
    values: dict[str, Any] = field(default_factory=dict)


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _load(model: type, key: Any) -> Any:
    found = db.session.get(model, key) if key is not None else None
    if found is None:
        raise Gone(f"{model.__name__} {key} no longer exists.")
    return found


def _submission_received(row: OutboxEmail) -> Content:
    submission = _load(Submission, row.params.get("submission_id"))
    return Content(
        subject=gettext(
            "%(student)s submitted evidence for “%(badge)s”",
            student=submission.student.name,
            badge=submission.badge.name,
        ),
        link=_url("evidence.review", submission_id=submission.id),
        values={"submission": submission},
    )


_REVIEW_SUBJECTS = {
    EventKind.CHANGES_REQUESTED: lazy_gettext("Changes requested on your evidence for “%(badge)s”"),
    EventKind.REJECTED: lazy_gettext("Your submission for “%(badge)s” was not accepted"),
    EventKind.COMMENT: lazy_gettext("A new comment on your evidence for “%(badge)s”"),
}
_REVIEW_NEWS = lazy_gettext("News about your evidence for “%(badge)s”")


def _review(row: OutboxEmail) -> Content:
    event = _load(SubmissionEvent, row.params.get("event_id"))
    submission = event.submission
    template = _REVIEW_SUBJECTS.get(event.kind, _REVIEW_NEWS)
    return Content(
        subject=str(template) % {"badge": submission.badge.name},
        link=_url("evidence.detail", submission_id=submission.id),
        values={"event": event, "submission": submission, "EventKind": EventKind},
    )


def _credential_issued(row: OutboxEmail) -> Content:
    credential = _load(IssuedCredential, row.params.get("credential_id"))
    return Content(
        subject=gettext("You earned “%(badge)s”", badge=credential.badge.name),
        link=_url("badges.public.credential", credential_id=credential.id),
        values={
            "credential": credential,
            "share_url": _url("share.share_settings", credential_id=credential.id),
        },
    )


def _invitation(row: OutboxEmail) -> Content:
    if not row.sealed_secret:
        raise Gone("The invitation link is no longer kept.")
    token = open_secret(row.sealed_secret)
    return Content(
        subject=gettext(
            "You are invited to %(school)s on Laurel", school=current_issuer_name(_public_url())
        ),
        link=_url("accounts.accept_invitation", token=token),
    )


def _endorsement_request(row: OutboxEmail) -> Content:
    if not row.sealed_secret:
        raise Gone("The endorsement link is no longer kept.")
    params = row.params
    return Content(
        subject=gettext(
            "%(requester)s asks you to endorse %(about)s",
            requester=params["requester"],
            about=params["about"],
        ),
        link=_url("endorsements.endorse", token=open_secret(row.sealed_secret)),
        values={"requester": params["requester"], "about": params["about"]},
    )


def _digest(row: OutboxEmail) -> Content:
    items = []
    for item_id in row.params.get("items", []):
        item = db.session.get(OutboxEmail, item_id)
        if item is None:
            continue
        try:
            items.append(content_of(item))
        except Gone:
            continue
    if not items:
        raise Gone("Nothing in the digest still applies.")
    return Content(
        subject=ngettext(
            "Your Laurel digest: %(num)s update", "Your Laurel digest: %(num)s updates", len(items)
        ),
        link=_url("main.dashboard"),
        values={"items": items},
    )


_BUILDERS: dict[NotificationKind, Callable[[OutboxEmail], Content]] = {
    NotificationKind.SUBMISSION_RECEIVED: _submission_received,
    NotificationKind.REVIEW: _review,
    NotificationKind.CREDENTIAL_ISSUED: _credential_issued,
    NotificationKind.INVITATION: _invitation,
    NotificationKind.ENDORSEMENT_REQUEST: _endorsement_request,
    NotificationKind.DIGEST: _digest,
}


def content_of(row: OutboxEmail) -> Content:
    """:raises Gone: what it reports was deleted. :raises Unreadable: a secret sealed elsewhere."""
    return _BUILDERS[row.kind](row)


def _public_url() -> str:
    return str(current_app.config["LAUREL_PUBLIC_URL"]).rstrip("/")


def default_sender() -> str:
    """no-reply at the public URL's host, when LAUREL_SMTP_URL names no ?from= address."""
    return f"no-reply@{urlsplit(_public_url()).hostname or 'localhost'}"


def recipient_language(row: OutboxEmail) -> str:
    """The language the recipient chose (`app.i18n`); English for an address without one."""
    recipient = db.session.get(User, row.user_id) if row.user_id is not None else None
    return supported(recipient.language if recipient else None) or DEFAULT_LANGUAGE


def build_message(row: OutboxEmail, *, to: str, sender: str | None) -> EmailMessage:
    """The email for `row`: plain text first, then the same in HTML.

    Rendered in a request context on the public URL, so `url_for` gives the school's
    absolute links even in a worker that serves no request; and in the recipient's
    language (`recipient_language`), whoever's request or command queued it.

    :raises Gone: what it reports was deleted.
    """
    with (
        current_app.test_request_context(base_url=_public_url()),
        force_locale(recipient_language(row)),
    ):
        content = content_of(row)
        school = current_issuer_name(_public_url())
        values = {
            **content.values,
            "content": content,
            "school": school,
            "preferences_url": _url("notifications.preferences"),
        }
        name = row.kind.value
        text = render_template(f"email/{name}.txt", **values)
        html = render_template(f"email/{name}.html", **values)
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = formataddr((f"{school} (Laurel)", sender or default_sender()))
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=urlsplit(_public_url()).hostname)
    # Machines answer no automatic message (RFC 3834): no vacation replies to a no-reply.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
