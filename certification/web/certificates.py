"""Certificates: the staff register of an organisation, registration by the PRO Partner,
DG R&O's verification queue and decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification.certificates import registry
from certification.certificates.registry import ACTIONS, Action
from organisations.tables import Organisation
from core import audit
from portal.auth import CurrentUser, Role
from portal.forms import safe_redirect_target
from portal.guards import current_user, requires_dgro, requires_organisation_scope, requires_role
from core.i18n import gettext as _
from portal.templating import wants_fragment

HEADERS = {"Vary": "HX-Request"}
STAFF_TEMPLATE = "certificates/staff.html"
EDIT_TEMPLATE = "certificates/staff_edit.html"
CERTIFICATE_TEMPLATE = "certificates/certificate_form.html"
QUEUE_TEMPLATE = "certificates/queue.html"
DECISION_TEMPLATE = "certificates/decision.html"
QUEUE_PATH = "/certificates/queue"

# Who may read an organisation's register, and who may write it (besides the scope guard).
may_read_register = requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)
may_write_register = requires_role(Role.DGRO, Role.PRO_PARTNER)
REGISTER_READ = [requires_organisation_scope, may_read_register]
REGISTER_WRITE = [requires_organisation_scope, may_write_register]


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the guards ran first
    return user


def _may_edit(user: CurrentUser, code: str) -> bool:
    return user.is_dgro or (user.has_role(Role.PRO_PARTNER) and user.organisation_code == code)


async def _organisation(code: str) -> dict[str, Any]:
    organisation = await registry.organisation_by_code(code)
    if organisation is None:
        raise NotFoundException(_("There is no organisation with code %(code)s.", code=code))
    return organisation


def _page_number(page: int) -> int:
    return max(page, 1)


def _common(request: Request, organisation: dict[str, Any]) -> dict[str, Any]:
    user = _user(request)
    return {
        "organisation": organisation,
        "may_edit": _may_edit(user, organisation["code"]),
        "is_dgro": user.is_dgro,
        "status_label": registry.status_label,
        "action_label": registry.action_label,
        "reason_label": registry.reason_label,
        "actions_for": registry.actions_for,
        "reason_required": registry.REASON_REQUIRED,
        "today": dt.date.today(),
    }


async def _staff_context(
    request: Request,
    organisation: dict[str, Any],
    query: dict[str, str],
    page: int,
    *,
    add_form: registry.FormResult | None = None,
    add_open: bool = False,
) -> tuple[dict[str, Any], bool]:
    all_tracks = await registry.track_codes(active_only=False)
    filters = registry.StaffFilter.from_query(query, organisation["roles"], all_tracks)
    today = dt.date.today()
    result = registry.Page(rows=[], total=0, page=1, pages=1)
    if not filters.errors:
        result = await registry.staff_page(organisation["id"], filters, page, today)
    page = result.page
    base = f"/organisations/{organisation['code']}/staff"
    current = base + (f"?{filters.query_string(page)}" if filters.query_string(page) else "")
    context = {
        **_common(request, organisation),
        "filters": filters,
        "tracks": all_tracks,
        "active_tracks": await registry.track_codes(active_only=True),
        "statuses": registry.STATUSES,
        "staff": result.rows,
        "total": result.total,
        "page": page,
        "pages": result.pages,
        "base": base,
        "current": current,
        "previous_query": filters.query_string(page - 1) if page > 1 else None,
        "next_query": filters.query_string(page + 1) if page < result.pages else None,
        "add": add_form or registry.FormResult(values={}),
        "empty_form": registry.FormResult(values={}),
        "add_open": add_open,
    }
    return context, bool(filters.errors)


class CertificateController(Controller):
    path = "/"
    include_in_schema = False

    # --- the staff register -----------------------------------------------------------

    @get("/organisations/{code:str}/staff", guards=REGISTER_READ, name="staff")
    async def staff(
        self, request: HTMXRequest, code: FromPath[str], page: FromQuery[int] = 1
    ) -> Template:
        """The organisation's staff with their certificates; filters, pages, htmx fragment."""
        organisation = await _organisation(code)
        page = _page_number(page)
        context, invalid = await _staff_context(
            request, organisation, dict(request.query_params), page
        )
        status = 400 if invalid else 200
        if wants_fragment(request):
            return HTMXBlockTemplate(
                template_name=STAFF_TEMPLATE,
                block_name="results",
                context=context,
                status_code=status,
                headers=HEADERS,
                push_url=context["current"],
            )
        return Template(STAFF_TEMPLATE, context=context, status_code=status, headers=HEADERS)

    @post("/organisations/{code:str}/staff", guards=REGISTER_WRITE, status_code=303)
    async def add_staff(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        """Add a staff member (PRO Partner of the organisation or DG R&O)."""
        organisation = await _organisation(code)
        form = registry.parse_staff_form(await request.form(), organisation["roles"])
        if form.ok:
            try:
                staff_id = await registry.add_staff(
                    audit.Actor.from_connection(request), organisation["id"], form.data
                )
            except registry.RegistryRefused as refused:
                form.errors[refused.field or "email"] = refused.message
            else:
                flash(
                    request,
                    _(
                        "%(name)s has been added to the staff.",
                        name=f"{form.data.first_name} {form.data.last_name}",
                    ),
                    category="success",
                )
                return Redirect(f"/organisations/{code}/staff#staff-{staff_id}", status_code=303)
        context, _invalid = await _staff_context(
            request, organisation, {}, 1, add_form=form, add_open=True
        )
        return Template(STAFF_TEMPLATE, context=context, status_code=400, headers=HEADERS)

    @get("/organisations/{code:str}/staff/{staff_id:int}/edit", guards=REGISTER_WRITE)
    async def edit_staff(
        self,
        request: HTMXRequest,
        code: FromPath[str],
        staff_id: FromPath[int],
        next: FromQuery[str | None] = None,
    ) -> Template:
        """The edit form: a table row for htmx, a page of its own without JavaScript."""
        organisation = await _organisation(code)
        member = await registry.staff_member(organisation["id"], staff_id)
        if member is None:
            raise NotFoundException(_("There is no such staff member in %(code)s.", code=code))
        values = {
            name: ("" if member[name] is None else str(member[name]))
            for name in registry.STAFF_FIELDS
        }
        context = {
            **_common(request, organisation),
            "member": member,
            "form": registry.FormResult(values=values),
            "next": safe_redirect_target(next, f"/organisations/{code}/staff"),
        }
        if wants_fragment(request):
            return HTMXBlockTemplate(
                template_name=EDIT_TEMPLATE, block_name="edit_row", context=context, headers=HEADERS
            )
        return Template(EDIT_TEMPLATE, context=context, headers=HEADERS)

    @post("/organisations/{code:str}/staff/{staff_id:int}", guards=REGISTER_WRITE, status_code=303)
    async def save_staff(
        self, request: Request, code: FromPath[str], staff_id: FromPath[int]
    ) -> Template | Redirect:
        """Save a staff member of this organisation; anyone else's is a 404."""
        organisation = await _organisation(code)
        member = await registry.staff_member(organisation["id"], staff_id)
        if member is None:
            raise NotFoundException(_("There is no such staff member in %(code)s.", code=code))
        raw = await request.form()
        target = safe_redirect_target(str(raw.get("next") or ""), f"/organisations/{code}/staff")
        form = registry.parse_staff_form(raw, organisation["roles"])
        if form.ok:
            try:
                await registry.update_staff(
                    audit.Actor.from_connection(request), organisation["id"], staff_id, form.data
                )
            except registry.NotFound:
                raise NotFoundException(
                    _("There is no such staff member in %(code)s.", code=code)
                ) from None
            except registry.RegistryRefused as refused:
                form.errors[refused.field or "email"] = refused.message
            else:
                flash(
                    request,
                    _(
                        "The details of %(name)s have been saved.",
                        name=f"{form.data.first_name} {form.data.last_name}",
                    ),
                    category="success",
                )
                return Redirect(target, status_code=303)
        context = {
            **_common(request, organisation),
            "member": member,
            "form": form,
            "next": target,
        }
        return Template(EDIT_TEMPLATE, context=context, status_code=400, headers=HEADERS)

    @post(
        "/organisations/{code:str}/staff/{staff_id:int}/certificates",
        guards=REGISTER_WRITE,
        status_code=303,
    )
    async def register_certificate(
        self, request: Request, code: FromPath[str], staff_id: FromPath[int]
    ) -> Template | Redirect:
        """Register a certificate: pending for the PRO Partner, valid at once for DG R&O."""
        organisation = await _organisation(code)
        member = await registry.staff_member(organisation["id"], staff_id)
        if member is None:
            raise NotFoundException(_("There is no such staff member in %(code)s.", code=code))
        user = _user(request)
        raw = await request.form()
        target = safe_redirect_target(str(raw.get("next") or ""), f"/organisations/{code}/staff")
        active_tracks = await registry.track_codes(active_only=True)
        form = registry.parse_certificate_form(raw, active_tracks, dt.date.today())
        if form.ok:
            try:
                await registry.register_certificate(
                    audit.Actor.from_connection(request),
                    organisation["id"],
                    staff_id,
                    form.data,
                    registered_by=user.email,
                    verified=user.is_dgro,
                )
            except registry.NotFound:
                raise NotFoundException(
                    _("There is no such staff member in %(code)s.", code=code)
                ) from None
            except registry.RegistryRefused as refused:
                form.errors[refused.field or "track"] = refused.message
            else:
                name = f"{member['first_name']} {member['last_name']}"
                if user.is_dgro:
                    message = _(
                        "The %(track)s certificate of %(name)s has been registered as valid.",
                        track=form.data.track,
                        name=name,
                    )
                else:
                    message = _(
                        "The %(track)s certificate of %(name)s has been registered; "
                        "DG R&O will verify it.",
                        track=form.data.track,
                        name=name,
                    )
                flash(request, message, category="success")
                return Redirect(target, status_code=303)
        context = {
            **_common(request, organisation),
            "member": member,
            "form": form,
            "active_tracks": active_tracks,
            "next": target,
        }
        return Template(CERTIFICATE_TEMPLATE, context=context, status_code=400, headers=HEADERS)

    # --- DG R&O: the queue and the decisions -----------------------------------------

    @get(QUEUE_PATH, guards=[requires_dgro], name="certificate_queue")
    async def queue(
        self,
        request: HTMXRequest,
        organisation: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        """Pending certificates of every organisation, the longest waiting first."""
        page = _page_number(page)
        code = (organisation or "").strip().upper()
        codes = [
            row["code"]
            for row in await Organisation.select(Organisation.code).order_by(Organisation.code)
        ]
        errors: dict[str, str] = {}
        if code and code not in codes:
            errors["organisation"] = _("Choose an organisation from the list.")
        result = registry.Page(rows=[], total=0, page=1, pages=1)
        if not errors:
            result = await registry.pending_queue(code, page)
        page = result.page

        def query(number: int | None) -> str:
            params = {"organisation": code, "page": str(number) if number else ""}
            return urlencode({k: v for k, v in params.items() if v})

        current = QUEUE_PATH + (f"?{query(page)}" if query(page) else "")
        context = {
            "rows": result.rows,
            "total": result.total,
            "page": page,
            "pages": result.pages,
            "organisations": codes,
            "organisation": code,
            "errors": errors,
            "current": current,
            "previous_query": query(page - 1) if page > 1 else None,
            "next_query": query(page + 1) if page < result.pages else None,
            "status_label": registry.status_label,
            "action_label": registry.action_label,
            "reason_label": registry.reason_label,
            "reason_required": registry.REASON_REQUIRED,
        }
        status = 400 if errors else 200
        if wants_fragment(request):
            return HTMXBlockTemplate(
                template_name=QUEUE_TEMPLATE,
                block_name="results",
                context=context,
                status_code=status,
                headers=HEADERS,
                push_url=current,
            )
        return Template(QUEUE_TEMPLATE, context=context, status_code=status, headers=HEADERS)

    @post(
        "/certificates/{certificate_id:int}/{action:str}", guards=[requires_dgro], status_code=303
    )
    async def decide(
        self, request: Request, certificate_id: FromPath[int], action: FromPath[str]
    ) -> Template | Redirect:
        """verify, reject, suspend, revoke or reinstate; registry.next_status says which may
        follow which, and which need a reason."""
        if action not in ACTIONS:
            raise NotFoundException(_("There is no such decision."))
        return await _decide(request, certificate_id, action)


def _decided_message(action: str, track: str, name: str) -> str:
    # Literal calls, so that the message extractor finds every sentence.
    if action == Action.VERIFY:
        return _("The %(track)s certificate of %(name)s is now valid.", track=track, name=name)
    if action == Action.REJECT:
        return _("The %(track)s certificate of %(name)s has been rejected.", track=track, name=name)
    if action == Action.SUSPEND:
        return _(
            "The %(track)s certificate of %(name)s has been suspended.", track=track, name=name
        )
    if action == Action.REVOKE:
        return _("The %(track)s certificate of %(name)s has been revoked.", track=track, name=name)
    return _("The %(track)s certificate of %(name)s is valid again.", track=track, name=name)


async def _decide(request: Request, certificate_id: int, action: str) -> Template | Redirect:
    """A DG R&O decision: the reason checked, the transition checked, audited, 303 back."""
    raw = await request.form()
    target = safe_redirect_target(str(raw.get("next") or ""), QUEUE_PATH)
    reason = str(raw.get("reason") or "")
    certificate = await registry.certificate_details(certificate_id)
    if certificate is None:
        raise NotFoundException(_("There is no certificate with number %(id)d.", id=certificate_id))
    try:
        await registry.decide(
            audit.Actor.from_connection(request),
            certificate_id,
            action,
            reason,
            decided_by=_user(request).email,
        )
    except registry.NotFound:
        raise NotFoundException(
            _("There is no certificate with number %(id)d.", id=certificate_id)
        ) from None
    except registry.TransitionRefused as refused:
        raise HTTPException(status_code=409, detail=refused.message) from None
    except registry.RegistryRefused as refused:
        context = {
            "certificate": certificate,
            "action": action,
            "reason": reason,
            "error": refused.message,
            "next": target,
            "status_label": registry.status_label,
            "action_label": registry.action_label,
            "reason_label": registry.reason_label,
            "reason_required": registry.REASON_REQUIRED,
        }
        return Template(DECISION_TEMPLATE, context=context, status_code=400, headers=HEADERS)
    name = f"{certificate['first_name']} {certificate['last_name']}"
    flash(
        request,
        _decided_message(action, certificate["track_code"], name),
        category="success",
    )
    return Redirect(target, status_code=303)
