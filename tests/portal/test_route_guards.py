"""Every route must say who may reach it: guards, or an explicit PUBLIC marker."""

from litestar.handlers import HTTPRouteHandler

from portal.app import create_app

# Routes a person may reach without logging in, checked by name so the list stays short.
EXPECTED_PUBLIC = {
    "/login",
    "/accessibility",
    "/language",
    "/health",
    # "Forgot your password?" and the links of the account mails (the token is the key).
    "/password/forgot",
    "/password/reset/{user_id:int}/{token:str}",
    "/invitation/{user_id:int}/{token:str}",
    "/static/vendor/htmx/{file_path:path}",
    "/static/vendor/pico/{file_path:path}",
    "/static/{file_path:path}",
    "/static/v/{digest:str}/{name:path}",
    # The outbox as pages, in development only (the tests' app is one; production has no
    # such route: tests/core/test_dev_mail.py).
    "/dev/mail",
    "/dev/mail/{mail_id:int}",
}


def test_every_route_has_a_guard_decision():
    app = create_app()
    undecided, public = [], set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's automatic CORS preflight answers, no content
            guards = handler.resolve_guards()
            if handler.opt.get("public"):
                public.add(route.path)
            elif not guards:
                undecided.append(f"{sorted(handler.http_methods)} {route.path}")
    assert undecided == [], f"routes without a guard decision: {undecided}"
    public_pages = {path for path in public if not path.startswith("/schema")}
    assert public_pages == EXPECTED_PUBLIC


def test_a_new_unguarded_route_would_be_caught():
    from litestar import get

    @get("/forgotten")
    async def forgotten() -> str:
        return "open"

    app = create_app()
    app.register(forgotten)
    offenders = [
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler)
        and handler.http_methods != {"OPTIONS"}
        and not handler.opt.get("public")
        and not handler.resolve_guards()
    ]
    assert offenders == ["/forgotten"]
