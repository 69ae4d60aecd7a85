"""Laurel's commands, one module per subject; here what they share: the click classes that say
their help in the command's language, and `fail`, how every command gives up.

Click reads a command's help when the module is imported, before anyone knows the language,
so the help is an English msgid (marked with `N_`) and these classes translate it when shown.
"""

from __future__ import annotations

import copy
from typing import Any
from typing import NoReturn

import click

from app.i18n import gettext
from app.main.filters import say


def _translated(help_text: str | None) -> str | None:
    return gettext(help_text) if help_text else help_text


class TranslatedOption(click.Option):
    """An option whose help is said in the command's language."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown = copy.copy(self)
        shown.help = _translated(self.help)
        return click.Option.get_help_record(shown, ctx)


class TranslatedCommand(click.Command):
    """A command whose help, short and long, is said in the command's language."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        shown = copy.copy(self)
        shown.help = _translated(self.help)
        click.Command.format_help_text(shown, ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        shown = copy.copy(self)
        shown.help = _translated(self.help)
        return click.Command.get_short_help_str(shown, limit)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = click.Command.get_help_option(self, ctx)
        if option is not None:
            option.help = gettext("Show this message and exit.")
        return option


class TranslatedGroup(click.Group, TranslatedCommand):
    """A group of translated commands, its own help translated too."""

    command_class = TranslatedCommand
    group_class = type  # click: a subgroup is of this group's class


def option(*names: str, **settings: Any) -> Any:
    """`click.option` with a translated help."""
    return click.option(*names, cls=TranslatedOption, **settings)


def fail(message: object, status: int) -> NoReturn:
    """Print Laurel's error line, "Error: …" in the command's language, on stderr; exit `status`.

    `message` is a sentence already in the command's language, or an exception: a pure
    library's sentence (`app.credentials.words.Text`) is said in that language too. Each
    command keeps its own exit statuses (its docstring or README says what they mean).
    """
    click.echo(gettext("Error: %(error)s", error=say(message)), err=True)
    raise SystemExit(status)
