"""No NUL character reaches the database: PostgreSQL refuses it in text (a 500 without
this), and no person types one. A query string, a path or a request body that holds one
is answered 400 with words, before any handler has a value from it.

Every body a handler parses is read, as it parses it:

- a route that takes a JSON body (the API) gets its body read as JSON whatever its
  Content-Type says (Litestar decodes it as JSON then too: `text/plain` is no way
  around the check);
- a form (`application/x-www-form-urlencoded`) raw and URL-encoded (`%00`);
- `multipart/form-data` part by part with the parser Litestar itself uses: each part's
  headers (its field name and file name) and the value of each field, decoded in the
  part's charset as Litestar will decode it; never a file's contents, which the import
  checks and refuses naming the line (`FILE:LINE`);
- any other body as JSON (no handler reads one otherwise).

The body is checked while it streams to the handler, chunk by chunk, and nothing of it is
kept here: a 128 MB upload costs no memory, and the route's own body limit still applies.
Litestar parses the whole body before the handler runs, so a refusal comes before any
handler has a value, let alone a query.

No number in a path that no record can have reaches it either: a path parameter typed
`int` beyond a 32-bit integer (the ids' column type; years too) is a 404 for every route,
instead of an overflow in the database driver or the date library."""

from __future__ import annotations

import codecs
from typing import Any, Protocol

from litestar.connection import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from multipart import (  # type: ignore[import-untyped]
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
)

from core.i18n import gettext as _
from core.parsing import LARGEST_ID

# A NUL as it arrives in each kind of body: raw, URL-encoded, or as a JSON string escape.
FORM_NUL = (b"\x00", b"%00")
JSON_NUL = (b"\x00", b"\\u0000")
FORM_TYPES = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)


def _refused() -> ClientException:
    return ClientException(
        detail=_("The input holds a character that is not allowed (NUL): remove it and try again.")
    )


class BodyCheck(Protocol):
    def feed(self, chunk: bytes, *, last: bool) -> None: ...


class ScanCheck:
    """A form or JSON body: the patterns searched in each chunk and across the seam with
    the previous one (a pattern may be split between two chunks)."""

    def __init__(self, patterns: tuple[bytes, ...]) -> None:
        self.patterns = patterns
        self.overlap = max(len(pattern) for pattern in patterns) - 1
        self.tail = b""

    def feed(self, chunk: bytes, *, last: bool) -> None:
        data = self.tail + chunk
        if any(pattern in data for pattern in self.patterns):
            raise _refused()
        self.tail = data[-self.overlap :]


class MultipartCheck:
    """`multipart/form-data` through the same push parser, with the same part limit, as
    Litestar's `request.form()`: what this parser reads is what the handler will get. A
    body the parser cannot read is refused here (Litestar would refuse it too)."""

    def __init__(self, boundary: str | None, part_limit: int) -> None:
        self.decoder: codecs.IncrementalDecoder | None = None
        self.started = False
        try:
            self.parser = PushMultipartParser(
                (boundary or "").encode(), max_segment_count=part_limit
            )
        except MultipartError:
            raise ValidationException() from None

    def feed(self, chunk: bytes, *, last: bool) -> None:
        # As Litestar reads it: an empty chunk is no end of input (to the parser it is),
        # what follows the closing boundary is not read, and an empty body is no form.
        try:
            if chunk and not self.parser.closed:
                self.started = True
                for event in self.parser.parse(chunk):
                    self._event(event)
            if last and self.started and not self.parser.closed:
                self.parser.close()
        except (MultipartError, UnicodeDecodeError, LookupError):
            # Broken multipart, a value not in its charset, or a charset that does not
            # exist: Litestar would refuse the first and fail with a 500 on the others.
            raise ValidationException() from None

    def _event(self, event: MultipartSegment | bytes | None) -> None:
        if isinstance(event, MultipartSegment):
            headers = [value for _name, value in event.headerlist]
            if any("\x00" in text for text in (event.name or "", event.filename or "", *headers)):
                raise _refused()
            # A part with a file name is a file (Litestar's rule): its contents are the
            # import's to check. Any other part is a value, decoded as Litestar will.
            self.decoder = (
                None if event.filename else codecs.getincrementaldecoder(event.charset or "utf-8")()
            )
        elif self.decoder is not None and "\x00" in self.decoder.decode(
            event or b"", final=event is None
        ):
            raise _refused()


def takes_json(handler: Any) -> bool:
    """Whether the route's handler takes a `data` body that Litestar decodes as JSON."""
    signature = getattr(handler, "parsed_fn_signature", None)
    data = signature.parameters.get("data") if signature is not None else None
    if data is None:
        return False
    media_type = getattr(data.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return media_type not in FORM_TYPES


def body_check(scope: Scope) -> BodyCheck:
    """How the request's handler will parse its body, and so how to look for a NUL."""
    content_type, options = Request(scope).content_type
    if not takes_json(scope.get("route_handler")):
        if content_type == RequestEncodingType.MULTI_PART:
            return MultipartCheck(
                options.get("boundary"), scope["litestar_app"].multipart_form_part_limit
            )
        if content_type == RequestEncodingType.URL_ENCODED:
            return ScanCheck(FORM_NUL)
    return ScanCheck(JSON_NUL)


def checked(receive: Receive, check: BodyCheck) -> Receive:
    """`receive` that passes each chunk of the body through `check` on its way."""

    async def receive_checked() -> ReceiveMessage:
        message = await receive()
        if message["type"] == "http.request":
            check.feed(message.get("body", b""), last=not message.get("more_body", False))
        return message

    return receive_checked


class RefuseNulMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http":
            await next_app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if any(pattern in query for pattern in FORM_NUL) or "\x00" in scope.get("path", ""):
            raise _refused()
        for value in scope.get("path_params", {}).values():
            if isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
                raise NotFoundException(_("There is no such page."))
        await next_app(scope, checked(receive, body_check(scope)), send)
