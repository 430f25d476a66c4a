"""Login and logout."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from accounts.service import authenticate, record_login, record_logout
from core.i18n import gettext as _
from webkit.forms import safe_redirect_target
from webkit.guards import PUBLIC, actor_of, current_user, requires_login
from webkit.sessions import end_session, start_session


class AuthController(Controller):
    include_in_schema = False

    @get("/login", opt=PUBLIC, name="login")
    async def login_page(
        self, request: Request, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        if current_user(request) is not None:
            return Redirect(safe_redirect_target(next), status_code=303)
        return Template(
            "accounts/login.html", context={"next": safe_redirect_target(next), "email": ""}
        )

    @post("/login", opt=PUBLIC, status_code=303)
    async def login(self, request: Request) -> Template | Redirect:
        form = await request.form()
        email = str(form.get("email", "")).strip().lower()
        password = str(form.get("password", ""))
        target = safe_redirect_target(str(form.get("next", "")))
        user = await authenticate(email, password) if email and password else None
        if user is None:
            await record_login(actor_of(request), email, succeeded=False)
            return Template(
                "accounts/login.html",
                context={
                    "next": target,
                    "email": email,
                    "error": _("The e-mail address or the password is wrong."),
                },
                status_code=400,
            )
        start_session(request, user)
        await record_login(actor_of(request), user.email, succeeded=True)
        # Expired sessions and rate-limit counters are swept at each login: no cron needed.
        for store_name in ("sessions", "rate_limit"):
            await request.app.stores.get(store_name).delete_expired()  # type: ignore[attr-defined]
        flash(request, _("Welcome, %(name)s.", name=user.full_name), category="success")
        return Redirect(target, status_code=303)

    @post("/logout", guards=[requires_login], status_code=303)
    async def logout(self, request: Request) -> Redirect:
        await record_logout(actor_of(request))
        end_session(request)
        flash(request, _("You have been logged out."), category="info")
        return Redirect("/login", status_code=303)
