"""One organisation's dashboard, read in seven queries that touch only its own records,
and its look-ahead, loaded as a fragment of its own (four queries); both kept per day and
data version.

The level comes from the reference path over the organisation's raw records (the
property tests prove it equal to the aggregate path that serves all organisations at
once); the same records feed the coverage grid and the look-ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.eligibility import eligibility_of, load_organisation_facts, look_ahead
from certification.levels import LevelChangeRow
from certification.rules import (
    Eligibility,
    Level,
    LevelDrop,
    client_granted_on,
    coverage_counts,
    granted_level,
)
from certification.tables import Track
from certification.tasks import TaskSplit, task_split
from core import versions
from organisations.tables import ProPartnerTerm
from qchecks.rules import Zone, average_zone


@dataclass(frozen=True)
class Dashboard:
    organisation: dict[str, Any]
    roles: list[str]
    as_of: dt.date
    eligibility: Eligibility
    granted: Level
    coverage: dict[tuple[str, str], int]
    tracks: list[dict[str, Any]]
    tasks: TaskSplit
    partner_staff: dict[str, Any] | None
    partner_history: list[dict[str, Any]]
    # Client-certified only: where the Q-check average stands against the threshold.
    qcheck_zone: Zone | None = None
    # The granted level's recorded changes, oldest first (after the initial load).
    level_changes: tuple[LevelChangeRow, ...] = ()


# Dashboards and look-aheads per (organisation, day) and data version: the organisation's
# users and htmx ask for them again and again between writes.
_DASHBOARDS = versions.VersionedCache(size=256)
_LOOK_AHEADS = versions.VersionedCache(size=256)


async def organisation_dashboard(code: str, day: dt.date) -> Dashboard | None:
    """Everything the dashboard shows on `day`, or None when there is no such organisation."""
    return await _DASHBOARDS.get((code, day), lambda: read_dashboard(code, day))


async def read_dashboard(code: str, day: dt.date) -> Dashboard | None:
    """The dashboard read from the database (seven queries), not kept."""
    bundle = await load_organisation_facts(code)
    if bundle is None:
        return None
    tracks = await Track.select().order_by(Track.id)
    partner_history = (
        await ProPartnerTerm.select()
        .where(ProPartnerTerm.organisation == bundle.row["id"])
        .order_by(ProPartnerTerm.started_on, ascending=False)
    )
    eligibility = eligibility_of(bundle, day)
    granted = granted_level(eligibility.eligible_level, client_granted_on(bundle.history, day))
    coverage = coverage_counts(bundle.staff, bundle.certificates, day)
    tracks_held = {track for (_role, track), count in coverage.items() if count}
    return Dashboard(
        organisation=bundle.row,
        roles=list(bundle.organisation.language_roles),
        as_of=day,
        eligibility=eligibility,
        granted=granted,
        coverage=coverage,
        tracks=tracks,
        tasks=task_split(granted, tracks_held),
        partner_staff=bundle.partner_staff,
        partner_history=partner_history,
        qcheck_zone=_qcheck_zone(eligibility, granted),
        level_changes=tuple(bundle.level_history),
    )


def _qcheck_zone(eligibility: Eligibility, granted: Level) -> Zone | None:
    if granted is not Level.CLIENT:
        return None
    condition = eligibility.condition("qcheck_average")
    average = condition.actual if isinstance(condition.actual, int | float) else None
    return average_zone(condition.met, average, float(condition.required))


@dataclass(frozen=True)
class LookAhead:
    organisation: dict[str, Any]
    as_of: dt.date
    eligibility: Eligibility
    drop: LevelDrop | None


async def organisation_look_ahead(code: str, day: dt.date) -> LookAhead | None:
    """The first day the eligible level would fall if nothing changes, or None (no such
    organisation)."""
    return await _LOOK_AHEADS.get((code, day), lambda: _look_ahead(code, day))


async def _look_ahead(code: str, day: dt.date) -> LookAhead | None:
    bundle = await load_organisation_facts(code)
    if bundle is None:
        return None
    return LookAhead(bundle.row, day, eligibility_of(bundle, day), look_ahead(bundle, day))
