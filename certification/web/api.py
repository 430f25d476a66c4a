"""The JSON API under /api/v1 (OpenAPI at /schema): SPEC 5.2 eligibility, and who am I."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter

from certification.eligibility import eligibility_for_all
from webkit.api import NO_NUL, error_responses
from webkit.forms import parse_as_of
from webkit.guards import (
    requires_dgro,
    requires_login,
    requires_organisation_scope,
    signed_in,
)
from webkit.lookups import no_such_organisation


@dataclass
class Me:
    email: str
    full_name: str
    roles: list[str]
    organisation: str | None
    language: str


# A date in the schema, as `parse_as_of` reads it: a day from 1900 to 2999 (the days any
# date may name, core.parsing), or nothing (absent or empty: today); its 400 says what a
# date looks like.
AsOf = Annotated[
    str | None,
    QueryParameter(
        name="as_of",
        # A string (never null in a query string): a date, or empty.
        schema_extra={
            "one_of": None,
            "type": "string",
            "anyOf": [
                {"format": "date", "pattern": "^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"},
                {"maxLength": 0},
            ],
        },
        required=False,
        description="The day (YYYY-MM-DD, 1900-01-01 to 2999-12-31) to compute on; "
        "today if absent or empty",
    ),
]
# An organisation's code in the path: no NUL (the input guard's 400), like every string.
Code = Annotated[str, PathParameter(schema_extra={"pattern": NO_NUL})]


class ApiV1Controller(Controller):
    path = "/api/v1"
    tags = ["portal"]

    @get(
        "/me",
        guards=[requires_login],
        summary="The logged-in user",
        responses=error_responses(401),
    )
    async def me(self, request: Request) -> Me:
        user = signed_in(request)
        return Me(
            email=user.email,
            full_name=user.full_name,
            roles=sorted(user.roles),
            organisation=user.organisation_code,
            language=str(request.scope.get("language", "nl")),  # type: ignore[call-overload]
        )

    @get(
        "/eligibility",
        guards=[requires_dgro],
        summary="Every organisation's certification level on a date (SPEC 5.2)",
        responses=error_responses(400, 401, 403),
    )
    async def all_eligibility(self, as_of: AsOf = None) -> list[dict[str, Any]]:
        return [r.as_dict() for r in await eligibility_for_all(parse_as_of(as_of))]

    @get(
        "/organisations/{code:str}/eligibility",
        guards=[requires_organisation_scope],
        summary="One organisation's certification level on a date (SPEC 5.2)",
        responses=error_responses(400, 401, 403, 404),
    )
    async def organisation_eligibility(self, code: Code, as_of: AsOf = None) -> dict[str, Any]:
        results = await eligibility_for_all(parse_as_of(as_of), code)
        if not results:
            raise no_such_organisation(code)
        return results[0].as_dict()
