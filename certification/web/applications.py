"""Applications for client certification: the PRO Partner's page of its organisation
(apply, see the frozen conditions, withdraw) and DG R&O's queue (approve, reject)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification import explain
from certification.applications import queries, service
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from core.identity import Role
from organisations.queries import organisation_by_code
from webkit.forms import form_revision
from webkit.guards import actor_of, requires_dgro, requires_organisation_scope, requires_role
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

requires_applicant = requires_role(Role.PRO_PARTNER, Role.DGRO)


def state_label(state: str) -> str:
    return {
        "submitted": _("submitted, waiting for DG R&O"),
        "withdrawn": _("withdrawn"),
        "approved": _("approved"),
        "rejected": _("rejected"),
    }.get(state, state)


def _changed() -> HTTPException:
    return HTTPException(
        status_code=409,
        detail=_("The application was decided or withdrawn meanwhile: reload the page."),
    )


class ApplicationController(Controller):
    include_in_schema = False

    @get(
        "/organisations/{code:str}/application",
        guards=[requires_organisation_scope, requires_applicant],
        name="application",
    )
    async def page(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        context = {
            "organisation": organisation,
            "applications": await queries.applications_of(organisation["code"]),
            "state_label": state_label,
            "explain": explain,
        }
        return render(request, "certification/application.html", context, block=None)

    @post(
        "/organisations/{code:str}/application",
        guards=[requires_organisation_scope, requires_applicant],
        status_code=303,
    )
    async def submit(self, request: Request, code: FromPath[str]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        try:
            await service.apply(actor_of(request), organisation["code"], dt.date.today())
        except Refused as refused:
            raise HTTPException(status_code=400, detail=refused.message) from None
        flash(request, _("The application has been sent to DG R&O."), category="success")
        return Redirect(f"/organisations/{organisation['code']}/application", status_code=303)

    @post(
        "/organisations/{code:str}/application/{application_id:int}/withdraw",
        guards=[requires_organisation_scope, requires_applicant],
        status_code=303,
    )
    async def withdraw(
        self, request: Request, code: FromPath[str], application_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        try:
            await service.withdraw(
                actor_of(request),
                application_id,
                organisation["code"],
                form_revision(raw.get("revision")),
            )
        except NotFound:
            raise NotFoundException(_("There is no such application.")) from None
        except TransitionRefused:
            raise _changed() from None
        flash(request, _("The application has been withdrawn."), category="success")
        return Redirect(f"/organisations/{organisation['code']}/application", status_code=303)

    @get("/applications", guards=[requires_dgro], name="applications")
    async def applications(self, request: HTMXRequest) -> Template:
        context = {"applications": await queries.queue(), "explain": explain}
        return render(request, "certification/applications.html", context, block=None)

    @post(
        "/applications/{application_id:int}/{action:str}", guards=[requires_dgro], status_code=303
    )
    async def decide(
        self, request: Request, application_id: FromPath[int], action: FromPath[str]
    ) -> Redirect:
        raw = await request.form()
        revision = form_revision(raw.get("revision"))
        reason = str(raw.get("reason") or "")
        try:
            if action == "approve":
                await service.approve(
                    actor_of(request), application_id, reason, revision, dt.date.today()
                )
            elif action == "reject":
                await service.reject(actor_of(request), application_id, reason, revision)
            else:
                raise NotFoundException(_("There is no such decision."))
        except NotFound:
            raise NotFoundException(_("There is no such application.")) from None
        except TransitionRefused:
            raise _changed() from None
        except Refused as refused:
            raise HTTPException(status_code=400, detail=refused.message) from None
        flash(
            request,
            _("The decision has been recorded and the PRO Partner told."),
            category="success",
        )
        return Redirect("/applications", status_code=303)
