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
from webkit.forms import as_of_field, parse_as_of
from webkit.guards import (
    QCHECK_READERS,
    current_user,
    requires_dgro,
    requires_organisation_scope,
)
from webkit.lookups import no_such_organisation
from webkit.rendering import render, render_kept


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
        field = as_of_field(as_of)
        filters = OverviewFilter.from_query(field.day, level, q, sort, attention)
        result = await overview(filters, page)
        number = result.page.page
        context = {
            "rows": result.page.rows,
            "matched": result.matched,
            "total": result.total,
            "as_of": filters.as_of,
            "as_of_field": field,
            "filters": filters,
            "explain": explain,
            **pager(result.page, filters.query_string),
        }
        return render(
            request,
            "certification/overview.html",
            context,
            status=field.status,
            push_url=f"/organisations?{filters.query_string(number)}",
        )

    @get("/{code:str}", guards=[requires_organisation_scope], name="organisation")
    async def organisation(
        self, request: HTMXRequest, code: FromPath[str], as_of: FromQuery[str | None] = None
    ) -> Template | Response:
        """The dashboard: levels, conditions with the exact gap, coverage, look-ahead, tasks.
        A bad date shows today's dashboard with the error next to the date field (400)."""
        field = as_of_field(as_of)
        day = field.day
        # Evaluators and staff read the dashboard, not the Q-checks: no link they cannot follow.
        user = current_user(request)
        reads_qchecks = user is not None and user.has_role(*QCHECK_READERS)

        async def context() -> dict[str, Any]:
            dashboard = await organisation_dashboard(code, day)
            if dashboard is None:
                raise no_such_organisation(code)
            return {
                **vars(dashboard),
                "explain": explain,
                "as_of_field": field,
                "reads_qchecks": reads_qchecks,
            }

        if field.error:
            return render(
                request,
                "certification/dashboard.html",
                await context(),
                block="dashboard",
                status=field.status,
            )
        key = (code, day, reads_qchecks)
        return await render_kept(request, "certification/dashboard.html", "dashboard", key, context)

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
