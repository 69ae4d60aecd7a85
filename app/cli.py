"""The `laurel` command: Flask's CLI group plus Laurel's commands.

Each module in `app.commands` exposes `commands`, a list of click commands or
groups. Commands that must work with no server and no database (`verify`,
`keys …`) do not use an application context, and FlaskGroup finds them
without loading the app.
"""

from __future__ import annotations

import pkgutil
import sys
from importlib import import_module

import click
from flask.cli import FlaskGroup

from app import commands


def _create_app():
    """Load the app for commands that need it; unsafe settings end with the reason, no traceback."""
    from app import create_app
    from app.config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)


cli = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    help="Laurel: badges and micro-credentials for schools.",
)

for _module in pkgutil.iter_modules(commands.__path__):
    for _command in import_module(f"app.commands.{_module.name}").commands:
        cli.add_command(_command)
