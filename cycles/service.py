"""Generating evaluation cycles (SPEC 5.4) from the staff and their functions by the
period rule (`cycles.rules`), set-based: three reads, then one upsert and one delete.
Running it again creates nothing new; a cycle a later import shortens (a change of
function) is ended early; a cycle the rule no longer gives is removed (no report can be
signed in one yet: reports arrive with the cycle pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core import audit
from core.database import bulk_upsert, write_transaction
from cycles.rules import cycles_of
from cycles.tables import EvaluationCycle, StaffFunction
from organisations.tables import StaffMember


@dataclass(frozen=True)
class Generated:
    created: int
    changed: int
    removed: int


async def generate(
    actor: audit.Actor, through: dt.date, organisation_code: str | None = None
) -> Generated:
    async with write_transaction():
        members = StaffMember.select(StaffMember.id, StaffMember.start_date, StaffMember.end_date)
        if organisation_code is not None:
            members = members.where(StaffMember.organisation.code == organisation_code)
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
            await EvaluationCycle.delete().where(EvaluationCycle.id.is_in(gone))
        await audit.record(
            actor,
            "cycles_generated",
            table="evaluation_cycle",
            key=through.isoformat(),
            after={"created": created, "changed": changed, "removed": len(gone)},
        )
    return Generated(created, changed, len(gone))


async def cycle_rows(organisation_code: str | None = None) -> list[dict[str, Any]]:
    """Every cycle as SPEC 5.4's objects, sorted by e-mail then start (one query)."""
    query = EvaluationCycle.select(
        EvaluationCycle.staff.email.as_alias("email"),
        EvaluationCycle.staff._.organisation._.code.as_alias("organisation"),
        EvaluationCycle.function,
        EvaluationCycle.starts_on,
        EvaluationCycle.ends_on,
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
            }
            for row in rows
        ),
        key=lambda r: (r["email"], r["start"]),
    )
