"""Server-side sessions that cannot be fixed by an attacker.

Litestar's `ServerSideSessionBackend` adopts whatever session id the browser sends and
keeps it across login: session fixation. This backend only ever uses ids it issued
itself and that still exist in the store, and issues a fresh id when the application
asks for one (at login: `webkit.sessions.rotate_session_id`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, Scope, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from webkit.sessions import session_state

SESSION_ID_BYTES = 32


def session_id_of(scope: Scope) -> str:
    """The id of the session as it stands (read at the end of a request: the id the browser
    will hold after the response): the one it came with, a fresh one (login, logout, a
    first session), or "" when nothing is kept."""
    session = scope.get("session")
    if session is Empty or not session:
        return ""
    state = session_state(scope)
    known = state.get("known_id")
    if known and not state.get("rotate"):
        return str(known)
    if "new_id" not in state:  # the id `get_session_id` will store the session under
        state["new_id"] = secrets.token_hex(SESSION_ID_BYTES)
    return str(state["new_id"])


class RotatingSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        browser_id = connection.cookies.get(self.config.key)
        if browser_id and browser_id != "null":
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(browser_id, store=store)
            if data is not None:
                session_state(connection.scope)["known_id"] = browser_id
                session_state(connection.scope)["loaded"] = data
                return self.deserialize_data(data)
        # An id we do not know is ignored: it is never adopted.
        return {}

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = session_state(connection.scope)
        known = state.get("known_id")
        if known and not state.get("rotate"):
            return known
        if "new_id" not in state:
            state["new_id"] = secrets.token_hex(SESSION_ID_BYTES)
        return str(state["new_id"])

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        state = session_state(connection.scope)
        known = state.get("known_id")
        if state.get("rotate") and known:
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(known, store=store)
            state["known_id"] = None
        if scope_session is not Empty and not scope_session and not known:
            # Nothing to remember for an anonymous visitor: no row, no cookie.
            return
        if (
            known
            and scope_session is not Empty
            and self.serialize_data(scope_session, connection.scope) == state.get("loaded")
        ):
            # Unchanged: the store already holds it (its expiry is renewed on reading);
            # only the cookie is sent again, so the browser keeps it as long.
            cookie_params = dict(
                extract_dataclass_items(
                    self.config, exclude_none=True, include=Cookie.__dict__.keys()
                )
            )
            MutableScopeHeaders.from_message(message).add(
                "Set-Cookie",
                Cookie(value=known, key=self.config.key, **cookie_params).to_header(header=""),
            )
            return
        await super().store_in_message(scope_session, message, connection)


@dataclass
class PortalSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


async def logged_in_session_id(connection: ASGIConnection, config: PortalSessionConfig) -> str:
    """The id of the logged-in session the browser holds, for a request the session
    middleware never saw (an unrouted path); "" when it holds none. Read only: nothing is
    renewed, rotated or written."""
    browser_id = connection.cookies.get(config.key)
    if not browser_id or browser_id == "null":
        return ""
    backend = RotatingSessionBackend(config=config)
    data = await config.get_store_from_app(connection.scope["app"]).get(browser_id)
    if data is None:
        return ""
    return browser_id if backend.deserialize_data(data).get("user_id") else ""
