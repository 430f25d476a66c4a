"""Applications for client certification: the PRO Partner's page of its organisation
(apply, see the frozen conditions, withdraw) and DG R&O's queue (approve, reject)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification import explain
from certification.applications import queries, service
from certification.eligibility import eligibility_for_all
from core.errors import NotFound
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import Role
from organisations.queries import organisation_by_code
from webkit.errors import shows_again
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


async def _application_page(request: Request, form: FormResult) -> Template:
    """The organisation's applications and, unless it holds client certification or has
    one open, the form to apply (with what it does not meet today)."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    [today] = await eligibility_for_all(dt.date.today(), organisation.code)
    context = {
        "organisation": organisation,
        "applications": await queries.applications_of(organisation.code),
        "granted": str(today.granted),
        "unmet": [c.code for c in today.eligibility.unmet],
        "state_label": state_label,
        "explain": explain,
        "form": form,
    }
    return render(request, "certification/application.html", context, block=None)


async def _queue_page(request: Request, form: FormResult) -> Template:
    """DG R&O's queue; a refused decision stands in its application, its reason kept."""
    context = {
        "applications": await queries.queue(),
        "decided": await queries.decided(),
        "state_label": state_label,
        "explain": explain,
        "form": form,
        "refused": (request.path_params.get("application_id"), request.path_params.get("action")),
    }
    return render(request, "certification/applications.html", context, block=None)


class ApplicationController(Controller):
    include_in_schema = False

    @get(
        "/organisations/{code:str}/application",
        guards=[requires_organisation_scope, requires_applicant],
        name="application",
    )
    async def page(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        return await _application_page(request, FormResult({}))

    @post(
        "/organisations/{code:str}/application",
        guards=[requires_organisation_scope, requires_applicant],
        status_code=303,
        opt=shows_again(_application_page),
    )
    async def submit(self, request: Request, code: FromPath[str]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        await service.apply(actor_of(request), organisation.code, dt.date.today())
        flash(request, _("The application has been sent to DG R&O."), category="success")
        return Redirect(f"/organisations/{organisation.code}/application", status_code=303)

    @post(
        "/organisations/{code:str}/application/{application_id:int}/withdraw",
        guards=[requires_organisation_scope, requires_applicant],
        status_code=303,
        opt=shows_again(_application_page),
    )
    async def withdraw(
        self, request: Request, code: FromPath[str], application_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        await service.withdraw(
            actor_of(request),
            application_id,
            organisation.code,
            form_revision(raw.get("revision")),
        )
        flash(request, _("The application has been withdrawn."), category="success")
        return Redirect(f"/organisations/{organisation.code}/application", status_code=303)

    @get("/applications", guards=[requires_dgro], name="applications")
    async def applications(self, request: HTMXRequest) -> Template:
        return await _queue_page(request, FormResult({}))

    @post(
        "/applications/{application_id:int}/{action:str}",
        guards=[requires_dgro],
        status_code=303,
        opt=shows_again(_queue_page),
    )
    async def decide(
        self, request: Request, application_id: FromPath[int], action: FromPath[str]
    ) -> Redirect:
        raw = await request.form()
        revision = form_revision(raw.get("revision"))
        if action not in ("approve", "reject"):
            raise NotFound(_("There is no such decision."))
        reason = str(raw.get("reason") or "")
        if action == "approve":
            await service.approve(
                actor_of(request), application_id, reason, revision, dt.date.today()
            )
        else:
            await service.reject(actor_of(request), application_id, reason, revision)
        flash(
            request,
            _("The decision has been recorded and the PRO Partner told."),
            category="success",
        )
        return Redirect("/applications", status_code=303)
