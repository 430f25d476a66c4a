"""Generating evaluation cycles (SPEC 5.4) from the staff and their functions by the
period rule (`cycles.rules`), set-based: three reads, then one upsert and one delete.
Running it again creates nothing new; a cycle a later import shortens (a change of
function) is ended early; a cycle the rule no longer gives is removed unless its dossier
holds something (a meeting, an objective, an evaluation), which is never deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core import audit
from core.database import bulk_upsert, write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from cycles import rules
from cycles.forms import FunctionInput
from cycles.labels import format_day
from cycles.queries import regime_of_row, regime_rows
from cycles.rules import cycles_of
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
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
        members = StaffMember.select(
            StaffMember.id,
            StaffMember.start_date,
            StaffMember.end_date,
            StaffMember.statute,
            StaffMember.organisation,
        )
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
        regimes = await regime_rows(sorted({member["organisation"] for member in staff}))
        # An organisation that does not use the cycles gets none; the ones it had stay.
        staff = [m for m in staff if not regime_of_row(regimes.get(m["organisation"])).cycles_off]
        kept_staff = {member["id"] for member in staff}
        existing = {key: row for key, row in existing.items() if key[0] in kept_staff}
        stages = _stages(existing.values())
        earlies: dict[int, list[rules.Cycle]] = {}
        for row in existing.values():
            if row["kind"] == "early":
                earlies.setdefault(row["staff"], []).append(
                    rules.Cycle(row["starts_on"], row["ends_on"], row["function"])
                )
        desired = {
            (member["id"], cycle.start): (kind, cycle)
            for member in staff
            for kind, cycle in _member_cycles(
                member,
                functions.get(member["id"], []),
                stages.get(member["id"]),
                regime_of_row(regimes.get(member["organisation"])),
                through,
                earlies.get(member["id"]),
            )
        }
        rows = []
        created = changed = 0
        for key, (kind, cycle) in desired.items():
            old = existing.get(key)
            if old is None:
                created += 1
            elif (old["ends_on"], old["function"], old["kind"]) != (
                cycle.end,
                cycle.function,
                kind,
            ):
                changed += 1
            else:
                continue
            rows.append((key[0], cycle.start, cycle.end, cycle.function, kind))
        if rows:
            await bulk_upsert(
                "evaluation_cycle",
                ("staff", "starts_on", "ends_on", "function", "kind"),
                rows,
                conflict=("staff", "starts_on"),
                update=("ends_on", "function", "kind"),
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


@dataclass(frozen=True)
class _StageRecord:
    """What the stored probation cycle of a staff member says of the stage: where it
    starts, the absence HR recorded in it and the extension a mention called for; and its
    end, which stands once the trainee is appointed (no longer `trainee`)."""

    start: dt.date
    end: dt.date
    absent_days: int
    extension_months: int
    working_time: int


def _stages(cycles: Iterable[Mapping[str, Any]]) -> dict[int, _StageRecord]:
    return {
        row["staff"]: _StageRecord(
            row["starts_on"],
            row["ends_on"],
            row["absent_days"],
            row["extension_months"],
            row["working_time"],
        )
        for row in cycles
        if row["kind"] == "probation"
    }


def _member_cycles(
    member: Mapping[str, Any],
    functions: list[tuple[dt.date, str]],
    stored: _StageRecord | None,
    regime: rules.Regime,
    through: dt.date,
    earlies: list[rules.Cycle] | None = None,
) -> list[tuple[str, rules.Cycle]]:
    """(kind, cycle) of one staff member by their statute (SPEC 3.1, 5.4): none for a
    mandate holder; a trainee's stage (its end computed again with the extensions
    recorded so far), or the stage of an appointed one as it was kept, then annual
    cycles; for everyone else annual cycles only; the early cycles an insufficient
    started (SPEC 3.2, kept as they were created) in their place."""
    statute = member["statute"]
    if statute == "mandate":
        return []
    cycles = _by_statute(member, functions, stored, regime, through)
    if not earlies:
        return cycles
    return rules.with_early_cycles(cycles, earlies, member["end_date"], functions, through)


def _by_statute(
    member: Mapping[str, Any],
    functions: list[tuple[dt.date, str]],
    stored: _StageRecord | None,
    regime: rules.Regime,
    through: dt.date,
) -> list[tuple[str, rules.Cycle]]:
    statute = member["statute"]
    if statute == "trainee":
        start = member["start_date"]
        end = (
            rules.stage_end(
                start,
                regime.stage_months,
                stored.absent_days,
                stored.extension_months,
                stored.working_time,
            )
            if stored
            else rules.stage_end(start, regime.stage_months)
        )
        stage = rules.Stage(start, end)
    elif stored is not None:
        stage = rules.Stage(stored.start, stored.end)
    else:
        annual = cycles_of(member["start_date"], member["end_date"], functions, through)
        return [("annual", cycle) for cycle in annual]
    return rules.cycles_with_stage(stage, member["end_date"], functions, through)


# --- The dossier: meetings and reports, objectives, evaluations ---------------------
# Every write: the reader's standing is checked on the server (owner, evaluator, HR),
# the cycle must not be closed (30 June), the change is a compare-and-set where a page
# showed a state, and the audit entry lands in the same transaction.


# --- Objectives ------------------------------------------------------------------------


# --- Evaluations -----------------------------------------------------------------------


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
