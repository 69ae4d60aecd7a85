"""Laurel's requests to a platform (its key set, token and roster endpoints): through the
network guard (public addresses only, pinned, size cap), with the environment's proxies
ignored, since a proxy would resolve names out of the guard's sight."""

from __future__ import annotations

import requests

from app.verify.core.fetching import CONNECT_TIMEOUT_SECONDS
from app.verify.core.fetching import READ_TIMEOUT_SECONDS
from app.verify.service import guarded_adapter

TIMEOUT = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)


def guarded_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    guard = guarded_adapter()
    session.mount("https://", guard)
    session.mount("http://", guard)
    return session
