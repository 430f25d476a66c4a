"""The JSON API under /api/v1 (OpenAPI at /schema)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, get

from portal.guards import current_user, requires_login


@dataclass
class Me:
    email: str
    full_name: str
    roles: list[str]
    organisation: str | None
    language: str


class ApiV1Controller(Controller):
    path = "/api/v1"
    tags = ["portal"]

    @get("/me", guards=[requires_login], summary="The logged-in user")
    async def me(self, request: Request) -> Me:
        user = current_user(request)
        assert user is not None
        return Me(
            email=user.email,
            full_name=user.full_name,
            roles=sorted(user.roles),
            organisation=user.organisation_code,
            language=request.scope.get("language", "nl"),  # type: ignore[call-overload]
        )
