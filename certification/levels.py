"""Granted levels and their history: every change of an organisation's granted level
(`level_change`), read as the history the rules decide on (`rules.client_granted_on`).

The organisations import's `client_certified_since` is the initial load: the first entry
of the history, before any recorded change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from certification.rules import Level
from certification.tables import LevelChange
from core import audit, versions
from core.rows import columns_of, rows_as
from organisations.tables import Organisation

History = list[tuple[dt.date, str]]


@dataclass(frozen=True)
class LevelChangeRow:
    """One recorded change of the granted level, as the dashboard's history shows it."""

    effective_on: dt.date
    to_level: str
    from_level: str = ""
    reason: str = ""
    note: str = ""
    decided_by: str = ""


INITIAL_LOAD = "initial_load"
REVIEW = "review"
APPLICATION = "application"


def history_of(
    client_certified_since: dt.date | None, changes: Sequence[LevelChangeRow]
) -> History:
    """The initial load, then the recorded changes in the order they were made."""
    history: History = []
    if client_certified_since is not None:
        history.append((client_certified_since, str(Level.CLIENT)))
    history.extend((row.effective_on, row.to_level) for row in changes)
    return history


async def level_histories(organisation_id: int | None = None) -> dict[int, History]:
    """Every organisation's history (or one's), in two queries."""
    organisations = Organisation.select(Organisation.id, Organisation.client_certified_since)
    changes = LevelChange.select(
        LevelChange.organisation, LevelChange.effective_on, LevelChange.to_level
    ).order_by(LevelChange.id)
    if organisation_id is not None:
        organisations = organisations.where(Organisation.id == organisation_id)
        changes = changes.where(LevelChange.organisation == organisation_id)
    by_organisation: dict[int, list[LevelChangeRow]] = {}
    for row in await changes:
        by_organisation.setdefault(row.pop("organisation"), []).append(LevelChangeRow(**row))
    return {
        row["id"]: history_of(row["client_certified_since"], by_organisation.get(row["id"], []))
        for row in await organisations
    }


async def organisation_changes(organisation_id: int) -> list[LevelChangeRow]:
    """The recorded changes of one organisation, oldest first (the dashboard's history)."""
    rows = await (
        LevelChange.select(*columns_of(LevelChange, LevelChangeRow))
        .where(LevelChange.organisation == organisation_id)
        .order_by(LevelChange.id)
    )
    return rows_as(LevelChangeRow, rows)


async def record_change(
    actor: audit.Actor,
    organisation: dict[str, Any],
    from_level: str,
    to_level: str,
    effective_on: dt.date,
    reason: str,
    note: str = "",
) -> None:
    """One change of the granted level, with its audit entry; inside the caller's write
    transaction (the decision that causes it lands with it, or neither does)."""
    await versions.bump()
    await LevelChange.insert(
        LevelChange(
            organisation=organisation["id"],
            from_level=from_level,
            to_level=to_level,
            effective_on=effective_on,
            reason=reason,
            note=note,
            decided_by=actor.label,
            recorded_at=dt.datetime.now(dt.UTC),
        )
    )
    await audit.record(
        actor,
        "granted_level_changed",
        table="level_change",
        key=organisation["code"],
        before={"level": from_level},
        after={"level": to_level, "effective_on": effective_on, "reason": reason},
        detail=note,
    )
