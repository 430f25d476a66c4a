"""The reader's notices (DG R&O's, a PRO Partner's for their organisation, and their
own: the dossier's events), newest first; each can be marked read. The words of each kind
are in the template."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core import notices
from core.errors import NotFound
from core.i18n import gettext as _
from webkit.guards import requires_login, signed_in
from webkit.rendering import render


def _audience(request: Request) -> notices.Reader:
    return notices.audience_of(signed_in(request))


class NoticeController(Controller):
    path = "/notices"
    include_in_schema = False

    @get("/", guards=[requires_login], name="notices")
    async def notices(self, request: HTMXRequest) -> Template:
        rows = await notices.notices_for(_audience(request))
        context = {"notices": rows}
        return render(request, "portal/notices.html", context, block=None)

    @post("/{notice_id:int}/read", guards=[requires_login], status_code=303)
    async def mark_read(self, request: Request, notice_id: FromPath[int]) -> Redirect:
        if not await notices.mark_read(notice_id, _audience(request)):
            raise NotFound(_("There is no such notice."))
        return Redirect("/notices", status_code=303)
