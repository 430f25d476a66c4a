"""Objectives of a cycle (SPEC 3.1): planned, edited, progressed and decided through
the objective's state machine; at most ten a cycle, one development objective at least;
carried over to the following cycle when the evaluator says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.tables import Track
from competencies.tables import Competency
from core import audit
from core.database import compare_and_set, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from core.identity import CurrentUser
from cycles import notify, queries, rules
from cycles.dossier.access import (
    MAX_TITLE,
    bounded_text,
    context_for,
    ensure_open,
    ensure_planner,
    now,
)
from cycles.labels import format_day
from cycles.lifecycle import (
    OBJECTIVE_LIFECYCLE,
    ObjectiveAction,
    ObjectiveState,
)
from cycles.objectives import queries as objective_queries
from cycles.queries import CycleContext
from cycles.tables import (
    CycleObjective,
    ObjectiveProgress,
)


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
    title = bounded_text(data.title, "title", MAX_TITLE)
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
        allowed = {row.id for row in await objective_queries.alignable_objectives(cycle, today)}
        if data.aligned_to not in allowed:
            raise Refused(_("Choose one of your evaluator's own objectives."), "aligned_to")
    return {
        CycleObjective.kind: data.kind,
        CycleObjective.title: title,
        CycleObjective.specific: bounded_text(data.specific, "specific"),
        CycleObjective.measurable: bounded_text(data.measurable, "measurable"),
        CycleObjective.achievable: bounded_text(data.achievable, "achievable"),
        CycleObjective.relevant: bounded_text(data.relevant, "relevant"),
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
        cycle, standing = await context_for(user, cycle_id, today)
        ensure_open(cycle, today)
        ensure_planner(standing)
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
        await notify.tell("objective_set", cycle, (notify.STAFF,), user.id, today, title=data.title)
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
        cycle, standing = await context_for(user, objective["cycle"], today)
        ensure_open(cycle, today)
        ensure_planner(standing)
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
    comment = bounded_text(comment, "comment", 2000)
    async with write_transaction():
        objective = await _objective(objective_id)
        cycle, _standing = await context_for(user, objective["cycle"], today)
        ensure_open(cycle, today)
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
                recorded_at=now(),
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
    note = bounded_text(note, "note", 2000)
    if action in (ObjectiveAction.CLOSE, ObjectiveAction.CARRY) and not note:
        raise Refused(_("Write the final progress note."), "note")
    async with write_transaction():
        objective = await _objective(objective_id)
        cycle, standing = await context_for(user, objective["cycle"], today)
        ensure_open(cycle, today)
        ensure_planner(standing)
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
        if action is ObjectiveAction.ACHIEVE:
            await notify.tell(
                "objective_achieved", cycle, (notify.STAFF,), user.id, today,
                title=objective["title"],
            )  # fmt: skip
    return new_id
