"""An LTI 1.3 launch (1EdTech Security Framework §5.1.1, the OIDC third-party-initiated flow):
the platform's login request, Laurel's authentication request back, and the id_token that
comes with the launch.

Each login request makes a state and a nonce, kept in the database rather than in the
Flask session (the launch arrives as a cross-site POST, which carries no Lax cookie). The
launch that uses them deletes them first, so a replayed launch, or an id_token replayed
into another launch, is refused. pylti1p3 only checks that a nonce exists and never
checks the audience; Laurel checks both (app/lti/messages.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from flask_babel import gettext

from app.extensions import db
from app.lti import platform_keys
from app.lti.errors import LtiError
from app.lti.messages import Expected
from app.lti.messages import Launch
from app.lti.messages import names_unlisted_key
from app.lti.messages import read_launch
from app.lti.models import LtiNonce
from app.lti.models import LtiPlatform
from app.lti.platforms import find_platform
from app.models_base import new_token
from app.models_base import rows_changed
from app.verify.core.fetching import FetchError

# From the login request to the launch: the LMS sends the browser straight back.
LAUNCH_WINDOW = timedelta(minutes=10)
# Longer parameters would not fit the authentication request's URL.
MAX_PARAMETER_CHARS = 2000


def replayed() -> LtiError:
    """The refusal of a launch whose state is unknown, used or expired."""
    return LtiError(
        gettext(
            "This launch was already used, has expired, or was started in another browser. "
            "Open Laurel again from the LMS."
        )
    )


def _param(values: Mapping[str, str], name: str) -> str:
    value = values.get(name, "")
    if not value:
        raise LtiError(
            gettext(
                "The LMS's login request has no %(name)s: Laurel cannot start the launch.",
                name=name,
            )
        )
    return value


def start_login(
    values: Mapping[str, str], *, public_url: str, launch_url: str, now: datetime
) -> tuple[str, str]:
    """(the platform's authentication URL to send the browser to, the state) for a login
    request's parameters.

    :raises LtiError: a missing parameter, an unknown platform or deployment, or a target
        that is not a Laurel address.
    """
    too_long = sorted(name for name, value in values.items() if len(value) > MAX_PARAMETER_CHARS)
    if too_long:
        raise LtiError(
            gettext(
                "The LMS's login request has a %(name)s longer than %(max)s characters: Laurel "
                "cannot start the launch.",
                name=too_long[0][:40],
                max=MAX_PARAMETER_CHARS,
            )
        )
    platform = find_platform(_param(values, "iss"), values.get("client_id") or None)
    login_hint = _param(values, "login_hint")
    target = _param(values, "target_link_uri")
    if not target.startswith(public_url + "/"):
        raise LtiError(
            gettext(
                "The LMS asked to open “%(target)s”, which is not a Laurel address.",
                target=target[:200],
            )
        )
    deployment_id = values.get("lti_deployment_id")
    if deployment_id and deployment_id not in {d.deployment_id for d in platform.deployments}:
        raise LtiError(
            gettext(
                "The deployment id “%(deployment_id)s” is not registered for %(platform)s (an "
                "admin adds it on Laurel's LTI page).",
                deployment_id=deployment_id[:80],
                platform=platform.name,
            ),
            403,
        )
    db.session.execute(sa.delete(LtiNonce).where(LtiNonce.created_at < now - LAUNCH_WINDOW))
    state, nonce = new_token(), new_token()
    db.session.add(LtiNonce(nonce=nonce, state=state, platform_id=platform.id, created_at=now))
    db.session.flush()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if values.get("lti_message_hint"):
        query["lti_message_hint"] = values["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return f"{platform.auth_login_url}{separator}{urlencode(query)}", state


def use_state(state: str, *, now: datetime) -> tuple[LtiPlatform, str]:
    """(platform, nonce) of the launch `state` names, which no other launch can use after.

    :raises LtiError: an unknown, used or expired state.
    """
    row = (
        db.session.scalar(sa.select(LtiNonce).where(LtiNonce.state == state[:64]))
        if state
        else None
    )
    if row is None:
        raise replayed()
    platform, nonce, created_at = row.platform_id, row.nonce, row.created_at
    if rows_changed(db.session.execute(sa.delete(LtiNonce).where(LtiNonce.nonce == nonce))) != 1:
        raise replayed()
    if created_at < now - LAUNCH_WINDOW:
        raise replayed()
    found = db.session.get(LtiPlatform, platform)
    if found is None:
        raise replayed()
    return found, nonce


def verify_launch(platform: LtiPlatform, id_token: str, *, nonce: str, now: datetime) -> Launch:
    """The launch in `id_token`, checked against the platform's key set: the one kept, read
    again once when the id_token names a key it does not list (the LMS rotated its key).

    :raises LtiError: the key set cannot be read, or the id_token fails a check (a key still
        unlisted after the second reading among them).
    """
    try:
        keys, just_read = platform_keys.key_set(platform, now=now)
        if not just_read and names_unlisted_key(id_token, keys):
            keys, _ = platform_keys.key_set(platform, now=now, refresh=True)
    except FetchError as error:
        raise LtiError(
            gettext(
                "Laurel could not read the key set of %(platform)s: %(error)s",
                platform=platform.name,
                error=error,
            )
        ) from None
    expected = Expected(
        issuer=platform.issuer,
        client_id=platform.client_id,
        nonce=nonce,
        deployment_ids=frozenset(d.deployment_id for d in platform.deployments),
    )
    return read_launch(id_token, keys=keys, expected=expected, now=now)
