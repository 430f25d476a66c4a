"""Generating evaluation cycles (SPEC 5.4) from the staff and their functions by the
period rule (`cycles.rules`), set-based: three reads, then one upsert and one delete.
Running it again creates nothing new; a cycle a later import shortens (a change of
function) is ended early; a cycle the rule no longer gives is removed unless its dossier
holds something (a meeting, an objective, an evaluation), which is never deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from certification.tables import Track
from competencies.tables import Competency
from core import audit
from core.database import bulk_upsert, compare_and_set, is_unique_violation, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from core.identity import CurrentUser
from cycles import queries, rules
from cycles.forms import FunctionInput
from cycles.labels import format_day, meeting_kind_label
from cycles.lifecycle import (
    OBJECTIVE_LIFECYCLE,
    REPORT_LIFECYCLE,
    ObjectiveAction,
    ObjectiveState,
    ReportAction,
    ReportState,
)
from cycles.queries import CycleContext, Standing
from cycles.rules import cycles_of
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    ObjectiveProgress,
    StaffFunction,
)
from organisations.tables import StaffMember


@dataclass(frozen=True)
class Generated:
    created: int
    changed: int
    removed: int


async def generate(
    actor: audit.Actor,
    through: dt.date,
    organisation_code: str | None = None,
    staff_ids: Collection[int] | None = None,
) -> Generated:
    """Every cycle that starts on or before `through`: of every staff member, of one
    organisation's, or of some staff members (a team, or one person)."""
    async with write_transaction():
        members = StaffMember.select(StaffMember.id, StaffMember.start_date, StaffMember.end_date)
        if organisation_code is not None:
            members = members.where(StaffMember.organisation.code == organisation_code)
        if staff_ids is not None:
            members = members.where(StaffMember.id.is_in(list(staff_ids) or [0]))
        staff = await members
        ids = [row["id"] for row in staff] or [0]
        functions: dict[int, list[tuple[dt.date, str]]] = {}
        for row in await StaffFunction.select().where(StaffFunction.staff.is_in(ids)):
            functions.setdefault(row["staff"], []).append((row["started_on"], row["title"]))
        existing = {
            (row["staff"], row["starts_on"]): row
            for row in await EvaluationCycle.select().where(EvaluationCycle.staff.is_in(ids))
        }
        desired = {
            (member["id"], cycle.start): cycle
            for member in staff
            for cycle in cycles_of(
                member["start_date"], member["end_date"], functions.get(member["id"], []), through
            )
        }
        rows = []
        created = changed = 0
        for key, cycle in desired.items():
            old = existing.get(key)
            if old is None:
                created += 1
            elif (old["ends_on"], old["function"]) != (cycle.end, cycle.function):
                changed += 1
            else:
                continue
            rows.append((key[0], cycle.start, cycle.end, cycle.function))
        if rows:
            await bulk_upsert(
                "evaluation_cycle",
                ("staff", "starts_on", "ends_on", "function"),
                rows,
                conflict=("staff", "starts_on"),
                update=("ends_on", "function"),
            )
        gone = [
            old["id"]
            for key, old in existing.items()
            if key not in desired and old["starts_on"] <= through
        ]
        if gone:
            # A cycle with a dossier (a meeting, an objective, an evaluation) is kept:
            # a later import never deletes what people wrote and signed.
            kept = {
                row["cycle"]
                for table in (CycleMeeting, CycleObjective, CycleEvaluation)
                for row in await table.select(table.cycle).where(table.cycle.is_in(gone))
            }
            gone = [cycle_id for cycle_id in gone if cycle_id not in kept]
        if gone:
            await EvaluationCycle.delete().where(EvaluationCycle.id.is_in(gone))
        await audit.record(
            actor,
            "cycles_generated",
            table="evaluation_cycle",
            key=through.isoformat(),
            after={"created": created, "changed": changed, "removed": len(gone)},
        )
    return Generated(created, changed, len(gone))


# --- The dossier: meetings and reports, objectives, evaluations ---------------------
# Every write: the reader's standing is checked on the server (owner, evaluator, HR),
# the cycle must not be closed (30 June), the change is a compare-and-set where a page
# showed a state, and the audit entry lands in the same transaction.

MAX_TEXT = 10_000
MAX_TITLE = 200


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _context_for(
    user: CurrentUser, cycle_id: int, today: dt.date
) -> tuple[CycleContext, Standing]:
    """The cycle and the reader's standing; NotFound when the reader may not see it
    (a dossier outside one's reach does not exist for the reader)."""
    cycle = await queries.cycle_context(cycle_id)
    standing = await queries.standing(user, cycle, today)
    if standing.access not in (rules.OWNER, rules.EVALUATOR):
        raise NotFound(_("There is no such evaluation cycle."))
    return cycle, standing


def _open(cycle: CycleContext, today: dt.date) -> None:
    if cycle.closed(today):
        raise Refused(
            _(
                "This cycle closed on %(day)s: it can only be read now.",
                day=format_day(cycle.deadlines.closes),
            )
        )


def _planner(standing: Standing) -> None:
    if not standing.plans:
        raise Refused(_("Only the first evaluator or a co-planner can do this."))


def _text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if len(value) > limit:
        raise Refused(_("Keep this under %(limit)s characters.", limit=f"{limit:,}"), field)
    return value


async def _denied(actor: audit.Actor, action: str, table: str, key: int, detail: str) -> None:
    """A refused change is audited on its own (the refused write itself rolled back)."""
    async with write_transaction():
        await audit.record(
            actor, action, table=table, key=str(key), outcome=audit.Outcome.DENIED, detail=detail
        )


@dataclass(frozen=True)
class MeetingInput:
    kind: str
    held_on: dt.date
    report: str = ""


async def add_meeting(
    actor: audit.Actor, user: CurrentUser, cycle_id: int, data: MeetingInput, today: dt.date
) -> int:
    """The first evaluator (or co-planner) records a meeting; the staff member may ask for
    a functioning meeting themself (SPEC 3: either party may ask)."""
    if data.kind not in rules.MEETING_KINDS:
        raise Refused(_("Choose the kind of meeting from the list."), "kind")
    report = _text(data.report, "report")
    async with write_transaction():
        cycle, standing = await _context_for(user, cycle_id, today)
        _open(cycle, today)
        if standing.is_owner:
            if data.kind != "functioning":
                raise Refused(
                    _("You can ask for a functioning meeting; the evaluator plans the others."),
                    "kind",
                )
            requested_by = "staff"
        else:
            _planner(standing)
            requested_by = "evaluator"
        if not cycle.starts_on <= data.held_on <= cycle.deadlines.closes:
            raise Refused(
                _(
                    "The meeting falls within the cycle: from %(start)s to %(end)s.",
                    start=format_day(cycle.starts_on),
                    end=format_day(cycle.deadlines.closes),
                ),
                "held_on",
            )
        others = await CycleMeeting.select(CycleMeeting.kind, CycleMeeting.held_on).where(
            CycleMeeting.cycle == cycle.id
        )
        if data.kind in ("planning", "balance", "function") and any(
            other["kind"] == data.kind for other in others
        ):
            raise Refused(_("This cycle has that meeting already."), "kind")
        clash = rules.too_close(
            data.held_on, [(o["kind"], o["held_on"]) for o in others], cycle.regime
        )
        if clash is not None:
            raise Refused(
                _(
                    "Meetings are at least %(days)s working days apart under your "
                    "organisation's regime; the %(kind)s is on %(day)s.",
                    days=cycle.regime.min_days_between_meetings,
                    kind=meeting_kind_label(clash[0]),
                    day=format_day(clash[1]),
                ),
                "held_on",
            )
        [row] = await CycleMeeting.insert(
            CycleMeeting(
                cycle=cycle.id,
                kind=data.kind,
                held_on=data.held_on,
                requested_by=requested_by,
                report=report,
                state=str(ReportState.DRAFT),
                revision=1,
                created_by=actor.label,
            )
        ).returning(CycleMeeting.id)
        await audit.record(
            actor,
            "meeting_added",
            table="cycle_meeting",
            key=str(row["id"]),
            after={"cycle": cycle.id, "kind": data.kind, "held_on": data.held_on},
        )
    return int(row["id"])


async def _meeting(meeting_id: int) -> dict[str, Any]:
    row = await CycleMeeting.select().where(CycleMeeting.id == meeting_id).first()
    if row is None:
        raise NotFound(_("There is no such meeting."))
    return row


async def _report_transition(
    actor: audit.Actor,
    user: CurrentUser,
    meeting_id: int,
    action: ReportAction,
    revision: int,
    today: dt.date,
    changes: dict[Any, Any],
    audit_after: dict[str, Any],
) -> str:
    try:
        async with write_transaction():
            meeting = await _meeting(meeting_id)
            cycle, standing = await _context_for(user, meeting["cycle"], today)
            _open(cycle, today)
            if action in (ReportAction.EDIT, ReportAction.SIGN_EVALUATOR):
                _planner(standing)
            elif not standing.is_owner:
                raise Refused(_("Only the staff member can do this."))
            new_state = REPORT_LIFECYCLE.next_state(meeting["state"], action)
            if action is ReportAction.SIGN_EVALUATOR or action is ReportAction.SIGN_STAFF:
                if meeting["kind"] == "planning":
                    await _check_planning(cycle.id)
            landed = await compare_and_set(
                CycleMeeting,
                meeting_id,
                CycleMeeting.revision,
                revision,
                {**changes, CycleMeeting.state: new_state, CycleMeeting.revision: revision + 1},
            )
            if not landed:
                current = await _meeting(meeting_id)
                raise TransitionRefused(current["state"], str(action))
            await audit.record(
                actor,
                f"report_{action}",
                table="cycle_meeting",
                key=str(meeting_id),
                before={"state": meeting["state"]},
                after={"state": new_state, **audit_after},
            )
    except TransitionRefused as refused:
        await _denied(
            actor,
            f"report_{action}",
            "cycle_meeting",
            meeting_id,
            f"refused: {action} from state {refused.current}",
        )
        raise
    return new_state


async def _check_planning(cycle_id: int) -> None:
    kinds = [
        row["kind"]
        for row in await CycleObjective.select(CycleObjective.kind).where(
            (CycleObjective.cycle == cycle_id)
            & CycleObjective.state.is_in([str(ObjectiveState.OPEN), str(ObjectiveState.ACHIEVED)])
        )
    ]
    problems = rules.objective_problems(kinds)
    if "no_development" in problems:
        raise Refused(
            _(
                "The planning report can be signed once the cycle has at least one "
                "development objective."
            )
        )
    if "too_many" in problems:
        raise Refused(_("A cycle has at most 10 objectives."))


async def edit_report(
    actor: audit.Actor,
    user: CurrentUser,
    meeting_id: int,
    report: str,
    revision: int,
    today: dt.date,
) -> None:
    text = _text(report, "report")
    await _report_transition(
        actor,
        user,
        meeting_id,
        ReportAction.EDIT,
        revision,
        today,
        {CycleMeeting.report: text},
        {"report_length": len(text)},
    )


async def add_remarks(
    actor: audit.Actor,
    user: CurrentUser,
    meeting_id: int,
    remarks: str,
    revision: int,
    today: dt.date,
) -> None:
    text = _text(remarks, "remarks")
    await _report_transition(
        actor,
        user,
        meeting_id,
        ReportAction.REMARK,
        revision,
        today,
        {CycleMeeting.staff_remarks: text},
        {"remarks_length": len(text)},
    )


async def sign_report(
    actor: audit.Actor, user: CurrentUser, meeting_id: int, revision: int, today: dt.date
) -> str:
    """The staff member or the evaluator signs, by who the reader is; signing twice is
    refused (409). The report's state after it."""
    meeting = await _meeting(meeting_id)
    cycle = await queries.cycle_context(meeting["cycle"])
    standing = await queries.standing(user, cycle, today)
    if standing.is_owner:
        action = ReportAction.SIGN_STAFF
        changes = {CycleMeeting.staff_signed_by: actor.label, CycleMeeting.staff_signed_at: _now()}
    else:
        action = ReportAction.SIGN_EVALUATOR
        changes = {
            CycleMeeting.evaluator_signed_by: actor.label,
            CycleMeeting.evaluator_signed_at: _now(),
        }
    return await _report_transition(actor, user, meeting_id, action, revision, today, changes, {})


# --- Objectives ------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveInput:
    kind: str
    title: str
    specific: str = ""
    measurable: str = ""
    achievable: str = ""
    relevant: str = ""
    due_on: dt.date | None = None
    competency_id: int | None = None
    track_id: int | None = None
    aligned_to: int | None = None


async def _checked_objective(
    cycle: CycleContext, data: ObjectiveInput, user: CurrentUser, today: dt.date
) -> dict[Any, Any]:
    if data.kind not in rules.OBJECTIVE_KINDS:
        raise Refused(_("Choose performance or development."), "kind")
    title = _text(data.title, "title", MAX_TITLE)
    if not title:
        raise Refused(_("Give the objective a title."), "title")
    if data.due_on is not None and not cycle.starts_on <= data.due_on <= cycle.ends_on:
        raise Refused(
            _(
                "The objective is due within the cycle: from %(start)s to %(end)s.",
                start=format_day(cycle.starts_on),
                end=format_day(cycle.ends_on),
            ),
            "due_on",
        )
    if data.kind == "development":
        if data.competency_id is None:
            raise Refused(
                _("A development objective names a competency of the model."), "competency"
            )
        if not await Competency.exists().where(Competency.id == data.competency_id):
            raise Refused(_("Choose a competency from the list."), "competency")
        if data.track_id is not None and not await Track.exists().where(Track.id == data.track_id):
            raise Refused(_("Choose a track from the list."), "track")
    elif data.competency_id is not None or data.track_id is not None:
        raise Refused(
            _("Only a development objective names a competency or a track."), "competency"
        )
    if data.aligned_to is not None:
        allowed = {row.id for row in await queries.alignable_objectives(cycle, today)}
        if data.aligned_to not in allowed:
            raise Refused(_("Choose one of your evaluator's own objectives."), "aligned_to")
    return {
        CycleObjective.kind: data.kind,
        CycleObjective.title: title,
        CycleObjective.specific: _text(data.specific, "specific"),
        CycleObjective.measurable: _text(data.measurable, "measurable"),
        CycleObjective.achievable: _text(data.achievable, "achievable"),
        CycleObjective.relevant: _text(data.relevant, "relevant"),
        CycleObjective.due_on: data.due_on,
        CycleObjective.competency: data.competency_id if data.kind == "development" else None,
        CycleObjective.track: data.track_id if data.kind == "development" else None,
        CycleObjective.aligned_to: data.aligned_to,
    }


async def _count_objectives(cycle_id: int) -> int:
    return await CycleObjective.count().where(
        (CycleObjective.cycle == cycle_id) & (CycleObjective.state != str(ObjectiveState.CARRIED))
    )


def _too_many() -> Refused:
    return Refused(_("A cycle has at most 10 objectives."), "title")


async def add_objective(
    actor: audit.Actor, user: CurrentUser, cycle_id: int, data: ObjectiveInput, today: dt.date
) -> int:
    """The first evaluator (or co-planner) plans an objective: at most 10 per cycle."""
    async with write_transaction():
        cycle, standing = await _context_for(user, cycle_id, today)
        _open(cycle, today)
        _planner(standing)
        values = await _checked_objective(cycle, data, user, today)
        if await _count_objectives(cycle.id) >= rules.MAX_OBJECTIVES:
            raise _too_many()
        [row] = await CycleObjective.insert(
            CycleObjective(
                cycle=cycle.id,
                state=str(ObjectiveState.OPEN),
                revision=1,
                created_by=actor.label,
                **{column._meta.name: value for column, value in values.items()},
            )
        ).returning(CycleObjective.id)
        await audit.record(
            actor,
            "objective_added",
            table="cycle_objective",
            key=str(row["id"]),
            # That it was added, not what it says: the dossier is for its readers only,
            # and DG R&O reads the audit log.
            after={"cycle": cycle.id, "kind": data.kind},
        )
    return int(row["id"])


async def _objective(objective_id: int) -> dict[str, Any]:
    row = await CycleObjective.select().where(CycleObjective.id == objective_id).first()
    if row is None:
        raise NotFound(_("There is no such objective."))
    return row


async def _objective_transition(
    actor: audit.Actor,
    objective: dict[str, Any],
    action: ObjectiveAction,
    revision: int,
    changes: dict[Any, Any],
    after: dict[str, Any],
) -> None:
    new_state = OBJECTIVE_LIFECYCLE.next_state(objective["state"], action)
    landed = await compare_and_set(
        CycleObjective,
        objective["id"],
        CycleObjective.revision,
        revision,
        {**changes, CycleObjective.state: new_state, CycleObjective.revision: revision + 1},
    )
    if not landed:
        current = await _objective(objective["id"])
        raise TransitionRefused(current["state"], str(action))
    await audit.record(
        actor,
        f"objective_{action}",
        table="cycle_objective",
        key=str(objective["id"]),
        before={"state": objective["state"]},
        # The change, not the content: no title, progress, note or comment of the dossier.
        after={
            "state": new_state,
            **{key: value for key, value in after.items() if key in ("kind", "carried_to")},
        },
    )


async def edit_objective(
    actor: audit.Actor,
    user: CurrentUser,
    objective_id: int,
    data: ObjectiveInput,
    revision: int,
    today: dt.date,
) -> None:
    async with write_transaction():
        objective = await _objective(objective_id)
        cycle, standing = await _context_for(user, objective["cycle"], today)
        _open(cycle, today)
        _planner(standing)
        if data.aligned_to == objective_id:
            raise Refused(_("Choose one of your evaluator's own objectives."), "aligned_to")
        values = await _checked_objective(cycle, data, user, today)
        await _objective_transition(
            actor,
            objective,
            ObjectiveAction.EDIT,
            revision,
            values,
            {"title": values[CycleObjective.title], "kind": data.kind},
        )


async def record_progress(
    actor: audit.Actor,
    user: CurrentUser,
    objective_id: int,
    percent: int,
    comment: str,
    revision: int,
    today: dt.date,
) -> None:
    """The staff member or an evaluator records how far an objective is, with a comment."""
    if not 0 <= percent <= 100:
        raise Refused(_("Progress is a whole number from 0 to 100."), "percent")
    comment = _text(comment, "comment", 2000)
    async with write_transaction():
        objective = await _objective(objective_id)
        cycle, _standing = await _context_for(user, objective["cycle"], today)
        _open(cycle, today)
        await _objective_transition(
            actor,
            objective,
            ObjectiveAction.PROGRESS,
            revision,
            {CycleObjective.progress: percent},
            {"progress": percent},
        )
        await ObjectiveProgress.insert(
            ObjectiveProgress(
                objective=objective_id,
                recorded_at=_now(),
                recorded_by=actor.label,
                percent=percent,
                comment=comment,
            )
        )


async def decide_objective(
    actor: audit.Actor,
    user: CurrentUser,
    objective_id: int,
    action: ObjectiveAction,
    note: str,
    revision: int,
    today: dt.date,
) -> int | None:
    """The evaluator marks an objective achieved, reopens it, closes it with a final note,
    or carries it into the staff member's next cycle (a change of function): the new
    objective's id for `carry`."""
    if action not in (
        ObjectiveAction.ACHIEVE,
        ObjectiveAction.REOPEN,
        ObjectiveAction.CLOSE,
        ObjectiveAction.CARRY,
    ):
        raise NotFound(_("There is no such objective action."))
    note = _text(note, "note", 2000)
    if action in (ObjectiveAction.CLOSE, ObjectiveAction.CARRY) and not note:
        raise Refused(_("Write the final progress note."), "note")
    async with write_transaction():
        objective = await _objective(objective_id)
        cycle, standing = await _context_for(user, objective["cycle"], today)
        _open(cycle, today)
        _planner(standing)
        new_id = None
        if action is ObjectiveAction.CARRY:
            following = await queries.next_cycle(cycle)
            if following is None:
                raise Refused(_("There is no later cycle to carry the objective into yet."))
            if await _count_objectives(following) >= rules.MAX_OBJECTIVES:
                raise Refused(_("The new cycle has 10 objectives already."))
            [row] = await CycleObjective.insert(
                CycleObjective(
                    cycle=following,
                    kind=objective["kind"],
                    title=objective["title"],
                    specific=objective["specific"],
                    measurable=objective["measurable"],
                    achievable=objective["achievable"],
                    relevant=objective["relevant"],
                    competency=objective["competency"],
                    track=objective["track"],
                    state=str(ObjectiveState.OPEN),
                    progress=objective["progress"],
                    carried_from=objective_id,
                    revision=1,
                    created_by=actor.label,
                )
            ).returning(CycleObjective.id)
            new_id = int(row["id"])
        await _objective_transition(
            actor,
            objective,
            action,
            revision,
            {CycleObjective.closing_note: note} if note else {},
            {"note": note, "carried_to": new_id},
        )
    return new_id


# --- Evaluations -----------------------------------------------------------------------


async def submit_evaluation(
    actor: audit.Actor,
    user: CurrentUser,
    cycle_id: int,
    kind: str,
    text: str,
    rating: str,
    today: dt.date,
) -> bool:
    """The self-evaluation (the staff member), the first (first evaluator or co-planner)
    or the second evaluation; past its deadline it is `late` but still accepted; after
    the closing day refused. Whether it was late."""
    if kind not in rules.EVALUATION_KINDS:
        raise NotFound(_("There is no such evaluation."))
    text = _text(text, "text")
    if not text:
        raise Refused(_("Write the evaluation."), "text")
    try:
        async with write_transaction():
            cycle, standing = await _context_for(user, cycle_id, today)
            _open(cycle, today)
            who = {
                "self": standing.is_owner,
                "first": standing.plans,
                "second": "second" in standing.evaluator_roles,
            }[kind]
            if not who:
                raise Refused(_("This evaluation is not yours to write."))
            if today < rules.evaluation_opens(cycle.starts_on, cycle.ends_on):
                raise Refused(
                    _(
                        "Evaluations open on %(day)s.",
                        day=format_day(rules.evaluation_opens(cycle.starts_on, cycle.ends_on)),
                    )
                )
            if kind != "self" and not rules.gets_annual_evaluation(
                cycle.starts_on, cycle.ends_on, cycle.absent_days, cycle.regime
            ):
                raise Refused(
                    _(
                        "Only staff with at least %(days)s days of performance in the cycle get "
                        "an annual evaluation.",
                        days=cycle.regime.min_performance_days,
                    )
                )
            if rating and (
                kind == "self" or rating not in rules.RATING_SCALES[cycle.regime.rating_scale]
            ):
                raise Refused(_("Choose a rating from the list."), "rating")
            if kind == "second" and not await CycleEvaluation.exists().where(
                (CycleEvaluation.cycle == cycle.id) & (CycleEvaluation.kind == "first")
            ):
                raise Refused(_("The second evaluator evaluates after the first."))
            late = today > cycle.deadlines.of(kind)
            [row] = await CycleEvaluation.insert(
                CycleEvaluation(
                    cycle=cycle.id,
                    kind=kind,
                    text=text,
                    rating=rating,
                    submitted_by=actor.label,
                    submitted_at=_now(),
                    late=late,
                )
            ).returning(CycleEvaluation.id)
            await audit.record(
                actor,
                "evaluation_submitted",
                table="cycle_evaluation",
                key=str(row["id"]),
                # That it was submitted (and whether late), never its text or rating.
                after={"cycle": cycle.id, "kind": kind, "late": late},
            )
    except Exception as error:
        if is_unique_violation(error):
            raise TransitionRefused("submitted", "submit") from None
        raise
    return late


# --- functions (issue 19 #5): HR records a change of function, as the import does ---------


async def set_function(
    actor: audit.Actor, organisation_id: int, staff_id: int, data: FunctionInput
) -> bool:
    """The staff member of this organisation holds `data.title` from `data.started_on`
    (NotFound for anyone else's; Refused outside their time at the organisation). Another
    function on the same day is replaced. True when it is new."""
    async with write_transaction():
        member = (
            await StaffMember.select(
                StaffMember.email, StaffMember.start_date, StaffMember.end_date
            )
            .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
            .first()
        )
        if member is None:
            raise NotFound
        problem = rules.function_start_problem(
            data.started_on, member["start_date"], member["end_date"]
        )
        if problem == "before_start":
            raise Refused(
                _(
                    "The function cannot start before the staff member started (%(day)s).",
                    day=format_day(member["start_date"]),
                ),
                "started_on",
            )
        if problem == "after_end":
            raise Refused(
                _(
                    "The function cannot start after the staff member left (%(day)s).",
                    day=format_day(member["end_date"]),
                ),
                "started_on",
            )
        before = (
            await StaffFunction.select(StaffFunction.title)
            .where(
                (StaffFunction.staff == staff_id) & (StaffFunction.started_on == data.started_on)
            )
            .first()
        )
        await bulk_upsert(
            "staff_function",
            ("staff", "started_on", "title"),
            [(staff_id, data.started_on, data.title)],
            conflict=("staff", "started_on"),
            update=("title",),
        )
        await audit.record(
            actor,
            "staff_function_set",
            table="staff_function",
            key=member["email"],
            before=before,
            after={"title": data.title, "started_on": data.started_on},
        )
    return before is None
