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
from cycles import rules as cycle_rules
from cycles.dossier.access import bounded_text
from cycles.hr import queries, rules
from cycles.labels import format_day
from cycles.queries import REGIME_FIELDS
from cycles.rules import Regime
from cycles.service import Generated, generate
from cycles.tables import EvaluationCycle, EvaluationRegime, EvaluatorAssignment, StageDecision
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
    starts on or before `through` (the period rule; running it again creates nothing new)."""
    check_through(through, today)
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
