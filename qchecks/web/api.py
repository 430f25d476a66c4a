"""Q-checks in the JSON API: DG R&O records one (the same checks as the form and the
import), and a reader who may see a Q-check reads it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, PathParameter

from core.errors import Refused
from core.i18n import gettext as _
from qchecks import forms, queries, service
from qchecks.rules import MAX_REFERENCE, format_hundredths
from qchecks.web.qchecks import may_read, no_such_qcheck, user_of
from webkit.api import NO_NUL, error_responses
from webkit.guards import actor_of, requires_dgro, requires_login


def qcheck_json(row: queries.QCheckDetails) -> dict[str, Any]:
    return {
        "id": row.id,
        "selection_reference": row.reference,
        "organisation_code": row.organisation_code,
        "consultant_email": row.consultant_email,
        "language_role": row.language_role,
        "closed_on": row.closed_on.isoformat(),
        "checked_on": row.checked_on.isoformat(),
        "score": float(format_hundredths(row.score_hundredths)),
        "checked_by": row.checked_by,
        "comment": row.comment,
        "criteria": [
            {
                "code": c.criterion,
                "score": None
                if c.score_hundredths is None
                else float(format_hundredths(c.score_hundredths)),
                "comment": c.comment,
            }
            for c in row.criteria
        ],
    }


# Every string holds no NUL (the input guard's 400), and a date is a day from 1900 to
# 2999 (the days any date may name, core.parsing).
_TEXT = {"type": "string", "pattern": NO_NUL}
_DATE = {"type": "string", "format": "date", "pattern": "^(19[0-9]{2}|2[0-9]{3})-"}
_SCORE = {"oneOf": [{"type": "number"}, _TEXT], "description": "0-100, e.g. 83.25"}
# The body as the form has it (read as a mapping, so that every wrong field is named in
# `errors`, never a bare 400).
QCHECK_BODY = {
    "type": "object",
    "properties": {
        "selection_reference": {**_TEXT, "maxLength": MAX_REFERENCE},
        "organisation_code": _TEXT,
        "consultant_email": {**_TEXT, "format": "email"},
        "language_role": {"type": "string", "enum": ["NL", "FR", "DE"]},
        "closed_on": _DATE,
        "checked_on": _DATE,
        "score": {**_SCORE, "description": "The overall score, unless criteria are scored"},
        "comment": {**_TEXT, "maxLength": forms.MAX_COMMENT},
        "criteria": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": _TEXT,
                    "score": _SCORE,
                    "comment": {**_TEXT, "maxLength": forms.MAX_COMMENT},
                },
                "required": ["code"],
            },
        },
    },
    "required": [
        "selection_reference",
        "organisation_code",
        "consultant_email",
        "language_role",
        "closed_on",
        "checked_on",
    ],
}


def _criteria_error(payload: dict[str, Any]) -> str | None:
    criteria = payload.get("criteria")
    if criteria is None or (
        isinstance(criteria, list) and all(isinstance(item, dict) for item in criteria)
    ):
        return None
    return _("criteria must be a list of {code, score, comment}.")


class QCheckApiController(Controller):
    path = "/api/v1/qchecks"
    tags = ["qchecks"]

    @post(
        "/",
        guards=[requires_dgro],
        status_code=201,
        summary="Record a Q-check (DG R&O)",
        responses=error_responses(400, 401, 403, 422),
    )
    async def record(
        self,
        request: Request,
        data: Annotated[
            dict[str, Any],
            Body(media_type=RequestEncodingType.JSON, schema_extra=QCHECK_BODY),
        ],
    ) -> dict[str, Any]:
        """The fields of the form (`selection_reference`, `organisation_code`,
        `consultant_email`, `language_role`, `closed_on`, `checked_on`, `score`, `comment`)
        and `criteria`: a list of {code, score, comment}. Errors: 422 with `errors` per field."""
        today = dt.date.today()
        problem = _criteria_error(data)
        if problem:
            raise HTTPException(
                status_code=422,
                detail=_("The Q-check was not recorded: correct the fields named in errors."),
                extra={"errors": {"criteria": problem}},
            )
        fields = forms.api_fields(data)
        try:
            checked_on = dt.date.fromisoformat(fields.get("checked_on", ""))
        except ValueError:
            checked_on = today
        criteria = await queries.criteria_in_force(checked_on)
        form = forms.parse_qcheck_form(fields, [c.code for c in criteria], today)
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

    @get(
        "/{qcheck_id:int}",
        guards=[requires_login],
        summary="One Q-check",
        responses=error_responses(400, 401, 404),
    )
    async def read(
        self,
        request: Request,
        # An id the database's integer holds: a larger one is a 400, never a 500.
        qcheck_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
    ) -> dict[str, Any]:
        row = await queries.qcheck_details(qcheck_id)
        if row is None or not may_read(user_of(request), row):
            raise no_such_qcheck()
        return qcheck_json(row)
