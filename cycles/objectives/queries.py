"""Objectives across cycles: what a staff member's objective may be aligned to (the
first evaluator's own), and the hierarchy page (each of the reader's objectives with the
team's objectives aligned to it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.identity import CurrentUser
from core.rows import rows_as
from cycles.queries import CycleContext, running_assignment
from cycles.tables import (
    CycleObjective,
    EvaluatorAssignment,
)


@dataclass(frozen=True)
class ObjectiveTitle:
    """An objective named in a list: what another objective may be aligned to."""

    id: int
    title: str
    kind: str


async def alignable_objectives(cycle: CycleContext, today: dt.date) -> list[ObjectiveTitle]:
    """The first evaluator's own objectives in their cycles overlapping this one: what a
    staff member's objective may be aligned to (one query)."""
    evaluators = await EvaluatorAssignment.select(EvaluatorAssignment.evaluator).where(
        (EvaluatorAssignment.staff == cycle.staff_id)
        & (EvaluatorAssignment.role == "first")
        & running_assignment(today)
    )
    ids = [row["evaluator"] for row in evaluators]
    if not ids:
        return []
    rows = await (
        CycleObjective.select(CycleObjective.id, CycleObjective.title, CycleObjective.kind)
        .where(
            CycleObjective.cycle.staff.is_in(ids)
            & (CycleObjective.cycle.starts_on <= cycle.ends_on)
            & (CycleObjective.cycle.ends_on >= cycle.starts_on)
            & (CycleObjective.state != "carried")
        )
        .order_by(CycleObjective.title)
    )
    return rows_as(ObjectiveTitle, rows)


@dataclass(frozen=True)
class AlignedObjective:
    """A team member's running objective, named with its owner and cycle."""

    id: int
    title: str
    kind: str
    aligned_to: int | None
    progress: int
    cycle_id: int
    first_name: str
    last_name: str


@dataclass(frozen=True)
class ObjectiveGroup:
    """One of the reader's objectives with the team's objectives aligned to it; the last
    group (`objective` None) holds those aligned to none of them."""

    objective: ObjectiveTitle | None
    aligned: list[AlignedObjective]


async def hierarchy(user: CurrentUser, today: dt.date) -> list[ObjectiveGroup]:
    """Who works on what: the user's own running objectives, each with the team's
    objectives aligned to it, and the team's objectives aligned to nothing (two queries)."""
    if user.staff_id is None:
        return [ObjectiveGroup(None, [])]
    mine = rows_as(
        ObjectiveTitle,
        await CycleObjective.select(CycleObjective.id, CycleObjective.title, CycleObjective.kind)
        .where(
            (CycleObjective.cycle.staff == user.staff_id)
            & (CycleObjective.cycle.starts_on <= today)
            & (CycleObjective.cycle.ends_on >= today)
            & (CycleObjective.state != "carried")
        )
        .order_by(CycleObjective.title),
    )
    team_ids = [
        row["staff"]
        for row in await EvaluatorAssignment.select(EvaluatorAssignment.staff).where(
            (EvaluatorAssignment.evaluator == user.staff_id)
            & (EvaluatorAssignment.staff.organisation == user.organisation_id)
            & running_assignment(today)
        )
    ]
    theirs = rows_as(
        AlignedObjective,
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
        else [],
    )
    groups = [ObjectiveGroup(own, []) for own in mine]
    by_id = {own.id: group for own, group in zip(mine, groups, strict=True)}
    loose: list[AlignedObjective] = []
    for row in theirs:
        group = by_id.get(row.aligned_to) if row.aligned_to is not None else None
        (group.aligned if group else loose).append(row)
    groups.append(ObjectiveGroup(None, loose))
    return groups
