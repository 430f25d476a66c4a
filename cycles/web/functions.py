"""HR (and DG R&O) record a staff member's change of function with its date: the same rule
and audit as the `functions` import, so a colleague HR added gets the right cycles
(issue 19 #5)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.errors import NotFound, Refused
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import Role
from cycles import queries, service
from cycles.forms import parse_function_form
from organisations.queries import OrganisationRow, organisation_by_code
from webkit.guards import actor_of, requires_organisation_scope, requires_role
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

TEMPLATE = "cycles/functions.html"
PATH = "/organisations/{code:str}/staff/{staff_id:int}/functions"
GUARDS = [requires_organisation_scope, requires_role(Role.DGRO, Role.HR)]


async def _member(code: str, staff_id: int) -> tuple[OrganisationRow, queries.StaffFunctions]:
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    member = await queries.staff_functions(organisation.id, staff_id)
    if member is None:
        raise NotFound(_("There is no such staff member in %(code)s.", code=code))
    return organisation, member


class FunctionController(Controller):
    path = PATH
    include_in_schema = False
    guards = GUARDS

    @get("/", name="staff_functions")
    async def page(
        self, request: HTMXRequest, code: FromPath[str], staff_id: FromPath[int]
    ) -> Template:
        organisation, member = await _member(code, staff_id)
        context = {"organisation": organisation, "member": member, "form": FormResult({})}
        return render(request, TEMPLATE, context, block=None)

    @post("/", status_code=303)
    async def save(
        self, request: Request, code: FromPath[str], staff_id: FromPath[int]
    ) -> Template | Redirect:
        organisation, member = await _member(code, staff_id)
        form = parse_function_form(await request.form())
        if form.ok:
            try:
                await service.set_function(actor_of(request), organisation.id, staff_id, form.data)
            except NotFound:
                raise NotFound(_("There is no such staff member in %(code)s.", code=code)) from None
            except Refused as refused:
                form.errors[refused.field or "title"] = refused.message
            else:
                flash(
                    request,
                    _(
                        "The function of %(name)s has been recorded.",
                        name=f"{member.first_name} {member.last_name}",
                    ),
                    category="success",
                )
                return Redirect(
                    f"/organisations/{code}/staff/{staff_id}/functions", status_code=303
                )
        context = {"organisation": organisation, "member": member, "form": form}
        return render(request, TEMPLATE, context, block=None, status=400)
