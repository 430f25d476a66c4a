"""No NUL character reaches the database: PostgreSQL refuses it in text (a 500 without
this), and no person types one. A query string, a path or a form/JSON body that holds
one is answered 400 with words, before any handler reads it. File uploads (multipart)
are checked by the import, which names the line.

No number in a path that no record can have reaches it either: a path parameter typed
`int` beyond a 32-bit integer (the ids' column type; years too) is a 404 for every route,
instead of an overflow in the database driver or the date library."""

from __future__ import annotations

from litestar.exceptions import ClientException, NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from core.i18n import gettext as _

CHECKED_BODIES = (b"application/x-www-form-urlencoded", b"application/json")
LARGEST_ID = 2**31 - 1


def _refused() -> ClientException:
    return ClientException(
        detail=_("The input holds a character that is not allowed (NUL): remove it and try again.")
    )


def _holds_nul(data: bytes, *, json: bool = False) -> bool:
    """A NUL as it arrives: raw, URL-encoded (`%00`), or in a JSON string (`\\u0000`)."""
    if json:
        return b"\x00" in data or b"\\u0000" in data.lower()
    return b"\x00" in data or b"%00" in data


class RefuseNulMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http":
            await next_app(scope, receive, send)
            return
        if _holds_nul(scope.get("query_string", b"")) or "\x00" in scope.get("path", ""):
            raise _refused()
        for value in scope.get("path_params", {}).values():
            if isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
                raise NotFoundException(_("There is no such page."))
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").lower()
        if scope.get("method") not in ("POST", "PUT", "PATCH") or not content_type.startswith(
            CHECKED_BODIES
        ):
            await next_app(scope, receive, send)
            return
        messages: list[ReceiveMessage] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if _holds_nul(body, json=content_type.startswith(b"application/json")):
            raise _refused()

        async def replay() -> ReceiveMessage:
            return messages.pop(0) if messages else await receive()

        await next_app(scope, replay, send)
