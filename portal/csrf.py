"""CSRF tokens bound to the session.

Litestar's CSRF middleware is a double-submit cookie: the form's token must equal the
cookie's, signed with SECRET_KEY, but it is the same for whoever holds that cookie, so a
token taken from one session (or a cookie planted by a neighbouring host) works in
another. Here the token's signature also covers the id of the logged-in session (HMAC of
nonce and session id): a token is good only in the session it was issued for, and a fresh
one (with its cookie) is issued when the session changes (login, logout). Before login the
token is bound to no session, as Litestar's is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.utils.scope.state import ScopeState

from portal.errors import CSRF_FAILURE
from portal.sessions import session_id_of

if TYPE_CHECKING:
    from litestar.types import Message, Receive, Scope, Send

NONCE_BYTES = 32


def bound_session(scope: Scope) -> str:
    """What a token is bound to: the id of the logged-in session, or "" for a visitor who
    is not logged in (whose session, if any, only carries a flash message). Read when the
    request arrives and again when its response starts: login and logout change it."""
    session = scope.get("session")
    if not isinstance(session, dict) or not session.get("user_id"):
        return ""
    return session_id_of(scope)


class SessionBoundCSRFMiddleware(CSRFMiddleware):
    def _sign(self, nonce: str, session_id: str) -> str:
        message = f"{nonce}|{session_id}".encode()
        return hmac.new(self.config.secret.encode(), message, hashlib.sha256).hexdigest()

    def _token(self, session_id: str) -> str:
        nonce = secrets.token_hex(NONCE_BYTES)
        return nonce + self._sign(nonce, session_id)

    def _valid(self, token: str | None, session_id: str) -> bool:
        if not token or len(token) != 4 * NONCE_BYTES or not token.isascii():
            return False
        nonce, signature = token[: 2 * NONCE_BYTES], token[2 * NONCE_BYTES :]
        return hmac.compare_digest(signature.encode(), self._sign(nonce, session_id).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        cookie = request.cookies.get(self.config.cookie_name)
        session_id = bound_session(scope)
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            token = cookie if self._valid(cookie, session_id) else self._token(session_id)
        else:
            submitted = request.headers.get(self.config.header_name)
            content_type, _ = request.content_type
            if not submitted and content_type in {
                RequestEncodingType.URL_ENCODED,
                RequestEncodingType.MULTI_PART,
            }:
                submitted = (await request.form()).get("_csrf_token")
            if not (
                isinstance(submitted, str)
                and cookie is not None
                and hmac.compare_digest(submitted.encode(), cookie.encode())
                and self._valid(submitted, session_id)
            ):
                raise PermissionDeniedException(CSRF_FAILURE)
            token = submitted
        state.csrf_token = token
        await self.app(scope, receive, self._sending(send, scope, cookie, token))

    def _sending(self, send: Send, scope: Scope, cookie: str | None, token: str) -> Send:
        """Sets the cookie when the browser lacks a token good for the session it will hold
        after this response (a first visit, a login, a logout)."""

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                session_id = bound_session(scope)
                if cookie is None or not self._valid(cookie, session_id):
                    fresh = token if self._valid(token, session_id) else self._token(session_id)
                    self._set_cookie_if_needed(message=message, token=fresh)  # type: ignore[arg-type]
            await send(message)

        return send_wrapper
