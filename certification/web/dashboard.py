"""Organisations: DG R&O's overview of every level, and each organisation's dashboard."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from certification import explain
from certification.dashboard import organisation_dashboard, organisation_look_ahead
from certification.overview import OverviewFilter, overview
from core.paging import pager
from portal.forms import parse_as_of
from portal.guards import requires_dgro, requires_organisation_scope
from portal.lookups import no_such_organisation
from portal.rendering import render, render_kept


class OrganisationController(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/", guards=[requires_dgro], name="organisations")
    async def organisations(
        self,
        request: HTMXRequest,
        as_of: FromQuery[str | None] = None,
        level: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        attention: FromQuery[bool] = False,
        page: FromQuery[int] = 1,
    ) -> Template:
        """Every organisation with its levels and what fails, sortable and filterable."""
        filters = OverviewFilter.from_query(parse_as_of(as_of), level, q, sort, attention)
        result = await overview(filters, page)
        number = result.page.page
        context = {
            "rows": result.page.rows,
            "matched": result.matched,
            "total": result.total,
            "as_of": filters.as_of,
            "filters": filters,
            "explain": explain,
            **pager(result.page, filters.query_string),
        }
        return render(
            request,
            "certification/overview.html",
            context,
            push_url=f"/organisations?{filters.query_string(number)}",
        )

    @get("/{code:str}", guards=[requires_organisation_scope], name="organisation")
    async def organisation(
        self, request: HTMXRequest, code: FromPath[str], as_of: FromQuery[str | None] = None
    ) -> Template | Response:
        """The dashboard: levels, conditions with the exact gap, coverage, look-ahead, tasks."""
        day = parse_as_of(as_of)

        async def context() -> dict[str, Any]:
            dashboard = await organisation_dashboard(code, day)
            if dashboard is None:
                raise no_such_organisation(code)
            return {**vars(dashboard), "explain": explain}

        return await render_kept(
            request, "certification/dashboard.html", "dashboard", (code, day), context
        )

    @get("/{code:str}/look-ahead", guards=[requires_organisation_scope], name="look_ahead")
    async def look_ahead(
        self, request: HTMXRequest, code: FromPath[str], as_of: FromQuery[str | None] = None
    ) -> Template | Response:
        """When the level would drop if nothing changes: the dashboard loads it lazily."""
        day = parse_as_of(as_of)

        async def context() -> dict[str, Any]:
            result = await organisation_look_ahead(code, day)
            if result is None:
                raise no_such_organisation(code)
            return {**vars(result), "explain": explain}

        return await render_kept(
            request, "certification/lookahead.html", "lookahead", (code, day), context
        )
