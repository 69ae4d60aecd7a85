"""A platform's key set (its JWKS), kept a while so that a class launching at once reads it
once, not thirty times.

The key set is read from the platform's key set URL through the network guard and kept in
this process, per platform and URL, as long as its Cache-Control `max-age` says, within
MIN_LIFETIME and MAX_LIFETIME (DEFAULT_LIFETIME when it says nothing). The ceiling bounds
how long a key the LMS withdrew (a leaked one) is still trusted; the floor keeps a
`no-store` LMS from being read on every launch. A launch signed by a key the kept set does
not list (the LMS rotated its key) reads the set again, once: see `launches.verify_launch`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

import requests
from flask import current_app
from flask_babel import gettext

from app.lti.models import LtiPlatform
from app.lti.network import TIMEOUT
from app.lti.network import guarded_session
from app.verify.core.fetching import MAX_REDIRECTS
from app.verify.core.fetching import FetchError
from app.verify.core.fetching import json_document

MIN_LIFETIME = timedelta(minutes=1)
DEFAULT_LIFETIME = timedelta(minutes=5)
MAX_LIFETIME = timedelta(hours=1)
_MAX_AGE = re.compile(r'^max-age\s*=\s*"?(\d{1,100})"?$', re.IGNORECASE)
_EXTENSION = "laurel_lti_key_sets"


def lifetime(cache_control: str) -> timedelta:
    """How long to keep a key set served with this Cache-Control header."""
    directives = [part.strip() for part in cache_control.split(",")]
    if any(d.lower() in ("no-store", "no-cache") for d in directives):
        return MIN_LIFETIME
    for directive in directives:
        match = _MAX_AGE.match(directive)
        if match:
            seconds = min(int(match[1]), int(MAX_LIFETIME.total_seconds()))
            return max(timedelta(seconds=seconds), MIN_LIFETIME)
    return DEFAULT_LIFETIME


@dataclass(frozen=True)
class _Kept:
    keys: dict[str, Any]
    expires_at: datetime


class KeySets:
    """The key sets this process keeps, by (platform id, key set URL)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, str], _Kept] = {}
        self._lock = threading.Lock()

    def get(self, platform: LtiPlatform, now: datetime) -> dict[str, Any] | None:
        with self._lock:
            kept = self._kept.get((platform.id, platform.key_set_url))
        return kept.keys if kept is not None and now < kept.expires_at else None

    def put(self, platform: LtiPlatform, keys: dict[str, Any], expires_at: datetime) -> None:
        with self._lock:
            self._kept[(platform.id, platform.key_set_url)] = _Kept(keys, expires_at)


def _kept_sets() -> KeySets:
    sets: KeySets = current_app.extensions.setdefault(_EXTENSION, KeySets())
    return sets


def read_key_set(url: str) -> tuple[dict[str, Any], timedelta]:
    """(the JWKS at `url`, how long to keep it), each redirect checked by the guard.

    :raises FetchError: refused address, network or HTTP error, too large or not JSON.
    """
    current = url
    with guarded_session() as session:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = session.get(
                    current,
                    headers={"Accept": "application/json"},
                    timeout=TIMEOUT,
                    allow_redirects=False,
                )
            except requests.RequestException as error:
                raise FetchError(
                    gettext(
                        "%(url)s could not be reached (%(error)s).",
                        url=current,
                        error=type(error).__name__,
                    )
                ) from None
            if response.is_redirect:
                current = urljoin(current, response.headers["location"])
                continue
            if response.status_code != 200:
                raise FetchError(
                    gettext(
                        "%(url)s answered with HTTP status %(status)s.",
                        url=current,
                        status=response.status_code,
                    )
                )
            keys = json_document(current, response.content)
            return keys, lifetime(response.headers.get("Cache-Control", ""))
    raise FetchError(
        gettext("%(url)s redirects more than %(count)s times.", url=url, count=MAX_REDIRECTS)
    )


def key_set(
    platform: LtiPlatform, *, now: datetime, refresh: bool = False
) -> tuple[dict[str, Any], bool]:
    """(the platform's key set, whether it was read from the platform just now): the kept one
    while it is fresh, unless `refresh`.

    :raises FetchError: the key set cannot be read.
    """
    sets = _kept_sets()
    kept = None if refresh else sets.get(platform, now)
    if kept is not None:
        return kept, False
    keys, keep_for = read_key_set(platform.key_set_url)
    sets.put(platform, keys, now + keep_for)
    return keys, True
