"""Reading the audit log: DG R&O's filters and one page of entries, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from core.audit import Outcome
from core.i18n import gettext as _
from core.paging import Page, fetch_page
from core.parsing import date_field
from core.tables import AuditEntry


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
            day, problem = date_field(raw)
            if problem:
                result.errors[name] = problem
            else:
                setattr(result, name, day)
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


async def audit_page(filters: AuditFilter, page: int) -> Page:
    """One page of the entries that pass the filters (none while a filter is invalid)."""
    if filters.errors:
        return Page(rows=[], total=0, page=1, pages=1)
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    return await fetch_page(query, AuditEntry.count(), filters.where(), page)


async def audit_actions() -> list[str]:
    """Every action name in the log, for the filter's list."""
    rows = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [row["action"] for row in rows]


async def record_history(table: str, key: str) -> list[dict]:
    """Every entry about one record (who changed what, when, before and after), oldest
    first: the history shown on the record's own page."""
    return await (
        AuditEntry.select()
        .where((AuditEntry.table_name == table) & (AuditEntry.record_key == key))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
