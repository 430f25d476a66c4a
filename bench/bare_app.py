"""The baseline of the page benchmark: a bare Litestar handler that runs one hand-written
query on the same database and renders a small template. What a page costs beyond it is
the portal's own work. `/bare/{code}` is the pages' baseline, `/bare/qchecks/{code}` the
Q-check analytics' (one aggregate of the organisation's Q-checks per quarter).

    DATABASE_URL=... uvicorn bench.bare_app:app --port 8101
"""

from __future__ import annotations

import os

from jinja2 import Environment
from litestar import Litestar, MediaType, get
from litestar.response import Response

from core.database import engine_from_url

ENGINE = engine_from_url(os.environ["DATABASE_URL"])
TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>{{ code }}</title><h1>{{ name }} ({{ code }})</h1>"
    "<p>{{ staff }} staff</p>"
)
QUERY = (
    "SELECT o.code, o.name_nl, COUNT(s.id) AS staff FROM organisation o "
    "LEFT JOIN staff_member s ON s.organisation = o.id WHERE o.code = {} GROUP BY o.code, o.name_nl"
)


@get("/bare/{code:str}", media_type=MediaType.HTML)
async def bare(code: str) -> Response:
    from piccolo.query.base import Query  # noqa: F401  (loaded before timing)
    from piccolo.querystring import QueryString

    rows = await ENGINE.run_querystring(QueryString(QUERY, code))
    row = rows[0] if rows else {"code": code, "name_nl": "?", "staff": 0}
    return Response(TEMPLATE.render(code=row["code"], name=row["name_nl"], staff=row["staff"]))


# The baseline of the Q-check analytics benchmark: one organisation's Q-checks counted and
# averaged per quarter by one hand-written aggregate, rendered as a small table.
QCHECK_TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>{{ code }}</title><h1>{{ code }}</h1><table>"
    "{% for row in rows %}<tr><th>{{ row.year }} Q{{ row.quarter }}</th><td>{{ row.n }}</td>"
    "<td>{{ '%.2f' % row.average }}</td></tr>{% endfor %}</table>"
)
if os.environ["DATABASE_URL"].startswith("sqlite"):
    YEAR, QUARTER = (
        "strftime('%Y', q.checked_on)",
        "(CAST(strftime('%m', q.checked_on) AS INTEGER) + 2) / 3",
    )
else:
    YEAR, QUARTER = "EXTRACT(YEAR FROM q.checked_on)", "EXTRACT(QUARTER FROM q.checked_on)"
QCHECK_QUERY = (
    f"SELECT CAST({YEAR} AS INTEGER) AS year, CAST({QUARTER} AS INTEGER) AS quarter, "  # noqa: S608
    "COUNT(*) AS n, AVG(q.score_hundredths) / 100.0 AS average "
    "FROM qcheck q JOIN organisation o ON o.id = q.organisation WHERE o.code = {} "
    f"GROUP BY {YEAR}, {QUARTER} ORDER BY 1, 2"
)


@get("/bare/qchecks/{code:str}", media_type=MediaType.HTML)
async def bare_qchecks(code: str) -> Response:
    from piccolo.querystring import QueryString

    rows = await ENGINE.run_querystring(QueryString(QCHECK_QUERY, code))
    return Response(QCHECK_TEMPLATE.render(code=code, rows=rows))


async def _open_pool() -> None:
    if hasattr(ENGINE, "start_connection_pool"):
        await ENGINE.start_connection_pool()


app = Litestar(route_handlers=[bare, bare_qchecks], on_startup=[_open_pool])
