"""One organisation's dashboard, read in six queries that touch only its own records.

The level comes from the reference path over the organisation's raw records (the
property tests prove it equal to the aggregate path that serves all organisations at
once); the same records feed the look-ahead and the coverage grid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.eligibility import eligibility_of, load_organisation_facts, look_ahead
from certification.rules import Eligibility, Level, LevelDrop, coverage_counts, granted_level
from certification.tables import Track
from certification.tasks import TaskSplit, task_split
from organisations.tables import ProPartnerTerm


@dataclass(frozen=True)
class Dashboard:
    organisation: dict[str, Any]
    roles: list[str]
    as_of: dt.date
    eligibility: Eligibility
    granted: Level
    coverage: dict[tuple[str, str], int]
    tracks: list[dict[str, Any]]
    drop: LevelDrop | None
    tasks: TaskSplit
    partner_staff: dict[str, Any] | None
    partner_history: list[dict[str, Any]]


async def organisation_dashboard(code: str, day: dt.date) -> Dashboard | None:
    """Everything the dashboard shows on `day`, or None when there is no such organisation."""
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
    granted = granted_level(eligibility.eligible_level, bundle.row["client_certified_since"], day)
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
        drop=look_ahead(bundle, day),
        tasks=task_split(granted, tracks_held),
        partner_staff=bundle.partner_staff,
        partner_history=partner_history,
    )
