"""DG R&O confirms or declines the registrations of staff members whose e-mail another
organisation's record holds (a PRO Partner's form or import made them; issue 18, row 10)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.errors import Refused
from core.forms import FormResult
from core.i18n import gettext as _
from organisations.queries import pending_moves
from organisations.service import decide_move
from webkit.errors import shows_again
from webkit.guards import actor_of, requires_dgro
from webkit.rendering import render

PATH = "/admin/staff-moves"


async def _moves_page(request: Request, form: FormResult) -> Template:
    """The pending requests, oldest first, with where each record is now; a refused
    decision's message above the list."""
    context = {"moves": await pending_moves(), "form": form}
    return render(request, "organisations/moves.html", context, block=None)


class StaffMoveController(Controller):
    path = PATH
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="staff_moves")
    async def moves(self, request: HTMXRequest) -> Template:
        return await _moves_page(request, FormResult({}))

    @post("/{request_id:int}", status_code=303, opt=shows_again(_moves_page))
    async def decide(self, request: Request, request_id: FromPath[int]) -> Redirect:
        """`decision=confirm` moves the record, `decision=decline` declines the request."""
        decision = (await request.form()).get("decision")
        if decision not in ("confirm", "decline"):
            raise Refused(_("Choose to confirm or to decline the move."))
        confirm = decision == "confirm"
        name = await decide_move(actor_of(request), request_id, confirm=confirm)
        message = (
            _("%(name)s has moved to the organisation that asked for it.", name=name)
            if confirm
            else _("The move of %(name)s has been declined.", name=name)
        )
        flash(request, message, category="success")
        return Redirect(PATH, status_code=303)
