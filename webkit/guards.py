"""Guards: every route says who may reach it, checked on the server.

A route handler either has guards or carries `opt=PUBLIC`; a test walks the route table
and fails on any route with neither, so no route is left open by accident.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from core.audit import Actor
from core.i18n import gettext as _
from core.identity import CurrentUser, Role

PUBLIC: dict[str, Any] = {"public": True}
Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    return connection.scope.get("user")  # type: ignore[return-value]


def signed_in(connection: ASGIConnection) -> CurrentUser:
    """The logged-in user of a route whose guards require one (a 401 otherwise, should a
    route lack its guard)."""
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException(_("Please log in to see this page."))
    return user


def actor_of(connection: ASGIConnection) -> Actor:
    """The audit log's actor for a request: the user (or nobody), the address, the path."""
    user = current_user(connection)
    client = connection.scope.get("client")
    return Actor(
        email=user.email if user else None,
        roles=",".join(sorted(user.roles)) if user else "",
        ip_address=client[0] if client else None,
        path=connection.url.path,
    )


# Guards are coroutines: Litestar runs a plain function guard in a worker thread, a hop per
# guard per request for a check of a few attribute reads.
async def requires_login(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    signed_in(connection)


def requires_role(*roles: Role) -> Guard:
    """Allow users holding at least one of `roles`."""

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        await requires_login(connection, handler)
        user = current_user(connection)
        assert user is not None
        if not user.has_role(*roles):
            raise PermissionDeniedException(_("Your role does not allow this."))

    guard.__name__ = f"requires_role({','.join(roles)})"
    guard.roles = frozenset(roles)  # type: ignore[attr-defined]
    return guard


async def requires_organisation_scope(
    connection: ASGIConnection, handler: BaseRouteHandler
) -> None:
    """The `{code}` in the path must be the user's own organisation, unless the user is DG R&O."""
    await requires_login(connection, handler)
    user = current_user(connection)
    assert user is not None
    code = connection.path_params.get("code")
    if code is None:
        raise PermissionDeniedException(_("This page needs an organisation."))
    if not user.may_act_for(str(code)):
        raise PermissionDeniedException(_("You can only act for your own organisation."))


requires_dgro = requires_role(Role.DGRO)
# Who may read an organisation's staff register and download it, and who may write it,
# by hand or by import (each besides `requires_organisation_scope`).
requires_register_reader = requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)
requires_register_writer = requires_role(Role.DGRO, Role.PRO_PARTNER)
# Who reads an organisation's Q-checks and their analytics (besides its own scope).
QCHECK_READERS = (Role.DGRO, Role.PRO_PARTNER, Role.HR)
requires_qcheck_reader = requires_role(*QCHECK_READERS)
# Who manages accounts: DG R&O every account, HR those of its own organisation.
requires_account_manager = requires_role(Role.DGRO, Role.HR)
