"""Error pages: HTML for people, JSON under /api; refused access is written to the audit log.

The services' answers (`core.errors`) are mapped here once, for every route: `NotFound` is a
404, `TransitionRefused` (and `ChangedMeanwhile`) a 409, `Refused` a 400 (under /api with
`errors` by field). A form's route names the page that shows the form again
(`shows_again(page)`): a refusal then answers with that page, its message beside the field
and everything typed kept (the request's form), never with the bare error page.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core import audit
from core.errors import NotFound, Refused, TransitionRefused
from core.forms import FormResult
from core.i18n import LANGUAGE_COOKIE, negotiate_language, set_language
from core.i18n import gettext as _
from core.settings import settings_of
from webkit.guards import actor_of

# The portal's log of unhandled errors, under the name the logs have always had.
logger = logging.getLogger("portal.errors")

CSRF_FAILURE = "CSRF token verification failed"


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def is_api(request: Request) -> bool:
    return is_api_path(request.url.path)


def _ensure_language(request: Request) -> None:
    # Unmatched paths never pass the route middleware that picks the language.
    if "language" not in request.scope:
        set_language(
            negotiate_language(
                request.cookies.get(LANGUAGE_COOKIE),
                None,
                request.headers.get("accept-language"),
                settings_of(request).default_language,
            )
        )


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be processed"),
        401: _("Please log in"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This cannot be done in the current state"),
        413: _("The file is too large"),
        422: _("Some input is not valid"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


def error_response(
    request: Request,
    status_code: int,
    message: str,
    *,
    background: BackgroundTask | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    _ensure_language(request)
    if is_api(request):
        return Response(
            {**(extra or {}), "status_code": status_code, "detail": message},
            status_code=status_code,
            media_type=MediaType.JSON,
            background=background,
            headers=headers,
        )
    title = _titles().get(status_code, _titles()[400])
    context = {"status_code": status_code, "title": title, "message": message}
    return Template(
        template_name="portal/error.html",
        context={**context, "back": _back_to(request)},
        status_code=status_code,
        background=background,
        headers=headers,
    )


def _back_to(request: Request) -> str | None:
    """The page a refused form was sent from (this site's path only), to go back to."""
    if request.method == "GET":
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    path = referer.path
    if not path.startswith("/") or path.startswith("//") or path == request.url.path:
        return None
    return path + (f"?{referer.query}" if referer.query else "")


def _refusal_audit(request: Request, detail: str) -> BackgroundTask:
    return BackgroundTask(
        audit.record,
        actor_of(request),
        "access_denied",
        outcome=audit.Outcome.DENIED,
        detail=f"{request.method} {request.url.path}: {detail}",
    )


def handle_not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    if is_api(request) or request.method != "GET":
        return error_response(
            request,
            401,
            _("Please log in first."),
            background=_refusal_audit(request, "not logged in"),
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login_url = f"/login?next={quote(target, safe='')}"
    if request.headers.get("hx-request"):
        # htmx would swap the login page into the fragment; send the whole window there.
        return Response(None, status_code=401, headers={"HX-Redirect": login_url})
    return Redirect(login_url, status_code=303)


def handle_permission_denied(request: Request, exc: PermissionDeniedException) -> Response:
    if exc.detail == CSRF_FAILURE:
        message = _(
            "This form has expired or did not come from the portal. Reload the page and try again."
        )
    else:
        message = exc.detail
    return error_response(request, 403, message, background=_refusal_audit(request, exc.detail))


def handle_not_found(request: Request, exc: NotFoundException) -> Response:
    return error_response(request, 404, _("There is no page at this address."))


def handle_too_many_requests(request: Request, exc: TooManyRequestsException) -> Response:
    return error_response(
        request,
        429,
        _("Too many login attempts from your address. Wait a minute, then try again."),
        headers={k: v for k, v in (exc.headers or {}).items()},
        background=_refusal_audit(request, "rate limited"),
    )


def handle_validation(request: Request, exc: ValidationException) -> Response:
    return error_response(request, 400, _("Some of the input is missing or malformed."))


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    """The API's answer carries the exception's `extra` (e.g. `errors` per field)."""
    extra = exc.extra if isinstance(exc.extra, dict) else None
    # e.g. 405's `Allow`, which names the methods the address does take
    headers = dict(exc.headers) if exc.headers else None
    return error_response(request, exc.status_code, exc.detail, extra=extra, headers=headers)


# A form's page again, with the refusal's messages by field and what was typed.
FormPage = Callable[[Request, FormResult], Awaitable[Response]]
_FORM_PAGE = "form_page"


def shows_again(page: FormPage) -> dict[str, Any]:
    """The `opt` of a form's POST route: a refusal of its input (`Refused`) or of its
    record's state (`TransitionRefused`) answers with `page`, the form filled with what was
    typed and the message beside its field (a message of no field stands above the form)."""
    return {_FORM_PAGE: page}


class _FormAgain(Response):
    """The form's page, rendered when sent: an exception handler is synchronous, a page
    needs its queries."""

    def __init__(self, page: FormPage, errors: dict[str, str], status: int) -> None:
        super().__init__(None, status_code=status)
        self._page = page
        self._errors = errors

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> Any:
        async def send_page(scope: Any, receive: Any, send: Any) -> None:
            typed = await request.form()
            values = {key: str(value) for key, value in typed.items() if key != "_csrf_token"}
            response = await self._page(request, FormResult(values, self._errors))
            response.status_code = self.status_code
            asgi = response.to_asgi_response(
                app, request, type_encoders=kwargs.get("type_encoders")
            )
            await asgi(scope, receive, send)

        return send_page


def _form_page(request: Request) -> FormPage | None:
    handler = request.scope.get("route_handler")
    return None if handler is None or is_api(request) else handler.opt.get(_FORM_PAGE)


def handle_refused(request: Request, exc: Refused) -> Response:
    page = _form_page(request)
    if page is not None:
        return _FormAgain(page, exc.errors, 400)
    if is_api(request):
        errors = {field: message for field, message in exc.errors.items() if field}
        extra = {"errors": errors} if errors else None
        return error_response(request, 400, exc.message, extra=extra)
    return error_response(request, 400, exc.message)


def _changed_meanwhile() -> str:
    """A refused transition in the form's page: the page, read again, shows the record."""
    return _(
        "This was changed meanwhile, or it is no longer possible in its current state: the "
        "page now shows where it stands."
    )


def handle_transition_refused(request: Request, exc: TransitionRefused) -> Response:
    page = _form_page(request)
    if page is not None:
        return _FormAgain(page, {"": _changed_meanwhile()}, 409)
    return error_response(
        request, 409, _("This was changed meanwhile, or it is no longer possible: reload the page.")
    )


def handle_record_not_found(request: Request, exc: NotFound) -> Response:
    return error_response(request, 404, str(exc) or _("There is no page at this address."))


def log_server_errors(app_logger: Any, scope: Any, _traceback: list[str]) -> None:
    """Litestar's exception log, for server faults only: a client's error (any 4xx, an
    `HTTPException(status_code=409)` too, which Litestar's own `disable_stack_trace` misses
    because it reads the status of the class) is answered with a page, and its traceback in
    the log would only bury the real faults."""
    error = sys.exc_info()[1]
    if isinstance(error, Refused | NotFound | TransitionRefused):
        return  # a service's answer to the input, mapped to a 4xx page above
    status = error.status_code if isinstance(error, HTTPException) else 500
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        app_logger.exception(
            "Uncaught exception (connection_type=%s, path=%r):", scope["type"], scope["path"]
        )


def handle_internal_error(request: Request, exc: Exception) -> Response:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        _("The error has been logged. Please try again later."),
    )


EXCEPTION_HANDLERS = {
    NotAuthorizedException: handle_not_authorized,
    PermissionDeniedException: handle_permission_denied,
    NotFoundException: handle_not_found,
    TooManyRequestsException: handle_too_many_requests,
    ValidationException: handle_validation,
    HTTPException: handle_http_exception,
    Refused: handle_refused,
    TransitionRefused: handle_transition_refused,
    NotFound: handle_record_not_found,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_internal_error,
}
