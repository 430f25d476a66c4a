"""Security headers on every response, 404s included (Litestar has no middleware for them);
the host check; one-time tokens kept out of the server's logs.

A `before_send` hook, unlike route middleware, also sees responses to unmatched paths.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.audit import redact_tokens
from core.settings import host_allowed, host_name

# No inline script or style anywhere: htmx and the portal's own JS come from /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
# The portal's own CSS/JS, htmx and Pico (app.py): the same for everyone, so cacheable.
STATIC_PREFIX = "/static/"


def security_headers_hook(*, hsts: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if scope.get("user") is not None and not scope["path"].startswith(STATIC_PREFIX):
            # What a logged-in user is shown (a page, a fragment, a download) stays out of
            # the browser's and any proxy's cache: the next person at a shared computer
            # cannot page back to it after logout (ASVS 5.0 V14.3.2).
            headers["Cache-Control"] = "no-store"

    return add_security_headers


class AllowedHostsMiddleware(ASGIMiddleware):
    """Requests only for the portal's host names (ALLOWED_HOSTS). Unlike Litestar's own
    check, which compares the whole `Host` header, the port is not part of the name: behind
    a proxy or on another port than 80/443 the browser sends `portal.example.be:8443`."""

    def __init__(self, allowed_hosts: tuple[str, ...]) -> None:
        self.allowed_hosts = allowed_hosts

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if "*" not in self.allowed_hosts:
            host = Headers.from_scope(scope).get("host")
            name = host_name(host) if host else None
            if name is None or not host_allowed(name, self.allowed_hosts):
                refusal = ASGIResponse(
                    body=b'{"message":"invalid host header"}', status_code=HTTP_400_BAD_REQUEST
                )
                await refusal(scope, receive, send)
                return
        await next_app(scope, receive, send)


def _redacted(value: object) -> object:
    return redact_tokens(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Replaces the token of an account-mail link in a log record (uvicorn's access log
    prints every path; Litestar's names the path of an error): whoever reads the log must
    not be able to use the link. The arguments are redacted one by one, so a formatter that
    reads them (uvicorn's access formatter) still finds them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        return True
