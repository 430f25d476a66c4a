"""The HR side of evaluation cycles: an organisation's regime (DG R&O or its HR), who
evaluates whom (its HR), absence and work regime per cycle, and the status of every
cycle — never its contents — with filters, late tasks, CSV/XLSX, a chart of the year's
progress and the bulk creation of cycles (its HR only: DG R&O sees none of it unless
also HR of that organisation, SPEC 3)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.charts import LINE, RC, THRESHOLD, inline_svg
from core.errors import NotFound, Refused, TransitionRefused
from core.forms import FormResult, text
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from core.paging import PAGE_SIZE, Page, clamp_page, page_count, pager
from core.parsing import date_field, number_field
from cycles import rules as cycle_rules
from cycles.hr import queries, rules, service
from cycles.labels import evaluation_kind_label as task_label
from cycles.labels import evaluator_role_label as role_label
from cycles.labels import format_day
from cycles.labels import task_status_label as status_label
from cycles.queries import REGIME_FIELDS, RegimeRow, regime_for, regime_of_row
from cycles.rules import Regime
from organisations.queries import OrganisationRow, organisation_by_code, staff_member
from webkit.errors import shows_again
from webkit.forms import FormReader, form_date, form_int, form_revision
from webkit.guards import (
    actor_of,
    requires_login,
    requires_organisation_scope,
    requires_role,
    signed_in,
)
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render, spreadsheet

REGIME_TEMPLATE = "cycles/hr_regime.html"
EVALUATORS_TEMPLATE = "cycles/hr_evaluators.html"
STATUS_TEMPLATE = "cycles/hr_status.html"
ABSENCE_TEMPLATE = "cycles/hr_absence.html"
STAGE_TEMPLATE = "cycles/hr_stage.html"

requires_regime_editor = requires_role(Role.DGRO, Role.HR)
requires_hr = requires_role(Role.HR)


async def requires_hr_of_organisation(
    connection: ASGIConnection, handler: BaseRouteHandler
) -> None:
    """HR of the organisation in the path itself: DG R&O's reach over every organisation
    does not open its cycles (SPEC 3, privacy)."""
    await requires_login(connection, handler)
    user = signed_in(connection)
    if not (
        user.has_role(Role.HR) and user.organisation_code == connection.path_params.get("code")
    ):
        raise PermissionDeniedException(
            _("Only the HR of this organisation follows its evaluation cycles.")
        )


HR_GUARDS = [requires_organisation_scope, requires_hr, requires_hr_of_organisation]


def _user(request: Request) -> CurrentUser:
    return signed_in(request)


def _date_or_today(raw: Any, field: str) -> dt.date:
    """A form's date field; today when left empty."""
    typed = text(raw, field)
    return form_date(typed, field) if typed else dt.date.today()


# --- Labels -----------------------------------------------------------------------------


def scale_label(scale: str) -> str:
    return {
        "federal": _("federal (since 2022): one formal rating, insufficient"),
        "ploeg": _("PLOEG-like: insufficient, career delay"),
    }.get(scale, scale)


def preset_label(preset: str) -> str:
    return {"federal": _("federal default"), "ploeg": _("PLOEG-like")}.get(preset, preset)


# --- Regime -----------------------------------------------------------------------------

# Days in a regime or of absence: six digits at most, as the form always allowed.
MAX_DAYS = 999_999
MONTH_DAY_FIELDS = ("self_deadline", "first_deadline", "second_deadline", "closes_on")
NUMBER_FIELDS = (
    "min_days_between_meetings",
    "absence_days_for_functioning",
    "reminder_days",
    "min_performance_days",
    "stage_months",
    "early_months",
)


FLAG_FIELDS = ("functioning_after_regime_change", "cycles_off")


def regime_values(regime: Regime) -> dict[str, str]:
    values = {name: str(getattr(regime, name)) for name in REGIME_FIELDS}
    for name in FLAG_FIELDS:
        values[name] = "on" if getattr(regime, name) else ""
    return values


def parse_regime(raw: Mapping[str, Any]) -> FormResult:
    """The regime a person entered: whole numbers, month-days, the scale, the flag; every
    problem next to its field, in words (`service.regime_messages`)."""
    values = {name: text(raw, name) for name in REGIME_FIELDS}
    for name in FLAG_FIELDS:
        values[name] = "on" if text(raw, name) else ""
    result = FormResult(values)
    preset = values["preset"] if values["preset"] in cycle_rules.PRESETS else "federal"
    numbers: dict[str, int] = {}
    for name in NUMBER_FIELDS:
        number, _problem = number_field(values[name], low=0, high=MAX_DAYS)
        if number is not None:
            numbers[name] = number
        else:
            result.errors[name] = _("Give a whole number (0 or more).")
            numbers[name] = getattr(cycle_rules.FEDERAL, name)
    regime = Regime(
        preset=preset,
        self_deadline=values["self_deadline"],
        first_deadline=values["first_deadline"],
        second_deadline=values["second_deadline"],
        closes_on=values["closes_on"],
        rating_scale=values["rating_scale"],
        functioning_after_regime_change=bool(values["functioning_after_regime_change"]),
        cycles_off=bool(values["cycles_off"]),
        **numbers,
    )
    for name, message in service.regime_messages(regime).items():
        result.errors.setdefault(name, message)
    if not result.errors:
        result.data = regime
    return result


async def _regime_page(request: Request, form: FormResult) -> Template:
    """The regime form again after a refusal: what was typed, the message at its field."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    row = await queries.regime_row(organisation.id)
    revision = 0 if row is None else row.revision
    values = {**regime_values(regime_of_row(row)), **form.values}
    errors = {(field or "preset"): message for field, message in form.errors.items()}
    return await RegimeController.page_of(
        request, organisation, FormResult(values, errors), revision, row
    )


class RegimeController(Controller):
    path = "/organisations/{code:str}/regime"
    include_in_schema = False
    guards = [requires_organisation_scope, requires_regime_editor]

    @staticmethod
    async def page_of(
        request: Request,
        organisation: OrganisationRow,
        form: FormResult,
        revision: int,
        row: RegimeRow | None,
        status: int = 200,
    ) -> Template:
        context = {
            "organisation": organisation,
            "form": form,
            "revision": revision,
            "row": row,
            "presets": tuple(cycle_rules.PRESETS),
            "scales": tuple(cycle_rules.RATING_SCALES),
            "preset_label": preset_label,
            "scale_label": scale_label,
            "month_day_fields": MONTH_DAY_FIELDS,
        }
        return render(request, REGIME_TEMPLATE, context, block=None, status=status)

    @get("/", name="cycles_regime")
    async def regime_page(
        self, request: HTMXRequest, code: FromPath[str], preset: FromQuery[str] = ""
    ) -> Template:
        """The regime in force (the federal default without a stored one); `?preset=`
        fills the form with a preset to adjust before saving (nothing is saved)."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        row = await queries.regime_row(organisation.id)
        regime = cycle_rules.PRESETS.get(preset) or regime_of_row(row)
        return await self.page_of(
            request,
            organisation,
            FormResult(regime_values(regime)),
            0 if row is None else row.revision,
            row,
        )

    @post("/", status_code=303, opt=shows_again(_regime_page))
    async def save(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        """Save the regime at the revision the page showed (409 naming who saved since)."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        revision = form_revision(text(raw, "revision"))
        form = parse_regime(raw)
        if form.ok:
            try:
                await service.save_regime(actor_of(request), organisation.id, form.data, revision)
            except Refused as refused:
                form.errors[refused.field or "preset"] = refused.message
            except TransitionRefused:
                row = await queries.regime_row(organisation.id)
                raise HTTPException(
                    status_code=409,
                    detail=_(
                        "%(who)s changed this regime meanwhile (now revision %(revision)s). "
                        "Nothing of yours was saved; reload the page to see it and edit again.",
                        who=(row.updated_by if row else "") or "—",
                        revision=row.revision if row else "—",
                    ),
                ) from None
            else:
                flash(
                    request,
                    _(
                        "The evaluation regime of %(code)s has been saved.",
                        code=organisation.code,
                    ),
                    category="success",
                )
                return Redirect(f"/organisations/{organisation.code}/regime", status_code=303)
        row = await queries.regime_row(organisation.id)
        return await self.page_of(request, organisation, form, revision, row, status=400)


# --- Evaluators ---------------------------------------------------------------------------


async def _evaluators_page(
    request: Request, form: FormResult, q: str = "", page: int = 1
) -> Template:
    """Each staff member's evaluators; a refused assignment's message above the list,
    naming the person, and what was typed kept in their row."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    today = dt.date.today()
    q = q.strip()[:100]
    found = await queries.evaluators_page(organisation.id, today, q, page)
    base = f"/organisations/{organisation.code}/cycles/evaluators"
    refused = request.path_params.get("staff_id")
    member = await staff_member(organisation.id, refused) if refused else None

    def query_string(number: int) -> str:
        return urlencode({"q": q, "page": number} if q else {"page": number})

    context = {
        "organisation": organisation,
        "found": found,
        "q": q,
        "today": today,
        "roles": rules.ASSIGNMENT_ROLES,
        "role_label": role_label,
        "base": base,
        "form": form,
        "refused_path": request.url.path if refused else "",
        "refused_name": f"{member.first_name} {member.last_name}" if member else "",
        **pager(found.page, query_string),
    }
    return render(request, EVALUATORS_TEMPLATE, context, block=None if refused else "results")


class EvaluatorController(Controller):
    path = "/organisations/{code:str}/cycles/evaluators"
    include_in_schema = False
    guards = HR_GUARDS

    @get("/", name="cycles_evaluators")
    async def evaluators(
        self,
        request: HTMXRequest,
        code: FromPath[str],
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        return await _evaluators_page(request, FormResult({}), q, page)

    @post("/{staff_id:int}", status_code=303, opt=shows_again(_evaluators_page))
    async def assign(
        self, request: Request, code: FromPath[str], staff_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        from_on = _date_or_today(raw, "from_on")
        change = await service.assign_evaluator(
            actor_of(request),
            organisation.id,
            staff_id,
            text(raw, "role"),
            text(raw, "evaluator"),
            from_on,
            assigner_staff_id=_user(request).staff_id,
        )
        flash(
            request,
            _("Nothing changed: that evaluator was already assigned.")
            if change == rules.SAME
            else _(
                "The %(role)s has been assigned from %(day)s.",
                role=role_label(text(raw, "role")),
                day=format_day(from_on),
            ),
            category="success",
        )
        return Redirect(
            f"/organisations/{organisation.code}/cycles/evaluators#staff-{staff_id}",
            status_code=303,
        )

    @post("/{staff_id:int}/end", status_code=303, opt=shows_again(_evaluators_page))
    async def end(self, request: Request, code: FromPath[str], staff_id: FromPath[int]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        # "End now": the last day was yesterday, so the assignment gives no access today.
        ends_now = text(raw, "now") == "1"
        until_on = (
            dt.date.today() - dt.timedelta(days=1) if ends_now else _date_or_today(raw, "until_on")
        )
        await service.end_assignment(
            actor_of(request), organisation.id, staff_id, text(raw, "role"), until_on
        )
        flash(
            request,
            _("The %(role)s's assignment has ended.", role=role_label(text(raw, "role")))
            if ends_now
            else _(
                "The %(role)s's assignment ends on %(day)s.",
                role=role_label(text(raw, "role")),
                day=format_day(until_on),
            ),
            category="success",
        )
        return Redirect(
            f"/organisations/{organisation.code}/cycles/evaluators#staff-{staff_id}",
            status_code=303,
        )


# --- The status page ------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "team",
    "email",
    "name",
    "function",
    "cycle_start",
    "cycle_end",
    "first_evaluator",
    "second_evaluator",
    "coplanner",
    "objectives",
    "planning_signed",
    "meetings_held",
    "functioning_meeting_missing",
    "absent_days",
    "evaluated_cycle_start",
    "evaluated_cycle_end",
    "self_evaluation",
    "first_evaluation",
    "second_evaluation",
)


def export_rows(rows: Sequence[queries.StatusRow]) -> list[tuple[Any, ...]]:
    out = []
    for row in rows:
        tasks = {task.kind: task.status for task in row.tasks}
        out.append(
            (
                row.team_name,
                row.email,
                row.name,
                row.function,
                row.starts_on,
                row.ends_on,
                row.first,
                row.second,
                row.coplanner,
                row.objectives,
                "yes" if row.planning_signed else "no",
                row.meetings_held,
                "yes" if row.functioning_missing else "no",
                row.absent_days,
                row.evaluated_starts_on,
                row.evaluated_ends_on,
                tasks.get("self", ""),
                tasks.get("first", ""),
                tasks.get("second", ""),
            )
        )
    return out


def _year(raw: str, today: dt.date) -> int:
    if not raw:
        return today.year
    last = today.year + 1
    return form_int(
        raw, low=2000, high=last, message=_("Give a year from 2000 to %(last)d.", last=last)
    )


def _filters(team: str, late: str) -> queries.StatusFilter:
    team = team.strip()[:20]
    if team and team != queries.NO_TEAM:
        team = str(form_int(team, message=_("Choose a team from the list.")))
    return queries.StatusFilter(team=team, late=late.strip().lower() in ("1", "true", "on", "yes"))


def progress_svg(
    months: Sequence[rules.MonthProgress], year: int, chart_id: str = "cycle-progress"
) -> str:
    """The year's progress as two lines (planning signed, evaluations done, in %), as
    accessible inline SVG in the portal's chart style (`core.charts`: role=img, title, desc)."""
    points = tuple((month_name(m.month), m.planning_percent, m.evaluations_percent) for m in months)
    words = (
        _("Progress of the evaluation cycles in %(year)d", year=year),
        " ".join(
            (
                _(
                    "Line chart, month by month up to today: the share of the year's cycles "
                    "whose planning report both signed, and the share of the evaluations due "
                    "that both evaluators submitted.",
                ),
                _("The table after the chart gives every figure."),
            )
        ),
        _("Month"),
        _("Share (%)"),
        _("Planning signed"),
        _("Evaluations done"),
    )
    return _progress_chart(points, words, chart_id)


def month_name(month: int) -> str:
    return (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )[month - 1]


@lru_cache(maxsize=128)
def _progress_chart(
    points: tuple[tuple[str, int | None, int | None], ...], words: tuple[str, ...], chart_id: str
) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    title, desc, x_label, y_label, planning_label, evaluations_label = words
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.5, 3.4))
        axes = figure.add_subplot()
        positions = list(range(len(points)))
        for index, (label, colour, style) in enumerate(
            ((planning_label, LINE, "-"), (evaluations_label, THRESHOLD, "--")), start=1
        ):
            values = [
                math.nan if point[index] is None else float(point[index] or 0) for point in points
            ]
            axes.plot(
                positions,
                values,
                marker="o",
                color=colour,
                linestyle=style,
                linewidth=2,
                label=label,
            )
        axes.set_ylim(0, 100)
        axes.set_xticks(positions, [point[0] for point in points])
        if len(points) > 6:
            axes.tick_params(axis="x", labelrotation=45)
            for tick in axes.get_xticklabels():
                tick.set_horizontalalignment("right")
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.grid(axis="y", linewidth=0.5, color="#cccccc")
        axes.legend(loc="best")
        figure.tight_layout()
        return inline_svg(figure, chart_id, title, desc)


async def _status_page(
    request: Request,
    form: FormResult,
    team: str = "",
    late: str = "",
    year: str = "",
    page: int = 1,
) -> Template:
    """HR's status page; a refused "create cycles" form with its message and what was typed."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    today = dt.date.today()
    filters = _filters(team, late)
    chosen_year = _year(year.strip(), today)
    found = await queries.organisation_cycles(organisation.id, today, chosen_year)
    rows = queries.filtered(found.rows, filters)
    total = len(rows)
    number = clamp_page(page, total)
    shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    months = rules.year_progress(chosen_year, found.progress, today)
    base = f"/organisations/{organisation.code}/cycles"
    paged: Page[Any] = Page(rows=[], total=total, page=number, pages=page_count(total))
    context = {
        "organisation": organisation,
        "filters": filters,
        "rows": shown,
        "total": total,
        "teams": found.teams,
        "late_tasks": [(row, task) for row in rows for task in row.late_tasks],
        "months": months,
        "year": chosen_year,
        "chart": progress_svg(months, chosen_year) if months else None,
        "today": today,
        "base": base,
        "regime": found.regime,
        "role_label": role_label,
        "task_label": task_label,
        "status_label": status_label,
        "month_name": month_name,
        "no_team": queries.NO_TEAM,
        "through_default": dt.date(today.year, 12, 31),
        "form": form,
        **pager(paged, filters.query_string),
    }
    query = filters.query_string(number)
    if request.method == "POST":
        return render(request, STATUS_TEMPLATE, context, block=None)
    return render(request, STATUS_TEMPLATE, context, push_url=f"{base}?{query}" if query else base)


class StatusController(Controller):
    path = "/organisations/{code:str}/cycles"
    include_in_schema = False
    guards = HR_GUARDS

    @get("/", name="cycles_status")
    async def status(
        self,
        request: HTMXRequest,
        code: FromPath[str],
        team: FromQuery[str] = "",
        late: FromQuery[str] = "",
        year: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        """Status only: per team and staff member the cycle's dates, counts and states."""
        return await _status_page(request, FormResult({}), team, late, year, page)

    @get(["/status.csv", "/status.xlsx"], name="cycles_status_export")
    async def export(
        self,
        request: Request,
        code: FromPath[str],
        team: FromQuery[str] = "",
        late: FromQuery[str] = "",
    ) -> Response:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        today = dt.date.today()
        found = await queries.organisation_cycles(organisation.id, today)
        rows = queries.filtered(found.rows, _filters(team, late))
        return spreadsheet(
            request,
            f"cycles-{organisation.code}",
            f"cycles {organisation.code}",
            EXPORT_COLUMNS,
            export_rows(rows),
        )

    @post("/generate", status_code=303, opt=shows_again(_status_page))
    async def generate(self, request: Request, code: FromPath[str]) -> Redirect:
        """Create the organisation's cycles through a date (again: nothing new)."""
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        today = dt.date.today()
        through = form_date(text(raw, "through"), "through")
        team = _filters(text(raw, "team"), "").team
        staff = text(raw, "staff")
        staff_id = (
            form_int(staff, message=_("Choose a staff member of your organisation."), field="staff")
            if staff
            else None
        )
        done = await service.generate_cycles(
            actor_of(request),
            organisation.id,
            organisation.code,
            through,
            today,
            team,
            staff_id=staff_id,
        )
        flash(
            request,
            _(
                "Cycles through %(day)s: %(created)d created, %(changed)d changed, "
                "%(removed)d removed.",
                day=format_day(through),
                created=done.created,
                changed=done.changed,
                removed=done.removed,
            ),
            category="success",
        )
        return Redirect(f"/organisations/{organisation.code}/cycles", status_code=303)

    async def _absence_page(
        self,
        request: Request,
        organisation: OrganisationRow,
        cycle: queries.AbsenceCycle,
        form: FormResult,
        status: int = 200,
    ) -> Template:
        return await _render_absence(request, organisation, cycle, form, FormResult({}), status)

    async def _cycle(self, organisation: OrganisationRow, cycle_id: int) -> queries.AbsenceCycle:
        cycle = await queries.cycle_for_absence(organisation.id, cycle_id)
        if cycle is None:
            raise NotFound(_("There is no such cycle in %(code)s.", code=organisation.code))
        return cycle

    @get("/{cycle_id:int}/absence", name="cycles_absence")
    async def absence(
        self, request: HTMXRequest, code: FromPath[str], cycle_id: FromPath[int]
    ) -> Template:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        cycle = await self._cycle(organisation, cycle_id)
        changed = cycle.work_regime_changed_on
        values = {
            "absent_days": str(cycle.absent_days),
            "work_regime_changed_on": changed.isoformat() if changed else "",
        }
        return await self._absence_page(request, organisation, cycle, FormResult(values))

    @post("/{cycle_id:int}/absence", status_code=303)
    async def record_absence(
        self, request: Request, code: FromPath[str], cycle_id: FromPath[int]
    ) -> Template | Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        cycle = await self._cycle(organisation, cycle_id)
        raw = await request.form()
        form = FormResult(
            {name: text(raw, name) for name in ("absent_days", "work_regime_changed_on")}
        )
        days, _problem = number_field(form.values["absent_days"], low=0, high=MAX_DAYS)
        if days is None:
            form.errors["absent_days"] = _("Give a whole number of days (0 or more).")
        changed_on = None
        if form.values["work_regime_changed_on"]:
            changed_on, problem = date_field(form.values["work_regime_changed_on"])
            if problem:
                form.errors["work_regime_changed_on"] = problem
        if days is not None and not form.errors:
            try:
                await service.record_absence(
                    actor_of(request),
                    organisation.id,
                    cycle_id,
                    days,
                    changed_on,
                    dt.date.today(),
                    await regime_for(organisation.id),
                )
            except NotFound:
                raise NotFound(
                    _("There is no such cycle in %(code)s.", code=organisation.code)
                ) from None
            except Refused as refused:
                form.errors[refused.field or "absent_days"] = refused.message
            else:
                flash(
                    request,
                    _(
                        "The absence and work regime of %(name)s's cycle have been saved.",
                        name=cycle.name,
                    ),
                    category="success",
                )
                return Redirect(f"/organisations/{organisation.code}/cycles", status_code=303)
        return await self._absence_page(request, organisation, cycle, form, status=400)


def _number_form(cycle: queries.AbsenceCycle) -> FormResult:
    changed = cycle.work_regime_changed_on
    return FormResult(
        {
            "absent_days": str(cycle.absent_days),
            "work_regime_changed_on": changed.isoformat() if changed else "",
        }
    )


async def _render_absence(
    request: Request,
    organisation: OrganisationRow,
    cycle: queries.AbsenceCycle,
    form: FormResult,
    period_form: FormResult,
    status: int = 200,
) -> Template:
    """The absence page: the number form (`form`), the periods and their form."""
    regime = await regime_for(organisation.id)
    context = {
        "organisation": organisation,
        "cycle": cycle,
        "form": form,
        "period_form": period_form,
        "regime": regime,
        "closed": cycle_rules.is_closed(cycle.ends_on, regime, dt.date.today()),
    }
    return render(request, ABSENCE_TEMPLATE, context, block=None, status=status)


async def _absence_of(request: Request) -> tuple[OrganisationRow, queries.AbsenceCycle]:
    code, cycle_id = request.path_params["code"], int(request.path_params["cycle_id"])
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    cycle = or_404(
        await queries.cycle_for_absence(organisation.id, cycle_id),
        NotFound(_("There is no such cycle in %(code)s.", code=organisation.code)),
    )
    return organisation, cycle


async def _periods_page(request: Request, form: FormResult, status: int = 400) -> Template:
    """A refused absence period: the page with what was typed and the message."""
    organisation, cycle = await _absence_of(request)
    return await _render_absence(request, organisation, cycle, _number_form(cycle), form, status)


class AbsencePeriodController(Controller):
    """HR records the periods of absence of a cycle's staff member (first and last day);
    their working days become the days of absence of the cycles they fall in."""

    path = "/organisations/{code:str}/cycles/{cycle_id:int}/absence/periods"
    include_in_schema = False
    guards = HR_GUARDS

    @post("/", status_code=303, opt=shows_again(_periods_page))
    async def add(self, request: Request, code: FromPath[str], cycle_id: FromPath[int]) -> Redirect:
        organisation, _cycle = await _absence_of(request)
        form = FormReader(await request.form())
        starts_on, ends_on = form.date("starts_on"), form.date("ends_on")
        note = form.text("note")
        form.check()
        assert starts_on is not None and ends_on is not None  # form.check() refused a gap
        data = service.PeriodInput(starts_on, ends_on, note)
        await service.record_absence_period(
            actor_of(request), organisation.id, cycle_id, data, dt.date.today(),
            await regime_for(organisation.id),
        )  # fmt: skip
        flash(request, _("The absence period has been recorded."), category="success")
        return Redirect(
            f"/organisations/{organisation.code}/cycles/{cycle_id}/absence", status_code=303
        )

    @post("/{period_id:int}/delete", status_code=303, opt=shows_again(_periods_page))
    async def remove(
        self,
        request: Request,
        code: FromPath[str],
        cycle_id: FromPath[int],
        period_id: FromPath[int],
    ) -> Redirect:
        organisation, _cycle = await _absence_of(request)
        await service.remove_absence_period(
            actor_of(request), organisation.id, cycle_id, period_id, dt.date.today(),
            await regime_for(organisation.id),
        )  # fmt: skip
        flash(request, _("The absence period has been removed."), category="success")
        return Redirect(
            f"/organisations/{organisation.code}/cycles/{cycle_id}/absence", status_code=303
        )


def stage_decision_label(decision: str) -> str:
    return {
        "appointed": _("appointed (statutory from the day after the stage)"),
        "extended": _("stage extended"),
        "appeal_continued": _("the appeal commission: the stage goes on"),
        "dismissed": _("dismissed (the stage and the posting end)"),
    }.get(decision, decision)


async def _stage_page(request: Request, form: FormResult, status: int = 400) -> Template:
    """A trainee's stage with its decisions and the decision form (after a refusal: what
    was typed, the message at its field)."""
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    stage = await queries.stage_of(organisation.id, request.path_params["stage_id"])
    if stage is None:
        raise NotFound(_("There is no such stage in %(code)s.", code=organisation.code))
    form.values.setdefault("decided_on", dt.date.today().isoformat())
    form.values.setdefault("working_time", str(stage.working_time))
    context = {
        "organisation": organisation,
        "stage": stage,
        "form": form,
        "full_time": cycle_rules.FULL_TIME,
        "min_working_time": cycle_rules.MIN_WORKING_TIME,
        "decisions": cycle_rules.STAGE_DECISIONS,
        "decision_label": stage_decision_label,
        "free_absence": cycle_rules.STAGE_FREE_ABSENCE,
        "max_extension": cycle_rules.MAX_STAGE_EXTENSION_MONTHS,
    }
    return render(request, STAGE_TEMPLATE, context, block=None, status=status)


class StageController(Controller):
    """HR records the decisions on a trainee's stage (SPEC 3.1)."""

    path = "/organisations/{code:str}/stages/{stage_id:int}"
    include_in_schema = False
    guards = HR_GUARDS

    @get("/", name="cycles_stage")
    async def stage(
        self, request: HTMXRequest, code: FromPath[str], stage_id: FromPath[int]
    ) -> Template:
        today = dt.date.today().isoformat()
        return await _stage_page(request, FormResult({"decided_on": today}), status=200)

    @post("/", status_code=303, opt=shows_again(_stage_page))
    async def decide(
        self, request: Request, code: FromPath[str], stage_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = FormReader(await request.form())
        months_typed = bool(form.text("months"))
        data = service.StageDecisionInput(
            decision=form.text("decision"),
            decided_on=form.date("decided_on") or dt.date.min,
            months=form.number(
                "months",
                low=0,
                high=12,  # a number of months; the service says how many a stage takes
                message=_("Give the extension in whole months, from 1 to 4."),
            )
            if months_typed
            else 0,
            note=form.text("note"),
        )
        form.check()  # the service checks the decision, the months and the note
        await service.record_stage_decision(actor_of(request), organisation.id, stage_id, data)
        flash(request, _("The decision on the stage has been recorded."), category="success")
        return Redirect(f"/organisations/{organisation.code}/stages/{stage_id}", status_code=303)

    @post("/working-time", status_code=303, opt=shows_again(_stage_page))
    async def working_time(
        self, request: Request, code: FromPath[str], stage_id: FromPath[int]
    ) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = FormReader(await request.form())
        working_time = form.number(
            "working_time",
            low=cycle_rules.MIN_WORKING_TIME,
            high=cycle_rules.FULL_TIME,
            message=_("Give the working time as a whole per cent from %(low)d to %(high)d.",
                      low=cycle_rules.MIN_WORKING_TIME, high=cycle_rules.FULL_TIME),
        )  # fmt: skip
        form.check()
        await service.record_stage_working_time(
            actor_of(request), organisation.id, stage_id, working_time, dt.date.today()
        )
        flash(request, _("The stage's working time has been recorded."), category="success")
        return Redirect(f"/organisations/{organisation.code}/stages/{stage_id}", status_code=303)


HR_ROUTE_HANDLERS = [
    RegimeController,
    EvaluatorController,
    StatusController,
    StageController,
    AbsencePeriodController,
]
