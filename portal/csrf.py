"""CSRF tokens bound to the session.

Litestar's CSRF middleware is a double-submit cookie: the form's token must equal the
cookie's, signed with SECRET_KEY, but it is the same for whoever holds that cookie, so a
token taken from one session (or a cookie planted by a neighbouring host) works in
another. Here the token's signature also covers the id of the logged-in session (HMAC of
nonce and session id): a token is good only in the session it was issued for, and a fresh
one (with its cookie) is issued when the session changes (login, logout). Before login the
token is bound to no session, as Litestar's is.

An error page is answered outside the middleware (an unrouted path, a refusal by CSRF, the
rate limit or the input guard): `ErrorPageTokens` gives it a token good for the session the
browser holds, so the header's forms (language, log out) on it work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from core.settings import SecuritySettings
from portal.sessions import PortalSessionConfig, logged_in_session_id, session_id_of
from webkit.errors import CSRF_FAILURE, is_api_path

if TYPE_CHECKING:
    from litestar.types import Message, Receive, Scope, Send

NONCE_BYTES = 32
# The scope key of a token made for an error page, whose cookie the response must set.
_FRESH_COOKIE_KEY = "_portal_error_page_csrf"


def csrf_config(security: SecuritySettings) -> CSRFConfig:
    """The token's secret and cookie (`__Host-` and Secure in production)."""
    return CSRFConfig(
        secret=security.secret_key,
        cookie_name="__Host-csrftoken" if security.secure_cookies else "csrftoken",
        cookie_secure=security.secure_cookies,
        cookie_httponly=False,
        cookie_samesite="lax",
    )


def _sign(secret: str, nonce: str, session_id: str) -> str:
    message = f"{nonce}|{session_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_token(secret: str, session_id: str) -> str:
    nonce = secrets.token_hex(NONCE_BYTES)
    return nonce + _sign(secret, nonce, session_id)


def token_valid(secret: str, token: str | None, session_id: str) -> bool:
    if not token or len(token) != 4 * NONCE_BYTES or not token.isascii():
        return False
    nonce, signature = token[: 2 * NONCE_BYTES], token[2 * NONCE_BYTES :]
    return hmac.compare_digest(signature.encode(), _sign(secret, nonce, session_id).encode())


def bound_session(scope: Scope) -> str:
    """What a token is bound to: the id of the logged-in session, or "" for a visitor who
    is not logged in (whose session, if any, only carries a flash message). Read when the
    request arrives and again when its response starts: login and logout change it."""
    session = scope.get("session")
    if not isinstance(session, dict) or not session.get("user_id"):
        return ""
    return session_id_of(scope)


class SessionBoundCSRFMiddleware(CSRFMiddleware):
    def _token(self, session_id: str) -> str:
        return new_token(self.config.secret, session_id)

    def _valid(self, token: str | None, session_id: str) -> bool:
        return token_valid(self.config.secret, token, session_id)

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


def _set_cookie(config: CSRFConfig, message: Message, token: str) -> None:
    cookie = Cookie(
        key=config.cookie_name,
        value=token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )
    MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))


class ErrorPageTokens:
    """A token for the error pages the middleware above never saw: an unrouted path (no
    middleware runs for it), or a refusal raised before a token was chosen (CSRF itself,
    the rate limit, the input guard). Without it their header forms carry an empty token
    and are refused. `after_exception` runs before the error page is rendered; `before_send`
    sets the cookie of a token made for it."""

    def __init__(self, csrf: CSRFConfig, sessions: PortalSessionConfig) -> None:
        self.csrf = csrf
        self.sessions = sessions

    async def after_exception(self, _exc: Exception, scope: Scope) -> None:
        state = ScopeState.from_scope(scope)
        if scope["type"] != ScopeType.HTTP or state.csrf_token is not Empty:
            return
        if is_api_path(scope["path"]):  # JSON answers hold no form
            return
        connection: ASGIConnection = ASGIConnection(scope)
        if "session" in scope:  # refused inside the middleware: the session is known
            session_id = bound_session(scope)
        else:
            session_id = await logged_in_session_id(connection, self.sessions)
        cookie = connection.cookies.get(self.csrf.cookie_name)
        if token_valid(self.csrf.secret, cookie, session_id):
            state.csrf_token = cookie  # type: ignore[assignment]  # checked just above
            return
        token = new_token(self.csrf.secret, session_id)
        state.csrf_token = token
        scope[_FRESH_COOKIE_KEY] = token  # type: ignore[literal-required]

    async def before_send(self, message: Message, scope: Scope) -> None:
        token = scope.get(_FRESH_COOKIE_KEY)
        if message["type"] == "http.response.start" and token:
            _set_cookie(self.csrf, message, str(token))
