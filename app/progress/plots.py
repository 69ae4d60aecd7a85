"""The plots of the progress pages: each one a title, its data as a table, and its drawings.

Extension point: a feature adds a plot to a page by adding a PlotKind to CLASS_PLOTS (the
instructor's page) or LEARNER_PLOTS (the student's own). Its `table` reads the data for
the page's scope (the filters already checked), its `draw` turns that table into a
chart (`charts.py`) or returns None when there is nothing to draw. The page shows it in
order, with its table and a CSV link at /progress/class/<slug>.csv; nothing else needs
changing. Pathway progress comes in this way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic
from typing import TypeVar

from flask_babel import LazyString
from flask_babel import gettext
from flask_babel import lazy_gettext
from markupsafe import Markup

from app.progress import charts
from app.progress.accessible_svg import accessible_svg
from app.progress.class_tables import earned_table
from app.progress.class_tables import mastery_table
from app.progress.class_tables import review_table
from app.progress.learner_tables import standards_over_time_table
from app.progress.pathway_tables import pathway_table
from app.progress.scopes import ClassScope
from app.progress.scopes import LearnerScope
from app.progress.tables import Table

Scope = TypeVar("Scope", ClassScope, LearnerScope)


@dataclass(frozen=True)
class PlotKind(Generic[Scope]):
    slug: str
    # Lazy: said in the language of the page that shows the plot.
    title: LazyString
    # What the plot shows, in a sentence: its <desc>, and the line under its heading.
    description: LazyString
    table: Callable[[Scope], Table]
    draw: Callable[[Scope, Table, charts.Size], str | None]


@dataclass(frozen=True)
class Plot:
    slug: str
    title: str
    description: str
    table: Table
    # The table's column names in the page's language (the CSV keeps them in English).
    headers: tuple[str, ...]
    # The accessible SVG for each size (charts.SIZES); empty when there is nothing to draw.
    drawings: dict[str, Markup]


def _weeks(table: Table) -> list[date]:
    return [date.fromisoformat(str(day)) for day in table.column("Week starting")]


def _ints(table: Table, column: str) -> list[int]:
    return [int(value or 0) for value in table.column(column)]


def _heat_map(
    table: Table,
    rows: list[str],
    columns: list[str],
    *,
    share: str,
    label: tuple[str, str],
    colour_label: str,
    size: charts.Size,
) -> str | None:
    """A heat map of a table holding one row per (row, column) pair, row by row."""
    if not rows or not columns:
        return None
    width = len(columns)
    chunks = [table.rows[i : i + width] for i in range(0, len(table.rows), width)]
    at = {name: table.columns.index(name) for name in table.columns}
    part, whole = at[label[0]], at[label[1]]
    return charts.heat_map(
        rows,
        columns,
        [[float(row[at[share]] or 0) for row in chunk] for chunk in chunks],
        [[f"{row[part]}/{row[whole]}" for row in chunk] for chunk in chunks],
        colour_label=colour_label,
        size=size,
    )


def _draw_mastery(scope: ClassScope, table: Table, size: charts.Size) -> str | None:
    return _heat_map(
        table,
        [s.name for s in scope.students],
        [s.short_label for s in scope.standards],
        share="Share earned (%)",
        label=("Badges earned", "Badges aligned"),
        colour_label=gettext("Share of its badges earned (%)"),
        size=size,
    )


def _draw_pathways(scope: ClassScope, table: Table, size: charts.Size) -> str | None:
    # The table lists each student's pathways in the same order: the first student's are all.
    names = table.column("Pathway")
    pathways = [str(name) for name in names[: len(names) // max(1, len(scope.students))]]
    return _heat_map(
        table,
        [s.name for s in scope.students],
        pathways,
        share="Share done (%)",
        label=("Badges earned", "Badges needed"),
        colour_label=gettext("Needed badges earned (%)"),
        size=size,
    )


def _draw_earned(scope: ClassScope, table: Table, size: charts.Size) -> str | None:
    return charts.weekly_bars(
        _weeks(table), _ints(table, "Badges earned"), label=gettext("Badges earned"), size=size
    )


def _draw_reviews(scope: ClassScope, table: Table, size: charts.Size) -> str | None:
    averages = table.column("Average days to feedback")
    return charts.review_turnaround(
        _weeks(table),
        _ints(table, "Waiting at the week's end"),
        [None if a is None else float(a) for a in averages],
        size=size,
    )


def _draw_over_time(scope: LearnerScope, table: Table, size: charts.Size) -> str | None:
    if not scope.standards:
        return None
    width = len(scope.standards)
    so_far = _ints(table, "Badges earned so far")
    series = [(s.short_label, so_far[i::width]) for i, s in enumerate(scope.standards)]
    return charts.running_totals(
        _weeks(table)[::width], series, label=gettext("Badges earned so far"), size=size
    )


CLASS_PLOTS: dict[str, PlotKind[ClassScope]] = {
    kind.slug: kind
    for kind in (
        PlotKind(
            "mastery",
            lazy_gettext("Mastery by standard"),
            lazy_gettext(
                "A heat map of students by standards: each cell gives how many of the "
                "standard's badges the student held at the end of the term, out of those "
                "aligned to it."
            ),
            mastery_table,
            _draw_mastery,
        ),
        PlotKind(
            "earned",
            lazy_gettext("Badges earned over the term"),
            lazy_gettext(
                "A bar chart of the badges the class's students earned each week of the term."
            ),
            earned_table,
            _draw_earned,
        ),
        PlotKind(
            "reviews",
            lazy_gettext("Submissions waiting and time to feedback"),
            lazy_gettext(
                "Two charts by week: the submissions waiting for review at the end of the "
                "week, and the average days between a submission and the feedback on it."
            ),
            review_table,
            _draw_reviews,
        ),
        PlotKind(
            "pathways",
            lazy_gettext("Pathway progress"),
            lazy_gettext(
                "A heat map of students by pathways: each cell gives how many of the "
                "pathway's badges the student held at the end of the term, out of those it "
                "needs."
            ),
            pathway_table,
            _draw_pathways,
        ),
    )
}

LEARNER_PLOTS: dict[str, PlotKind[LearnerScope]] = {
    kind.slug: kind
    for kind in (
        PlotKind(
            "standards",
            lazy_gettext("Your progress by standard"),
            lazy_gettext(
                "A line chart with one line per standard: how many of its badges you held at "
                "the end of each week of the term."
            ),
            standards_over_time_table,
            _draw_over_time,
        ),
    )
}


def build_plot(kind: PlotKind[Scope], scope: Scope) -> Plot:
    """The plot of `kind` for `scope`: its table and, when there is data, its drawings."""
    table = kind.table(scope)
    title = str(kind.title)
    description = gettext(
        "%(description)s %(summary)s.", description=kind.description, summary=scope.summary
    )
    drawings = {}
    for size in charts.SIZES:
        raw = kind.draw(scope, table, size)
        if raw is not None:
            drawings[size.name] = Markup(
                accessible_svg(
                    raw,
                    title=title,
                    description=description,
                    id_prefix=f"{kind.slug}-{size.name}-",
                )
            )
    headers = tuple(gettext(name) for name in table.columns)
    return Plot(kind.slug, title, description, table, headers, drawings)
