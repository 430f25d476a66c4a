"""An organisation's function profiles: the competencies each function requires, kept by
its HR (DG R&O too), and which required competencies no certified staff member covers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from competencies import functions, queries
from competencies.uses import ANSWERS
from competencies.web.models import DEFAULT_MODEL
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import Role
from core.templating import localized
from organisations.queries import organisation_by_code
from webkit.errors import shows_again
from webkit.forms import FormReader
from webkit.guards import (
    actor_of,
    current_user,
    requires_dgro,
    requires_organisation_scope,
    requires_role,
)
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

requires_function_reader = requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)
requires_function_writer = requires_role(Role.DGRO, Role.HR)


def _requirement(raw: Any) -> tuple[int, int]:
    """The competency and level chosen; every mistake named in one round."""
    form = FormReader(raw)
    competency = form.number("competency", message=_("Choose from the list."))
    level = form.number("level", message=_("Choose from the list."))
    form.check()
    return competency, level


async def _functions_page(request: Request, form: FormResult) -> Template:
    """The organisation's function profiles and what no certified staff member covers."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    profiles = await functions.profiles_for(organisation.id)
    covered = await ANSWERS.covered(organisation.id, dt.date.today())
    uncovered: dict[int, functions.Requirement] = {}
    for profile in profiles:
        for requirement in profile.requirements:
            if requirement.competency not in covered:
                uncovered.setdefault(requirement.competency, requirement)
    user = current_user(request)
    context = {
        "organisation": organisation,
        "profiles": profiles,
        "uncovered": list(uncovered.values()),
        "model": await queries.model_tree(DEFAULT_MODEL),
        "t": localized,
        "may_edit": bool(user and user.has_role(Role.DGRO, Role.HR)),
        "levels": functions.LEVELS,
        "form": form,
        "refused_profile": request.path_params.get("profile_id"),
    }
    return render(request, "competencies/functions.html", context, block=None)


async def _federal_page(request: Request, form: FormResult) -> Template:
    context = {
        "profiles": await functions.profiles_for(None),
        "model": await queries.model_tree(DEFAULT_MODEL),
        "t": localized,
        "levels": functions.LEVELS,
        "form": form,
        "refused_profile": request.path_params.get("profile_id"),
    }
    return render(request, "competencies/federal_functions.html", context, block=None)


class FunctionController(Controller):
    path = "/organisations/{code:str}/functions"
    include_in_schema = False
    guards = [requires_organisation_scope, requires_function_reader]

    @get("/", name="functions")
    async def functions_page(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        return await _functions_page(request, FormResult({}))

    @post("/", guards=[requires_function_writer], status_code=303, opt=shows_again(_functions_page))
    async def add_profile(self, request: Request, code: FromPath[str]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        await functions.add_profile(actor_of(request), organisation.id, str(raw.get("title") or ""))
        flash(request, _("The function has been added."), category="success")
        return Redirect(f"/organisations/{organisation.code}/functions", status_code=303)

    @post(
        "/{profile_id:int}/requirements",
        guards=[requires_function_writer],
        status_code=303,
        opt=shows_again(_functions_page),
    )
    async def add_requirement(
        self, request: Request, code: FromPath[str], profile_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        await functions.add_requirement(
            actor_of(request), organisation.id, profile_id, *_requirement(raw)
        )
        flash(request, _("The required competency has been saved."), category="success")
        return Redirect(f"/organisations/{organisation.code}/functions", status_code=303)


class FederalFunctionController(Controller):
    """DG R&O's federal-wide function profiles (every organisation sees them)."""

    path = "/functions"
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="federal_functions")
    async def page(self, request: HTMXRequest) -> Template:
        return await _federal_page(request, FormResult({}))

    @post("/", status_code=303, opt=shows_again(_federal_page))
    async def add_profile(self, request: Request) -> Redirect:
        raw = await request.form()
        await functions.add_profile(actor_of(request), None, str(raw.get("title") or ""))
        flash(request, _("The function has been added."), category="success")
        return Redirect("/functions", status_code=303)

    @post("/{profile_id:int}/requirements", status_code=303, opt=shows_again(_federal_page))
    async def add_requirement(self, request: Request, profile_id: FromPath[int]) -> Redirect:
        raw = await request.form()
        await functions.add_requirement(actor_of(request), None, profile_id, *_requirement(raw))
        flash(request, _("The required competency has been saved."), category="success")
        return Redirect("/functions", status_code=303)
