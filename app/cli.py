"""The `laurel` command: Flask's CLI group plus Laurel's commands.

Each module in `app.commands` exposes `commands`, a list of click commands or
groups. Commands that must work with no server and no database (`verify`,
`keys …`) do not use an application context, and FlaskGroup finds them
without loading the app.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from flask.cli import FlaskGroup

from app import commands


def _create_app():
    from app import create_app

    return create_app()


cli = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    help="Laurel: badges and micro-credentials for schools.",
)

for _module in pkgutil.iter_modules(commands.__path__):
    for _command in import_module(f"app.commands.{_module.name}").commands:
        cli.add_command(_command)
