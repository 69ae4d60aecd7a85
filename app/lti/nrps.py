"""Importing an LMS course's roster into its linked class (Names and Role Provisioning
Services 2.0).

Laurel asks the platform's token endpoint for a token with a client assertion it signs
with the tool key (client_credentials, RFC 7523), then reads the course's memberships,
page after page (`Link: <…>; rel="next"`). Every request goes through Laurel's network
guard (public addresses only, pinned, timeouts, size cap). People are matched and made
as a launch would (app/lti/links.py); an inactive or deleted member leaves the class.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import requests
from flask_babel import gettext

from app.accounts import services as accounts
from app.extensions import db
from app.lti import tool_keys
from app.lti.errors import LtiError
from app.lti.links import account_for
from app.lti.links import join
from app.lti.links import linked_user
from app.lti.messages import client_assertion
from app.lti.models import LtiContextLink
from app.lti.network import TIMEOUT
from app.lti.network import guarded_session
from app.lti.roles import CourseRole
from app.lti.roles import course_role
from app.models_base import new_token
from app.verify.core.fetching import FetchError

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A course of 100 pages is a very large course; a loop of `next` links ends here.
MAX_PAGES = 100


@dataclass
class RosterReport:
    """What an import did: accounts made, people who joined or left, and who was skipped why."""

    created: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _send(session: requests.Session, method: str, url: str, failed: str, **kwargs: Any) -> Any:
    """The JSON answer of one request, or an LtiError that says what failed: the sentence
    `failed` (what Laurel could not do), then why."""

    def refusal(why: str) -> LtiError:
        # Two whole sentences; a language may join them its own way.
        return LtiError(gettext("%(failed)s %(why)s", failed=failed, why=why))

    try:
        response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except FetchError as error:
        raise refusal(str(error)) from None
    except requests.RequestException:
        raise refusal(gettext("The LMS did not answer.")) from None
    if response.status_code != 200:
        raise refusal(gettext("The LMS answered HTTP %(status)s.", status=response.status_code))
    try:
        body = response.json()
    except ValueError:
        raise refusal(gettext("The LMS's answer is not JSON.")) from None
    if not isinstance(body, dict):
        raise refusal(gettext("The LMS's answer is not a JSON object."))
    return body, response.links.get("next", {}).get("url")


def _access_token(session: requests.Session, link: LtiContextLink, *, now: datetime) -> str:
    platform = link.platform
    assertion = tool_keys.sign(
        client_assertion(
            client_id=platform.client_id,
            audience=platform.token_audience or platform.auth_token_url,
            jti=new_token(),
            now=now,
        ),
        now=now,
    )
    body, _ = _send(
        session,
        "POST",
        platform.auth_token_url,
        gettext("Laurel could not get a token from %(platform)s.", platform=platform.name),
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": SCOPE,
        },
    )
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise LtiError(gettext("%(platform)s sent no access token.", platform=platform.name))
    return token


def _members(session: requests.Session, link: LtiContextLink, token: str) -> Iterator[dict]:
    url: str | None = link.memberships_url
    for _ in range(MAX_PAGES):
        if not url:
            return
        body, url = _send(
            session,
            "GET",
            url,
            gettext(
                "Laurel could not read the course roster from %(platform)s.",
                platform=link.platform.name,
            ),
            headers={"Authorization": f"Bearer {token}", "Accept": MEMBERSHIPS},
        )
        members = body.get("members")
        if not isinstance(members, list):
            raise LtiError(
                gettext(
                    "The roster from %(platform)s has no member list.", platform=link.platform.name
                )
            )
        yield from (member for member in members if isinstance(member, dict))
    raise LtiError(
        gettext(
            "The roster from %(platform)s runs over %(pages)s pages; nothing changed.",
            platform=link.platform.name,
            pages=MAX_PAGES,
        )
    )


def _text(member: dict, name: str) -> str:
    value = member.get(name)
    return value.strip() if isinstance(value, str) else ""


def import_roster(link: LtiContextLink, *, now: datetime) -> RosterReport:
    """Bring the class of `link` in line with its course's roster.

    :raises LtiError: the course has no roster service, or the LMS cannot be read; then
        nothing changes.
    """
    if not link.memberships_url:
        raise LtiError(
            gettext(
                "%(platform)s has not offered this course's roster to Laurel: its admin turns on "
                "Names and Role Provisioning Services for Laurel, then an instructor opens "
                "Laurel from the course once.",
                platform=link.platform.name,
            )
        )
    with guarded_session() as session:
        members = list(_members(session, link, _access_token(session, link, now=now)))
    report = RosterReport()
    for member in members:
        subject = _text(member, "user_id")
        who = _text(member, "name") or _text(member, "email") or subject or gettext("someone")
        role = course_role(member.get("roles") or [])
        if not subject:
            report.skipped.append((who, gettext("no user id")))
        elif member.get("status", "Active") != "Active":
            _leave(link, subject, who, report)
        elif role is None:
            report.skipped.append((who, gettext("neither instructor nor learner in the course")))
        else:
            try:
                with db.session.begin_nested():
                    user, created = account_for(
                        link.platform,
                        subject=subject,
                        email=_text(member, "email"),
                        name=_text(member, "name"),
                        role=role,
                        now=now,
                    )
                    if created:
                        report.created.append(user.email)
                    if join(user, link.school_class, role):
                        report.joined.append(_joined(user.name, role))
                    else:
                        report.unchanged += 1
            except LtiError as error:
                report.skipped.append((who, str(error)))
    return report


def _joined(name: str, role: CourseRole) -> str:
    """How the report names a person who joined the class, with their course role."""
    if role == CourseRole.INSTRUCTOR:
        return gettext("%(name)s (instructor)", name=name)
    return gettext("%(name)s (student)", name=name)


def _leave(link: LtiContextLink, subject: str, who: str, report: RosterReport) -> None:
    user = linked_user(link.platform, subject)
    if user is not None and any(m.class_id == link.class_id for m in user.memberships):
        accounts.remove_from_class(user, link.school_class)
        report.left.append(user.name)
