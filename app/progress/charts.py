"""The plots, drawn with matplotlib into SVG text.

Thread-safe: each chart is its own `matplotlib.figure.Figure`, saved through the SVG
backend; pyplot, its global figure state and the rcParams are never touched. Each chart
comes in two sizes, one for a desktop's column and one for a phone's, and labels every
value in text, so no reading depends on colour alone.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from babel import dates
from flask_babel import gettext

from app.i18n import current_language

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

BRAND = "#1f5f45"
ACCENT = "#b4531b"
INK = "#1c2430"
# Okabe-Ito: told apart by readers with any common colour-vision deficiency.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


@dataclass(frozen=True)
class Size:
    """A chart's width in inches and the size of its text in points."""

    name: str
    width: float
    font: float

    @property
    def narrow(self) -> bool:
        return self.name == "narrow"


WIDE = Size("wide", 9.0, 11.0)
NARROW = Size("narrow", 4.0, 11.0)
SIZES = (WIDE, NARROW)


def _new_figure(width: float, height: float) -> Figure:
    """A figure of its own. matplotlib loads with the first chart, not with the app: it
    would cost every process (each command, each server worker) about a second to start."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _locator(**options: int) -> MaxNLocator:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(**options)


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _week_label(day: date) -> str:
    """`07 Sep` (`07 sept` in Spanish): the day and the month in the reader's language."""
    return dates.format_date(day, "dd MMM", locale=current_language())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _style_axes(axes: Axes, size: Size) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=size.font, colors=INK)
    axes.yaxis.set_major_locator(_locator(integer=True))


def _week_ticks(axes: Axes, weeks: Sequence[date], size: Size) -> None:
    step = max(1, math.ceil(len(weeks) / (6 if size.narrow else 14)))
    positions = list(range(0, len(weeks), step))
    axes.set_xticks(positions, [_week_label(weeks[i]) for i in positions])
    axes.tick_params(axis="x", labelrotation=45)
    for label in axes.get_xticklabels():
        label.set_horizontalalignment("right")
        label.set_rotation_mode("anchor")


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    shares: Sequence[Sequence[float]],
    labels: Sequence[Sequence[str]],
    *,
    colour_label: str,
    size: Size,
) -> str:
    """Rows x columns of shares from 0 to 100, each cell labelled with its own text."""
    height = 1.6 + 0.42 * len(rows) + (0.6 if size.narrow else 0)
    figure = _new_figure(size.width, height)
    axes = figure.subplots()
    # Vector cells (not a raster image): crisp at any width, and no image inside the SVG.
    image = axes.pcolormesh(
        shares, cmap="Greens", vmin=0, vmax=100, edgecolors="white", linewidth=1.5
    )
    axes.invert_yaxis()
    names = [_cut(r, 14 if size.narrow else 28) for r in rows]
    axes.set_yticks([y + 0.5 for y in range(len(rows))], names)
    axes.set_xticks([x + 0.5 for x in range(len(columns))], list(columns))
    axes.tick_params(labelsize=size.font, colors=INK, length=0)
    axes.tick_params(axis="x", labelrotation=90 if size.narrow else 30)
    if not size.narrow:
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
    for spine in axes.spines.values():
        spine.set_visible(False)
    for y, row in enumerate(labels):
        for x, text in enumerate(row):
            axes.text(
                x + 0.5,
                y + 0.5,
                text,
                ha="center",
                va="center",
                fontsize=size.font,
                color="white" if shares[y][x] >= 60 else INK,
            )
    bar = figure.colorbar(
        image,
        ax=axes,
        # On top: below, the standards' turned labels would cross it; beside, a class of
        # two students is shorter than its label.
        location="top",
        fraction=0.05,
        pad=0.04,
    )
    bar.set_label(colour_label, fontsize=size.font, color=INK)
    bar.ax.tick_params(labelsize=size.font - 1)
    return _svg(figure)


def weekly_bars(weeks: Sequence[date], counts: Sequence[int], *, label: str, size: Size) -> str:
    """One bar a week, its count written above it."""
    figure = _new_figure(size.width, 3.6 if size.narrow else 3.4)
    axes = figure.subplots()
    positions = range(len(weeks))
    bars = axes.bar(positions, counts, color=BRAND, width=0.7)
    axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], fontsize=size.font - 1)
    axes.set_ylabel(label, fontsize=size.font, color=INK)
    axes.set_xlabel(gettext("Week starting"), fontsize=size.font, color=INK)
    _style_axes(axes, size)
    _week_ticks(axes, weeks, size)
    axes.set_ylim(0, max([*counts, 1]) * 1.2)
    return _svg(figure)


def review_turnaround(
    weeks: Sequence[date],
    waiting: Sequence[int],
    average_days: Sequence[float | None],
    *,
    size: Size,
) -> str:
    """Two panels on one week axis: submissions waiting, and the average days to feedback."""
    figure = _new_figure(size.width, 5.4 if size.narrow else 4.8)
    top, bottom = figure.subplots(2, 1, sharex=True)
    positions = list(range(len(weeks)))
    bars = top.bar(positions, waiting, color=ACCENT, width=0.7)
    top.bar_label(bars, labels=[str(w) if w else "" for w in waiting], fontsize=size.font - 1)
    top.set_ylabel(gettext("Waiting at\nweek's end"), fontsize=size.font, color=INK)
    top.set_ylim(0, max([*waiting, 1]) * 1.25)
    _style_axes(top, size)
    known = [(x, d) for x, d in zip(positions, average_days, strict=True) if d is not None]
    if known:
        xs, days = zip(*known, strict=True)
        bottom.plot(xs, days, color=BRAND, marker="o", linewidth=2)
        for x, d in known:
            bottom.annotate(
                f"{d:g}",
                (x, d),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=size.font - 1,
                color=INK,
            )
        bottom.set_ylim(0, max(days) * 1.3 + 0.5)
    else:
        bottom.set_ylim(0, 1)
    bottom.set_ylabel(gettext("Average days\nto feedback"), fontsize=size.font, color=INK)
    bottom.set_xlabel(gettext("Week starting"), fontsize=size.font, color=INK)
    _style_axes(bottom, size)
    bottom.yaxis.set_major_locator(_locator(nbins=4))
    bottom.set_xlim(-0.6, len(weeks) - 0.4)
    _week_ticks(bottom, weeks, size)
    return _svg(figure)


def running_totals(
    weeks: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    label: str,
    size: Size,
) -> str:
    """One stepped line per series (a colour and a marker each), the legend below."""
    figure = _new_figure(size.width, 4.2 if size.narrow else 3.8)
    axes = figure.subplots()
    positions = list(range(len(weeks)))
    top = 1
    for index, (name, values) in enumerate(series):
        axes.step(
            positions,
            values,
            where="post",
            color=SERIES_COLOURS[index % len(SERIES_COLOURS)],
            marker=MARKERS[index % len(MARKERS)],
            markersize=5,
            linewidth=2,
            label=name,
        )
        top = max(top, *values)
    axes.set_ylim(0, top + 0.5)
    axes.set_ylabel(label, fontsize=size.font, color=INK)
    axes.set_xlabel(gettext("Week starting"), fontsize=size.font, color=INK)
    _style_axes(axes, size)
    _week_ticks(axes, weeks, size)
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.3 if size.narrow else -0.22),
        ncol=1 if size.narrow else 3,
        fontsize=size.font - 1,
        frameon=False,
    )
    return _svg(figure)
