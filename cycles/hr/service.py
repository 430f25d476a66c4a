"""Writes of the HR side: the organisation's regime (compare-and-set on its revision), who
evaluates whom (with history), absence and work regime per cycle, and the bulk creation
of cycles. Each write in one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from core import audit
from core.database import compare_and_set, is_unique_violation, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from cycles import notify
from cycles import rules as cycle_rules
from cycles.dossier.access import bounded_text
from cycles.hr import queries, rules
from cycles.labels import format_day
from cycles.queries import REGIME_FIELDS, regime_for
from cycles.rules import Regime
from cycles.service import Generated, generate
from cycles.tables import (
    AbsencePeriod,
    EvaluationCycle,
    EvaluationRegime,
    EvaluatorAssignment,
    StageDecision,
)
from organisations.rules import is_active_on
from organisations.tables import StaffMember

# --- The regime -----------------------------------------------------------------------


def regime_messages(regime: Regime) -> dict[str, str]:
    """`cycles.rules.regime_problems` in words a person understands, per field."""
    messages: dict[str, str] = {}
    for field, code in cycle_rules.regime_problems(regime).items():
        if code == "month_day":
            messages[field] = _(
                "Give a day of the year as MM-DD, e.g. 03-15 (29 February is not in every year)."
            )
        elif code == "second_before_first":
            messages[field] = _(
                "The second evaluator's deadline cannot come before the first evaluator's."
            )
        elif code == "closes_before_deadline":
            messages[field] = _("The cycle cannot close before the last evaluation deadline.")
        elif code == "unknown_scale":
            messages[field] = _("Choose a rating scale from the list.")
        elif code.startswith("range:"):
            _range, low, high = code.split(":")
            messages[field] = _("Give a whole number from %(low)s to %(high)s.", low=low, high=high)
        else:  # a problem code this page does not know yet: still said, never lost
            messages[field] = _("This value is not allowed.")
    return messages


async def save_regime(
    actor: audit.Actor, organisation_id: int, regime: Regime, expected_revision: int
) -> int:
    """Store the organisation's regime if it is still at `expected_revision` (0: none
    stored yet, the federal default). Refused with the first problem; TransitionRefused
    (with the revision found) when someone saved meanwhile. Returns the new revision."""
    problems = regime_messages(regime)
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(message, field)
    values = asdict(regime)
    try:
        async with write_transaction():
            row = (
                await EvaluationRegime.select()
                .where(EvaluationRegime.organisation == organisation_id)
                .first()
            )
            current = 0 if row is None else int(row["revision"])
            if current != expected_revision:
                raise TransitionRefused(str(current), "edit")
            if row is None:
                await EvaluationRegime.insert(
                    EvaluationRegime(
                        organisation=organisation_id,
                        revision=1,
                        updated_by=actor.label,
                        **values,
                    )
                )
                before = None
            else:
                changes: dict[Any, Any] = {
                    **values,
                    "revision": expected_revision + 1,
                    "updated_by": actor.label,
                }
                changed = await compare_and_set(
                    EvaluationRegime,
                    row["id"],
                    EvaluationRegime.revision,
                    expected_revision,
                    changes,
                )
                if not changed:
                    raise TransitionRefused(str(current), "edit")
                before = {name: row[name] for name in REGIME_FIELDS}
            await audit.record(
                actor,
                "regime_saved",
                table="evaluation_regime",
                key=str(organisation_id),
                before=before,
                after={**values, "revision": expected_revision + 1},
            )
    except Exception as error:
        if is_unique_violation(error):  # a first regime saved at the same moment
            raise TransitionRefused("1", "edit") from None
        raise
    return expected_revision + 1


# --- Evaluators -----------------------------------------------------------------------


async def _staff_of(organisation_id: int, staff_id: int) -> dict[str, Any]:
    row = (
        await StaffMember.select()
        .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
        .first()
    )
    if row is None:
        raise NotFound
    return row


def _role(role: str) -> str:
    if role not in rules.ASSIGNMENT_ROLES:
        raise Refused(
            _("Choose the first evaluator, the second evaluator or the co-planner."), "role"
        )
    return role


async def assign_evaluator(
    actor: audit.Actor,
    organisation_id: int,
    staff_id: int,
    role: str,
    evaluator_email: str,
    from_on: dt.date,
    assigner_staff_id: int | None = None,
) -> str:
    """Make the staff member with `evaluator_email` the `role` of `staff_id` from
    `from_on`: a staff member of the same organisation, not the person themself, active
    on that day, and not the HR officer assigning (`assigner_staff_id`, their own staff
    record): an evaluator or co-planner reads the dossier, so HR never gives itself that
    access; another HR officer of the organisation can (issue 18, row 2). The running
    assignment of the role ends the day before (or is replaced when it started the same
    day). Two at once cannot both run: a unique index on running rows refuses the second
    (Refused, in words). Returns what happened (`cycles.hr.rules`)."""
    role = _role(role)
    email = evaluator_email.strip().lower()
    if not email:
        raise Refused(_("Give the evaluator's e-mail address."), "evaluator")
    try:
        return await _assign(actor, organisation_id, staff_id, role, email, from_on,
                             assigner_staff_id)  # fmt: skip
    except Exception as error:
        if is_unique_violation(error):  # another assignment of this role ran meanwhile
            raise Refused(
                _("Someone assigned this role at the same moment: reload the page and check."),
                "evaluator",
            ) from None
        raise


async def _assign(
    actor: audit.Actor,
    organisation_id: int,
    staff_id: int,
    role: str,
    email: str,
    from_on: dt.date,
    assigner_staff_id: int | None,
) -> str:
    async with write_transaction():
        staff = await _staff_of(organisation_id, staff_id)
        evaluator = await StaffMember.select().where(StaffMember.email == email).first()
        if evaluator is None or evaluator["organisation"] != organisation_id:
            raise Refused(
                _("%(email)s is not a staff member of this organisation.", email=email),
                "evaluator",
            )
        if evaluator["id"] == staff_id:
            raise Refused(_("A staff member cannot evaluate themself."), "evaluator")
        if assigner_staff_id is not None and evaluator["id"] == assigner_staff_id:
            raise Refused(
                _(
                    "You cannot make yourself an evaluator or co-planner: it would open the "
                    "dossier to you. Ask another HR officer of your organisation."
                ),
                "evaluator",
            )
        if not is_active_on(evaluator["start_date"], evaluator["end_date"], from_on):
            raise Refused(
                _(
                    "%(email)s is not active on %(day)s: choose an active staff member.",
                    email=evaluator["email"],
                    day=format_day(from_on),
                ),
                "evaluator",
            )
        latest = (
            await EvaluatorAssignment.select()
            .where((EvaluatorAssignment.staff == staff_id) & (EvaluatorAssignment.role == role))
            .order_by(EvaluatorAssignment.from_on, ascending=False)
            .first()
        )
        running_row = latest if latest is not None and latest["until_on"] is None else None
        if latest is not None and latest["until_on"] is not None and from_on <= latest["until_on"]:
            raise Refused(
                _(
                    "An earlier assignment of this role runs to %(day)s: a new one starts "
                    "after that day.",
                    day=format_day(latest["until_on"]),
                ),
                "from_on",
            )
        running = (
            None
            if running_row is None
            else rules.Running(running_row["evaluator"], running_row["from_on"])
        )
        change = rules.assignment_change(running, evaluator["id"], from_on)
        if change == rules.BEFORE_RUNNING:
            assert running is not None
            raise Refused(
                _(
                    "The current assignment started on %(day)s: a new one starts on that "
                    "day or later.",
                    day=format_day(running.from_on),
                ),
                "from_on",
            )
        if change == rules.SAME:
            return change
        if change == rules.REPLACE:
            assert running_row is not None
            await EvaluatorAssignment.delete().where(EvaluatorAssignment.id == running_row["id"])
        elif change == rules.END_AND_INSERT:
            assert running_row is not None
            await EvaluatorAssignment.update(
                {EvaluatorAssignment.until_on: rules.ended_on(from_on)}
            ).where(EvaluatorAssignment.id == running_row["id"])
        await EvaluatorAssignment.insert(
            EvaluatorAssignment(
                staff=staff_id,
                role=role,
                evaluator=evaluator["id"],
                from_on=from_on,
                assigned_by=actor.label,
            )
        )
        await audit.record(
            actor,
            "evaluator_assigned",
            table="evaluator_assignment",
            key=f"{staff['email']}:{role}",
            before=None
            if running_row is None
            else {"evaluator": running_row["evaluator"], "from_on": running_row["from_on"]},
            after={
                "evaluator": evaluator["email"],
                "from_on": from_on,
                "change": change,
            },
        )
        await notify.tell_assigned(
            staff_id, evaluator["id"], role, from_on,
            f"{staff['first_name']} {staff['last_name']}", organisation_id,
        )  # fmt: skip
    return change


async def end_assignment(
    actor: audit.Actor, organisation_id: int, staff_id: int, role: str, until_on: dt.date
) -> None:
    """End the running `role` assignment of a staff member on `until_on` (its last day).
    A last day before today ends it at once, and one before it started withdraws it (it
    never gave access): HR can take back an assignment made today, today (issue 18)."""
    role = _role(role)
    async with write_transaction():
        staff = await _staff_of(organisation_id, staff_id)
        row = (
            await EvaluatorAssignment.select()
            .where(
                (EvaluatorAssignment.staff == staff_id)
                & (EvaluatorAssignment.role == role)
                & EvaluatorAssignment.until_on.is_null()
            )
            .first()
        )
        if row is None:
            raise Refused(_("There is no current assignment of this role to end."), "role")
        if until_on < row["from_on"] and until_on < dt.date.today():
            await EvaluatorAssignment.delete().where(EvaluatorAssignment.id == row["id"])
            await audit.record(
                actor,
                "evaluator_assignment_withdrawn",
                table="evaluator_assignment",
                key=f"{staff['email']}:{role}",
                before={"evaluator": row["evaluator"], "from_on": row["from_on"]},
            )
            return
        if until_on < row["from_on"]:
            raise Refused(
                _(
                    "The assignment started on %(day)s: it cannot end before.",
                    day=format_day(row["from_on"]),
                ),
                "until_on",
            )
        await EvaluatorAssignment.update({EvaluatorAssignment.until_on: until_on}).where(
            EvaluatorAssignment.id == row["id"]
        )
        await audit.record(
            actor,
            "evaluator_assignment_ended",
            table="evaluator_assignment",
            key=f"{staff['email']}:{role}",
            before={"evaluator": row["evaluator"], "from_on": row["from_on"], "until_on": None},
            after={"until_on": until_on},
        )


# --- Absence and work regime of a cycle -------------------------------------------------


async def record_absence(
    actor: audit.Actor,
    organisation_id: int,
    cycle_id: int,
    absent_days: int,
    work_regime_changed_on: dt.date | None,
    today: dt.date,
    regime: Regime,
) -> None:
    """HR's record of a cycle's days of absence and change of work regime (these decide
    the annual evaluation and the mandatory functioning meeting). Refused once the cycle
    is closed (read-only) and for values outside the cycle."""
    async with write_transaction():
        cycle = (
            await EvaluationCycle.select(
                *EvaluationCycle.all_columns(),
                EvaluationCycle.staff.organisation.as_alias("organisation_id"),
                EvaluationCycle.staff.email.as_alias("email"),
            )
            .where(EvaluationCycle.id == cycle_id)
            .first()
        )
        if cycle is None or cycle["organisation_id"] != organisation_id:
            raise NotFound
        length = (cycle["ends_on"] - cycle["starts_on"]).days + 1
        if not 0 <= absent_days <= length:
            raise Refused(
                _(
                    "Give a whole number of days from 0 to %(days)d (the cycle's length).",
                    days=length,
                ),
                "absent_days",
            )
        if work_regime_changed_on is not None and not (
            cycle["starts_on"] <= work_regime_changed_on <= cycle["ends_on"]
        ):
            raise Refused(
                _(
                    "The change of work regime must fall within the cycle (%(start)s to %(end)s).",
                    start=format_day(cycle["starts_on"]),
                    end=format_day(cycle["ends_on"]),
                ),
                "work_regime_changed_on",
            )
        if cycle_rules.is_closed(cycle["ends_on"], regime, today):
            raise Refused(
                _("This cycle is closed: its records can no longer change."), "absent_days"
            )
        periods = [(p.starts_on, p.ends_on) for p in await queries.absence_periods(cycle["staff"])]
        counted = cycle_rules.absence_working_days(periods, cycle["starts_on"], cycle["ends_on"])
        if cycle_rules.merged_periods(periods, cycle["starts_on"], cycle["ends_on"]) and (
            absent_days != counted
        ):
            raise Refused(
                _(
                    "The days of absence of this cycle come from its absence periods "
                    "(%(days)d working days): change the periods.",
                    days=counted,
                ),
                "absent_days",
            )
        await EvaluationCycle.update(
            {
                EvaluationCycle.absent_days: absent_days,
                EvaluationCycle.work_regime_changed_on: work_regime_changed_on,
            }
        ).where(EvaluationCycle.id == cycle_id)
        await audit.record(
            actor,
            "cycle_absence_recorded",
            table="evaluation_cycle",
            key=f"{cycle['email']}:{cycle['starts_on'].isoformat()}",
            before={
                "absent_days": cycle["absent_days"],
                "work_regime_changed_on": cycle["work_regime_changed_on"],
            },
            after={"absent_days": absent_days, "work_regime_changed_on": work_regime_changed_on},
        )


# --- Absence periods --------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInput:
    starts_on: dt.date
    ends_on: dt.date
    note: str = ""


def _period_message(problem: str, cycle: queries.AbsenceCycle) -> tuple[str, str]:
    """(message, field) of `cycles.rules.absence_period_problem`'s code."""
    if problem == "order":
        return _("The last day cannot come before the first."), "ends_on"
    if problem == "before_start":
        return (
            _("The period cannot start before %(day)s, the staff member's first day.",
              day=format_day(cycle.staff_start)),
            "starts_on",
        )  # fmt: skip
    if problem == "after_cycles":
        return (
            _("Create the cycles through %(day)s first: the period ends after the last one.",
              day=format_day(cycle.ends_on if cycle.last_cycle_end is None
                             else cycle.last_cycle_end)),
            "ends_on",
        )  # fmt: skip
    return _("This period overlaps one already recorded."), "starts_on"


async def _spanned_cycles(staff_id: int, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    return await EvaluationCycle.select(
        EvaluationCycle.id, EvaluationCycle.starts_on, EvaluationCycle.ends_on, EvaluationCycle.kind
    ).where(
        (EvaluationCycle.staff == staff_id)
        & (EvaluationCycle.starts_on <= end)
        & (EvaluationCycle.ends_on >= start)
    )


async def _follow_periods(
    actor: audit.Actor,
    staff_id: int,
    start: dt.date,
    end: dt.date,
    regime: Regime,
    today: dt.date,
) -> None:
    """The days of absence of the cycles in [start, end] become the working days of the
    staff member's periods in each (a closed cycle never changes: refused); a stage's end
    follows at once, and the cycles after it."""
    spanned = await _spanned_cycles(staff_id, start, end)
    if any(cycle_rules.is_closed(row["ends_on"], regime, today) for row in spanned):
        raise Refused(
            _("This period falls in a closed cycle, whose records can no longer change."),
            "starts_on",
        )
    periods = [(p.starts_on, p.ends_on) for p in await queries.absence_periods(staff_id)]
    for row in spanned:  # the few cycles one period spans
        await EvaluationCycle.update(
            {
                EvaluationCycle.absent_days: cycle_rules.absence_working_days(
                    periods, row["starts_on"], row["ends_on"]
                )
            }
        ).where(EvaluationCycle.id == row["id"])
    if any(row["kind"] == "probation" for row in spanned):
        # Through the staff member's last cycle: those after the stage move with its end.
        last = await (
            EvaluationCycle.select(EvaluationCycle.starts_on)
            .where(EvaluationCycle.staff == staff_id)
            .order_by(EvaluationCycle.starts_on, ascending=False)
            .first()
        )
        await generate(
            actor, max(last["starts_on"] if last else today, today), staff_ids=[staff_id]
        )


async def record_absence_period(
    actor: audit.Actor,
    organisation_id: int,
    cycle_id: int,
    data: PeriodInput,
    today: dt.date,
    regime: Regime,
) -> int:
    """HR records a period of absence of the cycle's staff member (its first and last
    day); every cycle it falls in counts its working days as days of absence. The note
    is not audited (it may say why someone was absent)."""
    note = bounded_text(data.note, "note", limit=200)
    async with write_transaction():
        cycle = await queries.cycle_for_absence(organisation_id, cycle_id)
        if cycle is None:
            raise NotFound
        others = [(p.starts_on, p.ends_on) for p in await queries.absence_periods(cycle.staff_id)]
        problem = cycle_rules.absence_period_problem(
            data.starts_on, data.ends_on, cycle.staff_start, others
        )
        if problem is None and (cycle.last_cycle_end or cycle.ends_on) < data.ends_on:
            problem = "after_cycles"
        if problem is not None:
            raise Refused(*_period_message(problem, cycle))
        [row] = await AbsencePeriod.insert(
            AbsencePeriod(
                staff=cycle.staff_id,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                note=note,
                recorded_by=actor.label,
                recorded_at=dt.datetime.now(dt.UTC),
            )
        ).returning(AbsencePeriod.id)
        await _follow_periods(actor, cycle.staff_id, data.starts_on, data.ends_on, regime, today)
        await audit.record(
            actor,
            "absence_period_recorded",
            table="absence_period",
            key=str(row["id"]),
            after={"staff": cycle.staff_id, "starts_on": data.starts_on, "ends_on": data.ends_on},
        )
    return int(row["id"])


async def remove_absence_period(
    actor: audit.Actor,
    organisation_id: int,
    cycle_id: int,
    period_id: int,
    today: dt.date,
    regime: Regime,
) -> None:
    """HR removes a period recorded by mistake; the cycles it fell in count again."""
    async with write_transaction():
        cycle = await queries.cycle_for_absence(organisation_id, cycle_id)
        period = await AbsencePeriod.select().where(AbsencePeriod.id == period_id).first()
        if cycle is None or period is None or period["staff"] != cycle.staff_id:
            raise NotFound
        await AbsencePeriod.delete().where(AbsencePeriod.id == period_id)
        await _follow_periods(
            actor, cycle.staff_id, period["starts_on"], period["ends_on"], regime, today
        )
        await audit.record(
            actor,
            "absence_period_removed",
            table="absence_period",
            key=str(period_id),
            before={"staff": cycle.staff_id, "starts_on": period["starts_on"],
                    "ends_on": period["ends_on"]},
        )  # fmt: skip


# --- Bulk creation ---------------------------------------------------------------------

LATEST_THROUGH_DAYS = 400


def check_through(through: dt.date, today: dt.date) -> None:
    """Cycles are created up to at most a little over a year ahead."""
    if through > today + dt.timedelta(days=LATEST_THROUGH_DAYS):
        raise Refused(
            _(
                "Create cycles up to %(day)s at the latest (a little over a year ahead).",
                day=format_day(today + dt.timedelta(days=LATEST_THROUGH_DAYS)),
            ),
            "through",
        )


async def generate_cycles(
    actor: audit.Actor,
    organisation_id: int,
    organisation_code: str,
    through: dt.date,
    today: dt.date,
    team: str = "",
    staff_id: int | None = None,
) -> Generated:
    """Every cycle of the organisation's staff, of one team's (`team`: the first
    evaluator's staff id as text, or "none") or of one staff member's (`staff_id`), that
    starts on or before `through` (the period rule; running it again creates nothing new).
    Refused for an organisation that does not use the cycles."""
    check_through(through, today)
    if (await regime_for(organisation_id)).cycles_off:
        raise Refused(
            _(
                "Your organisation does not use the evaluation cycles of the portal: turn "
                "them on in the evaluation regime first."
            ),
            "through",
        )
    if staff_id is not None:
        if not await StaffMember.exists().where(
            (StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id)
        ):
            raise Refused(_("Choose a staff member of your organisation."))
        return await generate(actor, through, organisation_code, staff_ids=[staff_id])
    if not team:
        return await generate(actor, through, organisation_code)
    staff_ids = await queries.team_staff_ids(organisation_id, team, today)
    return await generate(actor, through, organisation_code, staff_ids=staff_ids)


# --- The stage (SPEC 3.1): HR records each decision on a trainee's stage ---------------


MAX_NOTE = 2000


@dataclass(frozen=True)
class StageDecisionInput:
    decision: str  # rules.STAGE_DECISIONS
    decided_on: dt.date
    months: int = 0
    note: str = ""


def _stage_refusal(problem: str) -> Refused:
    """The words of a `cycles.rules.stage_decision_problem` code, at its field."""
    if problem == "decided":
        return Refused(_("This stage has ended in an appointment or a dismissal."), "decision")
    if problem == "months":
        return Refused(_("Give the extension in whole months, from 1 to 4."), "months")
    if problem == "too_long":
        return Refused(_("A stage is extended by 4 months at most in all."), "months")
    return Refused(_("Choose one of the decisions in the list."), "decision")


async def record_stage_decision(
    actor: audit.Actor, organisation_id: int, cycle_id: int, data: StageDecisionInput
) -> None:
    """Record a decision on the stage (the organisation's probation cycle `cycle_id`) and
    apply it: appointed, the statute becomes statutory (the annual cycles follow from the
    day after the stage); extended, the stage ends `months` later; dismissed, the stage
    and the posting end on the decision's day. Each recorded with who and when."""
    async with write_transaction():
        stage = await queries.stage_of(organisation_id, cycle_id)
        if stage is None:
            raise NotFound(_("There is no such stage in this organisation."))
        note = bounded_text(data.note, "note", limit=MAX_NOTE)
        problem = cycle_rules.stage_decision_problem(
            data.decision, data.months, stage.extension_months, stage.ended
        )
        if problem is not None:
            raise _stage_refusal(problem)
        if not stage.starts_on <= data.decided_on:
            raise Refused(
                _("The decision cannot come before the stage (%(day)s).",
                  day=format_day(stage.starts_on)),
                "decided_on",
            )  # fmt: skip
        await StageDecision.insert(
            StageDecision(
                cycle=cycle_id,
                decision=data.decision,
                months=data.months if data.decision == "extended" else 0,
                decided_on=data.decided_on,
                note=note,
                recorded_by=actor.label,
                recorded_at=dt.datetime.now(dt.UTC),
            )
        )
        if data.decision == "appointed":
            await StaffMember.update({StaffMember.statute: "statutory"}).where(
                StaffMember.id == stage.staff_id
            )
        elif data.decision == "extended":
            await EvaluationCycle.update(
                {EvaluationCycle.extension_months: stage.extension_months + data.months}
            ).where(EvaluationCycle.id == cycle_id)
        elif data.decision == "dismissed":
            await StaffMember.update({StaffMember.end_date: data.decided_on}).where(
                StaffMember.id == stage.staff_id
            )
        await audit.record(
            actor,
            "stage_decision_recorded",
            table="stage_decision",
            key=f"{stage.email}:{stage.starts_on.isoformat()}",
            after={"decision": data.decision, "months": data.months,
                   "decided_on": data.decided_on},
        )  # fmt: skip
        # The cycles follow at once: the stage's new end, the annual cycles after it.
        through = max(data.decided_on, dt.date.today()) + dt.timedelta(days=LATEST_THROUGH_DAYS)
        await generate(actor, through, staff_ids=[stage.staff_id])


async def record_stage_working_time(
    actor: audit.Actor, organisation_id: int, cycle_id: int, working_time: int, today: dt.date
) -> None:
    """HR records a stage's working time (per cent of full time): a part-time stage lasts
    until the full-time duration is reached (SPEC 3.1), so its end moves at once, and the
    cycles after it. Refused once the stage ended in an appointment or a dismissal."""
    async with write_transaction():
        stage = await queries.stage_of(organisation_id, cycle_id)
        if stage is None:
            raise NotFound(_("There is no such stage in this organisation."))
        if cycle_rules.working_time_problem(working_time) is not None:
            raise Refused(
                _("Give the working time as a whole per cent from %(low)d to %(high)d.",
                  low=cycle_rules.MIN_WORKING_TIME, high=cycle_rules.FULL_TIME),
                "working_time",
            )  # fmt: skip
        if stage.ended:
            raise Refused(
                _("This stage has ended in an appointment or a dismissal."), "working_time"
            )
        if working_time == stage.working_time:
            return
        await EvaluationCycle.update({EvaluationCycle.working_time: working_time}).where(
            EvaluationCycle.id == cycle_id
        )
        await audit.record(
            actor,
            "stage_working_time_recorded",
            table="evaluation_cycle",
            key=f"{stage.email}:{stage.starts_on.isoformat()}",
            before={"working_time": stage.working_time, "ends_on": stage.ends_on},
            after={"working_time": working_time},
        )
        through = max(stage.ends_on, today) + dt.timedelta(days=LATEST_THROUGH_DAYS)
        await generate(actor, through, staff_ids=[stage.staff_id])
