"""Guards decide on real Litestar connections built from an ASGI scope."""

import pytest
from litestar import Litestar, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import FromPath

from core.identity import CurrentUser, Role
from webkit.guards import requires_dgro, requires_login, requires_organisation_scope, requires_role


@get("/organisations/{code:str}", sync_to_thread=False)
def handler(code: FromPath[str]) -> None:
    return None


APP = Litestar([handler])


def user(*roles: Role, organisation: str | None = "BOSA") -> CurrentUser:
    return CurrentUser(
        id=1,
        email="someone@example.be",
        full_name="Some One",
        roles=frozenset(roles),
        organisation_id=1 if organisation else None,
        organisation_code=organisation,
        preferred_language=None,
    )


def connection(current: CurrentUser | None, code: str | None = None) -> ASGIConnection:
    scope = {
        "type": "http",
        "app": APP,
        "path": f"/organisations/{code}" if code else "/",
        "path_params": {"code": code} if code else {},
        "headers": [],
        "query_string": b"",
        "user": current,
    }
    return ASGIConnection(scope)  # type: ignore[arg-type]


async def test_anonymous_visitors_must_log_in():
    with pytest.raises(NotAuthorizedException):
        await requires_login(connection(None), handler)


async def test_any_logged_in_user_passes_requires_login():
    await requires_login(connection(user(Role.STAFF)), handler)


async def test_role_guard_lets_a_holder_of_any_listed_role_through():
    guard = requires_role(Role.HR, Role.DGRO)
    await guard(connection(user(Role.HR)), handler)
    await guard(connection(user(Role.STAFF, Role.DGRO, organisation=None)), handler)


async def test_role_guard_refuses_other_roles_and_anonymous():
    with pytest.raises(PermissionDeniedException):
        await requires_dgro(connection(user(Role.PRO_PARTNER, Role.HR)), handler)
    with pytest.raises(NotAuthorizedException):
        await requires_dgro(connection(None), handler)


async def test_organisation_scope_allows_own_organisation_only():
    await requires_organisation_scope(connection(user(Role.PRO_PARTNER), "BOSA"), handler)
    with pytest.raises(PermissionDeniedException):
        await requires_organisation_scope(connection(user(Role.PRO_PARTNER), "FIN"), handler)


async def test_dgro_acts_for_every_organisation():
    await requires_organisation_scope(
        connection(user(Role.DGRO, organisation=None), "FIN"), handler
    )


async def test_a_user_without_organisation_has_no_organisation_scope():
    with pytest.raises(PermissionDeniedException):
        await requires_organisation_scope(
            connection(user(Role.HR, organisation=None), "BOSA"), handler
        )
