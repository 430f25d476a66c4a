"""Eligibility from the database: SQL counts, pandas assembles, the rules decide.

The database returns one row per organisation and language role, and one Q-check sum
per organisation, never the raw rows of every Q-check. `certification.rules` turns
those counts into levels and conditions for all organisations at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from piccolo.engine.sqlite import SQLiteEngine

from certification.levels import (
    History,
    LevelChangeRow,
    history_of,
    level_histories,
    organisation_changes,
)
from certification.lookahead import first_level_drop
from certification.rules import (
    AGGREGATE_COLUMNS,
    AZ,
    LANGUAGE_ROLES,
    SELTEST,
    CertificateFacts,
    CertificateStatus,
    Eligibility,
    Level,
    LevelDrop,
    OrganisationFacts,
    Policy,
    QCheckFacts,
    StaffFacts,
    client_granted_on,
    eligibility_on,
    evaluate_aggregates,
    granted_level,
    policy_on,
)
from certification.tables import CertificationPolicy
from core import versions
from core.database import read_transaction
from core.parsing import parse_iso_date
from organisations.rules import split_language_roles
from organisations.tables import Organisation, StaffMember
from qchecks.rules import one_year_before
from qchecks.tables import QCheck


def _param(day: dt.date) -> object:
    # SQLite keeps dates as ISO text; asyncpg wants date objects.
    return day.isoformat() if isinstance(Organisation._meta.db, SQLiteEngine) else day


# Only constants are interpolated; every value is a bound parameter ({}).
_CERTIFIED_BY_LANGUAGE = f"""
WITH held AS (
    SELECT c.staff AS staff_id,
           MAX(CASE WHEN t.code = '{AZ}' THEN 1 ELSE 0 END) AS az,
           MAX(CASE WHEN t.code = '{SELTEST}' THEN 1 ELSE 0 END) AS seltest
    FROM certificate c JOIN track t ON t.id = c.track
    WHERE c.status = '{CertificateStatus.VALID}' AND c.obtained_on <= {{}}
      AND (c.valid_until IS NULL OR c.valid_until >= {{}})
    GROUP BY c.staff
)
SELECT s.organisation AS organisation_id, s.language_role AS language_role,
       COUNT(*) AS certified, SUM(h.az) AS az, SUM(h.seltest) AS seltest
FROM staff_member s JOIN held h ON h.staff_id = s.id
WHERE s.start_date <= {{}} AND (s.end_date IS NULL OR s.end_date >= {{}}) {{organisation_filter}}
GROUP BY s.organisation, s.language_role
"""

# `q.organisation + 0` keeps the organisation out of the index choice: PostgreSQL otherwise
# ANDs the (consultant, checked_on) index with the organisation index for every AZ
# consultant, 0.9 s instead of 0.08 s at 1,000,000 Q-checks (measured in bench/).
_QCHECKS_IN_WINDOW = f"""
WITH az_staff AS (
    SELECT DISTINCT s.id, s.organisation
    FROM staff_member s
    JOIN certificate c ON c.staff = s.id
    JOIN track t ON t.id = c.track
    WHERE t.code = '{AZ}' AND c.status = '{CertificateStatus.VALID}' AND c.obtained_on <= {{}}
      AND (c.valid_until IS NULL OR c.valid_until >= {{}})
      AND s.start_date <= {{}} AND (s.end_date IS NULL OR s.end_date >= {{}})
)
SELECT q.organisation AS organisation_id, SUM(q.score_hundredths) AS total, COUNT(*) AS n
FROM qcheck q JOIN az_staff a ON a.id = q.consultant AND a.organisation = q.organisation + 0
WHERE q.checked_on > {{}} AND q.checked_on <= {{}} {{organisation_filter}}
GROUP BY q.organisation
"""


def policy_from_row(row: Mapping[str, Any]) -> Policy:
    """A `certification_policy` row as the rules' Policy."""
    return Policy(
        effective_from=row["effective_from"],
        min_certified_staff=row["min_certified_staff"],
        min_az_per_language=row["min_az_per_language"],
        min_seltest_per_language=row["min_seltest_per_language"],
        min_az_for_individual=row["min_az_for_individual"],
        min_qcheck_average_hundredths=row["min_qcheck_average_hundredths"],
    )


async def load_policies() -> list[Policy]:
    rows = await CertificationPolicy.select().order_by(CertificationPolicy.effective_from)
    return [policy_from_row(row) for row in rows]


async def load_aggregates(day: dt.date, organisation_id: int | None = None) -> pd.DataFrame:
    """One row per organisation with the counts of `rules.AGGREGATE_COLUMNS`."""
    d = _param(day)
    org_query = Organisation.select(
        Organisation.id,
        Organisation.code,
        Organisation.language_roles,
        Organisation.pro_partner_email,
    )
    if organisation_id is not None:
        org_query = org_query.where(Organisation.id == organisation_id)
    organisations = pd.DataFrame(
        await org_query, columns=["id", "code", "language_roles", "pro_partner_email"]
    )
    if organisations.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))

    staff_filter = "AND s.organisation = {}" if organisation_id is not None else ""
    staff_args = [d, d, d, d] + ([organisation_id] if organisation_id is not None else [])
    by_language = pd.DataFrame(
        await StaffMember.raw(
            _CERTIFIED_BY_LANGUAGE.replace("{organisation_filter}", staff_filter), *staff_args
        ),
        columns=["organisation_id", "language_role", "certified", "az", "seltest"],
    )
    qcheck_filter = "AND q.organisation = {}" if organisation_id is not None else ""
    qcheck_args = [d, d, d, d, _param(one_year_before(day)), d] + (
        [organisation_id] if organisation_id is not None else []
    )
    window = pd.DataFrame(
        await QCheck.raw(
            _QCHECKS_IN_WINDOW.replace("{organisation_filter}", qcheck_filter), *qcheck_args
        ),
        columns=["organisation_id", "total", "n"],
    )

    frame = organisations.rename(columns={"code": "organisation"})
    frame["has_pro_partner"] = frame["pro_partner_email"].fillna("").str.strip() != ""
    totals = by_language.groupby("organisation_id")[["certified", "az"]].sum()
    frame["certified_staff"] = frame["id"].map(totals["certified"])
    frame["az_certified"] = frame["id"].map(totals["az"])
    wide = by_language.pivot_table(
        index="organisation_id", columns="language_role", values=["az", "seltest"], aggfunc="sum"
    )
    for kind in ("az", "seltest"):
        for role in LANGUAGE_ROLES:
            key = (kind, role)
            frame[f"{kind}_{role}"] = frame["id"].map(wide[key]) if key in wide.columns else 0
    window = window.set_index("organisation_id")
    frame["qcheck_sum"] = frame["id"].map(window["total"])
    frame["qcheck_count"] = frame["id"].map(window["n"])
    counts = [
        c
        for c in AGGREGATE_COLUMNS
        if c not in ("organisation", "language_roles", "has_pro_partner")
    ]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame[list(AGGREGATE_COLUMNS)]


@dataclass(frozen=True)
class OrganisationEligibility:
    eligibility: Eligibility
    granted: Level

    def as_dict(self) -> dict:
        return self.eligibility.as_dict(self.granted)


# Every organisation's results per day and data version: the overview, exports and the API
# read them again and again between writes. A few days are kept, per process.
_ALL = versions.VersionedCache(size=16)


def clear_cache() -> None:
    _ALL.clear()


async def eligibility_for_all(
    day: dt.date, organisation_code: str | None = None
) -> list[OrganisationEligibility]:
    """Every organisation's eligibility on `day` (or one organisation's), sorted by code.

    All organisations' results are computed once per day and data version (`core.versions`,
    replaced by every write that can change them), so they are never stale.
    """
    if organisation_code is not None:
        return await _compute(day, organisation_code)
    return await _ALL.get(day, lambda: _compute(day, None))


async def _compute(day: dt.date, organisation_code: str | None) -> list[OrganisationEligibility]:
    query = Organisation.select(Organisation.id, Organisation.code)
    if organisation_code is not None:
        query = query.where(Organisation.code == organisation_code)
    id_rows = await query
    if not id_rows:
        return []
    organisation_id = id_rows[0]["id"] if organisation_code is not None else None
    ids = {row["code"]: row["id"] for row in id_rows}
    histories = await level_histories(organisation_id)
    aggregates = await load_aggregates(day, organisation_id)
    policy = policy_on(await load_policies(), day)
    results = evaluate_aggregates(aggregates, policy, day)
    return [
        OrganisationEligibility(
            result,
            granted_level(
                result.eligible_level,
                client_granted_on(histories.get(ids[result.organisation], []), day),
            ),
        )
        for result in results
    ]


@dataclass(frozen=True)
class OrganisationFactsBundle:
    """One organisation's raw records: its row, the facts of the rules, its PRO Partner."""

    row: dict[str, Any]
    organisation: OrganisationFacts
    staff: list[StaffFacts]
    certificates: list[CertificateFacts]
    qchecks: list[QCheckFacts]
    policies: list[Policy]
    # The PRO Partner's staff record (names), wherever they work; None when there is none.
    partner_staff: dict[str, Any] | None
    # The granted level's history: the initial load, then every recorded change.
    level_history: list[LevelChangeRow] = field(default_factory=list)

    @property
    def history(self) -> History:
        return history_of(self.row["client_certified_since"], self.level_history)


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


def _date(value: Any) -> Any:
    # Raw SQL on SQLite returns dates as the ISO text they are stored as.
    if value is None or isinstance(value, dt.date):
        return value
    return parse_iso_date(str(value))


async def load_organisation_facts(code: str) -> OrganisationFactsBundle | None:
    """The raw records of one organisation in five queries, for the reference path, the
    look-ahead and the dashboard; None when there is no such organisation."""
    async with read_transaction():
        row = await Organisation.select().where(Organisation.code == code).first()
        if row is None:
            return None
        partner_email = row["pro_partner_email"] or ""
        rows = await StaffMember.raw(_STAFF_AND_CERTIFICATES, row["id"], partner_email)
        q_rows = await QCheck.select(
            QCheck.consultant, QCheck.checked_on, QCheck.score_hundredths
        ).where(QCheck.organisation == row["id"])
        policies = await load_policies()
        changes = await organisation_changes(row["id"])
    staff: dict[int, StaffFacts] = {}
    certificates: list[CertificateFacts] = []
    partner_staff = None
    for record in rows:
        if partner_email and record["email"] == partner_email:
            partner_staff = {"first_name": record["first_name"], "last_name": record["last_name"]}
        if record["organisation"] != row["id"]:
            continue
        staff[record["id"]] = StaffFacts(
            record["id"],
            code,
            record["language_role"],
            _date(record["start_date"]),
            _date(record["end_date"]),
        )
        if record["track"] is not None:
            certificates.append(
                CertificateFacts(
                    record["id"],
                    record["track"],
                    record["status"],
                    _date(record["obtained_on"]),
                    _date(record["valid_until"]),
                )
            )
    return OrganisationFactsBundle(
        row=row,
        organisation=OrganisationFacts(
            code=row["code"],
            language_roles=tuple(split_language_roles(row["language_roles"])),
            has_pro_partner=bool(partner_email.strip()),
        ),
        staff=list(staff.values()),
        certificates=certificates,
        qchecks=[
            QCheckFacts(code, q["consultant"], q["checked_on"], q["score_hundredths"])
            for q in q_rows
        ],
        policies=policies,
        partner_staff=partner_staff,
        level_history=changes,
    )


def eligibility_of(bundle: OrganisationFactsBundle, day: dt.date) -> Eligibility:
    """The reference path over one organisation's records (equal to the aggregate path)."""
    return eligibility_on(
        bundle.organisation, bundle.staff, bundle.certificates, bundle.qchecks, bundle.policies, day
    )


def look_ahead(bundle: OrganisationFactsBundle, day: dt.date) -> LevelDrop | None:
    return first_level_drop(
        bundle.organisation, bundle.staff, bundle.certificates, bundle.qchecks, bundle.policies, day
    )
