"""DG R&O's view of the audit log: filter, page, and the htmx fragment pattern."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.audit_log import (
    AuditFilter,
    action_label,
    audit_actions,
    audit_page,
    outcome_label,
    record_label,
)
from core.paging import pager
from webkit.guards import requires_dgro
from webkit.rendering import render


class AuditController(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="audit")
    async def audit_log(self, request: HTMXRequest, page: FromQuery[int] = 1) -> Template:
        filters = AuditFilter.from_query(dict(request.query_params))
        result = await audit_page(filters, page)
        context = {
            "entries": result.rows,
            "filters": filters,
            "actions": await audit_actions(),
            "total": result.total,
            "action_label": action_label,
            "record_label": record_label,
            "outcome_label": outcome_label,
            **pager(result, filters.query_string),
        }
        return render(
            request,
            "portal/audit.html",
            context,
            status=400 if filters.errors else 200,
            push_url=f"/audit?{filters.query_string(result.page)}",
        )
