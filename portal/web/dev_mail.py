"""The e-mail outbox as pages, for development only (issue 19): `make run` writes the
invitation, reset and notice mails to the outbox and nothing delivers them, so this is
where a developer reads them and follows their links. Not registered in production
(`portal.app`: the routes do not exist there), and open without logging in, because the
person reading an invitation has no account yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.i18n import gettext as _
from core.tables import OutboxMessage
from webkit.guards import PUBLIC
from webkit.rendering import render

SHOWN = 100


@dataclass(frozen=True)
class Mail:
    id: int
    created_at: dt.datetime
    recipient: str
    subject: str
    state: str
    body: str


# The columns of a `Mail`, read in that order.
_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.created_at,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.state,
    OutboxMessage.body,
)


class DevMailController(Controller):
    path = "/dev/mail"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="dev_mail")
    async def mails(self, request: HTMXRequest) -> Template:
        """The newest mails first, at most a hundred."""
        rows = (
            await OutboxMessage.select(*_COLUMNS)
            .order_by(OutboxMessage.id, ascending=False)
            .limit(SHOWN)
        )
        return render(
            request, "portal/dev_mail.html", {"mails": [Mail(**r) for r in rows]}, block=None
        )

    @get("/{mail_id:int}", name="dev_mail_one")
    async def mail(self, request: HTMXRequest, mail_id: FromPath[int]) -> Template:
        row = await OutboxMessage.select(*_COLUMNS).where(OutboxMessage.id == mail_id).first()
        if row is None:
            raise NotFoundException(_("There is no such e-mail in the outbox."))
        return render(request, "portal/dev_mail_one.html", {"mail": Mail(**row)}, block=None)
