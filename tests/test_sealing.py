"""Sealed secrets open with the key that sealed them, and with no other."""

from __future__ import annotations

import pytest

from app.sealing import Sealer
from app.sealing import Unreadable

PURPOSE = b"laurel test secrets v1"


def test_sealed_text_opens_with_the_same_secret_key():
    sealed = Sealer("the-secret-key", purpose=PURPOSE).seal("an-access-token")
    assert "an-access-token" not in sealed
    assert Sealer("the-secret-key", purpose=PURPOSE).open(sealed) == "an-access-token"


@pytest.mark.parametrize("sealed", ["not-sealed-at-all", ""])
def test_damaged_values_are_unreadable(sealed):
    with pytest.raises(Unreadable):
        Sealer("the-secret-key", purpose=PURPOSE).open(sealed)


def test_another_secret_key_cannot_open_it():
    sealed = Sealer("the-secret-key", purpose=PURPOSE).seal("an-access-token")
    with pytest.raises(Unreadable):
        Sealer("a-new-secret-key", purpose=PURPOSE).open(sealed)


def test_a_value_sealed_for_one_purpose_does_not_open_for_another():
    sealed = Sealer("the-secret-key", purpose=PURPOSE).seal("an-access-token")
    with pytest.raises(Unreadable):
        Sealer("the-secret-key", purpose=b"laurel other secrets v1").open(sealed)
