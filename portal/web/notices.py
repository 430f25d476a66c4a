"""The reader's notices (DG R&O's, and a PRO Partner's for their organisation), newest
first; each can be marked read. The words of each kind are in the template."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core import notices
from core.errors import NotFound
from core.i18n import gettext as _
from core.identity import Role
from webkit.guards import requires_role, signed_in
from webkit.rendering import render

requires_notice_reader = requires_role(Role.DGRO, Role.PRO_PARTNER)


def _audience(request: Request) -> tuple[bool, str | None]:
    user = signed_in(request)
    return notices.audience_of(user)


class NoticeController(Controller):
    path = "/notices"
    include_in_schema = False

    @get("/", guards=[requires_notice_reader], name="notices")
    async def notices(self, request: HTMXRequest) -> Template:
        is_dgro, partner_of = _audience(request)
        rows = await notices.notices_for(is_dgro, partner_of)
        context = {"notices": rows}
        return render(request, "portal/notices.html", context, block=None)

    @post("/{notice_id:int}/read", guards=[requires_notice_reader], status_code=303)
    async def mark_read(self, request: Request, notice_id: FromPath[int]) -> Redirect:
        is_dgro, partner_of = _audience(request)
        if not await notices.mark_read(notice_id, is_dgro, partner_of):
            raise NotFound(_("There is no such notice."))
        return Redirect("/notices", status_code=303)
