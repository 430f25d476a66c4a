"""DG R&O's certification policy: versions, and the what-if simulation of a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification import explain
from certification import policy as service
from certification.rules import DEFAULT_POLICY, Level
from core.i18n import format_day
from core.i18n import gettext as _
from webkit.guards import actor_of, requires_dgro
from webkit.rendering import render

TEMPLATE = "certification/policy.html"


async def _context(
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    simulation: service.Simulation | None = None,
) -> dict[str, Any]:
    today = dt.date.today()
    versions = await service.policy_versions()
    in_force = service.in_force_version(versions, today)
    current = in_force.policy if in_force is not None else DEFAULT_POLICY
    if values is None:
        # Prefilled with the thresholds in force, starting tomorrow: the earliest free day.
        values = service.form_values(current, effective_from=today + dt.timedelta(days=1))
    return {
        "today": today,
        "current": current,
        "in_force": in_force,
        "versions": [(version, version.status(today, in_force)) for version in versions],
        "values": values,
        "errors": errors or {},
        "simulation": simulation,
        "levels": [Level.CLIENT, Level.INDIVIDUAL, Level.NONE],
        "explain": explain,
        "format_hundredths": explain.format_hundredths,
        "actual_figure": explain.figure,
        "required_figure": explain.required_figure,
    }


def _page(request: HTMXRequest, context: dict[str, Any], status: int) -> Template:
    """The page, or for htmx the simulation (its results, or its errors)."""
    return render(request, TEMPLATE, context, status=status)


class PolicyController(Controller):
    path = "/policy"
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="policy")
    async def policy_page(self, request: HTMXRequest) -> Template:
        """The policy in force, every version, and a draft form prefilled with today's."""
        return render(request, TEMPLATE, await _context(), block=None)

    @post("/simulate", status_code=200)
    async def simulate(self, request: HTMXRequest) -> Template:
        """Which organisations would change level under the draft? Writes nothing."""
        form = await request.form()
        draft = service.parse_draft(form)
        today = dt.date.today()
        values = draft.values
        day, day_error = service.parse_simulation_day(
            values[service.SIMULATION_DATE_FIELD], draft.policy, today
        )
        errors = dict(draft.errors)
        if day_error:
            errors[service.SIMULATION_DATE_FIELD] = day_error
        if errors or draft.policy is None:
            # The errors show inside the simulation the button updates (htmx); without
            # JavaScript the whole page shows them next to the fields as well.
            context = await _context(values=values, errors=errors)
            return _page(request, context, 400)
        simulation = await service.simulate(draft.policy, today, day)
        context = await _context(values=values, simulation=simulation)
        return _page(request, context, 200)

    @post("/", status_code=303)
    async def adopt(self, request: HTMXRequest) -> Template | Redirect:
        """Adopt the draft from its effective_from (today or later); audited."""
        draft = service.parse_draft(await request.form())
        today = dt.date.today()
        errors = dict(draft.errors)
        if draft.policy is not None:
            past = service.past_date_error(draft.policy.effective_from, today)
            if past:
                errors[service.DATE_FIELD] = past
        if errors or draft.policy is None:
            context = await _context(values=draft.values, errors=errors)
            return render(request, TEMPLATE, context, block=None, status=400)
        try:
            replaced = await service.adopt(draft.policy, draft.note, actor_of(request), today)
        except service.PolicyRefused as refused:
            context = await _context(values=draft.values, errors={refused.field: refused.message})
            return render(request, TEMPLATE, context, block=None, status=400)
        day = format_day(draft.policy.effective_from)
        if replaced:
            message = _("The policy from %(day)s has been replaced.", day=day)
        else:
            message = _("The policy from %(day)s has been adopted.", day=day)
        flash(request, message, category="success")
        return Redirect("/policy", status_code=303)

    @post("/{effective_from:str}/delete", status_code=303)
    async def delete(self, request: Request, effective_from: FromPath[str]) -> Redirect:
        """Delete a version that is not yet in force; one in force or past stays (409)."""
        missing = _("There is no policy version from %(day)s.", day=effective_from)
        day, error = service.parse_date(effective_from)
        if error or day is None:
            raise HTTPException(status_code=404, detail=missing)
        try:
            await service.delete_future(day, actor_of(request), dt.date.today())
        except service.PolicyNotFound:
            raise HTTPException(status_code=404, detail=missing) from None
        except service.PolicyRefused as refused:
            raise HTTPException(status_code=409, detail=refused.message) from None
        flash(
            request,
            _("The policy version from %(day)s has been deleted.", day=format_day(day)),
            category="success",
        )
        return Redirect("/policy", status_code=303)
