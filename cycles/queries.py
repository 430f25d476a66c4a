"""Reads of evaluation cycles: a cycle with its staff member, organisation and regime,
how a reader stands to it (owner, evaluator, HR of its organisation), a dossier's
contents, a staff member's cycles, an evaluator's team. Each a few set-based queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from certification.catalogue import track_competencies
from certification.tables import Certificate, Track
from core.errors import NotFound
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from cycles import rules
from cycles.lifecycle import ReportState
from cycles.rules import Regime
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    EvaluationRegime,
    EvaluatorAssignment,
    ObjectiveProgress,
    StaffFunction,
)
from organisations.tables import StaffMember

REGIME_FIELDS = tuple(field.name for field in fields(Regime))


def regime_of_row(row: dict[str, Any] | None) -> Regime:
    """The regime a stored row describes; the federal default without one."""
    if row is None:
        return rules.FEDERAL
    return Regime(**{name: row[name] for name in REGIME_FIELDS})


async def regime_rows(organisation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored regime rows of these organisations (one query)."""
    if not organisation_ids:
        return {}
    rows = await EvaluationRegime.select().where(
        EvaluationRegime.organisation.is_in(organisation_ids)
    )
    return {row["organisation"]: row for row in rows}


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
    )


def _running(today: dt.date) -> Any:
    """Assignments that hold today: started, and not ended before today."""
    return (EvaluatorAssignment.from_on <= today) & (
        EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today)
    )


async def evaluator_roles(user: CurrentUser, cycle: CycleContext, today: dt.date) -> set[str]:
    """The evaluator roles (first, second, coplanner) the user holds today for the cycle's
    staff member: assignments naming the user's own staff record by id, for a cycle of the
    user's organisation. Never an e-mail: a register writer can edit that (issue 18)."""
    if user.staff_id is None or user.organisation_id != cycle.organisation_id:
        return set()
    rows = await EvaluatorAssignment.select(EvaluatorAssignment.role).where(
        (EvaluatorAssignment.staff == cycle.staff_id)
        & (EvaluatorAssignment.evaluator == user.staff_id)
        & _running(today)
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


async def alignable_objectives(cycle: CycleContext, today: dt.date) -> list[dict[str, Any]]:
    """The first evaluator's own objectives in their cycles overlapping this one: what a
    staff member's objective may be aligned to (one query)."""
    evaluators = await EvaluatorAssignment.select(EvaluatorAssignment.evaluator).where(
        (EvaluatorAssignment.staff == cycle.staff_id)
        & (EvaluatorAssignment.role == "first")
        & _running(today)
    )
    ids = [row["evaluator"] for row in evaluators]
    if not ids:
        return []
    return await (
        CycleObjective.select(CycleObjective.id, CycleObjective.title, CycleObjective.kind)
        .where(
            CycleObjective.cycle.staff.is_in(ids)
            & (CycleObjective.cycle.starts_on <= cycle.ends_on)
            & (CycleObjective.cycle.ends_on >= cycle.starts_on)
            & (CycleObjective.state != "carried")
        )
        .order_by(CycleObjective.title)
    )


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


async def cycles_of_staff(staff_id: int | None) -> list[dict[str, Any]]:
    """A staff member's cycles, newest first (one query); none without a staff record."""
    if staff_id is None:
        return []
    return await (
        EvaluationCycle.select(
            EvaluationCycle.id,
            EvaluationCycle.starts_on,
            EvaluationCycle.ends_on,
            EvaluationCycle.function,
        )
        .where(EvaluationCycle.staff == staff_id)
        .order_by(EvaluationCycle.starts_on, ascending=False)
    )


def current_of(cycles: list[dict[str, Any]], today: dt.date) -> dict[str, Any] | None:
    """The cycle running today, else the latest one that started, else the first."""
    for cycle in cycles:
        if cycle["starts_on"] <= today <= cycle["ends_on"]:
            return cycle
    started = [cycle for cycle in cycles if cycle["starts_on"] <= today]
    return started[0] if started else (cycles[-1] if cycles else None)


@dataclass
class Task:
    kind: str
    deadline: dt.date
    status: str
    late: bool = False


def evaluation_tasks(
    cycle: CycleContext, submitted: dict[str, dict[str, Any]], today: dt.date
) -> list[Task]:
    """The self, first and second evaluation tasks with their deadline and status."""
    deadlines = cycle.deadlines
    opens = rules.evaluation_opens(cycle.starts_on, cycle.ends_on)
    evaluated = rules.gets_annual_evaluation(
        cycle.starts_on, cycle.ends_on, cycle.absent_days, cycle.regime
    )
    tasks = []
    for kind in rules.EVALUATION_KINDS:
        done = submitted.get(kind)
        if kind != "self" and not evaluated:
            status = "not_required"
        else:
            status = rules.task_status(
                done is not None, deadlines.of(kind), deadlines.closes, opens, today
            )
        tasks.append(Task(kind, deadlines.of(kind), status, bool(done and done["late"])))
    return tasks


async def dossier(cycle: CycleContext, today: dt.date) -> dict[str, Any]:
    """Everything in a cycle's dossier, for its owner or an evaluator (never for HR): the
    meetings with their reports, the objectives with their progress (a development
    objective whose track has a valid certificate obtained during the cycle is shown
    achieved, with the certificate), the evaluations and the tasks. Six queries."""
    meetings = await (
        CycleMeeting.select().where(CycleMeeting.cycle == cycle.id).order_by(CycleMeeting.held_on)
    )
    objectives = await (
        CycleObjective.select(
            *CycleObjective.all_columns(),
            CycleObjective.competency.code.as_alias("competency_code"),
            CycleObjective.competency.name_nl.as_alias("competency_name_nl"),
            CycleObjective.competency.name_fr.as_alias("competency_name_fr"),
            CycleObjective.competency.name_en.as_alias("competency_name_en"),
            CycleObjective.track.code.as_alias("track_code"),
            CycleObjective.aligned_to.title.as_alias("aligned_title"),
        )
        .where(CycleObjective.cycle == cycle.id)
        .order_by(CycleObjective.id)
    )
    ids = [row["id"] for row in objectives]
    progress: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for row in await (
            ObjectiveProgress.select()
            .where(ObjectiveProgress.objective.is_in(ids))
            .order_by(ObjectiveProgress.recorded_at, ascending=False)
        ):
            progress.setdefault(row["objective"], []).append(row)
    certificates = await (
        Certificate.select(
            Certificate.track,
            Certificate.track.code.as_alias("track_code"),
            Certificate.status,
            Certificate.obtained_on,
            Certificate.valid_until,
        )
        .where(Certificate.staff == cycle.staff_id)
        .order_by(Certificate.obtained_on)
    )
    for objective in objectives:
        objective["progress_updates"] = progress.get(objective["id"], [])
        objective["completed_by"] = next(
            (
                certificate
                for certificate in certificates
                if objective["track"] is not None
                and certificate["track"] == objective["track"]
                and rules.certificate_completes(
                    certificate["status"],
                    certificate["obtained_on"],
                    cycle.starts_on,
                    cycle.ends_on,
                )
            ),
            None,
        )
        objective["shown_state"] = (
            "achieved"
            if objective["completed_by"] is not None and objective["state"] == "open"
            else objective["state"]
        )
    evaluations = {
        row["kind"]: row
        for row in await CycleEvaluation.select().where(CycleEvaluation.cycle == cycle.id)
    }
    evaluated = rules.gets_annual_evaluation(
        cycle.starts_on, cycle.ends_on, cycle.absent_days, cycle.regime
    )
    functioning_required = rules.functioning_meeting_required(
        cycle.absent_days, cycle.work_regime_changed_on is not None, cycle.regime
    )
    return {
        "meetings": meetings,
        "objectives": objectives,
        "active_objectives": sum(1 for o in objectives if o["state"] != "carried"),
        "has_development": any(
            o["kind"] == "development" and o["state"] != "carried" for o in objectives
        ),
        "certificates": certificates,
        "evaluations": evaluations,
        "tasks": evaluation_tasks(cycle, evaluations, today),
        "evaluated": evaluated,
        "performance_days": rules.performance_days(
            cycle.starts_on, cycle.ends_on, cycle.absent_days
        ),
        "functioning_missing": functioning_required
        and not any(m["kind"] == "functioning" for m in meetings),
        "closed": cycle.closed(today),
        "deadlines": cycle.deadlines,
        "ratings": rules.RATING_SCALES.get(cycle.regime.rating_scale, ()),
        "track_competencies": await track_competencies(),
    }


async def team(user: CurrentUser, today: dt.date) -> list[dict[str, Any]]:
    """The staff the user evaluates today (first, second or co-planner) in the user's
    organisation, by the user's own staff record, each with the cycle running today and
    its open work: what is due and late (four queries)."""
    if user.staff_id is None:
        return []
    assignments = await EvaluatorAssignment.select(
        EvaluatorAssignment.staff,
        EvaluatorAssignment.role,
        EvaluatorAssignment.staff.email.as_alias("email"),
        EvaluatorAssignment.staff.first_name.as_alias("first_name"),
        EvaluatorAssignment.staff.last_name.as_alias("last_name"),
        EvaluatorAssignment.staff.organisation.as_alias("organisation_id"),
    ).where(
        (EvaluatorAssignment.evaluator == user.staff_id)
        & (EvaluatorAssignment.staff.organisation == user.organisation_id)
        & _running(today)
    )
    members: dict[int, dict[str, Any]] = {}
    for row in assignments:
        member = members.setdefault(
            row["staff"],
            {
                "staff_id": row["staff"],
                "email": row["email"],
                "name": f"{row['first_name']} {row['last_name']}",
                "organisation_id": row["organisation_id"],
                "roles": [],
            },
        )
        member["roles"].append(row["role"])
    if not members:
        return []
    cycles = (
        await EvaluationCycle.select()
        .where(EvaluationCycle.staff.is_in(list(members)) & (EvaluationCycle.starts_on <= today))
        .order_by(EvaluationCycle.starts_on, ascending=False)
    )
    latest: dict[int, dict[str, Any]] = {}
    for cycle in cycles:
        latest.setdefault(cycle["staff"], cycle)
    cycle_ids = [cycle["id"] for cycle in latest.values()] or [0]
    meeting_rows = await CycleMeeting.select(
        CycleMeeting.cycle, CycleMeeting.kind, CycleMeeting.state
    ).where(CycleMeeting.cycle.is_in(cycle_ids))
    objective_rows = await CycleObjective.select(
        CycleObjective.cycle, CycleObjective.kind, CycleObjective.state
    ).where(CycleObjective.cycle.is_in(cycle_ids))
    evaluation_rows = await CycleEvaluation.select(
        CycleEvaluation.cycle, CycleEvaluation.kind, CycleEvaluation.late
    ).where(CycleEvaluation.cycle.is_in(cycle_ids))
    regimes = await regime_rows(list({m["organisation_id"] for m in members.values()}))
    out = []
    for member in sorted(members.values(), key=lambda m: m["name"].lower()):
        cycle_row = latest.get(member["staff_id"])
        member["cycle"] = cycle_row
        member["todo"] = []
        if cycle_row is not None:
            context = CycleContext(
                id=cycle_row["id"],
                staff_id=member["staff_id"],
                staff_email=member["email"],
                staff_name=member["name"],
                organisation_id=member["organisation_id"],
                organisation_code="",
                starts_on=cycle_row["starts_on"],
                ends_on=cycle_row["ends_on"],
                function=cycle_row["function"],
                absent_days=cycle_row["absent_days"],
                work_regime_changed_on=cycle_row["work_regime_changed_on"],
                regime=regime_of_row(regimes.get(member["organisation_id"])),
            )
            meetings = [m for m in meeting_rows if m["cycle"] == cycle_row["id"]]
            objectives = [
                o
                for o in objective_rows
                if o["cycle"] == cycle_row["id"] and o["state"] != "carried"
            ]
            submitted = {e["kind"]: e for e in evaluation_rows if e["cycle"] == cycle_row["id"]}
            member["objectives"] = len(objectives)
            member["planning"] = next(
                (m["state"] for m in meetings if m["kind"] == "planning"), None
            )
            if member["planning"] is None:
                member["todo"].append(("planning", None, "due"))
            elif member["planning"] != "signed":
                member["todo"].append(("planning_signature", None, "due"))
            if not any(o["kind"] == "development" for o in objectives):
                member["todo"].append(("development_objective", None, "due"))
            for task in evaluation_tasks(context, submitted, today):
                mine = (task.kind == "first" and {"first", "coplanner"} & set(member["roles"])) or (
                    task.kind == "second" and "second" in member["roles"]
                )
                if mine and task.status in ("due", "late"):
                    member["todo"].append((task.kind, task.deadline, task.status))
        out.append(member)
    return out


async def hierarchy(user: CurrentUser, today: dt.date) -> list[dict[str, Any]]:
    """Who works on what: the user's own running objectives, each with the team's
    objectives aligned to it, and the team's objectives aligned to nothing (two queries)."""
    if user.staff_id is None:
        return [{"objective": None, "aligned": []}]
    mine = await (
        CycleObjective.select(CycleObjective.id, CycleObjective.title, CycleObjective.kind)
        .where(
            (CycleObjective.cycle.staff == user.staff_id)
            & (CycleObjective.cycle.starts_on <= today)
            & (CycleObjective.cycle.ends_on >= today)
            & (CycleObjective.state != "carried")
        )
        .order_by(CycleObjective.title)
    )
    team_ids = [
        row["staff"]
        for row in await EvaluatorAssignment.select(EvaluatorAssignment.staff).where(
            (EvaluatorAssignment.evaluator == user.staff_id)
            & (EvaluatorAssignment.staff.organisation == user.organisation_id)
            & _running(today)
        )
    ]
    theirs = (
        await CycleObjective.select(
            CycleObjective.id,
            CycleObjective.title,
            CycleObjective.kind,
            CycleObjective.aligned_to,
            CycleObjective.progress,
            CycleObjective.cycle.as_alias("cycle_id"),
            CycleObjective.cycle._.staff._.first_name.as_alias("first_name"),
            CycleObjective.cycle._.staff._.last_name.as_alias("last_name"),
        )
        .where(
            CycleObjective.cycle.staff.is_in(team_ids)
            & (CycleObjective.cycle.starts_on <= today)
            & (CycleObjective.cycle.ends_on >= today)
            & (CycleObjective.state != "carried")
        )
        .order_by(CycleObjective.title)
        if team_ids
        else []
    )
    groups: list[dict[str, Any]] = [{"objective": own, "aligned": []} for own in mine]
    by_id = {group["objective"]["id"]: group for group in groups}
    loose: list[dict[str, Any]] = []
    for row in theirs:
        group = by_id.get(row["aligned_to"])
        (group["aligned"] if group else loose).append(row)
    groups.append({"objective": None, "aligned": loose})
    return groups


PLANNING_MODEL = "FED-5+1"


async def planning_choices() -> dict[str, Any]:
    """What a development objective may name: the competencies of the federal model
    (grouped) and the active certification tracks (two queries)."""
    from competencies.queries import model_tree

    return {
        "model": await model_tree(PLANNING_MODEL),
        "tracks": await Track.select(
            Track.id, Track.code, Track.name_nl, Track.name_fr, Track.name_en
        )
        .where(Track.active == True)  # noqa: E712
        .order_by(Track.code),
    }


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
