"""Managing accounts: DG R&O every account, an organisation's HR the hr, evaluator and staff
accounts of its own organisation (another's answers 404)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from accounts import rules
from accounts.forms import parse_user_form
from accounts.queries import STATUSES, UserFilter, managed_user, users_page
from accounts.service import (
    invite_user,
    link_staff_record,
    resend_invitation,
    set_active,
    unlink_staff_record,
    update_user,
)
from core.errors import NotFound, Refused
from core.forms import FormResult, text
from core.i18n import current_language
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from core.paging import pager
from organisations.queries import organisation_codes
from webkit.guards import actor_of, requires_account_manager, signed_in
from webkit.rendering import render

ROLE_ORDER = [str(role) for role in Role]


def _manager(request: Request) -> CurrentUser:
    return signed_in(request)


async def _form_context(manager: CurrentUser, form: FormResult, **extra: Any) -> dict[str, Any]:
    granted = rules.grantable_roles(manager.roles)
    return {
        "form": form,
        "grantable": [role for role in ROLE_ORDER if role in granted],
        "organisations": await organisation_codes() if manager.is_dgro else [],
        "chosen_roles": set(str(form.values.get("roles", "")).split(",")),
        "link": FormResult({"staff_email": ""}),  # the staff-record form of an account's page
        **extra,
    }


def _not_found() -> NotFound:
    return NotFound(_("There is no such account among those you manage."))


class UsersController(Controller):
    path = "/admin/users"
    include_in_schema = False
    guards = [requires_account_manager]

    @get("/", name="users")
    async def users(self, request: HTMXRequest, page: FromQuery[int] = 1) -> Template:
        manager = _manager(request)
        filters = UserFilter.from_query(dict(request.query_params))
        result = await users_page(manager, filters, page)
        context = {
            "users": result.rows,
            "filters": filters,
            "total": result.total,
            "roles": ROLE_ORDER,
            "statuses": STATUSES,
            "organisations": await organisation_codes() if manager.is_dgro else [],
            **pager(result, filters.query_string),
        }
        return render(
            request,
            "accounts/users.html",
            context,
            status=400 if filters.errors else 200,
            push_url=f"/admin/users?{filters.query_string(result.page)}",
        )

    @get("/invite", name="invite_user")
    async def invite_page(self, request: Request) -> Template:
        manager = _manager(request)
        form = FormResult(
            {
                "preferred_language": current_language(),
                "organisation": "" if manager.is_dgro else manager.organisation_code or "",
            }
        )
        context = await _form_context(manager, form, editing=None)
        return Template("accounts/user_form.html", context=context)

    @post("/invite", status_code=303)
    async def invite(self, request: Request) -> Template | Redirect:
        manager = _manager(request)
        granted = rules.grantable_roles(manager.roles)
        form = parse_user_form(await request.form(), grantable=granted, with_email=True)
        if form.ok:
            try:
                await invite_user(actor_of(request), manager, form.data, str(request.base_url))
            except Refused as refusal:
                form.errors[refusal.field or "email"] = refusal.message
        if form.errors:
            context = await _form_context(manager, form, editing=None)
            return Template("accounts/user_form.html", context=context, status_code=400)
        flash(
            request,
            _("The invitation to %(email)s is on its way.", email=form.values["email"]),
            category="success",
        )
        return Redirect("/admin/users", status_code=303)

    async def _user_page(
        self, manager: CurrentUser, user_id: int, link: FormResult | None = None
    ) -> Template:
        """The account's page; `link` is the staff-record form as typed, with its error."""
        try:
            row = await managed_user(manager, user_id)
        except NotFound:
            raise _not_found() from None
        form = FormResult(row.form_values())
        extra = {} if link is None else {"link": link}
        context = await _form_context(manager, form, editing=row, **extra)
        return Template(
            "accounts/user_form.html", context=context, status_code=400 if link else 200
        )

    @get("/{user_id:int}", name="user")
    async def user_page(self, request: Request, user_id: FromPath[int]) -> Template:
        return await self._user_page(_manager(request), user_id)

    @post("/{user_id:int}/staff-record", status_code=303)
    async def link_staff(self, request: Request, user_id: FromPath[int]) -> Template | Redirect:
        """Link the account to its holder's staff record (what their dossier follows)."""
        manager = _manager(request)
        await self._user_page(manager, user_id)  # 404 for an account outside one's reach
        form = await request.form()
        link = FormResult({"staff_email": text(form, "staff_email")[:254]})
        try:
            name = await link_staff_record(
                actor_of(request), manager, user_id, link.values["staff_email"]
            )
        except NotFound:
            raise _not_found() from None
        except Refused as refusal:
            link.errors["staff_email"] = refusal.message
            return await self._user_page(manager, user_id, link)
        flash(
            request,
            _("The account is linked to the staff record of %(name)s.", name=name),
            category="success",
        )
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/staff-record/remove", status_code=303)
    async def unlink_staff(self, request: Request, user_id: FromPath[int]) -> Redirect:
        manager = _manager(request)
        try:
            await unlink_staff_record(actor_of(request), manager, user_id)
        except NotFound:
            raise _not_found() from None
        except Refused as refusal:
            flash(request, refusal.message, category="error")
        else:
            flash(request, _("The account is no longer linked to a staff record."), "success")
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}", status_code=303)
    async def save(self, request: Request, user_id: FromPath[int]) -> Template | Redirect:
        manager = _manager(request)
        try:
            row = await managed_user(manager, user_id)
        except NotFound:
            raise _not_found() from None
        granted = rules.grantable_roles(manager.roles)
        form = parse_user_form(await request.form(), grantable=granted, with_email=False)
        form.values["email"] = row.email
        if not manager.is_dgro:
            form.values["organisation"] = manager.organisation_code or ""
        if form.ok:
            try:
                await update_user(actor_of(request), manager, user_id, form.data)
            except Refused as refusal:
                form.errors[refusal.field or "roles"] = refusal.message
            except NotFound:
                raise _not_found() from None
        if form.errors:
            context = await _form_context(manager, form, editing=row)
            return Template("accounts/user_form.html", context=context, status_code=400)
        flash(request, _("The account of %(email)s is saved.", email=row.email), "success")
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    async def _set_active(self, request: Request, user_id: int, *, active: bool) -> Redirect:
        manager = _manager(request)
        try:
            email = await set_active(actor_of(request), manager, user_id, active=active)
        except NotFound:
            raise _not_found() from None
        except Refused as refusal:
            flash(request, refusal.message, category="error")
            return Redirect(f"/admin/users/{user_id}", status_code=303)
        message = (
            _("The account of %(email)s is active again.", email=email)
            if active
            else _("The account of %(email)s is deactivated: its sessions have ended.", email=email)
        )
        flash(request, message, category="success")
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/deactivate", status_code=303)
    async def deactivate(self, request: Request, user_id: FromPath[int]) -> Redirect:
        return await self._set_active(request, user_id, active=False)

    @post("/{user_id:int}/reactivate", status_code=303)
    async def reactivate(self, request: Request, user_id: FromPath[int]) -> Redirect:
        return await self._set_active(request, user_id, active=True)

    @post("/{user_id:int}/invitation", status_code=303)
    async def invite_again(self, request: Request, user_id: FromPath[int]) -> Redirect:
        manager = _manager(request)
        try:
            email = await resend_invitation(
                actor_of(request), manager, user_id, str(request.base_url)
            )
        except NotFound:
            raise _not_found() from None
        except Refused as refusal:
            flash(request, refusal.message, category="error")
        else:
            flash(
                request, _("A new invitation to %(email)s is on its way.", email=email), "success"
            )
        return Redirect(f"/admin/users/{user_id}", status_code=303)
