"""Q-check pages: DG R&O records, edits and deletes Q-checks and keeps the checklist; an
organisation reads its own Q-checks, a consultant theirs. Another organisation's Q-check
is a 404: its existence is not revealed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.audit_log import record_history
from core.errors import NotFound, Refused, TransitionRefused
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from core.paging import pager
from core.templating import localized
from organisations.queries import organisation_by_code, organisation_codes
from organisations.rules import LANGUAGE_ROLES
from qchecks import forms, queries, service
from qchecks.rules import format_hundredths
from webkit.errors import shows_again
from webkit.forms import form_int, form_revision
from webkit.guards import (
    actor_of,
    requires_dgro,
    requires_login,
    requires_organisation_scope,
    requires_qcheck_reader,
    signed_in,
)
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

LIST_TEMPLATE = "qchecks/list.html"
FORM_TEMPLATE = "qchecks/form.html"
DETAIL_TEMPLATE = "qchecks/detail.html"
CRITERIA_TEMPLATE = "qchecks/criteria.html"


def user_of(request: Request) -> CurrentUser:
    return signed_in(request)


def may_read(user: CurrentUser, qcheck: queries.QCheckRow) -> bool:
    """DG R&O; the organisation's PRO Partner and HR; the consultant who ran the file (the
    account linked to that staff record, by id: never by an e-mail a register writer can
    edit)."""
    if user.is_dgro:
        return True
    if user.has_role(Role.PRO_PARTNER, Role.HR) and user.may_act_for(qcheck.organisation_code):
        return True
    return user.staff_id is not None and user.staff_id == qcheck.consultant_id


def no_such_qcheck() -> NotFound:
    return NotFound(_("There is no such Q-check."))


def _year(raw: str | None) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    return form_int(raw, low=2000, high=2100, message=_("Give the year as four digits, e.g. 2026."))


def _criteria_labels(
    criteria: Sequence[queries.CriterionVersion | queries.ScoredCriterion],
) -> list[dict[str, Any]]:
    """The checklist rows with the name in the reader's language (NL or FR; EN reads NL)."""
    return [{**vars(row), "name": localized(row, "name")} for row in criteria]


async def _form_page(
    request: Request,
    form: FormResult,
    criteria: list[queries.CriterionVersion],
    *,
    qcheck: queries.QCheckDetails | None = None,
    status: int = 200,
) -> Template:
    context = {
        "form": form,
        "criteria": _criteria_labels(criteria),
        "qcheck": qcheck,
        "organisations": await organisation_codes(),
        "language_roles": LANGUAGE_ROLES,
        "score_field": forms.score_field,
        "comment_field": forms.comment_field,
    }
    return render(request, FORM_TEMPLATE, context, block=None, status=status)


def _edit_values(qcheck: queries.QCheckDetails) -> dict[str, str]:
    """The edit form filled with the Q-check as recorded."""
    values = {
        "selection_reference": qcheck.reference,
        "organisation_code": qcheck.organisation_code,
        "consultant_email": qcheck.consultant_email,
        "language_role": qcheck.language_role,
        "closed_on": qcheck.closed_on.isoformat(),
        "checked_on": qcheck.checked_on.isoformat(),
        "comment": qcheck.comment,
        "score": "" if qcheck.criteria else format_hundredths(qcheck.score_hundredths),
    }
    for row in qcheck.criteria:
        values[forms.score_field(row.criterion)] = format_hundredths(row.score_hundredths or 0)
        values[forms.comment_field(row.criterion)] = row.comment
    return values


async def _delete_refused(request: Request, form: FormResult) -> Template:
    """The edit page again when a deletion is refused, its message above the button."""
    qcheck = await queries.qcheck_details(int(request.path_params["qcheck_id"]))
    if qcheck is None:
        raise no_such_qcheck()
    criteria = await queries.criteria_in_force(qcheck.checked_on)
    message = next(iter(form.errors.values()), "")
    edit = FormResult(_edit_values(qcheck), {"delete": message})
    return await _form_page(request, edit, criteria, qcheck=qcheck)


class QCheckController(Controller):
    path = "/"
    include_in_schema = False

    # --- lists ---------------------------------------------------------------------------

    async def _list(
        self,
        request: HTMXRequest,
        filters: queries.QCheckFilter,
        page: int,
        heading: str,
        base: str,
        analytics_url: str | None = None,
    ) -> Template:
        result = await queries.qcheck_page(filters, page)
        context = {
            "heading": heading,
            "rows": result.rows,
            "total": result.total,
            "filters": filters,
            "base": base,
            "format_hundredths": format_hundredths,
            "may_record": user_of(request).is_dgro,
            "analytics_url": analytics_url,
            **pager(result, filters.query_string),
        }
        return render(
            request,
            LIST_TEMPLATE,
            context,
            push_url=f"{base}?{filters.query_string(result.page)}",
        )

    @get("/qchecks", guards=[requires_dgro], name="qchecks")
    async def all_qchecks(
        self,
        request: HTMXRequest,
        q: FromQuery[str] = "",
        year: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        """Every Q-check (DG R&O), newest first, searchable by reference or consultant."""
        filters = queries.QCheckFilter(year=_year(year), q=q.strip()[:100])
        return await self._list(request, filters, page, _("Q-checks"), "/qchecks")

    @get(
        "/organisations/{code:str}/qchecks",
        guards=[requires_organisation_scope, requires_qcheck_reader],
        name="organisation_qchecks",
    )
    async def organisation_qchecks(
        self,
        request: HTMXRequest,
        code: FromPath[str],
        q: FromQuery[str] = "",
        year: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        """One organisation's Q-checks: what DG R&O found in its selection files."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        filters = queries.QCheckFilter(
            organisation_code=organisation.code, year=_year(year), q=q.strip()[:100]
        )
        heading = _("Q-checks of %(code)s", code=organisation.code)
        base = f"/organisations/{organisation.code}/qchecks"
        return await self._list(request, filters, page, heading, base, f"{base}/analytics")

    @get("/my/qchecks", guards=[requires_login], name="my_qchecks")
    async def my_qchecks(
        self,
        request: HTMXRequest,
        q: FromQuery[str] = "",
        year: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        """The Q-checks of the selection files the logged-in consultant ran."""
        # Without a staff record of one's own, no Q-check is one's own (id 0 matches none).
        filters = queries.QCheckFilter(
            consultant_id=user_of(request).staff_id or 0, year=_year(year), q=q.strip()[:100]
        )
        return await self._list(request, filters, page, _("My Q-checks"), "/my/qchecks")

    # --- one Q-check -----------------------------------------------------------------------

    @get("/qchecks/{qcheck_id:int}", guards=[requires_login], name="qcheck")
    async def qcheck(self, request: HTMXRequest, qcheck_id: FromPath[int]) -> Template:
        """A Q-check with its criteria, comments and history (who changed what, when)."""
        qcheck = await queries.qcheck_details(qcheck_id)
        if qcheck is None or not may_read(user_of(request), qcheck):
            raise no_such_qcheck()
        context = {
            "qcheck": qcheck,
            "criteria": _criteria_labels(qcheck.criteria),
            "history": await record_history("qcheck", qcheck.reference),
            "format_hundredths": format_hundredths,
            "may_edit": user_of(request).is_dgro,
        }
        return render(request, DETAIL_TEMPLATE, context, block=None)

    # --- recording (DG R&O) ----------------------------------------------------------------

    @get("/qchecks/new", guards=[requires_dgro], name="new_qcheck")
    async def new_qcheck(self, request: HTMXRequest, organisation: FromQuery[str] = "") -> Template:
        """The form of a new selection file and its Q-check."""
        today = dt.date.today()
        values = {"organisation_code": organisation.upper()[:20], "checked_on": today.isoformat()}
        criteria = await queries.criteria_in_force(today)
        return await _form_page(request, FormResult(values=values), criteria)

    @post("/qchecks", guards=[requires_dgro], status_code=303)
    async def record(self, request: Request) -> Template | Redirect:
        """Record a Q-check: checked, written with its audit entry, the threshold watched."""
        today = dt.date.today()
        raw = await request.form()
        criteria = await queries.criteria_in_force(_checked_on(raw, today))
        form = forms.parse_qcheck_form(raw, [c.code for c in criteria], today, decimal_comma=True)
        if form.ok:
            try:
                qcheck_id = await service.record_qcheck(actor_of(request), form.data, today)
            except Refused as refused:
                form.errors[refused.field or "selection_reference"] = refused.message
            else:
                flash(
                    request,
                    _(
                        "The Q-check of %(reference)s has been recorded.",
                        reference=form.data.reference,
                    ),
                    category="success",
                )
                return Redirect(f"/qchecks/{qcheck_id}", status_code=303)
        return await _form_page(request, form, criteria, status=400)

    @get("/qchecks/{qcheck_id:int}/edit", guards=[requires_dgro], name="edit_qcheck")
    async def edit_form(self, request: HTMXRequest, qcheck_id: FromPath[int]) -> Template:
        qcheck = await queries.qcheck_details(qcheck_id)
        if qcheck is None:
            raise no_such_qcheck()
        values = _edit_values(qcheck)
        criteria = await queries.criteria_in_force(qcheck.checked_on)
        return await _form_page(request, FormResult(values=values), criteria, qcheck=qcheck)

    @post("/qchecks/{qcheck_id:int}/edit", guards=[requires_dgro], status_code=303)
    async def save(self, request: Request, qcheck_id: FromPath[int]) -> Template | Redirect:
        """Save an edit made on the page at the revision it showed (409 if changed since)."""
        qcheck = await queries.qcheck_details(qcheck_id)
        if qcheck is None:
            raise no_such_qcheck()
        today = dt.date.today()
        raw = dict(await request.form())
        raw["selection_reference"] = qcheck.reference  # the reference does not change
        criteria = await queries.criteria_in_force(_checked_on(raw, today))
        form = forms.parse_qcheck_form(raw, [c.code for c in criteria], today, decimal_comma=True)
        if form.ok:
            try:
                await service.edit_qcheck(
                    actor_of(request),
                    qcheck_id,
                    form.data,
                    form_revision(raw.get("revision")),
                    today,
                )
            except NotFound:
                raise no_such_qcheck() from None
            except TransitionRefused:
                raise HTTPException(status_code=409, detail=_changed_meanwhile(qcheck)) from None
            except Refused as refused:
                form.errors[refused.field or "score"] = refused.message
            else:
                flash(
                    request,
                    _(
                        "The Q-check of %(reference)s has been saved.",
                        reference=qcheck.reference,
                    ),
                    category="success",
                )
                return Redirect(f"/qchecks/{qcheck_id}", status_code=303)
        return await _form_page(request, form, criteria, qcheck=qcheck, status=400)

    @post(
        "/qchecks/{qcheck_id:int}/delete",
        guards=[requires_dgro],
        status_code=303,
        opt=shows_again(_delete_refused),
    )
    async def delete(self, request: Request, qcheck_id: FromPath[int]) -> Redirect:
        """Delete a Q-check recorded by mistake (with its selection file)."""
        qcheck = await queries.qcheck_details(qcheck_id)
        if qcheck is None:
            raise no_such_qcheck()
        raw = await request.form()
        try:
            await service.delete_qcheck(
                actor_of(request), qcheck_id, form_revision(raw.get("revision")), dt.date.today()
            )
        except NotFound:
            raise no_such_qcheck() from None
        except TransitionRefused:
            raise HTTPException(status_code=409, detail=_changed_meanwhile(qcheck)) from None
        flash(
            request,
            _("The Q-check of %(reference)s has been deleted.", reference=qcheck.reference),
            category="success",
        )
        return Redirect("/qchecks", status_code=303)

    # --- the checklist (DG R&O) ------------------------------------------------------------

    async def _criteria_page(
        self, request: Request, form: FormResult, status: int = 200
    ) -> Template:
        today = dt.date.today()
        context = {
            "form": form,
            "versions": await queries.criteria_versions(),
            "in_force": _criteria_labels(await queries.criteria_in_force(today)),
            "today": today,
        }
        return render(request, CRITERIA_TEMPLATE, context, block=None, status=status)

    @get("/qchecks/criteria", guards=[requires_dgro], name="qcheck_criteria")
    async def criteria(self, request: HTMXRequest) -> Template:
        """The checklist in force, every version, and the form of a new version."""
        values = {"active_from": dt.date.today().isoformat(), "weight": "10"}
        return await self._criteria_page(request, FormResult(values=values))

    @post("/qchecks/criteria", guards=[requires_dgro], status_code=303)
    async def save_criterion(self, request: Request) -> Template | Redirect:
        form = forms.parse_criterion_form(await request.form(), dt.date.today())
        if form.ok:
            try:
                await service.add_criterion_version(actor_of(request), form.data)
            except Refused as refused:
                form.errors[refused.field or "code"] = refused.message
            else:
                flash(
                    request,
                    _("Criterion %(code)s has been saved.", code=form.data.code),
                    category="success",
                )
                return Redirect("/qchecks/criteria", status_code=303)
        return await self._criteria_page(request, form, status=400)


def _checked_on(raw: Any, today: dt.date) -> dt.date:
    """The checklist a submitted form is checked against: the one in force on its date
    of check (today while that date is missing or not a date)."""
    try:
        return dt.date.fromisoformat(str(raw.get("checked_on") or ""))
    except ValueError:
        return today


def _changed_meanwhile(qcheck: queries.QCheckDetails) -> str:
    return _(
        "The Q-check of %(reference)s was changed by %(who)s since you opened it: nothing "
        "was saved. Reload the page to see the change, then edit again.",
        reference=qcheck.reference,
        who=qcheck.checked_by or "—",
    )
