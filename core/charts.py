"""Server-side SVG charts for the pages: the style every chart shares and `inline_svg`,
through which every area's chart goes (the Q-check analytics, the evaluation cycles'
progress), so one place keeps SVG inside the portal's Content-Security-Policy.

A chart is drawn with matplotlib's SVG backend (no GUI). matplotlib writes `style="…"`
attributes and a `<style>` element, which `style-src 'self'` blocks, so `inline_svg` turns
every declaration into the equivalent presentation attribute (`fill="#1f77b4"`), drops the
`<style>`, the metadata and the XML prologue, prefixes every id with the chart's own (two
charts on one page never share an id), and adds `role="img"` with a `<title>` and `<desc>`
in the reader's language. The page puts a data table with the same figures next to each
chart.

matplotlib is imported inside the functions: `portal --help` must start quickly.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

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
