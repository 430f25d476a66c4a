"""DG R&O's view of the audit log: filter, page, and the htmx fragment pattern."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Controller, get
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.audit import Outcome
from portal.guards import requires_dgro
from core.i18n import gettext as _
from core.tables import AuditEntry
from portal.templating import wants_fragment

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    actor: str = ""
    action: str = ""
    outcome: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: dict[str, str]) -> AuditFilter:
        result = cls(
            actor=query.get("actor", "").strip(),
            action=query.get("action", "").strip(),
            outcome=query.get("outcome", "").strip(),
        )
        if result.outcome and result.outcome not in {Outcome.OK, Outcome.DENIED, Outcome.FAILED}:
            result.errors["outcome"] = _("Choose an outcome from the list.")
        for name in ("date_from", "date_to"):
            raw = query.get(name, "").strip()
            if not raw:
                continue
            try:
                setattr(result, name, dt.date.fromisoformat(raw))
            except ValueError:
                result.errors[name] = _("Give the date as YYYY-MM-DD, e.g. 2026-03-15.")
        if result.date_from and result.date_to and result.date_from > result.date_to:
            result.errors["date_to"] = _("The end date comes before the start date.")
        return result

    def where(self):
        clauses = []
        if self.actor:
            clauses.append(AuditEntry.actor_email.ilike(f"%{self.actor}%"))
        if self.action:
            clauses.append(AuditEntry.action == self.action)
        if self.outcome:
            clauses.append(AuditEntry.outcome == self.outcome)
        if self.date_from:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=dt.UTC)
            clauses.append(AuditEntry.at >= start)
        if self.date_to:
            end = dt.datetime.combine(
                self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
            )
            clauses.append(AuditEntry.at < end)
        return clauses

    def query_string(self, page: int) -> str:
        params = {
            "actor": self.actor,
            "action": self.action,
            "outcome": self.outcome,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "page": str(page),
        }
        return urlencode({k: v for k, v in params.items() if v})


class AuditController(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="audit")
    async def audit_log(self, request: HTMXRequest, page: FromQuery[int] = 1) -> Template:
        filters = AuditFilter.from_query(dict(request.query_params))
        page = max(page, 1)
        entries: list[dict] = []
        total = 0
        if not filters.errors:
            query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
            count = AuditEntry.count()
            for clause in filters.where():
                query = query.where(clause)
                count = count.where(clause)
            total = await count
            entries = await query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        actions = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        context = {
            "entries": entries,
            "filters": filters,
            "actions": [row["action"] for row in actions],
            "page": page,
            "pages": pages,
            "total": total,
            "previous_query": filters.query_string(page - 1) if page > 1 else None,
            "next_query": filters.query_string(page + 1) if page < pages else None,
        }
        status = 400 if filters.errors else 200
        headers = {"Vary": "HX-Request"}
        if wants_fragment(request):
            return HTMXBlockTemplate(
                template_name="audit/index.html",
                block_name="results",
                context=context,
                status_code=status,
                headers=headers,
                push_url=f"/audit?{filters.query_string(page)}",
            )
        return Template("audit/index.html", context=context, status_code=status, headers=headers)
