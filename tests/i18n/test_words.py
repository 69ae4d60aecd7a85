"""The pure libraries' sentences: English `str`s that a page or a command says in its language."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC
from datetime import datetime

import flask_babel

from app.credentials.errors import ProofError
from app.credentials.words import N_
from app.credentials.words import N_plural
from app.credentials.words import text_of
from app.main.filters import say

DAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_text_is_its_english_sentence_with_dates_written_in_english():
    text = N_("Valid since %(start)s, with no end date.", start=DAY)
    assert text == "Valid since 23 November 2026, with no end date."
    assert (
        json.dumps({"message": text})
        == '{"message": "Valid since 23 November 2026, with no end date."}'
    )
    assert text.msgid == "Valid since %(start)s, with no end date."


def test_a_copied_or_pickled_text_keeps_its_msgid():
    text = N_("Read a credential from %(source)s.", source=N_("a JSON file"))
    for kept in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert kept == text and kept.msgid == text.msgid
        assert kept.params["source"].msgid == "a JSON file"


def test_say_translates_a_text_its_parts_and_its_dates(app_ctx):
    text = N_("Read a credential from %(source)s.", source=N_("a JSON file"))
    with flask_babel.force_locale("es"):
        assert say(text) == "Se leyó una credencial de un archivo JSON."
        assert (
            say(N_("Valid until %(end)s.", end=DAY)) == "Válida hasta el 23 de noviembre de 2026."
        )
        # Raised with a Text, an exception is said in Spanish too; other values as they are.
        error = ProofError(N_("The JWT does not say who issued it."))
        assert say(error) == "El JWT no dice quién lo emitió."
        assert say(ProofError("Plain words")) == "Plain words"
        assert say("did:web:school.example") == "did:web:school.example"
    assert say(text) == "Read a credential from a JSON file."
    assert text_of(ProofError(text)) is text


def test_a_plural_text_picks_its_form_by_number_in_each_language(app_ctx):
    """Tried: 1, 2 and 1,000,000 (Spanish's own form for millions) credentials."""

    def revoked(num: int):
        return N_plural(
            "%(num)s of %(total)s credentials was revoked%(names)s",
            "%(num)s of %(total)s credentials were revoked%(names)s",
            num,
            total=3_000_000,
            names="",
        )

    assert revoked(1) == "1 of 3000000 credentials was revoked"
    assert revoked(2) == "2 of 3000000 credentials were revoked"
    for kept in (copy.deepcopy(revoked(2)), pickle.loads(pickle.dumps(revoked(2)))):
        assert kept == revoked(2) and kept.plural == revoked(2).plural
    with flask_babel.force_locale("es"):
        assert say(revoked(1)) == "1 de 3000000 credenciales fue revocada"
        assert say(revoked(2)) == "2 de 3000000 credenciales fueron revocadas"
        assert say(revoked(1_000_000)) == "1000000 de 3000000 credenciales fueron revocadas"
        within = N_("Of the credentials inside: %(said)s.", said=revoked(2))
        assert (
            say(within)
            == "De las credenciales incluidas: 2 de 3000000 credenciales fueron revocadas."
        )
    assert say(revoked(2)) == "2 of 3000000 credentials were revoked"
