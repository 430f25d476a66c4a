"""The certification level of an organisation on a date (SPEC 2.2), as pure functions.

Two paths compute the same result and are tested against each other:
- `eligibility_on` for one organisation from its raw records (plain Python, the reference);
- `evaluate_aggregates` for all organisations at once, vectorised with pandas over
  per-organisation counts that the database has already computed.

Q-check scores are integers in hundredths of a percent, so "average >= 80 %" is the
exact integer test `sum >= 8000 * count`: no rounding ever decides a level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and numpy are imported where the vectorised path runs: a
    import pandas as pd  # command that only imports staff need not load them (0.2 s).

from certification.certificates.lifecycle import CertificateStatus
from organisations.rules import LANGUAGE_ROLES, is_active_on
from qchecks.rules import (
    in_qcheck_window,
    meets_average,
    one_year_after,
    window_average,
)

AZ = "AZ"
SELTEST = "SELTEST"


class Level(StrEnum):
    NONE = "none"
    INDIVIDUAL = "individual"
    CLIENT = "client"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.NONE: 0, Level.INDIVIDUAL: 1, Level.CLIENT: 2}


@dataclass(frozen=True)
class Policy:
    """Thresholds in force from `effective_from` (SPEC 2.3); the defaults are SPEC's."""

    effective_from: dt.date
    min_certified_staff: int = 4
    min_az_per_language: int = 1
    min_seltest_per_language: int = 1
    min_az_for_individual: int = 1
    min_qcheck_average_hundredths: int = 8000

    @property
    def min_qcheck_average(self) -> float:
        return self.min_qcheck_average_hundredths / 100


DEFAULT_POLICY = Policy(effective_from=dt.date(2000, 1, 1))
# The stored note of the version `portal migrate` seeds; pages show it in words.
SEEDED_POLICY_NOTE = "Default thresholds of SPEC 2.2 (seeded)."


def policy_on(policies: Iterable[Policy], day: dt.date) -> Policy:
    """The policy in force on `day`: the latest whose `effective_from` is not after it."""
    in_force = [p for p in policies if p.effective_from <= day]
    if not in_force:
        return DEFAULT_POLICY
    return max(in_force, key=lambda p: p.effective_from)


# --- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationFacts:
    code: str
    language_roles: tuple[str, ...]
    has_pro_partner: bool


@dataclass(frozen=True)
class StaffFacts:
    id: int
    organisation: str
    language_role: str
    start_date: dt.date
    end_date: dt.date | None = None


@dataclass(frozen=True)
class CertificateFacts:
    staff_id: int
    track: str
    status: str
    obtained_on: dt.date
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class QCheckFacts:
    organisation: str
    consultant_id: int
    checked_on: dt.date
    score_hundredths: int


def is_active(staff: StaffFacts, day: dt.date) -> bool:
    """Active on D: started on or before D, and no end date before D."""
    return is_active_on(staff.start_date, staff.end_date, day)


def is_valid(certificate: CertificateFacts, day: dt.date) -> bool:
    return (
        certificate.status == CertificateStatus.VALID
        and certificate.obtained_on <= day
        and (certificate.valid_until is None or certificate.valid_until >= day)
    )


# --- result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One condition of a level, with the figure found and the figure required."""

    code: str
    met: bool
    actual: int | float | bool | None
    required: int | float | bool

    @property
    def language_role(self) -> str | None:
        return self.code.split(":", 1)[1] if ":" in self.code else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "met": self.met,
            "actual": self.actual,
            "required": self.required,
        }


@dataclass(frozen=True)
class Eligibility:
    organisation: str
    as_of: dt.date
    eligible_level: Level
    certified_staff: int
    qcheck_average: float | None
    qcheck_count: int
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def condition(self, code: str) -> Condition:
        return next(c for c in self.conditions if c.code == code)

    @property
    def unmet(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if not c.met)

    def as_dict(self, granted_level: Level | str) -> dict[str, Any]:
        """The object of the exchange contract (SPEC 5.2)."""
        return {
            "organisation": self.organisation,
            "as_of": self.as_of.isoformat(),
            "eligible_level": str(self.eligible_level),
            "granted_level": str(granted_level),
            "certified_staff": self.certified_staff,
            "qcheck_average": self.qcheck_average,
            "qcheck_count": self.qcheck_count,
            "conditions": [c.as_dict() for c in self.conditions],
        }


LevelHistory = Sequence[tuple[dt.date, str]]  # (effective on, granted level), in order


def client_granted_on(history: LevelHistory, day: dt.date) -> bool:
    """Client certification is granted on `day` when the last change in effect then (the
    initial load, an approved application, a review's decision) granted it. `history` is
    in the order the changes were made: of two on one day, the later counts."""
    granted = False
    latest: dt.date | None = None
    for effective_on, level in history:
        if effective_on <= day and (latest is None or effective_on >= latest):
            latest = effective_on
            granted = level == Level.CLIENT
    return granted


def granted_level(eligible: Level, client_granted: bool) -> Level:
    """`client` only when granted (application, review, initial load); `individual`
    follows eligibility."""
    if client_granted:
        return Level.CLIENT
    return Level.INDIVIDUAL if eligible.rank >= Level.INDIVIDUAL.rank else Level.NONE


@dataclass(frozen=True)
class Counts:
    """What the level depends on, counted for one organisation on one day."""

    certified_staff: int
    az_certified: int
    az_by_language: dict[str, int]
    seltest_by_language: dict[str, int]
    qcheck_sum_hundredths: int
    qcheck_count: int


def decide(
    organisation: OrganisationFacts, counts: Counts, policy: Policy, day: dt.date
) -> Eligibility:
    """The level and every condition, from the counts. Both paths end here for one row."""
    conditions: list[Condition] = [
        Condition(
            "az_certified",
            counts.az_certified >= policy.min_az_for_individual,
            counts.az_certified,
            policy.min_az_for_individual,
        ),
        Condition("pro_partner", organisation.has_pro_partner, organisation.has_pro_partner, True),
        Condition(
            "certified_staff",
            counts.certified_staff >= policy.min_certified_staff,
            counts.certified_staff,
            policy.min_certified_staff,
        ),
    ]
    for role in organisation.language_roles:
        az = counts.az_by_language.get(role, 0)
        conditions.append(
            Condition(
                f"az_per_language:{role}",
                az >= policy.min_az_per_language,
                az,
                policy.min_az_per_language,
            )
        )
    for role in organisation.language_roles:
        seltest = counts.seltest_by_language.get(role, 0)
        conditions.append(
            Condition(
                f"seltest_per_language:{role}",
                seltest >= policy.min_seltest_per_language,
                seltest,
                policy.min_seltest_per_language,
            )
        )
    average = window_average(counts.qcheck_sum_hundredths, counts.qcheck_count)
    qcheck_met = bool(
        meets_average(
            counts.qcheck_sum_hundredths, counts.qcheck_count, policy.min_qcheck_average_hundredths
        )
    )
    conditions.append(Condition("qcheck_average", qcheck_met, average, policy.min_qcheck_average))

    # Levels are cumulative: client also needs what individual needs (az_certified), which
    # only matters when a policy asks more AZ staff for individual than per language role.
    if all(c.met for c in conditions):
        level = Level.CLIENT
    elif conditions[0].met:
        level = Level.INDIVIDUAL
    else:
        level = Level.NONE
    return Eligibility(
        organisation=organisation.code,
        as_of=day,
        eligible_level=level,
        certified_staff=counts.certified_staff,
        qcheck_average=average,
        qcheck_count=counts.qcheck_count,
        conditions=tuple(conditions),
    )


# --- the reference path: one organisation from its records --------------------------------


def count_facts(
    organisation: OrganisationFacts,
    staff: Iterable[StaffFacts],
    certificates: Iterable[CertificateFacts],
    qchecks: Iterable[QCheckFacts],
    day: dt.date,
) -> Counts:
    active = {s.id: s for s in staff if s.organisation == organisation.code and is_active(s, day)}
    tracks_held: dict[int, set[str]] = {}
    for certificate in certificates:
        if certificate.staff_id in active and is_valid(certificate, day):
            tracks_held.setdefault(certificate.staff_id, set()).add(certificate.track)
    az_staff = {sid for sid, tracks in tracks_held.items() if AZ in tracks}
    az_by_language: dict[str, int] = {}
    seltest_by_language: dict[str, int] = {}
    for sid, tracks in tracks_held.items():
        role = active[sid].language_role
        if AZ in tracks:
            az_by_language[role] = az_by_language.get(role, 0) + 1
        if SELTEST in tracks:
            seltest_by_language[role] = seltest_by_language.get(role, 0) + 1
    window = [
        q
        for q in qchecks
        if q.organisation == organisation.code
        and q.consultant_id in az_staff
        and in_qcheck_window(q.checked_on, day)
    ]
    return Counts(
        certified_staff=len(tracks_held),
        az_certified=len(az_staff),
        az_by_language=az_by_language,
        seltest_by_language=seltest_by_language,
        qcheck_sum_hundredths=sum(q.score_hundredths for q in window),
        qcheck_count=len(window),
    )


def eligibility_on(
    organisation: OrganisationFacts,
    staff: Iterable[StaffFacts],
    certificates: Iterable[CertificateFacts],
    qchecks: Iterable[QCheckFacts],
    policies: Sequence[Policy],
    day: dt.date,
) -> Eligibility:
    """The eligible level of one organisation on `day`, with every condition explained."""
    counts = count_facts(organisation, staff, certificates, qchecks, day)
    return decide(organisation, counts, policy_on(policies, day), day)


# --- the vectorised path: all organisations from aggregates -----------------------------------

AGGREGATE_COLUMNS = (
    "organisation",
    "language_roles",
    "has_pro_partner",
    "certified_staff",
    "az_certified",
    *(f"az_{role}" for role in LANGUAGE_ROLES),
    *(f"seltest_{role}" for role in LANGUAGE_ROLES),
    "qcheck_sum",
    "qcheck_count",
)


def empty_aggregates() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({column: pd.Series(dtype="object") for column in AGGREGATE_COLUMNS})


def evaluate_aggregates(
    aggregates: pd.DataFrame, policy: Policy, day: dt.date
) -> list[Eligibility]:
    """Every organisation's eligibility from one row of counts each, sorted by code.

    `aggregates` has the columns of AGGREGATE_COLUMNS: `language_roles` as "NL|FR", the
    per-language counts of AZ- and SELTEST-certified active staff, and the sum (in
    hundredths) and count of the Q-checks in the window by AZ-certified consultants.
    """
    import numpy as np

    if aggregates.empty:
        return []
    frame = aggregates.sort_values("organisation").reset_index(drop=True)
    ints = [
        c
        for c in AGGREGATE_COLUMNS
        if c not in ("organisation", "language_roles", "has_pro_partner")
    ]
    frame[ints] = frame[ints].fillna(0).astype("int64")
    partner = frame["has_pro_partner"].fillna(False).astype(bool).to_numpy()
    certified = frame["certified_staff"].to_numpy()
    az_total = frame["az_certified"].to_numpy()
    certified_ok = certified >= policy.min_certified_staff
    az_ok = az_total >= policy.min_az_for_individual
    padded = "|" + frame["language_roles"].astype(str) + "|"
    languages_ok = np.ones(len(frame), dtype=bool)
    az_count, az_role_ok, seltest_count, seltest_role_ok = {}, {}, {}, {}
    for role in LANGUAGE_ROLES:
        has_role = padded.str.contains(f"|{role}|", regex=False).to_numpy()
        az_count[role] = frame[f"az_{role}"].to_numpy()
        seltest_count[role] = frame[f"seltest_{role}"].to_numpy()
        az_role_ok[role] = az_count[role] >= policy.min_az_per_language
        seltest_role_ok[role] = seltest_count[role] >= policy.min_seltest_per_language
        languages_ok &= ~has_role | (az_role_ok[role] & seltest_role_ok[role])
    qsum = frame["qcheck_sum"].to_numpy()
    qcount = frame["qcheck_count"].to_numpy()
    qcheck_ok = meets_average(qsum, qcount, policy.min_qcheck_average_hundredths)
    client = certified_ok & languages_ok & partner & qcheck_ok & az_ok
    levels = np.where(
        client, Level.CLIENT.value, np.where(az_ok, Level.INDIVIDUAL.value, Level.NONE.value)
    )

    # The decisions above are whole-column; what follows only lays them out per row.
    results = []
    for i, (code, roles_text) in enumerate(
        zip(frame["organisation"], frame["language_roles"], strict=True)
    ):
        roles = [role for role in str(roles_text).split("|") if role]
        average = window_average(qsum[i], qcount[i])
        conditions = [
            Condition(
                "az_certified", bool(az_ok[i]), int(az_total[i]), policy.min_az_for_individual
            ),
            Condition("pro_partner", bool(partner[i]), bool(partner[i]), True),
            Condition(
                "certified_staff",
                bool(certified_ok[i]),
                int(certified[i]),
                policy.min_certified_staff,
            ),
            *(
                Condition(
                    f"az_per_language:{role}",
                    bool(az_role_ok[role][i]),
                    int(az_count[role][i]),
                    policy.min_az_per_language,
                )
                for role in roles
            ),
            *(
                Condition(
                    f"seltest_per_language:{role}",
                    bool(seltest_role_ok[role][i]),
                    int(seltest_count[role][i]),
                    policy.min_seltest_per_language,
                )
                for role in roles
            ),
            Condition("qcheck_average", bool(qcheck_ok[i]), average, policy.min_qcheck_average),
        ]
        results.append(
            Eligibility(
                organisation=str(code),
                as_of=day,
                eligible_level=Level(levels[i]),
                certified_staff=int(certified[i]),
                qcheck_average=average,
                qcheck_count=int(qcount[i]),
                conditions=tuple(conditions),
            )
        )
    return results


def aggregate_facts(
    organisations: Iterable[OrganisationFacts],
    staff: Iterable[StaffFacts],
    certificates: Iterable[CertificateFacts],
    qchecks: Iterable[QCheckFacts],
    day: dt.date,
) -> pd.DataFrame:
    """The aggregates of `evaluate_aggregates`, computed with pandas from raw records.

    The database computes the same table in SQL (certification/eligibility.py); this one
    serves tests and data that is not in a database.
    """
    import pandas as pd

    organisations = list(organisations)
    if not organisations:
        return empty_aggregates()
    base = pd.DataFrame(
        {
            "organisation": [o.code for o in organisations],
            "language_roles": ["|".join(o.language_roles) for o in organisations],
            "has_pro_partner": [o.has_pro_partner for o in organisations],
        }
    )
    staff_frame = pd.DataFrame(
        [(s.id, s.organisation, s.language_role, s.start_date, s.end_date) for s in staff],
        columns=["staff_id", "organisation", "language_role", "start_date", "end_date"],
    )
    active = staff_frame[
        (staff_frame["start_date"] <= day)
        & (
            staff_frame["end_date"].isna()
            | (staff_frame["end_date"].map(lambda d: d is None or d >= day))
        )
    ]
    cert_frame = pd.DataFrame(
        [
            (c.staff_id, c.track)
            for c in certificates
            if c.status == CertificateStatus.VALID
            and c.obtained_on <= day
            and (c.valid_until is None or c.valid_until >= day)
        ],
        columns=["staff_id", "track"],
    )
    held = active.merge(cert_frame, on="staff_id")
    per_staff = (
        held.assign(
            az=(held["track"] == AZ).astype(int), seltest=(held["track"] == SELTEST).astype(int)
        )
        .groupby(["staff_id", "organisation", "language_role"], as_index=False)[["az", "seltest"]]
        .max()
    )

    result = base.copy()
    certified = per_staff.groupby("organisation").size().rename("certified_staff")
    az_total = per_staff.groupby("organisation")["az"].sum().rename("az_certified")
    result = result.join(certified, on="organisation").join(az_total, on="organisation")
    by_language = per_staff.pivot_table(
        index="organisation",
        columns="language_role",
        values=["az", "seltest"],
        aggfunc="sum",
        fill_value=0,
    )
    for kind in ("az", "seltest"):
        for role in LANGUAGE_ROLES:
            key = (kind, role)
            values = by_language[key] if key in by_language.columns else pd.Series(dtype="int64")
            result[f"{kind}_{role}"] = result["organisation"].map(values).fillna(0)

    q_frame = pd.DataFrame(
        [
            (q.organisation, q.consultant_id, q.score_hundredths)
            for q in qchecks
            if in_qcheck_window(q.checked_on, day)
        ],
        columns=["organisation", "staff_id", "score"],
    )
    az_staff = per_staff[per_staff["az"] == 1][["staff_id", "organisation"]]
    counted = q_frame.merge(az_staff, on=["staff_id", "organisation"])
    q_agg = counted.groupby("organisation")["score"].agg(["sum", "count"])
    result["qcheck_sum"] = result["organisation"].map(q_agg["sum"]).fillna(0)
    result["qcheck_count"] = result["organisation"].map(q_agg["count"]).fillna(0)
    for column in AGGREGATE_COLUMNS[3:]:
        result[column] = result[column].fillna(0).astype("int64")
    return result[list(AGGREGATE_COLUMNS)]


# --- the look-ahead -------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelDrop:
    """The first day the level would fall if nothing changes, and the conditions that fail."""

    on: dt.date
    level_before: Level
    level_after: Level
    failing: tuple[Condition, ...]
    eligibility: Eligibility


def change_dates(
    staff: Iterable[StaffFacts],
    certificates: Iterable[CertificateFacts],
    qchecks: Iterable[QCheckFacts],
    policies: Iterable[Policy],
    after: dt.date,
    until: dt.date,
) -> list[dt.date]:
    """Every day in (after, until] on which a count can change: nothing changes in between."""
    days: set[dt.date] = set()
    one_day = dt.timedelta(days=1)
    for s in staff:
        days.add(s.start_date)
        if s.end_date is not None:
            days.add(s.end_date + one_day)
    for c in certificates:
        days.add(c.obtained_on)
        if c.valid_until is not None:
            days.add(c.valid_until + one_day)
    for q in qchecks:
        days.add(q.checked_on)
        leaves = one_year_after(q.checked_on)
        days.update({leaves, leaves + one_day})
    days.update(p.effective_from for p in policies)
    return sorted(d for d in days if after < d <= until)


def first_level_drop(
    organisation: OrganisationFacts,
    staff: Sequence[StaffFacts],
    certificates: Sequence[CertificateFacts],
    qchecks: Sequence[QCheckFacts],
    policies: Sequence[Policy],
    day: dt.date,
    horizon_days: int = 730,
) -> LevelDrop | None:
    """The first date after `day`, within the horizon, on which the eligible level falls.

    The reference: it recounts everything on every candidate day. The portal uses the
    one-pass `certification.lookahead.first_level_drop`; property tests compare them.
    """
    current = eligibility_on(organisation, staff, certificates, qchecks, policies, day)
    if current.eligible_level == Level.NONE:
        return None
    until = day + dt.timedelta(days=horizon_days)
    for candidate in change_dates(staff, certificates, qchecks, policies, day, until):
        later = eligibility_on(organisation, staff, certificates, qchecks, policies, candidate)
        if later.eligible_level.rank < current.eligible_level.rank:
            was_met = {c.code for c in current.conditions if c.met}
            failing = tuple(c for c in later.conditions if not c.met and c.code in was_met)
            return LevelDrop(
                candidate, current.eligible_level, later.eligible_level, failing, later
            )
    return None


def coverage_counts(
    staff: Iterable[StaffFacts], certificates: Iterable[CertificateFacts], day: dt.date
) -> dict[tuple[str, str], int]:
    """Head-count per (language role, track) of active staff holding a valid certificate."""
    active = {s.id: s.language_role for s in staff if is_active(s, day)}
    holders: set[tuple[int, str]] = {
        (c.staff_id, c.track) for c in certificates if c.staff_id in active and is_valid(c, day)
    }
    counts: dict[tuple[str, str], int] = {}
    for staff_id, track in holders:
        key = (active[staff_id], track)
        counts[key] = counts.get(key, 0) + 1
    return counts
