"""Reads of the HR side: the organisation's regime row, the evaluators page (staff with
their current and earlier evaluators), and the status of every staff member's cycle for
HR — dates, counts and states only, never the contents of a dossier (no report text, no
objective title, no evaluation text is selected). Each a few set-based queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Count

from core.paging import Page, fetch_page
from core.rows import columns_of, rows_as
from cycles import rules as cycle_rules
from cycles.hr import rules
from cycles.queries import RegimeRow, final_reports, regime_for, regime_rows
from cycles.rules import Regime
from cycles.tables import (
    AbsencePeriod,
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    EvaluatorAssignment,
    ImprovementPlan,
    StageDecision,
)
from organisations.rules import is_active_on
from organisations.tables import StaffMember

NO_TEAM = "none"
TASK_ORDER = cycle_rules.EVALUATION_KINDS  # self, first, second
NOT_REQUIRED = "not_required"


async def regime_row(organisation_id: int) -> RegimeRow | None:
    """The stored regime (with `revision` and `updated_by`), None for the federal default."""
    return (await regime_rows([organisation_id])).get(organisation_id)


# --- Evaluators -------------------------------------------------------------------------


def _name(row: dict[str, Any], prefix: str = "") -> str:
    return f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}"


async def _assignments(staff_ids: list[int]) -> list[dict[str, Any]]:
    """Every assignment of these staff members, with the evaluator's name (one query)."""
    if not staff_ids:
        return []
    return await (
        EvaluatorAssignment.select(
            *EvaluatorAssignment.all_columns(),
            EvaluatorAssignment.evaluator.email.as_alias("evaluator_email"),
            EvaluatorAssignment.evaluator.first_name.as_alias("evaluator_first_name"),
            EvaluatorAssignment.evaluator.last_name.as_alias("evaluator_last_name"),
        )
        .where(EvaluatorAssignment.staff.is_in(staff_ids))
        .order_by(EvaluatorAssignment.from_on, ascending=False)
    )


def _holds(from_on: dt.date, until_on: dt.date | None, today: dt.date) -> bool:
    """An assignment from `from_on` to `until_on` (open: None) holds today."""
    return from_on <= today and (until_on is None or until_on >= today)


@dataclass(frozen=True)
class AssignmentRow:
    """An evaluator assignment with the evaluator's e-mail and name."""

    id: int
    staff: int
    role: str
    evaluator: int
    from_on: dt.date
    until_on: dt.date | None
    assigned_by: str
    evaluator_email: str
    evaluator_first_name: str
    evaluator_last_name: str
    evaluator_name: str


@dataclass(frozen=True)
class EvaluatedStaff:
    """A staff member with the assignment of each role running (or starting later) and
    the others as history."""

    id: int
    email: str
    first_name: str
    last_name: str
    start_date: dt.date
    end_date: dt.date | None
    name: str
    current: dict[str, AssignmentRow]
    history: list[AssignmentRow]


@dataclass(frozen=True)
class Candidate:
    """An active staff member whom the evaluator field offers."""

    email: str
    first_name: str
    last_name: str


@dataclass
class EvaluatorsPage:
    page: Page[Any]
    staff: list[EvaluatedStaff]
    candidates: list[Candidate]  # active staff of the organisation (the datalist)


async def evaluators_page(
    organisation_id: int, today: dt.date, q: str = "", page: int = 1
) -> EvaluatorsPage:
    """The organisation's staff not yet gone (50 a page, `q` in name or e-mail), each with
    the assignment of every role running today (or the open one starting later) and the
    others as history; three queries and the count."""
    clauses: list[Any] = [
        StaffMember.organisation == organisation_id,
        StaffMember.end_date.is_null() | (StaffMember.end_date >= today),
    ]
    needle = q.strip()
    if needle:
        pattern = "%" + needle.replace("\\", "").replace("%", "").replace("_", "") + "%"
        clauses.append(
            StaffMember.email.ilike(pattern)
            | StaffMember.first_name.ilike(pattern)
            | StaffMember.last_name.ilike(pattern)
        )
    found = await fetch_page(
        StaffMember.select(
            StaffMember.id,
            StaffMember.email,
            StaffMember.first_name,
            StaffMember.last_name,
            StaffMember.start_date,
            StaffMember.end_date,
        ).order_by(StaffMember.last_name, StaffMember.first_name, StaffMember.email),
        StaffMember.count(),
        clauses,
        page,
    )
    by_staff: dict[int, list[AssignmentRow]] = {}
    for row in await _assignments([row["id"] for row in found.rows]):
        by_staff.setdefault(row["staff"], []).append(
            AssignmentRow(**row, evaluator_name=_name(row, "evaluator_"))
        )
    staff = []
    for member in found.rows:
        rows = by_staff.get(member["id"], [])
        current: dict[str, AssignmentRow] = {}
        for held in rows:
            if _holds(held.from_on, held.until_on, today) or (
                held.until_on is None and held.from_on > today
            ):
                current.setdefault(held.role, held)
        shown = {held.id for held in current.values()}
        staff.append(
            EvaluatedStaff(
                **member,
                name=_name(member),
                current=current,
                history=[held for held in rows if held.id not in shown],
            )
        )
    candidates = await (
        StaffMember.select(StaffMember.email, StaffMember.first_name, StaffMember.last_name)
        .where(
            (StaffMember.organisation == organisation_id)
            & (StaffMember.start_date <= today)
            & (StaffMember.end_date.is_null() | (StaffMember.end_date >= today))
        )
        .order_by(StaffMember.email)
    )
    return EvaluatorsPage(found, staff, rows_as(Candidate, candidates))


# --- The cycle status -------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    kind: str  # self, first, second
    status: str  # done, due, late, not_open, closed, not_required
    deadline: dt.date | None


@dataclass
class StatusRow:
    """One staff member's cycle as HR sees it: dates, counts and states only."""

    staff_id: int
    email: str
    name: str
    team: str  # the first evaluator's staff id as text, or NO_TEAM
    team_name: str
    first: str = ""
    second: str = ""
    coplanner: str = ""
    statute: str = "statutory"
    stage_ends_on: dt.date | None = None  # a trainee's stage (SPEC 3.1)
    stage_id: int | None = None  # its probation cycle
    kind: str = "annual"  # the current cycle's
    plan_saved_on: dt.date | None = None  # an early cycle's improvement plan, as status
    cycle_id: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    function: str = ""
    absent_days: int = 0
    work_regime_changed_on: dt.date | None = None
    objectives: int = 0
    planning_signed: bool = False
    meetings_held: int = 0
    functioning_missing: bool = False
    evaluated_starts_on: dt.date | None = None
    evaluated_ends_on: dt.date | None = None
    tasks: list[Task] = field(default_factory=list)

    @property
    def late_tasks(self) -> list[Task]:
        return [task for task in self.tasks if task.status == "late"]


@dataclass
class OrganisationCycles:
    """Everything the status page and the chart read, loaded once."""

    regime: Regime
    rows: list[StatusRow]
    progress: list[rules.CycleProgress]
    teams: list[tuple[str, str]]  # (key, name), the teams present, "no evaluator" last


def _day(value: dt.datetime | dt.date | None) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _pick_current(cycles: list[dict[str, Any]], today: dt.date) -> dict[str, Any] | None:
    """The cycle running today; else the last one started; else the first to come."""
    started = [c for c in cycles if c["starts_on"] <= today]
    for cycle in started:
        if cycle["ends_on"] >= today:
            return cycle
    if started:
        return max(started, key=lambda c: c["starts_on"])
    return min(cycles, key=lambda c: c["starts_on"]) if cycles else None


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[int, list[dict[str, Any]]]:
    """The rows by the value of one column, in their order."""
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def _planning_signed_on(meetings: list[dict[str, Any]]) -> dt.date | None:
    """The day the cycle's planning report was signed by both (the later signature; the
    meeting's day when a signature has no time), or None."""
    days = [
        max(
            _day(m["staff_signed_at"]) or m["held_on"],
            _day(m["evaluator_signed_at"]) or m["held_on"],
        )
        for m in meetings
        if m["kind"] == "planning" and m["state"] == "signed"
    ]
    return min(days) if days else None


async def organisation_cycles(
    organisation_id: int, today: dt.date, year: int | None = None
) -> OrganisationCycles:
    """The status of every staff member of the organisation who is active today or has a
    cycle still open, and the year's progress figures: nine queries whatever the size."""
    year = year or today.year
    regime = await regime_for(organisation_id)
    staff = await StaffMember.select(
        StaffMember.id,
        StaffMember.email,
        StaffMember.first_name,
        StaffMember.last_name,
        StaffMember.start_date,
        StaffMember.end_date,
        StaffMember.statute,
    ).where(StaffMember.organisation == organisation_id)
    since = dt.date(min(year, today.year) - 2, 1, 1)
    until = dt.date(max(year, today.year), 12, 31)
    cycles = await EvaluationCycle.select(
        EvaluationCycle.id,
        EvaluationCycle.staff,
        EvaluationCycle.starts_on,
        EvaluationCycle.ends_on,
        EvaluationCycle.function,
        EvaluationCycle.absent_days,
        EvaluationCycle.work_regime_changed_on,
        EvaluationCycle.kind,
    ).where(
        (EvaluationCycle.staff.organisation == organisation_id)
        & (EvaluationCycle.ends_on >= since)
        & (EvaluationCycle.starts_on <= until)
    )
    cycle_ids = [c["id"] for c in cycles] or [0]
    # States and dates only: never the report, remarks, titles or texts.
    meetings = await CycleMeeting.select(
        CycleMeeting.cycle,
        CycleMeeting.kind,
        CycleMeeting.held_on,
        CycleMeeting.state,
        CycleMeeting.staff_signed_at,
        CycleMeeting.evaluator_signed_at,
    ).where(CycleMeeting.cycle.is_in(cycle_ids))
    evaluations = await CycleEvaluation.select(
        CycleEvaluation.cycle, CycleEvaluation.kind, CycleEvaluation.submitted_at
    ).where(CycleEvaluation.cycle.is_in(cycle_ids))
    objective_counts = {
        row["cycle"]: row["count"]
        for row in await CycleObjective.select(CycleObjective.cycle, Count())
        .where(CycleObjective.cycle.is_in(cycle_ids))
        .group_by(CycleObjective.cycle)
    }
    assignments = await _assignments([m["id"] for m in staff])
    finals = await final_reports(cycle_ids)
    plans = {
        row["cycle"]: _day(row["updated_at"])
        for row in await ImprovementPlan.select(
            ImprovementPlan.cycle, ImprovementPlan.updated_at
        ).where(ImprovementPlan.cycle.is_in(cycle_ids))
    }

    meetings_of = _grouped(meetings, "cycle")
    submitted: dict[int, dict[str, dt.date | None]] = {}
    for evaluation in evaluations:
        submitted.setdefault(evaluation["cycle"], {})[evaluation["kind"]] = _day(
            evaluation["submitted_at"]
        )
    cycles_of = _grouped(cycles, "staff")
    evaluators: dict[int, dict[str, dict[str, Any]]] = {}
    for row in assignments:
        if _holds(row["from_on"], row["until_on"], today):
            evaluators.setdefault(row["staff"], {}).setdefault(row["role"], row)

    def planning_signed_on(cycle_id: int) -> dt.date | None:
        return _planning_signed_on(meetings_of.get(cycle_id, []))

    def required(cycle: dict[str, Any]) -> bool:
        return cycle_rules.is_evaluated(
            cycle["kind"], cycle["starts_on"], cycle["ends_on"], cycle["absent_days"], regime
        )

    rows: list[StatusRow] = []
    team_names: dict[str, str] = {}
    for member in sorted(staff, key=lambda m: (m["last_name"], m["first_name"], m["email"])):
        own = cycles_of.get(member["id"], [])
        open_cycles = [
            c
            for c in own
            if c["starts_on"] <= today <= cycle_rules.deadlines(c["ends_on"], regime).closes
        ]
        if not is_active_on(member["start_date"], member["end_date"], today) and not open_cycles:
            continue
        roles = evaluators.get(member["id"], {})
        first = roles.get("first")
        team = str(first["evaluator"]) if first else NO_TEAM
        if first:
            team_names[team] = first["evaluator_first_name"] + " " + first["evaluator_last_name"]
        status = StatusRow(
            staff_id=member["id"],
            email=member["email"],
            name=_name(member),
            team=team,
            team_name=team_names.get(team, ""),
            first=_name(roles["first"], "evaluator_") if "first" in roles else "",
            second=_name(roles["second"], "evaluator_") if "second" in roles else "",
            coplanner=_name(roles["coplanner"], "evaluator_") if "coplanner" in roles else "",
            statute=member["statute"],
            stage_ends_on=next((c["ends_on"] for c in own if c["kind"] == "probation"), None),
            stage_id=next((c["id"] for c in own if c["kind"] == "probation"), None),
        )
        current = _pick_current(own, today)
        if current is not None:
            held = [m for m in meetings_of.get(current["id"], []) if m["held_on"] <= today]
            status.cycle_id = current["id"]
            status.starts_on = current["starts_on"]
            status.ends_on = current["ends_on"]
            status.function = current["function"]
            status.kind = current["kind"]
            status.plan_saved_on = plans.get(current["id"])
            status.absent_days = current["absent_days"]
            status.work_regime_changed_on = current["work_regime_changed_on"]
            status.objectives = objective_counts.get(current["id"], 0)
            status.planning_signed = planning_signed_on(current["id"]) is not None
            status.meetings_held = len(held)
            status.functioning_missing = cycle_rules.functioning_meeting_required(
                current["absent_days"], current["work_regime_changed_on"] is not None, regime
            ) and not any(m["kind"] == "functioning" for m in meetings_of.get(current["id"], []))
        being_evaluated = [
            c
            for c in own
            if cycle_rules.evaluation_opens(c["starts_on"], c["ends_on"]) <= today
            and today <= cycle_rules.deadlines(c["ends_on"], regime).closes
        ]
        evaluated = max(being_evaluated, key=lambda c: c["ends_on"]) if being_evaluated else current
        if evaluated is not None:
            status.evaluated_starts_on = evaluated["starts_on"]
            status.evaluated_ends_on = evaluated["ends_on"]
            # No second evaluation is due where nobody is second evaluator, nor once the
            # report is final without one.
            second_due = "second" in roles and evaluated["id"] not in finals
            status.tasks = _tasks(
                evaluated, required(evaluated), submitted, regime, today, second_due
            )
        rows.append(status)

    progress = [
        rules.CycleProgress(
            starts_on=c["starts_on"],
            ends_on=c["ends_on"],
            planning_signed_on=planning_signed_on(c["id"]),
            evaluation_opens=cycle_rules.evaluation_opens(c["starts_on"], c["ends_on"])
            if required(c)
            else None,
            evaluation_closes=cycle_rules.deadlines(c["ends_on"], regime).closes,
            evaluated_on=_evaluated_on(submitted.get(c["id"], {}), c["id"] in finals),
        )
        for c in cycles
    ]
    teams = sorted(team_names.items(), key=lambda item: item[1].lower())
    if any(row.team == NO_TEAM for row in rows):
        teams.append((NO_TEAM, ""))
    return OrganisationCycles(regime, rows, progress, teams)


def _evaluated_on(days: dict[str, dt.date | None], final: bool) -> dt.date | None:
    """The day the report became final: the later of the evaluators' signatures; None
    while it is not final."""
    signed = [day for kind in ("first", "second") if (day := days.get(kind)) is not None]
    return max(signed) if final and signed else None


def _tasks(
    cycle: dict[str, Any],
    is_required: bool,
    submitted: dict[int, dict[str, dt.date | None]],
    regime: Regime,
    today: dt.date,
    second_due: bool = True,
) -> list[Task]:
    if not is_required:
        return [Task(kind, NOT_REQUIRED, None) for kind in TASK_ORDER]
    deadlines = cycle_rules.deadlines(cycle["ends_on"], regime)
    opens = cycle_rules.evaluation_opens(cycle["starts_on"], cycle["ends_on"])
    done = submitted.get(cycle["id"], {})
    due = {
        kind: cycle_rules.evaluation_deadline(
            kind, cycle["kind"], cycle["starts_on"], cycle["ends_on"], regime
        )
        for kind in TASK_ORDER
    }
    closes = max(deadlines.closes, *due.values())
    return [
        Task(kind, NOT_REQUIRED, None)
        if kind == "second" and not second_due and kind not in done
        else Task(
            kind, cycle_rules.task_status(kind in done, due[kind], closes, opens, today), due[kind]
        )
        for kind in TASK_ORDER
    ]


@dataclass(frozen=True)
class StatusFilter:
    team: str = ""
    late: bool = False

    def query_string(self, page: int | None = None) -> str:
        values: dict[str, Any] = {}
        if self.team:
            values["team"] = self.team
        if self.late:
            values["late"] = "true"
        if page is not None and page > 1:
            values["page"] = page
        return urlencode(values)


def filtered(rows: Iterable[StatusRow], filters: StatusFilter) -> list[StatusRow]:
    """The rows of one team and/or with a late task, sorted by team then name."""
    chosen = [
        row
        for row in rows
        if (not filters.team or row.team == filters.team) and (not filters.late or row.late_tasks)
    ]
    return sorted(
        chosen, key=lambda row: (row.team == NO_TEAM, row.team_name.lower(), row.name.lower())
    )


@dataclass(frozen=True)
class AbsenceCycle:
    """A cycle with its staff member's name: what HR's absence form shows."""

    id: int
    starts_on: dt.date
    ends_on: dt.date
    function: str
    absent_days: int
    work_regime_changed_on: dt.date | None
    email: str
    first_name: str
    last_name: str
    organisation_id: int
    staff_id: int
    staff_start: dt.date
    name: str
    periods: list[AbsencePeriodRow] = field(default_factory=list)  # those in the cycle
    last_cycle_end: dt.date | None = None  # of the staff member's cycles created so far

    @property
    def from_periods(self) -> bool:
        """The days of absence are counted from the recorded periods."""
        return bool(self.periods)


@dataclass(frozen=True)
class AbsencePeriodRow:
    id: int
    starts_on: dt.date
    ends_on: dt.date
    note: str
    recorded_by: str
    recorded_at: dt.datetime | None
    days_in_cycle: int = 0


async def absence_periods(staff_id: int) -> list[AbsencePeriodRow]:
    """The staff member's recorded absence periods, oldest first (one query)."""
    rows = await (
        AbsencePeriod.select(*columns_of(AbsencePeriod, AbsencePeriodRow))
        .where(AbsencePeriod.staff == staff_id)
        .order_by(AbsencePeriod.starts_on)
    )
    return [AbsencePeriodRow(**row) for row in rows]


async def cycle_for_absence(organisation_id: int, cycle_id: int) -> AbsenceCycle | None:
    """A cycle of the organisation with its staff member's name (dates and HR's records)
    and the absence periods that fall in it, each with its working days in the cycle."""
    row = (
        await EvaluationCycle.select(
            EvaluationCycle.staff.as_alias("staff_id"),
            EvaluationCycle.staff.start_date.as_alias("staff_start"),
            EvaluationCycle.id,
            EvaluationCycle.starts_on,
            EvaluationCycle.ends_on,
            EvaluationCycle.function,
            EvaluationCycle.absent_days,
            EvaluationCycle.work_regime_changed_on,
            EvaluationCycle.staff.email.as_alias("email"),
            EvaluationCycle.staff.first_name.as_alias("first_name"),
            EvaluationCycle.staff.last_name.as_alias("last_name"),
            EvaluationCycle.staff.organisation.as_alias("organisation_id"),
        )
        .where(EvaluationCycle.id == cycle_id)
        .first()
    )
    if row is None or row["organisation_id"] != organisation_id:
        return None
    start, end = row["starts_on"], row["ends_on"]
    periods = [
        replace(
            period,
            days_in_cycle=cycle_rules.absence_working_days(
                [(period.starts_on, period.ends_on)], start, end
            ),
        )
        for period in await absence_periods(row["staff_id"])
        if period.starts_on <= end and period.ends_on >= start
    ]
    last = (
        await EvaluationCycle.select(EvaluationCycle.ends_on)
        .where(EvaluationCycle.staff == row["staff_id"])
        .order_by(EvaluationCycle.ends_on, ascending=False)
        .first()
    )
    return AbsenceCycle(
        **row, name=_name(row), periods=periods, last_cycle_end=last["ends_on"] if last else None
    )


async def team_staff_ids(organisation_id: int, team: str, today: dt.date) -> list[int]:
    """The staff of one team today: those whose first evaluator is the staff member
    `team` (an id as text), or, for `NO_TEAM`, the organisation's staff without one
    (two queries at most)."""
    running = (
        (EvaluatorAssignment.role == "first")
        & (EvaluatorAssignment.staff.organisation == organisation_id)
        & (EvaluatorAssignment.from_on <= today)
        & (EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today))
    )
    if team != NO_TEAM:
        rows = await EvaluatorAssignment.select(EvaluatorAssignment.staff).where(
            running & (EvaluatorAssignment.evaluator == int(team))
        )
        return [row["staff"] for row in rows]
    with_first = {
        row["staff"]
        for row in await EvaluatorAssignment.select(EvaluatorAssignment.staff).where(running)
    }
    staff = await StaffMember.select(StaffMember.id).where(
        StaffMember.organisation == organisation_id
    )
    return [row["id"] for row in staff if row["id"] not in with_first]


@dataclass(frozen=True)
class StageDecisionRow:
    decision: str
    months: int
    decided_on: dt.date
    note: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class StageView:
    """A trainee's stage as HR's stage page reads it: dates, absence, extensions and the
    decisions recorded (no dossier contents)."""

    cycle_id: int
    staff_id: int
    email: str
    name: str
    statute: str
    starts_on: dt.date
    ends_on: dt.date
    absent_days: int
    extension_months: int
    working_time: int
    decisions: list[StageDecisionRow]

    @property
    def ended(self) -> bool:
        """Appointed or dismissed: the stage takes no further decision."""
        return any(d.decision in ("appointed", "dismissed") for d in self.decisions)


async def stage_of(organisation_id: int, cycle_id: int) -> StageView | None:
    """The organisation's probation cycle `cycle_id` with its decisions (two queries)."""
    row = (
        await EvaluationCycle.select(
            EvaluationCycle.id,
            EvaluationCycle.staff,
            EvaluationCycle.starts_on,
            EvaluationCycle.ends_on,
            EvaluationCycle.absent_days,
            EvaluationCycle.extension_months,
            EvaluationCycle.working_time,
            EvaluationCycle.kind,
            EvaluationCycle.staff.email.as_alias("email"),
            EvaluationCycle.staff.first_name.as_alias("first_name"),
            EvaluationCycle.staff.last_name.as_alias("last_name"),
            EvaluationCycle.staff.statute.as_alias("statute"),
            EvaluationCycle.staff.organisation.as_alias("organisation_id"),
        )
        .where(EvaluationCycle.id == cycle_id)
        .first()
    )
    if row is None or row["organisation_id"] != organisation_id or row["kind"] != "probation":
        return None
    decisions = await (
        StageDecision.select(*columns_of(StageDecision, StageDecisionRow))
        .where(StageDecision.cycle == cycle_id)
        .order_by(StageDecision.id)
    )
    return StageView(
        cycle_id=row["id"],
        staff_id=row["staff"],
        email=row["email"],
        name=_name(row),
        statute=row["statute"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        absent_days=row["absent_days"],
        extension_months=row["extension_months"],
        working_time=row["working_time"],
        decisions=[StageDecisionRow(**d) for d in decisions],
    )


# --- The evaluators check and who is to be evaluated (issue 22) --------------------------


@dataclass(frozen=True)
class CheckRow:
    """A staff member's cycle ending in the year: whether it is evaluated (the days of
    performance, absences counted), the evaluators assigned today, and who is missing."""

    staff_id: int
    email: str
    name: str
    cycle_id: int
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    performance_days: int
    due: bool
    first: str
    second: str
    missing: tuple[str, ...]


async def evaluators_check(organisation_id: int, year: int, today: dt.date) -> list[CheckRow]:
    """Every cycle of the organisation's staff that ends in `year`, by name: the list of
    who is to be evaluated and of the evaluators they lack (four queries)."""
    regime = await regime_for(organisation_id)
    cycles = await EvaluationCycle.select(
        EvaluationCycle.id,
        EvaluationCycle.staff,
        EvaluationCycle.kind,
        EvaluationCycle.starts_on,
        EvaluationCycle.ends_on,
        EvaluationCycle.absent_days,
        EvaluationCycle.staff.email.as_alias("email"),
        EvaluationCycle.staff.first_name.as_alias("first_name"),
        EvaluationCycle.staff.last_name.as_alias("last_name"),
    ).where(
        (EvaluationCycle.staff.organisation == organisation_id)
        & (EvaluationCycle.ends_on >= dt.date(year, 1, 1))
        & (EvaluationCycle.ends_on <= dt.date(year, 12, 31))
    )
    held: dict[int, dict[str, str]] = {}
    for row in await _assignments(list({c["staff"] for c in cycles})):
        if _holds(row["from_on"], row["until_on"], today):
            held.setdefault(row["staff"], {}).setdefault(row["role"], _name(row, "evaluator_"))
    out = []
    for cycle in cycles:
        roles = held.get(cycle["staff"], {})
        due = cycle_rules.is_evaluated(
            cycle["kind"], cycle["starts_on"], cycle["ends_on"], cycle["absent_days"], regime
        )
        out.append(
            CheckRow(
                staff_id=cycle["staff"],
                email=cycle["email"],
                name=_name(cycle),
                cycle_id=cycle["id"],
                kind=cycle["kind"],
                starts_on=cycle["starts_on"],
                ends_on=cycle["ends_on"],
                performance_days=cycle_rules.performance_days(
                    cycle["starts_on"], cycle["ends_on"], cycle["absent_days"]
                ),
                due=due,
                first=roles.get("first", ""),
                second=roles.get("second", ""),
                missing=rules.missing_evaluators(due, roles),
            )
        )
    return sorted(out, key=lambda r: (r.name.lower(), r.email, r.starts_on))
