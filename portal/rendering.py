"""Answers of the web shell: a page or its fragment from one template, and downloads.

`render` is the one place that decides between the whole page and the htmx fragment:
a normal request and a boosted navigation get the page, an htmx request the named
block of the same template, so the two cannot drift apart. Both vary on HX-Request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, Response
from litestar.response import Template

from core.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_bytes, xlsx_bytes

VARY = {"Vary": "HX-Request"}


def wants_fragment(request: Request) -> bool:
    """An htmx request for part of a page; boosted navigations still get the whole page."""
    details = getattr(request, "htmx", None)
    return bool(details) and not details.boosted  # type: ignore[union-attr]


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = "results",
    status: int = 200,
    push_url: str | None = None,
    re_target: str | None = None,
    re_swap: str | None = None,
) -> Template:
    """The page, or for htmx its `block` (None: always the whole page)."""
    if block is not None and wants_fragment(request):
        options: dict[str, Any] = {}
        if push_url is not None:
            options["push_url"] = push_url
        if re_target is not None:
            options["re_target"] = re_target
        if re_swap is not None:
            options["re_swap"] = re_swap
        return HTMXBlockTemplate(
            template_name=template,
            block_name=block,
            context=context,
            status_code=status,
            headers=VARY,
            **options,
        )
    return Template(template, context=context, status_code=status, headers=VARY)


def download(content: bytes, file_name: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )


def spreadsheet(
    request: Request, prefix: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Response:
    """`prefix-YYYY-MM-DD.csv` or `.xlsx`, whichever the path asked for."""
    fmt = "xlsx" if request.url.path.endswith(".xlsx") else "csv"
    name = f"{prefix}-{dt.date.today().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return download(xlsx_bytes(title, header, rows), name, XLSX_MEDIA_TYPE)
    return download(csv_bytes(header, rows), name, CSV_MEDIA_TYPE)
