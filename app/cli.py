"""The `laurel` command: Flask's CLI group plus Laurel's commands.

Each module in `app.commands` exposes `commands`, a list of click commands or
groups. Commands that must work with no server and no database (`verify`,
`keys …`) do not use an application context, and FlaskGroup finds them
without loading the app.
"""

from __future__ import annotations

import os
import pkgutil
import sys
from importlib import import_module
from typing import Any

import click
from flask.cli import FlaskGroup

from app import commands
from app.commands import TranslatedCommand
from app.i18n import N_
from app.i18n import gettext


def _create_app():
    """Load the app for commands that need it; unsafe settings end with the reason, no traceback."""
    from app import create_app
    from app.config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as error:
        click.echo(gettext("Error: %(error)s", error=error), err=True)
        sys.exit(2)


class LaurelGroup(FlaskGroup, TranslatedCommand):
    """Flask's group, using the development settings `make run` wrote when nothing else is set.

    They apply for the command's run only, so a process that invokes it (a test) keeps its
    own environment.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from app.config import read_development_settings

        added = {
            name: value
            for name, value in read_development_settings(os.environ).items()
            if name not in os.environ
        }
        os.environ.update(added)
        try:
            return super().main(*args, **kwargs)
        finally:
            for name in added:
                os.environ.pop(name, None)


cli = LaurelGroup(
    create_app=_create_app,
    add_version_option=False,
    help=N_("Laurel: badges and micro-credentials for schools."),
)

for _module in pkgutil.iter_modules(commands.__path__):
    for _command in import_module(f"app.commands.{_module.name}").commands:
        cli.add_command(_command)
