"""The request's side of the session: log in on a fresh session id, keep the session after
the user's own password change, log out, and ask for a fresh id.

A handler only marks what the response must do (`rotate_session_id`); the session backend
of the shell (`portal.sessions.RotatingSessionBackend`) reads the mark from the scope at
the end of the request, issues the fresh id and deletes the old one server-side.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.types import Scope

from core.identity import CurrentUser

# Where the session's id bookkeeping of one request lives in the ASGI scope.
_SCOPE_KEY = "_portal_session"


def session_state(scope: Scope) -> dict[str, Any]:
    """The request's session bookkeeping (the id it came with, a fresh one, the rotation
    asked for), shared with the session backend."""
    return scope.setdefault(_SCOPE_KEY, {})  # type: ignore[misc,typeddict-item]


def rotate_session_id(connection: ASGIConnection) -> None:
    """Ask for a fresh session id on this response; the old id stops working."""
    session_state(connection.scope)["rotate"] = True


def start_session(request: Request, user: CurrentUser) -> None:
    """Log the user in on a fresh session id (never the one the browser brought)."""
    rotate_session_id(request)
    request.set_session(
        {"user_id": user.id, "auth_at": int(time.time()), "sv": user.session_version}
    )
    request.scope["user"] = user


def keep_session(request: Request, session_version: int) -> None:
    """After the user changed their own password: this session goes on, on a fresh id and
    with the new session version (every other session of the user has ended)."""
    rotate_session_id(request)
    request.set_session({**request.session, "sv": session_version})


def end_session(request: Request) -> None:
    """Log out: the old session id is deleted server-side; a fresh, empty one may follow."""
    rotate_session_id(request)
    request.set_session({})
    request.scope["user"] = None
