"""The e-mail outbox as pages, for development only (issue 19): `make run` writes the
invitation, reset and notice mails to the outbox and nothing delivers them, so this is
where a developer reads them and follows their links. Not registered in production
(`portal.app`: the routes do not exist there), and open without logging in, because the
person reading an invitation has no account yet."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core import outbox
from core.errors import NotFound
from core.i18n import gettext as _
from webkit.guards import PUBLIC
from webkit.rendering import render

SHOWN = 100


class DevMailController(Controller):
    path = "/dev/mail"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="dev_mail")
    async def mails(self, request: HTMXRequest) -> Template:
        """The newest mails first, at most a hundred."""
        mails = await outbox.newest_mails(SHOWN)
        return render(request, "portal/dev_mail.html", {"mails": mails}, block=None)

    @get("/{mail_id:int}", name="dev_mail_one")
    async def mail(self, request: HTMXRequest, mail_id: FromPath[int]) -> Template:
        found = await outbox.mail(mail_id)
        if found is None:
            raise NotFound(_("There is no such e-mail in the outbox."))
        return render(request, "portal/dev_mail_one.html", {"mail": found}, block=None)
