"""Answers of the web shell: a page or its fragment from one template, and downloads.

`render` is the one place that decides between the whole page and the htmx fragment:
a normal request and a boosted navigation get the page, an htmx request the named
block of the same template, so the two cannot drift apart. Both vary on HX-Request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from jinja2_fragments import render_block
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import MediaType, Request, Response
from litestar.response import Template

from core.i18n import current_language
from core.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_bytes, xlsx_bytes
from core.versions import VersionedCache

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


# Rendered fragments that are the same for every reader: see `render_kept`.
_KEPT_FRAGMENTS = VersionedCache(size=512)


class _NoToken:
    """What a kept fragment gets for the CSRF token: kept HTML is shared between readers,
    so a form in it would hand one reader's token to another. Rendering one fails."""

    def __str__(self) -> str:
        raise RuntimeError("a kept fragment cannot contain a form (its CSRF token is per reader)")

    __html__ = __str__


async def render_kept(
    request: Request,
    template: str,
    block: str,
    key: Hashable,
    context: Callable[[], Awaitable[dict[str, Any]]],
) -> Template | Response:
    """`render`, for a block that is the same for every reader of one language at one data
    version (a dashboard on a date): the htmx fragment is rendered once per `key`,
    language and data version and kept, so a reader's repeated request costs no template
    work. Whole pages are rendered each time. The block may hold no form (no CSRF token)."""
    if not wants_fragment(request):
        return render(request, template, await context(), block=block)

    async def rendered() -> str:
        environment = request.app.template_engine.engine  # type: ignore[union-attr]
        values = {**await context(), "request": request, "csrf_input": _NoToken()}
        return render_block(environment, template, block, **values)

    html = await _KEPT_FRAGMENTS.get((template, block, current_language(), key), rendered)
    return Response(html, media_type=MediaType.HTML, headers=VARY)


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
