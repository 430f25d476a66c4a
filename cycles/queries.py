"""Reads of evaluation cycles: a cycle with its staff member, organisation and regime,
how a reader stands to it (owner, evaluator, HR of its organisation), a dossier's
contents, a staff member's cycles, an evaluator's team. Each a few set-based queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from accounts.identity import CurrentUser, Role
from certification.rules import CertificateStatus
from certification.tables import Certificate
from core.errors import NotFound
from cycles import rules
from cycles.rules import Regime
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    EvaluationRegime,
    EvaluatorAssignment,
    ObjectiveProgress,
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
        raise NotFound
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


async def evaluator_roles(user: CurrentUser, staff_id: int, today: dt.date) -> set[str]:
    """The evaluator roles (first, second, coplanner) the user holds today for a staff
    member: through the staff record with the user's e-mail in the same organisation."""
    rows = await EvaluatorAssignment.select(EvaluatorAssignment.role).where(
        (EvaluatorAssignment.staff == staff_id)
        & (EvaluatorAssignment.evaluator.email == user.email)
        & (EvaluatorAssignment.from_on <= today)
        & (EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today))
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
    is_owner = user.email.lower() == cycle.staff_email.lower()
    roles = (
        frozenset() if is_owner else frozenset(await evaluator_roles(user, cycle.staff_id, today))
    )
    is_hr = Role.HR in user.roles and user.organisation_id == cycle.organisation_id
    return Standing(rules.dossier_access(is_owner, bool(roles), is_hr), roles)
