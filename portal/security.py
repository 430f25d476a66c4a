"""Security headers on every response, 404s included (Litestar has no middleware for them);
one-time tokens kept out of the server's logs.

A `before_send` hook, unlike route middleware, also sees responses to unmatched paths.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from core.audit import redact_tokens

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

    return add_security_headers


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
