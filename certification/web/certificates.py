"""Certificates: the staff register of an organisation, registration by the PRO Partner,
DG R&O's verification queue and decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification.catalogue import track_competencies
from certification.certificates import forms, labels, lifecycle, queries, service
from certification.certificates.lifecycle import ACTIONS, Action
from core.errors import ChangedMeanwhile, NotFound, Refused, TransitionRefused
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from core.paging import Page, pager
from organisations import forms as staff_forms
from organisations import queries as organisation_queries
from organisations import service as staff_service
from organisations.queries import OrganisationRow, organisation_by_code
from webkit.errors import shows_again
from webkit.forms import safe_redirect_target
from webkit.guards import (
    actor_of,
    requires_dgro,
    requires_organisation_scope,
    requires_register_reader,
    requires_register_writer,
    requires_role,
    signed_in,
)
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

STAFF_TEMPLATE = "certification/staff.html"
EDIT_TEMPLATE = "certification/staff_edit.html"
CERTIFICATE_TEMPLATE = "certification/certificate_form.html"
QUEUE_TEMPLATE = "certification/queue.html"
DECISION_TEMPLATE = "certification/decision.html"
QUEUE_PATH = "/certificates/queue"

# Who may read an organisation's register, and who may write it (besides the scope guard).
REGISTER_READ = [requires_organisation_scope, requires_register_reader]
REGISTER_WRITE = [requires_organisation_scope, requires_register_writer]
# Staff records (add, edit, end): HR keeps its own organisation's too (issue 19 #5), so an
# invited colleague gets cycles; certificates stay with the PRO Partner and DG R&O.
STAFF_WRITE = [requires_organisation_scope, requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)]


def _user(request: Request) -> CurrentUser:
    return signed_in(request)


def _may_edit(user: CurrentUser, code: str) -> bool:
    return user.is_dgro or (user.has_role(Role.PRO_PARTNER) and user.organisation_code == code)


def _may_edit_staff(user: CurrentUser, code: str) -> bool:
    own = user.organisation_code == code and user.has_role(Role.PRO_PARTNER, Role.HR)
    return user.is_dgro or own


def _common(request: Request, organisation: OrganisationRow) -> dict[str, Any]:
    user = _user(request)
    return {
        "organisation": organisation,
        "may_edit": _may_edit(user, organisation.code),
        "may_edit_staff": _may_edit_staff(user, organisation.code),
        "may_set_function": user.is_dgro or user.has_role(Role.HR),
        "is_dgro": user.is_dgro,
        "status_label": labels.status_label,
        "action_label": labels.action_label,
        "reason_label": labels.reason_label,
        "actions_for": lifecycle.actions_for,
        "reason_required": lifecycle.REASON_REQUIRED,
        "today": dt.date.today(),
    }


async def _staff_context(
    request: Request,
    organisation: OrganisationRow,
    query: dict[str, str],
    page: int,
    *,
    add_form: FormResult | None = None,
    add_open: bool = False,
) -> tuple[dict[str, Any], bool]:
    all_tracks, active_tracks = await queries.track_codes()
    filters = forms.StaffFilter.from_query(query, organisation.roles, all_tracks)
    today = dt.date.today()
    result: Page[Any] = Page(rows=[], total=0, page=1, pages=1)
    if not filters.errors:
        result = await queries.staff_page(organisation.id, filters, page, today)
    page = result.page
    base = f"/organisations/{organisation.code}/staff"
    current = base + (f"?{filters.query_string(page)}" if filters.query_string(page) else "")
    context = {
        **_common(request, organisation),
        "filters": filters,
        "tracks": all_tracks,
        "active_tracks": active_tracks,
        "statuses": lifecycle.STATUSES,
        "staff": result.rows,
        "total": result.total,
        **pager(result, filters.query_string),
        "base": base,
        "current": current,
        "add": add_form or FormResult(values={}),
        "empty_form": FormResult(values={}),
        # The competencies each track develops: a certificate shows what it covers.
        "developed": await track_competencies(),
        "add_open": add_open,
        # Registrations of people another organisation's record holds, waiting for DG R&O.
        "moves": await organisation_queries.pending_moves(organisation.id),
    }
    return context, bool(filters.errors)


async def _staff_page(request: Request, form: FormResult) -> Template:
    """The staff register again after a refused withdrawal: its message above the
    registrations still waiting (the list as it stands now)."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    context, _invalid = await _staff_context(request, organisation, {}, 1)
    context["moves_form"] = form
    return render(request, STAFF_TEMPLATE, context, block=None)


class CertificateController(Controller):
    path = "/"
    include_in_schema = False

    # --- the staff register -----------------------------------------------------------

    @get("/organisations/{code:str}/staff", guards=REGISTER_READ, name="staff")
    async def staff(
        self, request: HTMXRequest, code: FromPath[str], page: FromQuery[int] = 1
    ) -> Template:
        """The organisation's staff with their certificates; filters, pages, htmx fragment."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        context, invalid = await _staff_context(
            request, organisation, dict(request.query_params), page
        )
        return render(
            request,
            STAFF_TEMPLATE,
            context,
            status=400 if invalid else 200,
            push_url=context["current"],
        )

    @post("/organisations/{code:str}/staff", guards=STAFF_WRITE, status_code=303)
    async def add_staff(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        """Add a staff member (PRO Partner of the organisation or DG R&O)."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = staff_forms.parse_staff_form(await request.form(), organisation.roles)
        if form.ok:
            try:
                # A PRO Partner's address held elsewhere becomes a move request (None).
                staff_id = await staff_service.add_staff(
                    actor_of(request),
                    organisation.id,
                    form.data,
                    request_move=not _user(request).is_dgro,  # a partner or HR
                )
            except Refused as refused:
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
                anchor = f"staff-{staff_id}" if staff_id else "moves"
                return Redirect(f"/organisations/{code}/staff#{anchor}", status_code=303)
        context, _invalid = await _staff_context(
            request, organisation, {}, 1, add_form=form, add_open=True
        )
        return render(request, STAFF_TEMPLATE, context, block=None, status=400)

    @get("/organisations/{code:str}/staff/{staff_id:int}/edit", guards=STAFF_WRITE)
    async def edit_staff(
        self,
        request: HTMXRequest,
        code: FromPath[str],
        staff_id: FromPath[int],
        next: FromQuery[str | None] = None,
    ) -> Template:
        """The edit form: a table row for htmx, a page of its own without JavaScript."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        member = await organisation_queries.staff_member(organisation.id, staff_id)
        if member is None:
            raise NotFound(_("There is no such staff member in %(code)s.", code=code))
        values = {
            name: ("" if getattr(member, name) is None else str(getattr(member, name)))
            for name in staff_forms.STAFF_FIELDS
        }
        context = {
            **_common(request, organisation),
            "member": member,
            "form": FormResult(values=values),
            "next": safe_redirect_target(next, f"/organisations/{code}/staff"),
        }
        return render(request, EDIT_TEMPLATE, context, block="edit_row")

    @post("/organisations/{code:str}/staff/{staff_id:int}", guards=STAFF_WRITE, status_code=303)
    async def save_staff(
        self, request: Request, code: FromPath[str], staff_id: FromPath[int]
    ) -> Template | Redirect:
        """Save a staff member of this organisation; anyone else's is a 404."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        member = await organisation_queries.staff_member(organisation.id, staff_id)
        if member is None:
            raise NotFound(_("There is no such staff member in %(code)s.", code=code))
        raw = await request.form()
        target = safe_redirect_target(str(raw.get("next") or ""), f"/organisations/{code}/staff")
        form = staff_forms.parse_staff_form(raw, organisation.roles)
        if form.ok:
            try:
                await staff_service.update_staff(
                    actor_of(request),
                    organisation.id,
                    staff_id,
                    form.data,
                    partner=not _user(request).is_dgro,
                )
            except Refused as refused:
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
        return render(request, EDIT_TEMPLATE, context, block=None, status=400)

    @post(
        "/organisations/{code:str}/staff/moves/{request_id:int}/withdraw",
        guards=STAFF_WRITE,
        status_code=303,
        opt=shows_again(_staff_page),
    )
    async def withdraw_move(
        self, request: Request, code: FromPath[str], request_id: FromPath[int]
    ) -> Redirect:
        """The organisation takes back a registration waiting for DG R&O."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        await staff_service.withdraw_move(actor_of(request), organisation.id, request_id)
        flash(request, _("The registration has been withdrawn."), category="success")
        return Redirect(f"/organisations/{code}/staff", status_code=303)

    @post(
        "/organisations/{code:str}/staff/{staff_id:int}/certificates",
        guards=REGISTER_WRITE,
        status_code=303,
    )
    async def register_certificate(
        self, request: Request, code: FromPath[str], staff_id: FromPath[int]
    ) -> Template | Redirect:
        """Register a certificate: pending for the PRO Partner, valid at once for DG R&O."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        member = await organisation_queries.staff_member(organisation.id, staff_id)
        if member is None:
            raise NotFound(_("There is no such staff member in %(code)s.", code=code))
        user = _user(request)
        raw = await request.form()
        target = safe_redirect_target(str(raw.get("next") or ""), f"/organisations/{code}/staff")
        _all_tracks, active_tracks = await queries.track_codes()
        form = forms.parse_certificate_form(raw, active_tracks, dt.date.today())
        if form.ok:
            try:
                await service.register_certificate(
                    actor_of(request),
                    organisation.id,
                    staff_id,
                    form.data,
                    registered_by=user.email,
                    verified=user.is_dgro,
                )
            except Refused as refused:
                form.errors[refused.field or "track"] = refused.message
            else:
                name = f"{member.first_name} {member.last_name}"
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
        return render(request, CERTIFICATE_TEMPLATE, context, block=None, status=400)

    # --- DG R&O: the queue and the decisions -----------------------------------------

    @get(QUEUE_PATH, guards=[requires_dgro], name="certificate_queue")
    async def queue(
        self,
        request: HTMXRequest,
        organisation: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        """Pending certificates of every organisation, the longest waiting first."""
        code = (organisation or "").strip().upper()
        codes = await organisation_queries.organisation_codes()
        errors: dict[str, str] = {}
        if code and code not in codes:
            errors["organisation"] = _("Choose an organisation from the list.")
        result: Page[Any] = Page(rows=[], total=0, page=1, pages=1)
        if not errors:
            result = await queries.pending_queue(code, page)
        page = result.page

        def query(number: int | None) -> str:
            params = {"organisation": code, "page": str(number) if number else ""}
            return urlencode({k: v for k, v in params.items() if v})

        current = QUEUE_PATH + (f"?{query(page)}" if query(page) else "")
        context = {
            "rows": result.rows,
            "total": result.total,
            **pager(result, query),
            "organisations": codes,
            "organisation": code,
            "errors": errors,
            "current": current,
            "status_label": labels.status_label,
            "action_label": labels.action_label,
            "reason_label": labels.reason_label,
            "reason_required": lifecycle.REASON_REQUIRED,
        }
        return render(
            request, QUEUE_TEMPLATE, context, status=400 if errors else 200, push_url=current
        )

    @post(
        "/certificates/{certificate_id:int}/{action:str}", guards=[requires_dgro], status_code=303
    )
    async def decide(
        self, request: Request, certificate_id: FromPath[int], action: FromPath[str]
    ) -> Template | Redirect:
        """verify, reject, suspend, revoke or reinstate; the certificate lifecycle says which
        may follow which, and which need a reason."""
        if action not in ACTIONS:
            raise NotFound(_("There is no such decision."))
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
    # The status the page showed: the decision applies only if it is still that one.
    shown = str(raw.get("status") or "")
    certificate = await queries.certificate_details(certificate_id)
    if certificate is None:
        raise NotFound(_("There is no certificate with number %(id)d.", id=certificate_id))
    context = {
        "certificate": certificate,
        "action": action,
        "reason": reason,
        "shown_status": shown if shown in lifecycle.STATUSES else certificate.status,
        "next": target,
        "status_label": labels.status_label,
        "action_label": labels.action_label,
        "reason_label": labels.reason_label,
        "reason_required": lifecycle.REASON_REQUIRED,
    }
    if shown not in lifecycle.STATUSES:
        context["error"] = _("This form does not say which status it was made on: confirm here.")
        return render(request, DECISION_TEMPLATE, context, block=None, status=400)
    try:
        await service.decide(
            actor_of(request),
            certificate_id,
            action,
            reason,
            decided_by=_user(request).email,
            shown_status=shown,
        )
    except ChangedMeanwhile as changed:
        raise HTTPException(status_code=409, detail=labels.changed_message(changed)) from None
    except TransitionRefused as refused:
        raise HTTPException(
            status_code=409, detail=labels.transition_message(refused.current, refused.action)
        ) from None
    except Refused as refused:
        context["error"] = refused.message
        return render(request, DECISION_TEMPLATE, context, block=None, status=400)
    name = f"{certificate.first_name} {certificate.last_name}"
    flash(
        request,
        _decided_message(action, certificate.track_code, name),
        category="success",
    )
    return Redirect(target, status_code=303)
