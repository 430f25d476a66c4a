"""The baseline of the page benchmark: a bare Litestar handler that runs one hand-written
query on the same database and renders a small template. What a page costs beyond it is
the portal's own work.

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


async def _open_pool() -> None:
    if hasattr(ENGINE, "start_connection_pool"):
        await ENGINE.start_connection_pool()


app = Litestar(route_handlers=[bare], on_startup=[_open_pool])
