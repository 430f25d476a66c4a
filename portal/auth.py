"""The per-request user and language, from the session (logging in and out on the session:
`webkit.sessions`)."""

from __future__ import annotations

import time

from litestar.connection import ASGIConnection
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.service import load_user
from core import notices
from core.i18n import LANGUAGE_COOKIE, negotiate_language, set_language
from core.identity import CurrentUser
from core.settings import settings_of
from webkit.sessions import rotate_session_id


def _shows_the_menu(scope: Scope) -> bool:
    """A request answered with a whole page (and its menu): a GET of a page, not an htmx
    fragment (a boosted navigation is a whole page), the API, a file or the health check."""
    if scope["type"] != "http" or scope.get("method") != "GET":
        return False
    path = scope["path"]
    if path.startswith(("/api/", "/static/", "/schema", "/health")):
        return False
    headers = dict(scope["headers"])
    return b"hx-request" not in headers or b"hx-boosted" in headers


class UserAndLanguageMiddleware(ASGIMiddleware):
    """Puts the logged-in user (or None) and the request's language in the scope."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection = ASGIConnection(scope)
        settings = settings_of(connection)
        user: CurrentUser | None = None
        raw_session = scope.get("session")
        session: dict = raw_session if isinstance(raw_session, dict) else {}
        user_id = session.get("user_id")
        if user_id is not None:
            age = time.time() - float(session.get("auth_at", 0))
            if age <= settings.security.session_absolute_hours * 3600:
                user = await load_user(int(user_id))
            if user is not None and session.get("sv", 0) != user.session_version:
                # The password, roles or organisation changed since this login: ended.
                user = None
            if user is None:
                # Expired, deactivated or ended: the old id is deleted server-side.
                rotate_session_id(connection)
                scope["session"] = {}
        scope["user"] = user
        if user is not None and _shows_the_menu(scope):
            # The menu says how many notices wait (DG R&O, PRO Partners): a whole page only.
            scope["unread_notices"] = await notices.unread_for(user)  # type: ignore[typeddict-unknown-key]
        language = negotiate_language(
            connection.cookies.get(LANGUAGE_COOKIE),
            user.preferred_language if user else None,
            connection.headers.get("accept-language"),
            settings.default_language,
        )
        scope["language"] = language  # type: ignore[typeddict-unknown-key]
        set_language(language)
        await next_app(scope, receive, send)
