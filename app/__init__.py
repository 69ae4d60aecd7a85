"""Laurel: badges and micro-credentials for schools.

`create_app` imports Flask inside the function so that `app.credentials` and
`app.verify.core` stay importable (and usable offline) without Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure a Laurel application.

    :param config: overrides applied last (tests pass their settings here).
    """
    from flask import Flask

    from .config import load_settings

    settings = load_settings(overrides=config)
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings)

    from .extensions import init_extensions

    init_extensions(app)

    from .caching import register_cache_policy
    from .errors import register_error_handlers
    from .views import register_blueprints
    from .web.guards import register_input_guard
    from .web.headers import register_security_headers

    register_blueprints(app)
    register_error_handlers(app)
    register_input_guard(app)
    register_security_headers(app)
    register_cache_policy(app)
    if app.config["LAUREL_JOBS_IN_PROCESS"]:
        from .jobs.queue import start_with_first_request

        start_with_first_request(app)
    from .web.mount import mount_at_public_path

    mount_at_public_path(app)
    hops = app.config["LAUREL_PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
