"""Blueprint registration: one blueprint per feature package."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

# Each module exposes `bp`; the order only matters for the URL map's readability.
BLUEPRINT_MODULES = (
    "app.main.views",
    "app.accounts.views",
    "app.badges.views",
    "app.evidence.views",
    "app.proposals.views",
    "app.pathways.views",
    "app.bulk.views",
    "app.share.views",
    "app.records.views",
    "app.verify.views",
    "app.api.views",
    "app.backpack.oauth_views",
    "app.backpack.api_views",
    "app.backpack.held_views",
    "app.backpack_send.views",
    "app.backpack.apps_views",
    "app.vcapi.views",
    "app.vcapi.admin_views",
    "app.roster.views",
    "app.sso.views",
    "app.goals.views",
    "app.accounts.counselor_views",
    "app.notifications.views",
    "app.endorsements.views",
    "app.progress.views",
    "app.lti.views",
    "app.wallets.views",
    "app.wallets.issuer_views",
)


def register_blueprints(app: Flask) -> None:
    """Import each feature's views module and register its blueprint."""
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(name).bp)
