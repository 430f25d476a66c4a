"""My account: one's own password (the current one asked) and preferred language."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from accounts.service import change_password
from core.errors import Refused
from core.forms import FormResult
from core.i18n import gettext as _
from webkit.guards import actor_of, requires_login, signed_in
from webkit.sessions import keep_session


class AccountController(Controller):
    path = "/account"
    include_in_schema = False
    guards = [requires_login]

    @get("/", name="account")
    async def account(self) -> Template:
        return Template("accounts/account.html", context={"form": FormResult({})})

    @post("/password", status_code=303)
    async def password(self, request: Request) -> Template | Redirect:
        user = signed_in(request)
        data = await request.form()
        try:
            version = await change_password(
                actor_of(request),
                user,
                str(data.get("current_password") or ""),
                str(data.get("password") or ""),
                str(data.get("password_again") or ""),
            )
        except Refused as refusal:
            form = FormResult({}, errors={refusal.field: refusal.message})
            return Template("accounts/account.html", context={"form": form}, status_code=400)
        keep_session(request, version)
        flash(
            request,
            _("Your password is changed. You are logged out everywhere else."),
            category="success",
        )
        return Redirect("/account", status_code=303)
