"""DG R&O keeps the organisations: a list (filter, pages), a new one, and each one's names,
language roles and PRO Partner."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.errors import NotFound, Refused
from core.forms import FormResult
from core.i18n import gettext as _
from core.paging import pager
from organisations.forms import parse_organisation_form
from organisations.queries import organisation_by_code, organisations_page
from organisations.rules import LANGUAGE_ROLES
from organisations.service import add_organisation, update_organisation
from webkit.guards import actor_of, requires_dgro
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

FORM = "organisations/form.html"


def _context(form: FormResult, code: str | None) -> dict:
    return {
        "form": form,
        "code": code,
        "language_roles": LANGUAGE_ROLES,
        "chosen": set(str(form.values.get("language_roles", "")).split("|")),
    }


class OrganisationAdminController(Controller):
    path = "/admin/organisations"
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="organisations_admin")
    async def organisations(
        self, request: HTMXRequest, q: FromQuery[str] = "", page: FromQuery[int] = 1
    ) -> Template:
        text = q.strip()[:100]
        result = await organisations_page(text, page)

        def query_string(number: int) -> str:
            return urlencode({k: v for k, v in {"q": text, "page": str(number)}.items() if v})

        context = {"organisations": result.rows, "q": text, "total": result.total}
        context |= pager(result, query_string)
        return render(
            request,
            "organisations/list.html",
            context,
            push_url=f"/admin/organisations?{query_string(result.page)}",
        )

    @get("/new", name="organisation_new")
    async def new_page(self) -> Template:
        form = FormResult({"language_roles": "NL|FR"})
        return Template(FORM, context=_context(form, None))

    @post("/new", status_code=303)
    async def add(self, request: Request) -> Template | Redirect:
        form = parse_organisation_form(await request.form())
        if form.ok:
            try:
                await add_organisation(actor_of(request), form.data)
            except Refused as refusal:
                form.errors[refusal.field or "code"] = refusal.message
        if form.errors:
            return Template(FORM, context=_context(form, None), status_code=400)
        code = form.data.code
        flash(request, _("Organisation %(code)s added.", code=code), category="success")
        return Redirect(f"/admin/organisations/{code}", status_code=303)

    @get("/{code:str}", name="organisation_edit")
    async def edit_page(self, code: FromPath[str]) -> Template:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        values = {
            key: getattr(organisation, key) or ""
            for key in ("code", "name_nl", "name_fr", "language_roles", "pro_partner_email")
        }
        return Template(FORM, context=_context(FormResult(values), organisation.code))

    @post("/{code:str}", status_code=303)
    async def save(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = parse_organisation_form(await request.form(), code=organisation.code)
        if form.ok:
            try:
                await update_organisation(actor_of(request), form.data)
            except Refused as refusal:
                form.errors[refusal.field or "name_nl"] = refusal.message
            except NotFound:
                raise no_such_organisation(code) from None
        if form.errors:
            return Template(FORM, context=_context(form, organisation.code), status_code=400)
        flash(request, _("Organisation %(code)s saved.", code=code), category="success")
        return Redirect(f"/admin/organisations/{code}", status_code=303)
