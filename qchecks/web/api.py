"""Q-checks in the JSON API: DG R&O records one (the same checks as the form and the
import), and a reader who may see a Q-check reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody

from core.errors import Refused
from core.i18n import gettext as _
from portal.guards import actor_of, requires_dgro, requires_login
from qchecks import forms, queries, service
from qchecks.rules import format_hundredths
from qchecks.web.qchecks import may_read, no_such_qcheck, user_of


def qcheck_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "selection_reference": row["reference"],
        "organisation_code": row["organisation_code"],
        "consultant_email": row["consultant_email"],
        "language_role": row["language_role"],
        "closed_on": row["closed_on"].isoformat(),
        "checked_on": row["checked_on"].isoformat(),
        "score": float(format_hundredths(row["score_hundredths"])),
        "checked_by": row["checked_by"],
        "comment": row["comment"],
        "criteria": [
            {
                "code": c["criterion"],
                "score": None
                if c["score_hundredths"] is None
                else float(format_hundredths(c["score_hundredths"])),
                "comment": c["comment"],
            }
            for c in row["criteria"]
        ],
    }


class QCheckApiController(Controller):
    path = "/api/v1/qchecks"
    tags = ["qchecks"]

    @post("/", guards=[requires_dgro], status_code=201, summary="Record a Q-check (DG R&O)")
    async def record(self, request: Request, data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        """The fields of the form (`selection_reference`, `organisation_code`,
        `consultant_email`, `language_role`, `closed_on`, `checked_on`, `score`, `comment`)
        and `criteria`: a list of {code, score, comment}. Errors: 422 with `errors` per field."""
        today = dt.date.today()
        fields = forms.api_fields(data)
        try:
            checked_on = dt.date.fromisoformat(fields.get("checked_on", ""))
        except ValueError:
            checked_on = today
        criteria = await queries.criteria_in_force(checked_on)
        form = forms.parse_qcheck_form(fields, [c["code"] for c in criteria], today)
        if form.ok:
            try:
                qcheck_id = await service.record_qcheck(actor_of(request), form.data, today)
            except Refused as refused:
                form.errors[refused.field or "selection_reference"] = refused.message
            else:
                row = await queries.qcheck_details(qcheck_id)
                assert row is not None
                return qcheck_json(row)
        raise HTTPException(
            status_code=422,
            detail=_("The Q-check was not recorded: correct the fields named in errors."),
            extra={"errors": form.errors},
        )

    @get("/{qcheck_id:int}", guards=[requires_login], summary="One Q-check")
    async def read(self, request: Request, qcheck_id: FromPath[int]) -> dict[str, Any]:
        row = await queries.qcheck_details(qcheck_id)
        if row is None or not may_read(user_of(request), row):
            raise no_such_qcheck()
        return qcheck_json(row)
