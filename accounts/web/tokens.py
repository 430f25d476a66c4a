"""The links of the account mails (an invitation, a password reset) and "forgot your
password": public pages, answered the same whether or not an account exists."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from accounts import rules
from accounts.forms import parse_email, parse_new_password
from accounts.service import TokenRefused, request_password_reset, token_owner, use_token
from core.errors import Refused
from core.forms import FormResult
from core.i18n import current_language
from core.i18n import gettext as _
from webkit.guards import PUBLIC, actor_of

TEMPLATE = "accounts/set_password.html"


def _refusal(state: rules.TokenState) -> str:
    if state is rules.TokenState.EXPIRED:
        return _("This link has expired. Ask for a new one.")
    if state is rules.TokenState.USED:
        return _("This link has been used already; each link works once. Ask for a new one.")
    return _("This link is not valid. Check that you copied all of it, or ask for a new one.")


async def _page(purpose: str, user_id: int, token: str) -> Template:
    try:
        owner = await token_owner(purpose, user_id, token)
    except TokenRefused as refused:
        context = {"purpose": purpose, "problem": _refusal(refused.state), "form": FormResult({})}
        return Template(TEMPLATE, context=context, status_code=400)
    context = {"purpose": purpose, "email": owner["email"], "form": FormResult({})}
    return Template(TEMPLATE, context=context)


async def _set(request: Request, purpose: str, user_id: int, token: str) -> Template | Redirect:
    data = await request.form()
    try:
        owner = await token_owner(purpose, user_id, token)
        form = parse_new_password(data, owner["email"])
        if form.ok:
            await use_token(actor_of(request), purpose, user_id, token, form.data)
    except TokenRefused as refused:
        context = {"purpose": purpose, "problem": _refusal(refused.state), "form": FormResult({})}
        return Template(TEMPLATE, context=context, status_code=400)
    except Refused as refusal:
        form = FormResult({}, errors={refusal.field: refusal.message})
    if form.errors:
        context = {"purpose": purpose, "email": owner["email"], "form": form}
        return Template(TEMPLATE, context=context, status_code=400)
    flash(request, _("Your password is set. Log in with it."), category="success")
    return Redirect("/login", status_code=303)


class TokenController(Controller):
    include_in_schema = False

    @get("/invitation/{user_id:int}/{token:str}", opt=PUBLIC, name="invitation")
    async def invitation_page(self, user_id: FromPath[int], token: FromPath[str]) -> Template:
        return await _page(rules.INVITATION, user_id, token)

    @post("/invitation/{user_id:int}/{token:str}", opt=PUBLIC, status_code=303)
    async def accept_invitation(
        self, request: Request, user_id: FromPath[int], token: FromPath[str]
    ) -> Template | Redirect:
        return await _set(request, rules.INVITATION, user_id, token)

    @get("/password/reset/{user_id:int}/{token:str}", opt=PUBLIC, name="password_reset")
    async def reset_page(self, user_id: FromPath[int], token: FromPath[str]) -> Template:
        return await _page(rules.RESET, user_id, token)

    @post("/password/reset/{user_id:int}/{token:str}", opt=PUBLIC, status_code=303)
    async def reset(
        self, request: Request, user_id: FromPath[int], token: FromPath[str]
    ) -> Template | Redirect:
        return await _set(request, rules.RESET, user_id, token)

    @get("/password/forgot", opt=PUBLIC, name="password_forgot")
    async def forgot_page(self) -> Template:
        return Template("accounts/forgot.html", context={"email": ""})

    @post("/password/forgot", opt=PUBLIC, status_code=303)
    async def forgot(self, request: Request) -> Redirect:
        email = parse_email(await request.form())
        # The same answer whether or not the address has an account, and as fast: the token
        # and the mail are made after the response has gone (issue 18, row 9: a known
        # address took 11 ms against 7 ms for an unknown one).
        work = BackgroundTask(
            request_password_reset,
            actor_of(request),
            email,
            str(request.base_url),
            current_language(),
        )
        flash(
            request,
            _(
                "If an active account uses this address, a link to choose a new password "
                "is on its way (valid for 1 hour). Check your mailbox."
            ),
            category="info",
        )
        return Redirect("/login", status_code=303, background=work)
