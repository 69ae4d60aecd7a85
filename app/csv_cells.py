"""Cells of the CSV files Laurel writes, kept inert when a spreadsheet opens them.

A text cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection); such a cell gets a leading
apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(cell: object) -> object:
    """`cell`, with an apostrophe before a text a spreadsheet would run as a formula."""
    if isinstance(cell, str) and cell[:1] in FORMULA_STARTS:
        return "'" + cell
    return cell
