"""The start page: what each role can do, and the health check."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, MediaType, Request, Response, get
from litestar.response import Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from core.database import check_database
from portal.worklist import work_for
from webkit.guards import PUBLIC, requires_login, signed_in


class HomeController(Controller):
    include_in_schema = False

    @get("/", guards=[requires_login], name="home")
    async def home(self, request: Request) -> Template:
        """What waits for the reader first, then what each of their roles can do."""
        user = signed_in(request)
        work = await work_for(user, dt.date.today())
        return Template("portal/home.html", context={"work": work})

    @get("/accessibility", opt=PUBLIC, name="accessibility")
    async def accessibility(self) -> Template:
        """The accessibility statement a Belgian public-sector site publishes."""
        return Template("portal/accessibility.html")

    @get("/health", opt=PUBLIC, media_type=MediaType.JSON)
    async def health(self) -> Response:
        try:
            await check_database()
        except Exception:  # any failure means the database is not usable
            return Response(
                {"status": "unavailable", "database": "unreachable"},
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"status": "ok", "database": "ok"})
