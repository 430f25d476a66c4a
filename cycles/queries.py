"""Reads of evaluation cycles: a cycle with its staff member, organisation and regime,
how a reader stands to it (owner, evaluator, HR of its organisation), a dossier's
contents, a staff member's cycles, an evaluator's team. Each a few set-based queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from accounts.tables import User
from certification.catalogue import TrackRow
from certification.tables import Track
from competencies.queries import ModelTree, model_tree
from core.errors import NotFound
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from core.rows import columns_of, rows_as
from core.settings import LANGUAGES
from cycles import rules
from cycles.lifecycle import ReportState
from cycles.rules import Regime
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    EvaluationRegime,
    EvaluationReport,
    EvaluatorAssignment,
    StaffFunction,
)
from organisations.tables import StaffMember

REGIME_FIELDS = tuple(field.name for field in fields(Regime))


@dataclass(frozen=True)
class RegimeRow:
    """An organisation's stored evaluation regime, with who saved it last and its revision."""

    id: int
    organisation: int
    preset: str
    self_deadline: str
    first_deadline: str
    second_deadline: str
    closes_on: str
    rating_scale: str
    min_days_between_meetings: int
    absence_days_for_functioning: int
    functioning_after_regime_change: bool
    cycles_off: bool
    reminder_days: int
    min_performance_days: int
    stage_months: int
    early_months: int
    revision: int
    updated_by: str


def regime_of_row(row: RegimeRow | None) -> Regime:
    """The regime a stored row describes; the federal default without one."""
    if row is None:
        return rules.FEDERAL
    return Regime(**{name: getattr(row, name) for name in REGIME_FIELDS})


async def regime_rows(organisation_ids: list[int]) -> dict[int, RegimeRow]:
    """The stored regime rows of these organisations (one query)."""
    if not organisation_ids:
        return {}
    rows = await EvaluationRegime.select(*columns_of(EvaluationRegime, RegimeRow)).where(
        EvaluationRegime.organisation.is_in(organisation_ids)
    )
    return {row["organisation"]: RegimeRow(**row) for row in rows}


async def regime_for(organisation_id: int) -> Regime:
    rows = await regime_rows([organisation_id])
    return regime_of_row(rows.get(organisation_id))


@dataclass(frozen=True)
class CycleContext:
    """A cycle with who it belongs to and the rules it runs under."""

    id: int
    staff_id: int
    staff_email: str
    staff_name: str
    organisation_id: int
    organisation_code: str
    starts_on: dt.date
    ends_on: dt.date
    function: str
    absent_days: int
    work_regime_changed_on: dt.date | None
    regime: Regime
    kind: str = "annual"  # annual, probation (a stage) or early

    @property
    def stage_plan(self) -> rules.StagePlan | None:
        """A stage's meetings and terms (SPEC 3.1); None for another cycle."""
        if self.kind != "probation":
            return None
        return rules.stage_plan(self.starts_on, self.ends_on)

    def deadline_of(self, kind: str) -> dt.date:
        return rules.evaluation_deadline(kind, self.kind, self.starts_on, self.ends_on, self.regime)

    @property
    def evaluated(self) -> bool:
        return rules.is_evaluated(
            self.kind, self.starts_on, self.ends_on, self.absent_days, self.regime
        )

    @property
    def deadlines(self) -> rules.Deadlines:
        return rules.deadlines(self.ends_on, self.regime)

    def closed(self, today: dt.date) -> bool:
        return rules.is_closed(self.ends_on, self.regime, today)


async def cycle_context(cycle_id: int) -> CycleContext:
    row = (
        await EvaluationCycle.select(
            *EvaluationCycle.all_columns(),
            EvaluationCycle.staff.email.as_alias("email"),
            EvaluationCycle.staff.first_name.as_alias("first_name"),
            EvaluationCycle.staff.last_name.as_alias("last_name"),
            EvaluationCycle.staff.organisation.as_alias("organisation_id"),
            EvaluationCycle.staff._.organisation._.code.as_alias("organisation_code"),
        )
        .where(EvaluationCycle.id == cycle_id)
        .first()
    )
    if row is None:
        raise NotFound(_("There is no such evaluation cycle."))
    return CycleContext(
        id=row["id"],
        staff_id=row["staff"],
        staff_email=row["email"],
        staff_name=f"{row['first_name']} {row['last_name']}",
        organisation_id=row["organisation_id"],
        organisation_code=row["organisation_code"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        function=row["function"],
        absent_days=row["absent_days"],
        work_regime_changed_on=row["work_regime_changed_on"],
        regime=await regime_for(row["organisation_id"]),
        kind=row["kind"],
    )


def running_assignment(today: dt.date) -> Any:
    """Assignments that hold today: started, and not ended before today."""
    return (EvaluatorAssignment.from_on <= today) & (
        EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today)
    )


async def final_reports(cycle_ids: Iterable[int]) -> set[int]:
    """The cycles among `cycle_ids` whose evaluation report is final (one query)."""
    ids = list(cycle_ids)
    if not ids:
        return set()
    return {
        row["cycle"]
        for row in await EvaluationReport.select(EvaluationReport.cycle).where(
            EvaluationReport.cycle.is_in(ids) & EvaluationReport.final_at.is_not_null()
        )
    }


async def has_second_evaluator(staff_id: int, today: dt.date) -> bool:
    """Whether the staff member has a second evaluator today: then the report is final
    once the second evaluator signed it too (SPEC 3.2)."""
    return bool(
        await EvaluatorAssignment.exists().where(
            (EvaluatorAssignment.staff == staff_id)
            & (EvaluatorAssignment.role == "second")
            & running_assignment(today)
        )
    )


async def staff_language(staff_id: int) -> str:
    """The language the portal writes to a staff member in (mails, the PDFs of their
    reports): their account's language when they chose one, else their language role."""
    account = (
        await User.select(User.preferred_language).where(User.staff_member == staff_id).first()
    )
    if account is not None and account["preferred_language"] in LANGUAGES:
        return str(account["preferred_language"])
    staff = (
        await StaffMember.select(StaffMember.language_role)
        .where(StaffMember.id == staff_id)
        .first()
    )
    role = str(staff["language_role"]).lower() if staff is not None else "nl"
    return role if role in LANGUAGES else "nl"


async def evaluator_roles(user: CurrentUser, cycle: CycleContext, today: dt.date) -> set[str]:
    """The evaluator roles (first, second, coplanner) the user holds today for the cycle's
    staff member: assignments naming the user's own staff record by id, for a cycle of the
    user's organisation. Never an e-mail: a register writer can edit that (issue 18)."""
    if user.staff_id is None or user.organisation_id != cycle.organisation_id:
        return set()
    rows = await EvaluatorAssignment.select(EvaluatorAssignment.role).where(
        (EvaluatorAssignment.staff == cycle.staff_id)
        & (EvaluatorAssignment.evaluator == user.staff_id)
        & running_assignment(today)
    )
    return {row["role"] for row in rows}


@dataclass(frozen=True)
class Standing:
    """How a reader stands to a cycle: the access level of `rules.dossier_access` and
    the evaluator roles held (first, second, coplanner)."""

    access: str
    evaluator_roles: frozenset[str]

    @property
    def is_owner(self) -> bool:
        return self.access == rules.OWNER

    @property
    def plans(self) -> bool:
        """The first evaluator, or a co-planner standing in: plans, holds and signs."""
        return bool(self.evaluator_roles & {"first", "coplanner"})


async def standing(user: CurrentUser, cycle: CycleContext, today: dt.date) -> Standing:
    """The owner is the account linked to the cycle's staff record; an evaluator holds a
    running assignment by its own staff record; HR is HR of the cycle's organisation."""
    is_owner = user.staff_id is not None and user.staff_id == cycle.staff_id
    roles = frozenset() if is_owner else frozenset(await evaluator_roles(user, cycle, today))
    is_hr = Role.HR in user.roles and user.organisation_id == cycle.organisation_id
    return Standing(rules.dossier_access(is_owner, bool(roles), is_hr), roles)


async def next_cycle(cycle: CycleContext) -> int | None:
    """The id of the staff member's cycle that follows this one, if generated."""
    row = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where(
            (EvaluationCycle.staff == cycle.staff_id) & (EvaluationCycle.starts_on > cycle.ends_on)
        )
        .order_by(EvaluationCycle.starts_on)
        .first()
    )
    return None if row is None else int(row["id"])


@dataclass(frozen=True)
class CycleRow:
    """A cycle in a staff member's list: its period and function."""

    id: int
    starts_on: dt.date
    ends_on: dt.date
    function: str


async def cycles_of_staff(staff_id: int | None) -> list[CycleRow]:
    """A staff member's cycles, newest first (one query); none without a staff record."""
    if staff_id is None:
        return []
    rows = await (
        EvaluationCycle.select(
            EvaluationCycle.id,
            EvaluationCycle.starts_on,
            EvaluationCycle.ends_on,
            EvaluationCycle.function,
        )
        .where(EvaluationCycle.staff == staff_id)
        .order_by(EvaluationCycle.starts_on, ascending=False)
    )
    return rows_as(CycleRow, rows)


def current_of(cycles: list[CycleRow], today: dt.date) -> CycleRow | None:
    """The cycle running today, else the latest one that started, else the first."""
    for cycle in cycles:
        if cycle.starts_on <= today <= cycle.ends_on:
            return cycle
    started = [cycle for cycle in cycles if cycle.starts_on <= today]
    return started[0] if started else (cycles[-1] if cycles else None)


@dataclass
class Task:
    kind: str
    deadline: dt.date
    status: str
    late: bool = False


def evaluation_tasks(
    cycle: CycleContext, submitted: Mapping[str, bool], today: dt.date, second_due: bool = True
) -> list[Task]:
    """The self, first and second evaluation tasks with their deadline and status;
    `submitted`: the evaluations given, kind -> whether it came late; `second_due`: False
    where nobody is second evaluator or the report is final without one."""
    closes = cycle.deadlines.closes
    opens = rules.evaluation_opens(cycle.starts_on, cycle.ends_on)
    tasks = []
    for kind in rules.EVALUATION_KINDS:
        done = kind in submitted
        due = cycle.deadline_of(kind)
        if (kind != "self" and not cycle.evaluated) or (
            kind == "second" and not second_due and not done
        ):
            status = "not_required"
        else:
            status = rules.task_status(done, due, max(closes, due), opens, today)
        tasks.append(Task(kind, due, status, submitted.get(kind, False)))
    return tasks


@dataclass(frozen=True)
class TeamCycle:
    """A team member's cycle as the team page needs it."""

    id: int
    staff: int
    starts_on: dt.date
    ends_on: dt.date
    function: str
    absent_days: int
    work_regime_changed_on: dt.date | None


Todo = tuple[str, dt.date | None, str]  # (what, deadline or None, due | late)


@dataclass(frozen=True)
class TeamMember:
    """A staff member the reader evaluates, with the roles held, the cycle running (or the
    latest started), its running objectives and the reader's open work on it."""

    staff_id: int
    email: str
    name: str
    organisation_id: int
    roles: list[str]
    cycle: TeamCycle | None = None
    objectives: int = 0
    planning: str | None = None
    todo: list[Todo] = field(default_factory=list)


@dataclass(frozen=True)
class _CycleWork:
    """The rows of one cycle the team page counts."""

    meetings: list[dict[str, Any]]
    objectives: list[dict[str, Any]]
    submitted: dict[str, bool]
    final: bool = False


def _member_todo(
    member: TeamMember, context: CycleContext, work: _CycleWork, today: dt.date
) -> TeamMember:
    """The member with the cycle's counts and what waits for the reader on it."""
    planning = next((m["state"] for m in work.meetings if m["kind"] == "planning"), None)
    todo: list[Todo] = []
    if planning is None:
        todo.append(("planning", None, "due"))
    elif planning != "signed":
        todo.append(("planning_signature", None, "due"))
    if not any(o["kind"] == "development" for o in work.objectives):
        todo.append(("development_objective", None, "due"))
    roles = set(member.roles)
    for task in evaluation_tasks(context, work.submitted, today, second_due=not work.final):
        mine = (task.kind == "first" and {"first", "coplanner"} & roles) or (
            task.kind == "second" and "second" in roles
        )
        if mine and task.status in ("due", "late"):
            todo.append((task.kind, task.deadline, task.status))
    return replace(member, objectives=len(work.objectives), planning=planning, todo=todo)


async def _team_members(user: CurrentUser, today: dt.date) -> dict[int, TeamMember]:
    """The staff the user evaluates today, with the roles held (one query)."""
    rows = await EvaluatorAssignment.select(
        EvaluatorAssignment.staff,
        EvaluatorAssignment.role,
        EvaluatorAssignment.staff.email.as_alias("email"),
        EvaluatorAssignment.staff.first_name.as_alias("first_name"),
        EvaluatorAssignment.staff.last_name.as_alias("last_name"),
        EvaluatorAssignment.staff.organisation.as_alias("organisation_id"),
    ).where(
        (EvaluatorAssignment.evaluator == user.staff_id)
        & (EvaluatorAssignment.staff.organisation == user.organisation_id)
        & running_assignment(today)
    )
    members: dict[int, TeamMember] = {}
    for row in rows:
        member = members.setdefault(
            row["staff"],
            TeamMember(
                staff_id=row["staff"],
                email=row["email"],
                name=f"{row['first_name']} {row['last_name']}",
                organisation_id=row["organisation_id"],
                roles=[],
            ),
        )
        member.roles.append(row["role"])
    return members


async def team(user: CurrentUser, today: dt.date) -> list[TeamMember]:
    """The staff the user evaluates today (first, second or co-planner) in the user's
    organisation, by the user's own staff record, each with the cycle running today and
    its open work: what is due and late (seven queries)."""
    if user.staff_id is None:
        return []
    members = await _team_members(user, today)
    if not members:
        return []
    latest: dict[int, TeamCycle] = {}
    for row in (
        await EvaluationCycle.select(*columns_of(EvaluationCycle, TeamCycle))
        .where(EvaluationCycle.staff.is_in(list(members)) & (EvaluationCycle.starts_on <= today))
        .order_by(EvaluationCycle.starts_on, ascending=False)
    ):
        latest.setdefault(row["staff"], TeamCycle(**row))
    cycle_ids = [cycle.id for cycle in latest.values()] or [0]
    meeting_rows = await CycleMeeting.select(
        CycleMeeting.cycle, CycleMeeting.kind, CycleMeeting.state
    ).where(CycleMeeting.cycle.is_in(cycle_ids))
    objective_rows = await CycleObjective.select(
        CycleObjective.cycle, CycleObjective.kind, CycleObjective.state
    ).where(CycleObjective.cycle.is_in(cycle_ids))
    evaluation_rows = await CycleEvaluation.select(
        CycleEvaluation.cycle, CycleEvaluation.kind, CycleEvaluation.late
    ).where(CycleEvaluation.cycle.is_in(cycle_ids))
    finals = await final_reports(cycle_ids)
    regimes = await regime_rows(list({m.organisation_id for m in members.values()}))
    out = []
    for member in sorted(members.values(), key=lambda m: m.name.lower()):
        cycle = latest.get(member.staff_id)
        if cycle is None:
            out.append(member)
            continue
        context = CycleContext(
            id=cycle.id,
            staff_id=member.staff_id,
            staff_email=member.email,
            staff_name=member.name,
            organisation_id=member.organisation_id,
            organisation_code="",
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
            function=cycle.function,
            absent_days=cycle.absent_days,
            work_regime_changed_on=cycle.work_regime_changed_on,
            regime=regime_of_row(regimes.get(member.organisation_id)),
        )
        work = _CycleWork(
            meetings=[m for m in meeting_rows if m["cycle"] == cycle.id],
            objectives=[
                o for o in objective_rows if o["cycle"] == cycle.id and o["state"] != "carried"
            ],
            submitted={e["kind"]: e["late"] for e in evaluation_rows if e["cycle"] == cycle.id},
            final=cycle.id in finals,
        )
        out.append(_member_todo(replace(member, cycle=cycle), context, work, today))
    return out


PLANNING_MODEL = "FED-5+1"


@dataclass(frozen=True)
class PlanningChoices:
    """What a development objective may name: the federal model's competencies (grouped)
    and the active certification tracks."""

    model: ModelTree | None
    tracks: list[TrackRow]


async def planning_choices() -> PlanningChoices:
    """The federal model and the active tracks (five queries)."""
    tracks = await (
        Track.select(*columns_of(Track, TrackRow))
        .where(Track.active == True)  # noqa: E712
        .order_by(Track.code)
    )
    return PlanningChoices(await model_tree(PLANNING_MODEL), rows_as(TrackRow, tracks))


async def reports_to_sign(staff_id: int | None) -> int:
    """Meeting reports the evaluator has signed that wait for the staff member's signature."""
    if staff_id is None:
        return 0
    return int(
        await CycleMeeting.count().where(
            (CycleMeeting.cycle._.staff == staff_id)
            & (CycleMeeting.state == ReportState.EVALUATOR_SIGNED)
        )
    )


@dataclass(frozen=True)
class FunctionHeld:
    started_on: dt.date
    title: str


@dataclass(frozen=True)
class StaffFunctions:
    staff_id: int
    first_name: str
    last_name: str
    start_date: dt.date
    end_date: dt.date | None
    functions: tuple[FunctionHeld, ...]  # oldest first


async def staff_functions(organisation_id: int, staff_id: int) -> StaffFunctions | None:
    """A staff member of this organisation and the functions they held, or None."""
    member = (
        await StaffMember.select(
            StaffMember.id,
            StaffMember.first_name,
            StaffMember.last_name,
            StaffMember.start_date,
            StaffMember.end_date,
        )
        .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
        .first()
    )
    if member is None:
        return None
    rows = (
        await StaffFunction.select(StaffFunction.started_on, StaffFunction.title)
        .where(StaffFunction.staff == staff_id)
        .order_by(StaffFunction.started_on)
    )
    return StaffFunctions(
        staff_id=member["id"],
        first_name=member["first_name"],
        last_name=member["last_name"],
        start_date=member["start_date"],
        end_date=member["end_date"],
        functions=tuple(FunctionHeld(r["started_on"], r["title"]) for r in rows),
    )


async def cycle_rows(organisation_code: str | None = None) -> list[dict[str, str]]:
    """Every cycle as SPEC 5.4's JSON objects (`portal cycles list`), sorted by e-mail then
    start (one query)."""
    query = EvaluationCycle.select(
        EvaluationCycle.staff.email.as_alias("email"),
        EvaluationCycle.staff._.organisation._.code.as_alias("organisation"),
        EvaluationCycle.function,
        EvaluationCycle.starts_on,
        EvaluationCycle.ends_on,
        EvaluationCycle.kind,
    )
    if organisation_code is not None:
        query = query.where(EvaluationCycle.staff._.organisation._.code == organisation_code)
    rows = await query
    return sorted(
        (
            {
                "email": row["email"],
                "organisation": row["organisation"],
                "function": row["function"],
                "start": row["starts_on"].isoformat(),
                "end": row["ends_on"].isoformat(),
                "kind": row["kind"],
            }
            for row in rows
        ),
        key=lambda r: (r["email"], r["start"]),
    )
