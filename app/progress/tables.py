"""A plot's data as a table: the same rows feed the plot, the HTML table and the CSV file.

Column names are English msgids (marked `N_`) and stay English in the CSV, whoever downloads
it: a header is data a spreadsheet or a script reads by name, the same for every school. The
page's table says them in the reader's language.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from app.csv_cells import inert_cell

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def column(self, name: str) -> list[Cell]:
        """The values of one column, top to bottom."""
        at = self.columns.index(name)
        return [row[at] for row in self.rows]


def csv_text(table: Table) -> str:
    """The table as CSV, header first; a cell a spreadsheet would run as a formula stays text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert_cell(name) for name in table.columns])
    for row in table.rows:
        writer.writerow(["" if cell is None else inert_cell(cell) for cell in row])
    return out.getvalue()
