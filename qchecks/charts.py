"""Server-side SVG charts of the Q-check analytics: the quarterly trend against the
threshold and the distribution over score bands, drawn in the portal's chart style and made
inline SVG by `core.charts.inline_svg` (see there for what it does to stay inside the CSP).

matplotlib is imported inside the functions: `portal --help` must start quickly. A chart
is a pure function of its figures and words, so the rendered SVG is kept (LRU).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from core.charts import BAR, LINE, RC, THRESHOLD, inline_svg
from core.i18n import format_figure
from core.i18n import gettext as _
from qchecks.rules import format_average, format_hundredths


def quarterly_trend_svg(
    quarters: Sequence[dict[str, Any]], threshold_hundredths: int, chart_id: str = "trend"
) -> str:
    """The average per quarter as a line with points, and the threshold as a dashed line.
    `quarters` are the analytics' rows (`year`, `quarter`, `average`)."""
    points = tuple(
        (_("%(year)s Q%(quarter)s", year=row["year"], quarter=row["quarter"]), row["average"])
        for row in quarters
    )
    threshold = format_figure(format_hundredths(threshold_hundredths))
    known = [(label, value) for label, value in points if value is not None]
    if known:
        low = min(known, key=lambda point: point[1])
        high = max(known, key=lambda point: point[1])
        extremes = _(
            "Lowest: %(low_quarter)s with %(low)s %%; highest: %(high_quarter)s with %(high)s %%.",
            low_quarter=low[0],
            low=format_figure(format_average(low[1])),
            high_quarter=high[0],
            high=format_figure(format_average(high[1])),
        )
    else:
        extremes = ""
    words = (
        _("Average Q-check score per quarter"),
        " ".join(
            part
            for part in (
                _(
                    "Line chart of the average score of the Q-checks of each quarter, "
                    "%(count)d quarters, against the threshold of %(threshold)s %% "
                    "(dashed line).",
                    count=len(points),
                    threshold=threshold,
                ),
                extremes,
                _("The table after the chart gives every figure."),
            )
            if part
        ),
        _("Quarter"),
        _("Average score (%)"),
        _("Average per quarter"),
        _("Threshold %(threshold)s %%", threshold=threshold),
    )
    return _trend(points, threshold_hundredths, words, chart_id)


def distribution_svg(bands: Sequence[dict[str, Any]], chart_id: str = "distribution") -> str:
    """Q-checks per 10-point score band as bars. `bands` are the analytics' rows (`low`,
    `high`, `count`), every band present."""
    counts = tuple((f"{row['low']}–{row['high']}", int(row["count"])) for row in bands)
    words = (
        _("Q-checks per score band"),
        " ".join(
            (
                _(
                    "Bar chart of the number of Q-checks of the last twelve months per "
                    "10-point score band, from 0–10 to 90–100 (100 counts in 90–100); "
                    "%(count)d Q-checks in all.",
                    count=sum(count for _label, count in counts),
                ),
                _("The table after the chart gives every figure."),
            )
        ),
        _("Score (%)"),
        _("Number of Q-checks"),
    )
    return _distribution(counts, words, chart_id)


@lru_cache(maxsize=256)
def _trend(
    points: tuple[tuple[str, float | None], ...],
    threshold_hundredths: int,
    words: tuple[str, ...],
    chart_id: str,
) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    title, desc, x_label, y_label, line_label, threshold_label = words
    threshold = threshold_hundredths / 100
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.5, 3.4))
        axes = figure.add_subplot()
        positions = list(range(len(points)))
        values = [math.nan if value is None else value for _label, value in points]
        axes.plot(positions, values, marker="o", color=LINE, linewidth=2, label=line_label)
        axes.axhline(
            threshold, color=THRESHOLD, linestyle="--", linewidth=1.5, label=threshold_label
        )
        known = [value for value in values if not math.isnan(value)]
        lowest = min([*known, threshold])
        axes.set_ylim(max(0, math.floor((lowest - 5) / 10) * 10), 100)
        step = max(1, math.ceil(len(points) / 16))  # at most 16 labels on the axis
        axes.set_xticks(positions[::step], [label for label, _v in points][::step])
        if len(points) > 6:
            axes.tick_params(axis="x", labelrotation=45)
            for tick in axes.get_xticklabels():
                tick.set_horizontalalignment("right")
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.grid(axis="y", linewidth=0.5, color="#cccccc")
        axes.legend(loc="best")
        figure.tight_layout()
        return inline_svg(figure, chart_id, title, desc)


@lru_cache(maxsize=256)
def _distribution(
    counts: tuple[tuple[str, int], ...], words: tuple[str, ...], chart_id: str
) -> str:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    title, desc, x_label, y_label = words
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.5, 3.4))
        axes = figure.add_subplot()
        positions = list(range(len(counts)))
        axes.bar(positions, [count for _label, count in counts], color=BAR, width=0.8)
        axes.set_xticks(positions, [label for label, _count in counts])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.grid(axis="y", linewidth=0.5, color="#cccccc")
        axes.set_axisbelow(True)
        figure.tight_layout()
        return inline_svg(figure, chart_id, title, desc)
