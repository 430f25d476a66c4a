"""The evaluator's pages: my team with what is due and late, and who works on what (the
objectives of the team aligned to the evaluator's own)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.identity import Role
from cycles import labels, queries
from cycles.objectives import queries as objective_queries
from webkit.guards import requires_role, signed_in
from webkit.rendering import render


class TeamController(Controller):
    include_in_schema = False
    guards = [requires_role(Role.EVALUATOR)]

    @get("/team", name="team")
    async def team(self, request: HTMXRequest) -> Template:
        user = signed_in(request)
        today = dt.date.today()
        context = {
            "members": await queries.team(user, today),
            "hierarchy": await objective_queries.hierarchy(user, today),
            "L": labels,
            "role_names": labels.evaluator_role_names,
            "today": today,
        }
        return render(request, "cycles/team.html", context, block=None)
