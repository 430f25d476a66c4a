"""Q-check analytics: an organisation's figures with charts, DG R&O's ranking of every
organisation, and a CSV/XLSX download of every table. The pages stand in certification's
web because their official figures are certification's engine (qchecks, below it, does not
import certification); their templates stay under `templates/qchecks/`.

The official figures (the window average of AZ-certified consultants, the threshold of
the policy in force) come from the certification engine; `qchecks.analytics` adds the
breakdowns; `qchecks.charts` draws them as inline SVG with presentation attributes (the
CSP allows no `style`), each next to a table with the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from certification import explain
from certification.dashboard import organisation_dashboard
from certification.eligibility import OrganisationEligibility, eligibility_for_all
from certification.rules import Eligibility
from core import versions
from core.i18n import gettext as _
from core.paging import pager
from organisations.queries import organisation_names
from qchecks import analytics, charts
from qchecks.rules import format_average, format_hundredths, one_year_before
from webkit.forms import as_of_field, parse_as_of
from webkit.guards import requires_dgro, requires_organisation_scope, requires_qcheck_reader
from webkit.lookups import no_such_organisation
from webkit.rendering import render, spreadsheet

ANALYTICS_TEMPLATE = "qchecks/analytics.html"
RANKING_TEMPLATE = "qchecks/ranking.html"


def threshold_hundredths(eligibility: Eligibility) -> int:
    """The policy's minimum Q-check average on the day, exactly as adopted (80.07 -> 8007):
    the `required` figure of the engine's `qcheck_average` condition."""
    return round(float(eligibility.condition("qcheck_average").required) * 100)


def _table_name(table: str | None) -> str:
    if table not in analytics.TABLES:
        raise ClientException(
            _(
                "Choose which table to download: table=%(tables)s.",
                tables="|".join(analytics.TABLES),
            )
        )
    return table


async def organisation_figures(
    code: str, day: dt.date
) -> tuple[Any, analytics.OrganisationAnalytics]:
    """The engine's dashboard (official figures) and the breakdowns, both kept per day and
    data version; a 404 for an unknown code."""
    dashboard = await organisation_dashboard(code, day)
    if dashboard is None:
        raise no_such_organisation(code)
    return dashboard, await analytics.organisation_analytics(dashboard.organisation["id"], day)


async def organisation_page(code: str, day: dt.date) -> dict[str, Any]:
    """Everything the analytics page shows, the two charts included."""
    dashboard, figures = await organisation_figures(code, day)
    threshold = threshold_hundredths(dashboard.eligibility)
    trend = distribution = None
    if figures.quarters:
        trend = charts.quarterly_trend_svg(figures.quarters, threshold, "qcheck-trend")
    if figures.window_count:
        distribution = charts.distribution_svg(figures.distribution, "qcheck-distribution")
    return {
        "organisation": dashboard.organisation,
        "base": f"/organisations/{dashboard.organisation['code']}/qchecks/analytics",
        "as_of": day,
        "official": dashboard.eligibility.condition("qcheck_average"),
        "official_count": dashboard.eligibility.qcheck_count,
        "threshold": threshold,
        "figures": figures,
        "trend_svg": trend,
        "distribution_svg": distribution,
        "tables": analytics.TABLES,
        "explain": explain,
        "format_average": format_average,
        "format_hundredths": format_hundredths,
    }


def _figures(results: list[OrganisationEligibility], names: dict[str, Any]) -> list[dict]:
    """The engine's official figures per organisation, as `analytics.ranking_rows` takes them."""
    return [
        {
            "code": r.eligibility.organisation,
            "name_nl": names.get(r.eligibility.organisation, {}).get("name_nl", ""),
            "name_fr": names.get(r.eligibility.organisation, {}).get("name_fr", ""),
            "average": r.eligibility.qcheck_average,
            "count": r.eligibility.qcheck_count,
            "granted": str(r.granted),
            "eligible": str(r.eligibility.eligible_level),
        }
        for r in results
    ]


@dataclass(frozen=True)
class Ranked:
    rows: list[dict[str, Any]]  # every organisation, ranked
    threshold: int | None  # the policy's minimum on the day; None without any organisation


# The ranked rows per day and data version: eligibility on both days is kept by the engine
# too, but ranking a thousand organisations again for every page and filter is not free.
_RANKED = versions.VersionedCache(size=16)


async def _rank(day: dt.date) -> Ranked:
    current = await eligibility_for_all(day)
    if not current:
        return Ranked([], None)
    previous = await eligibility_for_all(one_year_before(day))
    names = await organisation_names()
    threshold = threshold_hundredths(current[0].eligibility)  # one policy for all on a day
    rows = analytics.ranked_rows(_figures(current, names), _figures(previous, names), threshold)
    return Ranked(rows, threshold)


async def ranking(day: dt.date, filters: analytics.RankingFilter) -> tuple[Ranked, list[dict]]:
    """Every organisation ranked on `day` (kept per day and data version) and the rows the
    filters keep."""
    ranked = await _RANKED.get(day, lambda: _rank(day))
    return ranked, analytics.filter_ranking(ranked.rows, filters)


def _ranking_query(day: dt.date, filters: analytics.RankingFilter, page: int | None = None) -> str:
    params = {
        "as_of": day.isoformat(),
        "q": filters.q,
        "level": filters.level,
        "near": "true" if filters.near else "",
        "page": str(page) if page else "",
    }
    return urlencode({key: value for key, value in params.items() if value})


class QCheckAnalyticsController(Controller):
    include_in_schema = False

    @get(
        "/organisations/{code:str}/qchecks/analytics",
        guards=[requires_organisation_scope, requires_qcheck_reader],
        name="qcheck_analytics",
    )
    async def organisation_analytics(
        self, request: HTMXRequest, code: FromPath[str], as_of: FromQuery[str | None] = None
    ) -> Template:
        """The organisation's Q-checks: the official average against the threshold, the
        window per consultant and language role, the trend per quarter, the distribution
        of scores and the weakest criteria; htmx swaps the figures for another date."""
        field = as_of_field(as_of)
        day = field.day
        context = {**await organisation_page(code, day), "as_of_field": field}
        return render(
            request,
            ANALYTICS_TEMPLATE,
            context,
            block="analytics",
            status=field.status,
            push_url=f"{context['base']}?as_of={day.isoformat()}",
        )

    @get(
        [
            "/organisations/{code:str}/qchecks/analytics.csv",
            "/organisations/{code:str}/qchecks/analytics.xlsx",
        ],
        guards=[requires_organisation_scope, requires_qcheck_reader],
        name="qcheck_analytics_export",
    )
    async def organisation_analytics_export(
        self,
        request: Request,
        code: FromPath[str],
        table: FromQuery[str | None] = None,
        as_of: FromQuery[str | None] = None,
    ) -> Response:
        """One table of the analytics page (`?table=`), as CSV or XLSX."""
        name = _table_name(table)
        day = parse_as_of(as_of)
        dashboard, figures = await organisation_figures(code, day)
        header, rows = analytics.analytics_table(figures, name)
        prefix = f"{dashboard.organisation['code']}-qchecks-{name}-as-of-{day.isoformat()}"
        return spreadsheet(request, prefix, name, header, rows)

    @get("/qchecks/ranking", guards=[requires_dgro], name="qcheck_ranking")
    async def ranking_page(
        self,
        request: HTMXRequest,
        as_of: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        level: FromQuery[str | None] = None,
        near: FromQuery[bool] = False,
        page: FromQuery[int] = 1,
    ) -> Template:
        """Every organisation ranked by its official Q-check average, with the change
        against a year earlier and the organisations near the threshold marked."""
        field = as_of_field(as_of)
        day = field.day
        filters = analytics.RankingFilter.from_query(q, level, near)
        ranked, rows = await ranking(day, filters)
        result = analytics.ranking_page(rows, page)
        context = {
            "rows": result.rows,
            "matched": len(rows),
            "total": len(ranked.rows),
            "as_of": day,
            "as_of_field": field,
            "previous_day": one_year_before(day),
            "filters": filters,
            "threshold": ranked.threshold,
            "near_points": analytics.NEAR_POINTS,
            "levels": analytics.LEVELS,
            "download_query": _ranking_query(day, filters),
            "explain": explain,
            "format_average": format_average,
            "format_hundredths": format_hundredths,
            **pager(result, lambda number: _ranking_query(day, filters, number)),
        }
        return render(
            request,
            RANKING_TEMPLATE,
            context,
            status=field.status,
            push_url=f"/qchecks/ranking?{_ranking_query(day, filters, result.page)}",
        )

    @get(
        ["/qchecks/ranking.csv", "/qchecks/ranking.xlsx"],
        guards=[requires_dgro],
        name="qcheck_ranking_export",
    )
    async def ranking_export(
        self,
        request: Request,
        as_of: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        level: FromQuery[str | None] = None,
        near: FromQuery[bool] = False,
    ) -> Response:
        """The ranking with the page's filters, every row, as CSV or XLSX."""
        day = parse_as_of(as_of)
        _ranked, rows = await ranking(day, analytics.RankingFilter.from_query(q, level, near))
        header, cells = analytics.ranking_table(rows)
        prefix = f"qcheck-ranking-as-of-{day.isoformat()}"
        return spreadsheet(request, prefix, "ranking", header, cells)


ROUTE_HANDLERS = [QCheckAnalyticsController]
