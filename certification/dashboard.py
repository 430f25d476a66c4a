"""One organisation's dashboard, read in six queries that touch only its own records.

The level comes from the reference path `rules.eligibility_on` over the organisation's
raw records (the property tests prove it equal to the aggregate path that serves all
organisations at once); the same records feed the look-ahead and the coverage grid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.eligibility import load_policies
from certification.rules import (
    CertificateFacts,
    Eligibility,
    Level,
    LevelDrop,
    OrganisationFacts,
    QCheckFacts,
    StaffFacts,
    coverage_counts,
    eligibility_on,
    first_level_drop,
    granted_level,
)
from certification.tables import Track
from certification.tasks import TaskSplit, task_split
from organisations.rules import split_language_roles
from organisations.tables import Organisation, ProPartnerTerm, StaffMember
from qchecks.tables import QCheck

# Staff of the organisation (and the PRO Partner's staff record, wherever it is) with
# their certificates; staff without one come once with empty certificate columns.
_STAFF_AND_CERTIFICATES = """
SELECT s.id, s.organisation, s.email, s.first_name, s.last_name, s.language_role,
       s.start_date, s.end_date, c.status, c.obtained_on, c.valid_until, t.code AS track
FROM staff_member s
LEFT JOIN certificate c ON c.staff = s.id
LEFT JOIN track t ON t.id = c.track
WHERE s.organisation = {} OR s.email = {}
"""


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


def _date(value: Any) -> dt.date | None:
    # Raw SQL on SQLite returns dates as the ISO text they are stored as.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


async def organisation_dashboard(code: str, day: dt.date) -> Dashboard | None:
    """Everything the dashboard shows on `day`, or None when there is no such organisation."""
    organisation = await Organisation.select().where(Organisation.code == code).first()
    if organisation is None:
        return None
    partner_email = organisation["pro_partner_email"] or ""
    rows = await StaffMember.raw(_STAFF_AND_CERTIFICATES, organisation["id"], partner_email)
    qcheck_rows = await QCheck.select(
        QCheck.consultant, QCheck.checked_on, QCheck.score_hundredths
    ).where(QCheck.organisation == organisation["id"])
    policies = await load_policies()
    tracks = await Track.select().order_by(Track.id)
    partner_history = (
        await ProPartnerTerm.select()
        .where(ProPartnerTerm.organisation == organisation["id"])
        .order_by(ProPartnerTerm.started_on, ascending=False)
    )

    staff: dict[int, StaffFacts] = {}
    certificates: list[CertificateFacts] = []
    partner_staff = None
    for row in rows:
        if partner_email and row["email"] == partner_email:
            partner_staff = {"first_name": row["first_name"], "last_name": row["last_name"]}
        if row["organisation"] != organisation["id"]:
            continue
        start, end = row["start_date"], row["end_date"]
        staff[row["id"]] = StaffFacts(
            row["id"],
            code,
            row["language_role"],
            _date(start),  # type: ignore[arg-type]
            _date(end),
        )
        if row["track"] is not None:
            certificates.append(
                CertificateFacts(
                    row["id"],
                    row["track"],
                    row["status"],
                    _date(row["obtained_on"]),  # type: ignore[arg-type]
                    _date(row["valid_until"]),
                )
            )
    facts = OrganisationFacts(
        code=code,
        language_roles=tuple(split_language_roles(organisation["language_roles"])),
        has_pro_partner=bool(partner_email.strip()),
    )
    qchecks = [
        QCheckFacts(code, q["consultant"], q["checked_on"], q["score_hundredths"])
        for q in qcheck_rows
    ]
    staff_facts = list(staff.values())
    eligibility = eligibility_on(facts, staff_facts, certificates, qchecks, policies, day)
    granted = granted_level(eligibility.eligible_level, organisation["client_certified_since"], day)
    coverage = coverage_counts(staff_facts, certificates, day)
    tracks_held = {track for (_role, track), count in coverage.items() if count}
    return Dashboard(
        organisation=organisation,
        roles=list(facts.language_roles),
        as_of=day,
        eligibility=eligibility,
        granted=granted,
        coverage=coverage,
        tracks=tracks,
        drop=first_level_drop(facts, staff_facts, certificates, qchecks, policies, day),
        tasks=task_split(granted, tracks_held),
        partner_staff=partner_staff,
        partner_history=partner_history,
    )
