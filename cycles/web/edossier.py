"""The e-dossier (SPEC 3.2): the staff member's closed cycles with their kept reports
(`/my/e-dossier`), the PDFs of a cycle (the whole cycle, the final report, a signed
meeting report) for the staff member and their evaluators, and HR's motivated requests
to read a closed dossier with the legal reviewer's decisions
(`/organisations/{code}/dossier-requests`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.errors import NotFound
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import Role
from cycles import labels, queries, rules
from cycles.dossier import queries as dossier_queries
from cycles.edossier import pdf, service
from cycles.edossier import queries as edossier_queries
from cycles.lifecycle import ReportState
from cycles.web.dossier import must_see
from organisations.queries import organisation_by_code
from webkit.errors import shows_again
from webkit.forms import FormReader, form_revision
from webkit.guards import actor_of, requires_login, requires_organisation_scope, signed_in
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import download, render

REQUESTS_TEMPLATE = "cycles/dossier_requests.html"


def _today() -> dt.date:
    return dt.date.today()


async def _pdf(cycle: queries.CycleContext, part: str, meeting_id: int | None = None) -> Response:
    dossier = await dossier_queries.dossier(cycle, _today())
    language = await queries.staff_language(cycle.staff_id)
    content = pdf.render_pdf(cycle, dossier, language, part, meeting_id)
    return download(content, pdf.file_name(cycle, part, meeting_id), "application/pdf")


class EDossierController(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/my/e-dossier", name="my_edossier")
    async def my_edossier(self, request: HTMXRequest) -> Template:
        user = signed_in(request)
        cycles = await edossier_queries.archived_cycles(user.staff_id, _today())
        context = {"cycles": cycles, "L": labels}
        return render(request, "cycles/edossier.html", context, block=None)

    @get("/cycles/{cycle_id:int}/dossier.pdf", name="dossier_pdf")
    async def dossier_pdf(self, request: Request, cycle_id: FromPath[int]) -> Response:
        """The whole cycle as one PDF (e.g. for an appeal)."""
        cycle, _standing = await must_see(request, cycle_id)
        return await _pdf(cycle, "cycle")

    @get("/cycles/{cycle_id:int}/report.pdf", name="report_pdf")
    async def report_pdf(self, request: Request, cycle_id: FromPath[int]) -> Response:
        """The final evaluation report; none before the evaluators signed it."""
        cycle, _standing = await must_see(request, cycle_id)
        if cycle.id not in await queries.final_reports([cycle.id]):
            raise NotFound(_("The report is not final yet: there is no PDF of it."))
        return await _pdf(cycle, "report")

    @get("/cycles/{cycle_id:int}/meetings/{meeting_id:int}/report.pdf", name="meeting_pdf")
    async def meeting_pdf(
        self, request: Request, cycle_id: FromPath[int], meeting_id: FromPath[int]
    ) -> Response:
        """A meeting's report once both signed it."""
        cycle, _standing = await must_see(request, cycle_id)
        if await dossier_queries.meeting_state(cycle.id, meeting_id) != ReportState.SIGNED:
            raise NotFound(_("There is no signed report of this meeting."))
        return await _pdf(cycle, "meeting", meeting_id)


async def requires_hr_or_legal_of_organisation(
    connection: ASGIConnection, handler: BaseRouteHandler
) -> None:
    """HR or the legal reviewer of the organisation in the path itself (DG R&O's reach
    over every organisation does not open its dossiers)."""
    await requires_login(connection, handler)
    user = signed_in(connection)
    if not (
        user.has_role(Role.HR, Role.LEGAL)
        and user.organisation_code == connection.path_params.get("code")
    ):
        raise PermissionDeniedException(
            _("Only the HR and the legal reviewer of this organisation see its dossier requests.")
        )


async def _requests_page(request: Request, form: FormResult, status: int = 400) -> Template:
    """HR: the request form and its own requests; the legal reviewer: every request of the
    organisation, the pending ones with their decision form."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    user = signed_in(request)
    is_hr, is_legal = user.has_role(Role.HR), user.has_role(Role.LEGAL)
    today = _today()
    context: dict[str, Any] = {
        "organisation": organisation,
        "form": form,
        "is_hr": is_hr,
        "is_legal": is_legal,
        "mine": await edossier_queries.requests_of(organisation.id, user.id) if is_hr else [],
        "all": await edossier_queries.requests_of(organisation.id) if is_legal else [],
        "closed": await edossier_queries.closed_cycles_of_organisation(organisation.id, today)
        if is_hr
        else [],
        "motives": rules.DOSSIER_MOTIVES,
        "L": labels,
        "today": today,
        "grant_days": rules.GRANT_DAYS,
        "refused_path": request.url.path if form.errors else "",
    }
    return render(request, REQUESTS_TEMPLATE, context, block=None, status=status)


class DossierRequestController(Controller):
    """HR's motivated requests to read a closed dossier and the legal reviewer's decisions
    (SPEC 3.2)."""

    path = "/organisations/{code:str}/dossier-requests"
    include_in_schema = False
    guards = [requires_organisation_scope, requires_hr_or_legal_of_organisation]

    @get("/", name="dossier_requests")
    async def page(
        self, request: HTMXRequest, code: FromPath[str], cycle: FromQuery[int | None] = None
    ) -> Template:
        values = {"cycle": str(cycle)} if cycle else {}
        return await _requests_page(request, FormResult(values), status=200)

    @post("/", status_code=303, opt=shows_again(_requests_page))
    async def make(self, request: Request, code: FromPath[str]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = FormReader(await request.form())
        data = service.RequestInput(
            cycle_id=form.number("cycle", message=_("Choose a closed cycle of your organisation.")),
            motive=form.text("motive"),
            reason=form.text("reason"),
        )
        form.check()
        state = await service.request_reading(
            actor_of(request), signed_in(request), organisation.id, data, _today()
        )
        flash(
            request,
            _("The request has been granted: you can read the dossier for %(days)d days.",
              days=rules.GRANT_DAYS)
            if state == "granted"
            else _("The request has been sent to the legal reviewer of your organisation."),
            category="success",
        )  # fmt: skip
        return Redirect(f"/organisations/{organisation.code}/dossier-requests", status_code=303)

    @post("/{dossier_request_id:int}/decide", status_code=303, opt=shows_again(_requests_page))
    async def decide(
        self, request: Request, code: FromPath[str], dossier_request_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = await request.form()
        decision = str(form.get("decision") or "")
        await service.decide_request(
            actor_of(request), signed_in(request), organisation.id, dossier_request_id, decision,
            str(form.get("note") or ""), form_revision(form.get("revision")), _today(),
        )  # fmt: skip
        flash(
            request,
            _("The request has been granted.") if decision == "grant"
            else _("The request has been refused."),
            category="success",
        )  # fmt: skip
        return Redirect(f"/organisations/{organisation.code}/dossier-requests", status_code=303)

    @get("/{dossier_request_id:int}", name="dossier_request_read")
    async def read(
        self, request: HTMXRequest, code: FromPath[str], dossier_request_id: FromPath[int]
    ) -> Template:
        """The closed dossier, read-only, for the HR account whose request was granted."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        found, cycle = await service.open_for_reading(
            actor_of(request),
            signed_in(request),
            organisation.id,
            dossier_request_id,
            _today(),
            "page",
        )
        context = {
            "organisation": organisation,
            "grant": found,
            "cycle": cycle,
            "d": await dossier_queries.dossier(cycle, _today()),
            "part": "cycle",
            "meeting_id": None,
            "L": labels,
        }
        return render(request, "cycles/dossier_read.html", context, block=None)

    @get("/{dossier_request_id:int}/dossier.pdf", name="dossier_request_pdf")
    async def read_pdf(
        self, request: Request, code: FromPath[str], dossier_request_id: FromPath[int]
    ) -> Response:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        _found, cycle = await service.open_for_reading(
            actor_of(request),
            signed_in(request),
            organisation.id,
            dossier_request_id,
            _today(),
            "pdf",
        )
        return await _pdf(cycle, "cycle")


EDOSSIER_ROUTE_HANDLERS = [EDossierController, DossierRequestController]
