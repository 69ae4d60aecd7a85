"""Reading the name,email,role,class roster CSV row by row (tests/roster imports it)."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.accounts.roster import RowOutcome
from app.accounts.roster import parse_roster
from app.errors import UserError


def test_parse_roster_quoted_fields_with_commas():
    rows = parse_roster(
        'name,email,role,class\n"Lovelace, Ada",ada@school.test,Student,"Algebra 2, Period 3"\n'
    )
    assert rows[0].name == "Lovelace, Ada"
    assert rows[0].class_name == "Algebra 2, Period 3"
    assert rows[0].role == Role.STUDENT and rows[0].outcome == RowOutcome.PENDING


def test_parse_roster_admin_role_rejected():
    rows = parse_roster("name,email,role,class\nAl,al@school.test,admin,\n")
    assert rows[0].outcome == RowOutcome.REJECTED and "unknown role" in rows[0].reason


def test_parse_roster_too_many_rows_refused():
    text = "name,email,role,class\n" + "".join(
        f"P{i},p{i}@school.test,student,C\n" for i in range(5001)
    )
    with pytest.raises(UserError, match="more than 5000 rows"):
        parse_roster(text)
