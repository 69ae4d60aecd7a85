"""A command that gives up says why in the terminal's language: Laurel's "Error: …" line
(`app.commands.fail`), with the command's own exit status."""

from __future__ import annotations

import pytest

from app.commands.storage import storage_group
from app.commands.trust import trust_group


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("es", "Error: LAUREL_STORAGE_URL no está definido, así que las imágenes"),
        ("en", "Error: LAUREL_STORAGE_URL is not set, so badge images"),
    ],
)
def test_moving_badge_images_without_a_bucket_says_why(runner, language, line):
    result = runner.invoke(storage_group, ["move-badge-images"], env={"LAUREL_LANGUAGE": language})
    assert result.exit_code == 1
    assert result.stderr.startswith(line), result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("es", "Error: En {path}: El archivo de la lista de confianza no es texto UTF-8."),
        ("en", "Error: In {path}: The trust list file is not UTF-8 text."),
    ],
)
def test_importing_a_trust_list_that_is_not_text_says_why(runner, tmp_path, language, line):
    path = tmp_path / "registry.json"
    path.write_bytes(b"\xff\xfe not utf-8")
    result = runner.invoke(trust_group, ["import", str(path)], env={"LAUREL_LANGUAGE": language})
    assert result.exit_code == 2
    assert result.stderr == line.format(path=path) + "\n"


def test_the_terminals_locale_is_read_when_laurel_language_is_unset(runner):
    env = {"LAUREL_LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "es_MX.UTF-8"}
    result = runner.invoke(storage_group, ["move-badge-images"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: LAUREL_STORAGE_URL no está definido")
