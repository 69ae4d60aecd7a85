"""Every `laurel` help screen speaks the terminal's language: `laurel --help` and the help of each
of Laurel's commands and groups, their descriptions and their options' help alike."""

from __future__ import annotations

import pkgutil
import re
from importlib import import_module

import click
import pytest
from click.testing import CliRunner

from app import commands
from app.cli import cli

LAURELS_COMMANDS = [
    command
    for module in pkgutil.iter_modules(commands.__path__)
    for command in import_module(f"app.commands.{module.name}").commands
]
# Flask's options on `laurel` (--app, --debug, --env-file): their help is Flask's, in English.
FLASKS_OPTIONS = {opt for param in cli.params for opt in param.opts if opt != "--help"}


def _paths(command: click.Command, path: list[str]) -> list[list[str]]:
    found = [path]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            found += _paths(sub, [*path, name])
    return found


HELP_PATHS = [[]] + [p for command in LAURELS_COMMANDS for p in _paths(command, [command.name])]
LAURELS_NAMES = {path[-1] for path in HELP_PATHS if path}


def _help(args: list[str], language: str, tmp_path) -> str:
    """The help screen of `laurel ARGS --help`, wide enough that no sentence is wrapped."""
    result = CliRunner().invoke(
        cli,
        [*args, "--help"],
        prog_name="laurel",
        env={
            "LAUREL_ENV": "development",
            "LAUREL_INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": "",
            "LAUREL_LANGUAGE": language,
        },
        max_content_width=1000,
        terminal_width=1000,
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _laurels_sentences(screen: str) -> list[str]:
    """The words Laurel wrote on a help screen: its description, each option's and subcommand's
    help; not click's headings, usage line or bracketed notes, nor the commands and options
    Flask and its extensions add (db, run, shell, routes, limiter)."""
    sentences = []
    section = ""
    for line in screen.splitlines():
        if line and not line.startswith(" "):
            section = line.split(":")[0]
            continue
        line = line.strip()
        if not line:
            continue
        name = line.split()[0].rstrip(",")
        if name in FLASKS_OPTIONS or (section == "Commands" and name not in LAURELS_NAMES):
            continue
        columns = re.split(r"\s{2,}", re.sub(r"\s+\[[^\]]*\]$", "", line))
        if len(columns) == 1 and name.startswith("-"):
            continue  # an option too long for its column: its help is on the next line
        text = columns[-1]
        if re.search(r"[A-Za-z]{2}", text):
            sentences.append(text)
    return sentences


@pytest.mark.parametrize("args", HELP_PATHS, ids=lambda args: " ".join(["laurel", *args]))
def test_every_help_sentence_of_laurel_reads_in_spanish(args, tmp_path):
    english = _laurels_sentences(_help(args, "en", tmp_path))
    spanish = _help(args, "es", tmp_path)
    assert english, "a Laurel command without help"
    assert [sentence for sentence in english if sentence in spanish] == []


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        ([], "Laurel: insignias y microcredenciales para escuelas."),
        ([], "badges         Definiciones de insignias."),
        (["badges"], "Muestra todas las insignias: slug, nombre, estado y clase."),
        (["backup"], "Escribe la base de datos, las claves de firma y los archivos de evidencias"),
        (["issue"], "Con --csv primero se comprueba cada fila"),
        (["issue"], "--yes         Con --csv: emite sin preguntar una vez comprobadas las filas."),
        (["api-clients", "did-key"], "La instancia del emisor did:key"),
        (["users", "create"], "Muestra este mensaje y sale."),
    ],
)
def test_help_screens_read_in_spanish(args, spanish, tmp_path):
    assert spanish in _help(args, "es", tmp_path)
