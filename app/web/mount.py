"""Laurel at its public URL's path: https://school.example/laurel serves every page under /laurel.

A school may give Laurel a path on its own site rather than a host of its own. Its
reverse proxy may pass the path on (/laurel/verify) or strip it (/verify); either way
the request is seen as mounted at the path (WSGI's SCRIPT_NAME), the way gunicorn
treats a SCRIPT_NAME, so every link, form, redirect and static file keeps it. The
well-known documents a standard puts at the host's root with the path after them
(RFC 8414 §3.1) reach Laurel as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask import has_request_context
from flask import request
from flask import url_for

from app.config import ConfigurationError

if TYPE_CHECKING:
    from flask import Flask


def public_path(public_url: str) -> str:
    """The path of the public URL without its last slash: "" at the host's root."""
    return urlsplit(public_url).path.rstrip("/")


class MountedAt:
    """WSGI middleware: the request is mounted at `prefix`, with the prefix taken off the path
    when the proxy passed it on."""

    def __init__(self, wsgi_app: Any, prefix: str) -> None:
        self.wsgi_app = wsgi_app
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
        environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)


def mount_at_public_path(app: Flask) -> None:
    """Serve `app` at LAUREL_PUBLIC_URL's path, when it has one.

    :raises ConfigurationError: the path begins with a segment of Laurel's own addresses
        (/verify, /s, …): a passed-on /verify/verify could not be told from a stripped one.
    """
    prefix = public_path(app.config["LAUREL_PUBLIC_URL"])
    if not prefix:
        return
    first = prefix.split("/")[1]
    own = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
    if first in own:
        raise ConfigurationError(
            f"LAUREL_PUBLIC_URL ends in {prefix}, which begins like Laurel's own addresses "
            f"(/{first}/…). Give Laurel another path on the school's site, such as /laurel."
        )
    app.wsgi_app = MountedAt(app.wsgi_app, prefix)  # type: ignore[method-assign]
    # The session cookie goes to Laurel's path only, not to the school's other pages.
    app.config["SESSION_COOKIE_PATH"] = prefix


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute link on the school's public address, whatever host or mount the request
    came in on: what a provider registers, an invitee receives, an LMS launches."""
    path = url_for(endpoint, **values)
    mounted = request.script_root if has_request_context() else ""
    return current_app.config["LAUREL_PUBLIC_URL"].rstrip("/") + path[len(mounted) :]
