"""Oversized values in every text field of every form: refused with words, nothing stored.

A value longer than any column or form limit must never reach the database, where
PostgreSQL would refuse it with a 500 while SQLite stored it.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import fill
from tests.security.conftest import send
from tests.security.conftest import snapshot
from tests.security.forms import text_fields

SIZES = {"oversized_100k": 100_001, "oversized_3m": 3 * 1024 * 1024}

CASES = [
    pytest.param(form, field, size, id=f"{form.id} {field}={size}")
    for form, field in text_fields()
    for size in SIZES
]


@pytest.mark.parametrize(("form", "field", "size"), CASES)
def test_oversized_field_is_refused_and_nothing_stored(
    shared_app, world, client_as, form, field, size
):
    data = {name: fill(value, world) for name, value in form.data.items()}
    data[field] = "a" * SIZES[size]
    before = snapshot(shared_app)
    status, body = send(client_as(form.role), "POST", fill(form.path, world), data=data)
    assert status < 500, body[:500]
    assert snapshot(shared_app) == before, f"{status}: stored"
    assert 400 <= status < 500, f"{status}: {body[:300]}"
