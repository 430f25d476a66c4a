"""Server-side SVG charts of the Q-check analytics (matplotlib's SVG backend, no GUI).

Each chart is inline SVG that may sit in a page under the portal's Content-Security-Policy
(`style-src 'self'`): matplotlib writes `style="…"` attributes and a `<style>` element,
which that policy blocks, so `inline_svg` turns every declaration into the equivalent
presentation attribute (`fill="#1f77b4"`), drops the `<style>`, the metadata and the
XML prologue, prefixes every id with the chart's own (two charts on one page never share
an id), and adds `role="img"` with a `<title>` and `<desc>` in the reader's language. The
page puts a data table with the same figures next to each chart.

matplotlib is imported inside the functions: `portal --help` must start quickly. A chart
is a pure function of its figures and words, so the rendered SVG is kept (LRU).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from core.i18n import gettext as _
from qchecks.rules import format_average, format_hundredths

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
# The prefixes the chart is written with, by `_serialise` itself: ElementTree's global
# registry (`register_namespace`) is shared by the whole process, and importing WeasyPrint
# rewrites it (its '' entry drops the SVG default, so pages got `<ns0:svg>`).
PREFIXES = {SVG: "", XLINK: "xlink", XML: "xml"}

# Declarations matplotlib writes that SVG also takes as presentation attributes.
PRESENTATION = frozenset(
    {
        "clip-path",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
    }
)
LINE = "#0f5ba7"
THRESHOLD = "#b3261e"
BAR = "#0f5ba7"
RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # real <text>: smaller, selectable, in the page's font
    "svg.hashsalt": "qchecks",  # the same figures give the same SVG (and ids)
    "font.family": "sans-serif",
    "font.size": 10,
}


def quarterly_trend_svg(
    quarters: Sequence[dict[str, Any]], threshold_hundredths: int, chart_id: str = "trend"
) -> str:
    """The average per quarter as a line with points, and the threshold as a dashed line.
    `quarters` are the analytics' rows (`year`, `quarter`, `average`)."""
    points = tuple(
        (_("%(year)s Q%(quarter)s", year=row["year"], quarter=row["quarter"]), row["average"])
        for row in quarters
    )
    threshold = format_hundredths(threshold_hundredths)
    known = [(label, value) for label, value in points if value is not None]
    if known:
        low = min(known, key=lambda point: point[1])
        high = max(known, key=lambda point: point[1])
        extremes = _(
            "Lowest: %(low_quarter)s with %(low)s %%; highest: %(high_quarter)s with %(high)s %%.",
            low_quarter=low[0],
            low=format_average(low[1]),
            high_quarter=high[0],
            high=format_average(high[1]),
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


def inline_svg(figure: Any, chart_id: str, title: str, desc: str) -> str:
    # Public: every area's server-side chart goes through it (the Q-check analytics, the
    # evaluation cycles' progress), so one place keeps SVG inside the CSP.
    """The figure as SVG for a page under `style-src 'self'` (see the module's docstring)."""
    from defusedxml.ElementTree import fromstring
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    root = fromstring(buffer.getvalue())
    _drop_metadata_and_styles(root)
    _prefix_ids(root, chart_id)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            element.attrib.update(_presentation(style))
    # The <style> said `*{stroke-linejoin: round; stroke-linecap: butt}`: inherited from here.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    # Scales with its column; the height follows the viewBox.
    root.attrib.pop("height", None)
    root.set("width", "100%")
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    title_element = ET.Element(f"{{{SVG}}}title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG}}}desc", {"id": f"{chart_id}-desc"})
    desc_element.text = desc
    root.insert(0, desc_element)
    root.insert(0, title_element)
    return _serialise(root)


def _name(qualified: str) -> str:
    """`{uri}local` -> `prefix:local` (`local` in SVG's own namespace), by PREFIXES only."""
    if not qualified.startswith("{"):
        return qualified
    uri, _brace, local = qualified[1:].partition("}")
    prefix = PREFIXES.get(uri)
    if prefix is None:
        raise ValueError(f"a chart has an element or attribute in namespace {uri!r}")
    return f"{prefix}:{local}" if prefix else local


def _serialise(root: ET.Element) -> str:
    """The SVG as text, with the namespaces declared on the root: `<svg xmlns=…>`, never
    `<ns0:svg>`, whatever ElementTree's global registry holds meanwhile."""
    parts: list[str] = []

    def write(element: ET.Element, declarations: str) -> None:
        tag = _name(element.tag)
        attributes = "".join(
            f" {_name(key)}={quoteattr(value, {chr(10): '&#10;', chr(9): '&#09;'})}"
            for key, value in element.attrib.items()
        )
        parts.append(f"<{tag}{declarations}{attributes}")
        if element.text or len(element):
            parts.append(">" + escape(element.text or ""))
            for child in element:
                write(child, "")
            parts.append(f"</{tag}>")
        else:
            parts.append(" />")
        parts.append(escape(element.tail or ""))

    write(root, f' xmlns="{SVG}" xmlns:xlink="{XLINK}"')
    return "".join(parts)


def _drop_metadata_and_styles(root: ET.Element) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}metadata", f"{{{SVG}}}style"):
                parent.remove(child)


def _prefix_ids(root: ET.Element, chart_id: str) -> None:
    """Ids of groups go (nothing points at them); the others get the chart's prefix, and so
    do the references to them (`#id`, `url(#id)`)."""
    renamed: dict[str, str] = {}
    for element in root.iter():
        name = element.attrib.get("id")
        if name is None:
            continue
        if element.tag == f"{{{SVG}}}g":
            del element.attrib["id"]
        else:
            renamed[name] = f"{chart_id}-{name}"
            element.set("id", renamed[name])
    if not renamed:
        return
    reference = re.compile(r"#([A-Za-z_][\w.\-]*)")
    for element in root.iter():
        for key, value in element.attrib.items():
            if "#" in value and key != "id":
                element.set(
                    key,
                    reference.sub(
                        lambda match: "#" + renamed.get(match.group(1), match.group(1)), value
                    ),
                )


def _presentation(style: str) -> dict[str, str]:
    """`fill: #fff; stroke-width: 0.8` -> {"fill": "#fff", "stroke-width": "0.8"}; anything
    that is not a presentation attribute is left out."""
    attributes = {}
    for declaration in style.split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            attributes[name] = value
    return attributes
