"""The application factory: `portal run` and the tests both build the app here."""

from __future__ import annotations

import logging

from litestar import Litestar, Request, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.logging.config import default_handlers
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from accounts import web as accounts_web
from certification import web as certification_web
from competencies import web as competencies_web
from core.assets import ROOTS
from core.database import current_engine
from core.settings import Settings, get_settings
from cycles import web as cycles_web
from organisations import web as organisations_web
from portal import web as shell_web
from portal.assets import hashed_static
from portal.auth import UserAndLanguageMiddleware
from portal.cli import make_cli_plugin
from portal.csrf import ErrorPageTokens, SessionBoundCSRFMiddleware, csrf_config
from portal.hooks import install as install_hooks
from portal.input_guard import RefuseNulMiddleware
from portal.security import AllowedHostsMiddleware, RedactTokens, security_headers_hook
from portal.sessions import PortalSessionConfig
from portal.store import DatabaseStore
from portal.templating import template_config
from qchecks import web as qchecks_web
from webkit.errors import EXCEPTION_HANDLERS, log_server_errors
from webkit.guards import PUBLIC

# Logins, "forgot your password" and the links of the account mails share the limit per
# address: each is a guess at a password, an address or a token.
_THROTTLED_PREFIXES = ("/password/reset/", "/invitation/")


async def _is_login_attempt(request: Request) -> bool:
    if request.method != "POST":
        return False
    path = request.url.path
    return path in ("/login", "/password/forgot") or path.startswith(_THROTTLED_PREFIXES)


async def _open_pool(app: Litestar) -> None:
    # A pool someone else opened (the test session, on its own event loop) is left alone.
    engine = current_engine()
    if engine.pool is None:  # type: ignore[attr-defined]  # both engines of core.database
        await engine.start_connection_pool()  # type: ignore[attr-defined]
        app.state.owns_pool = True


async def _close_pool(app: Litestar) -> None:
    engine = current_engine()
    if app.state.get("owns_pool"):
        await engine.close_connection_pool()  # type: ignore[attr-defined]


def _static_routers() -> list[Router]:
    """Our own CSS/JS, and htmx + Pico straight from node_modules (installed from npm)."""
    return [
        create_static_files_router(
            path="/static/vendor/htmx",
            directories=[ROOTS["vendor/htmx/"]],
            opt=PUBLIC,
            include_in_schema=False,
            name="vendor_htmx",
        ),
        create_static_files_router(
            path="/static/vendor/pico",
            directories=[ROOTS["vendor/pico/"]],
            opt=PUBLIC,
            include_in_schema=False,
            name="vendor_pico",
        ),
        create_static_files_router(
            path="/static",
            directories=[ROOTS[""]],
            opt=PUBLIC,
            include_in_schema=False,
            name="static",
        ),
    ]


def _logging_config() -> LoggingConfig:
    """Litestar's handlers, with the tokens of account-mail links taken out of every record."""
    return LoggingConfig(
        root={"level": "INFO", "handlers": ["queue_listener"]},
        filters={"redact_tokens": {"()": RedactTokens}},
        handlers={
            name: {**handler, "filters": ["redact_tokens"]}
            for name, handler in default_handlers.items()
        },
        log_exceptions="always",
        # A person's 4xx (a refusal, a missing page, a 409 or a 422 of a handler) is answered
        # with a page, not a stack trace in the log; a 5xx keeps its trace.
        exception_logging_handler=log_server_errors,
    )


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the portal. Settings are validated first: an unsafe production setup won't start."""
    settings = settings or get_settings()
    install_hooks()
    security = settings.security
    templates = template_config()
    session_config = PortalSessionConfig(
        key="portal_session",
        max_age=security.session_idle_minutes * 60,
        renew_on_access=True,
        secure=security.secure_cookies,
        httponly=True,
        samesite="lax",
        store="sessions",
    )
    rate_limit = RateLimitConfig(
        rate_limit=("minute", security.login_attempts_per_minute),
        check_throttle_handler=_is_login_attempt,
        store="rate_limit",
    )
    csrf = csrf_config(security)
    error_page_tokens = ErrorPageTokens(csrf, session_config)
    openapi = OpenAPIConfig(
        title="PRO certification portal API",
        version="1",
        description="Exchange contract of SPEC section 5.",
        render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        openapi_router=Router(
            path="/schema", route_handlers=[], opt=PUBLIC, include_in_schema=False
        ),
    )
    return Litestar(
        route_handlers=[
            *shell_web.ROUTE_HANDLERS,
            # The outbox as pages, in development only (portal.web.dev_mail).
            *([] if settings.is_production else shell_web.DEVELOPMENT_HANDLERS),
            *accounts_web.ROUTE_HANDLERS,
            *organisations_web.ROUTE_HANDLERS,
            *certification_web.ROUTE_HANDLERS,
            *qchecks_web.ROUTE_HANDLERS,
            *competencies_web.ROUTE_HANDLERS,
            *cycles_web.ROUTE_HANDLERS,
            *_static_routers(),
            hashed_static,
        ],
        middleware=[
            # First: a request for another host name loads no session.
            AllowedHostsMiddleware(security.allowed_hosts),
            session_config.middleware,
            UserAndLanguageMiddleware(),
            RefuseNulMiddleware(),
            rate_limit.middleware,
            # Last: inside the session (it binds tokens to its id), as Litestar's own would be.
            DefineMiddleware(SessionBoundCSRFMiddleware, config=csrf),
        ],
        stores={"sessions": DatabaseStore("sessions"), "rate_limit": DatabaseStore("rate_limit")},
        template_config=templates,
        plugins=[
            HTMXPlugin(),
            FlashPlugin(FlashConfig(template_config=templates)),
            make_cli_plugin(),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        after_exception=[error_page_tokens.after_exception],
        before_send=[
            security_headers_hook(hsts=settings.is_production),
            error_page_tokens.before_send,
        ],
        openapi_config=openapi if settings.openapi_enabled else None,
        # gzip where the browser takes no brotli; small answers stay as they are.
        compression_config=CompressionConfig(
            backend="brotli", brotli_gzip_fallback=True, minimum_size=500
        ),
        on_startup=[_open_pool],
        on_shutdown=[_close_pool],
        logging_config=_logging_config(),
        debug=settings.debug,
        state=State({"settings": settings}),
    )


logging.getLogger("piccolo").setLevel(logging.WARNING)
