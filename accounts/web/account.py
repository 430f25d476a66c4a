"""My account: one's own password (the current one asked), preferred language, and how one
is told of each kind of notice."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from accounts.service import change_password, save_notice_choices
from core import notices
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

    @get("/notifications", name="account_notifications")
    async def notifications(self, request: Request) -> Template:
        user = signed_in(request)
        chosen = (await notices.choices_of([user.id])).get(user.id, {})
        return _notifications_page(FormResult(chosen), status=200)

    @post("/notifications", status_code=303)
    async def save_notifications(self, request: Request) -> Template | Redirect:
        user = signed_in(request)
        data = await request.form()
        choices = {
            kind: str(data.get(f"notice-{kind}") or notices.DEFAULT_DELIVERY)
            for kind in notices.PERSON_KINDS
        }
        try:
            await save_notice_choices(actor_of(request), user, choices)
        except Refused as refusal:
            return _notifications_page(
                FormResult(choices, errors={refusal.field: refusal.message}), status=400
            )
        flash(request, _("Your choices of notifications are saved."), category="success")
        return Redirect("/account/notifications", status_code=303)


def _notifications_page(form: FormResult, status: int) -> Template:
    context = {
        "form": form,
        "kinds": notices.PERSON_KINDS,
        "deliveries": notices.DELIVERIES,
        "default": notices.DEFAULT_DELIVERY,
    }
    return Template("accounts/notifications.html", context=context, status_code=status)
