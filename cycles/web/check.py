"""HR's data tools (issue 22): before the evaluations start (early December), the list of
who is to be evaluated for a year (the days of performance, absences counted) and of the
evaluators each lacks, with a link to assign them; as CSV or XLSX too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from cycles import labels
from cycles.hr import queries
from cycles.web.hr import HR_GUARDS
from organisations.queries import organisation_by_code
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render, spreadsheet

CHECK_TEMPLATE = "cycles/hr_check.html"
CHECK_COLUMNS = (
    "email",
    "name",
    "cycle_kind",
    "cycle_start",
    "cycle_end",
    "performance_days",
    "to_be_evaluated",
    "first_evaluator",
    "second_evaluator",
    "missing",
)


def _year(value: str, today: dt.date) -> int:
    """The year asked for, within ten years of today; else the year whose evaluations come
    next (this one)."""
    return int(value) if value.isdigit() and abs(int(value) - today.year) <= 10 else today.year


def check_rows(rows: Sequence[queries.CheckRow]) -> list[tuple[Any, ...]]:
    return [
        (
            row.email, row.name, row.kind, row.starts_on.isoformat(), row.ends_on.isoformat(),
            row.performance_days, "yes" if row.due else "no", row.first, row.second,
            " ".join(row.missing),
        )
        for row in rows
    ]  # fmt: skip


class CheckController(Controller):
    """Who is to be evaluated for a year, and the evaluators they lack."""

    path = "/organisations/{code:str}/cycles/check"
    include_in_schema = False
    guards = HR_GUARDS

    @get("/", name="cycles_check")
    async def check(
        self,
        request: HTMXRequest,
        code: FromPath[str],
        year: FromQuery[str] = "",
        problems: FromQuery[str] = "",
    ) -> Template:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        today = dt.date.today()
        chosen = _year(year, today)
        rows = await queries.evaluators_check(organisation.id, chosen, today)
        shown = [row for row in rows if row.missing] if problems else rows
        context = {
            "organisation": organisation,
            "year": chosen,
            "years": range(today.year - 1, today.year + 2),
            "problems": bool(problems),
            "rows": shown,
            "due": sum(1 for row in rows if row.due),
            "lacking": sum(1 for row in rows if row.missing),
            "total": len(rows),
            "L": labels,
        }
        return render(request, CHECK_TEMPLATE, context, block=None)

    @get(["/export.csv", "/export.xlsx"], name="cycles_check_export")
    async def export(
        self, request: Request, code: FromPath[str], year: FromQuery[str] = ""
    ) -> Response:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        today = dt.date.today()
        chosen = _year(year, today)
        rows = await queries.evaluators_check(organisation.id, chosen, today)
        return spreadsheet(
            request,
            f"evaluators-check-{organisation.code}-{chosen}",
            f"check {organisation.code} {chosen}",
            CHECK_COLUMNS,
            check_rows(rows),
        )
