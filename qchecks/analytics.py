"""Q-check analytics: one organisation's figures and DG R&O's ranking of every organisation.

The database does the counting: three set-based aggregates per organisation (the window
grouped by consultant, language role and score band; every quarter; the criteria of the
window), so the raw Q-checks never reach Python whatever their number. pandas shapes
those few aggregate rows. Every average is `rules.window_average` of a sum and a count the
database returned; pages and downloads show it through `rules.format_average`.

`ranking_rows` is pure pandas over the engine's official figures (no database): the web
module hands it every organisation's eligibility on a day and a year earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from core import versions
from core.database import is_sqlite, read_transaction
from core.paging import PAGE_SIZE, Page, clamp_page, page_count
from qchecks.rules import format_average, one_year_before, window_average
from qchecks.tables import QCheck

BANDS = 10  # 0–10, 10–20, …, 90–100 (a score of 100 falls in the top band)
BAND_WIDTH_HUNDREDTHS = 1_000
NEAR_POINTS = Decimal(5)  # the ranking flags an average within this many points of the threshold
LEVELS = ("client", "individual", "none")


# --- SQL: only constants are interpolated; every value is a bound parameter ({}) -------------

_BAND = (
    f"CASE WHEN q.score_hundredths >= {(BANDS - 1) * BAND_WIDTH_HUNDREDTHS} THEN {BANDS - 1} "
    f"ELSE q.score_hundredths / {BAND_WIDTH_HUNDREDTHS} END"
)

# The window (D minus one year < checked_on <= D) per consultant, language role and band:
# a few rows per consultant, from which pandas derives every window figure.
_WINDOW = f"""
SELECT q.consultant AS consultant_id, s.first_name AS first_name, s.last_name AS last_name,
       s.email AS email, f.language_role AS language_role, {_BAND} AS band,
       SUM(q.score_hundredths) AS total, COUNT(*) AS n
FROM qcheck q
JOIN selection_file f ON f.id = q.selection_file
JOIN staff_member s ON s.id = q.consultant
WHERE q.organisation = {{}} AND q.checked_on > {{}} AND q.checked_on <= {{}}
GROUP BY q.consultant, s.first_name, s.last_name, s.email, f.language_role, {_BAND}
"""  # noqa: S608 - constants only

# Year and quarter of `checked_on`: SQLite keeps dates as ISO text, PostgreSQL as dates.
_QUARTER_SQLITE = (
    "CAST(strftime('%Y', q.checked_on) AS INTEGER)",
    "(CAST(strftime('%m', q.checked_on) AS INTEGER) + 2) / 3",
)
_QUARTER_POSTGRES = (
    "CAST(EXTRACT(YEAR FROM q.checked_on) AS INTEGER)",
    "CAST(EXTRACT(QUARTER FROM q.checked_on) AS INTEGER)",
)
_QUARTERS = """
SELECT {year} AS year, {quarter} AS quarter, SUM(q.score_hundredths) AS total, COUNT(*) AS n
FROM qcheck q
WHERE q.organisation = {{}} AND q.checked_on <= {{}}
GROUP BY {year}, {quarter}
"""

# The criteria scored in the window, per code and checklist version (for the names).
_CRITERIA = """
SELECT c.criterion AS code, d.name_nl AS name_nl, d.name_fr AS name_fr,
       d.active_from AS active_from, SUM(c.score_hundredths) AS total, COUNT(*) AS n
FROM qcheck_criterion c
JOIN qcheck q ON q.id = c.qcheck
LEFT JOIN qcheck_criterion_def d ON d.id = c.definition
WHERE q.organisation = {} AND q.checked_on > {} AND q.checked_on <= {}
  AND c.score_hundredths IS NOT NULL
GROUP BY c.criterion, d.id, d.name_nl, d.name_fr, d.active_from
"""


def _param(day: dt.date) -> object:
    # SQLite keeps dates as ISO text; asyncpg wants date objects.
    return day.isoformat() if is_sqlite() else day


def _quarters_sql() -> str:
    year, quarter = _QUARTER_SQLITE if is_sqlite() else _QUARTER_POSTGRES
    return _QUARTERS.format(year=year, quarter=quarter)


# --- one organisation --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationAnalytics:
    """One organisation's Q-check figures on `as_of`. Each list holds plain rows (dicts)
    with `count`, `sum_hundredths` and `average` (None when unknown), ready for a table."""

    organisation_id: int
    as_of: dt.date
    window_after: dt.date  # the window is window_after < checked_on <= as_of
    window_sum_hundredths: int
    window_count: int
    consultants: list[dict[str, Any]] = field(default_factory=list)  # weakest first
    roles: list[dict[str, Any]] = field(default_factory=list)
    quarters: list[dict[str, Any]] = field(default_factory=list)  # every year, in order
    distribution: list[dict[str, Any]] = field(default_factory=list)  # every band
    criteria: list[dict[str, Any]] = field(default_factory=list)  # weakest first

    @property
    def window_average(self) -> float | None:
        """Every Q-check of the window, whoever the consultant (not only AZ-certified)."""
        return window_average(self.window_sum_hundredths, self.window_count)


# Per (organisation, day) and data version: every write of Q-checks replaces the version.
_ANALYTICS = versions.VersionedCache(size=128)


def clear_cache() -> None:
    _ANALYTICS.clear()


async def organisation_analytics(organisation_id: int, day: dt.date) -> OrganisationAnalytics:
    """The organisation's figures on `day`, computed once per data version."""
    return await _ANALYTICS.get(
        ("organisation", organisation_id, day), lambda: read_analytics(organisation_id, day)
    )


async def read_analytics(organisation_id: int, day: dt.date) -> OrganisationAnalytics:
    """The figures read from the database (three aggregate queries), not kept."""
    after = one_year_before(day)
    window_args = (organisation_id, _param(after), _param(day))
    async with read_transaction():
        window = await QCheck.raw(_WINDOW, *window_args)
        quarters = await QCheck.raw(_quarters_sql(), organisation_id, _param(day))
        criteria = await QCheck.raw(_CRITERIA, *window_args)
    frame = _frame(
        window,
        ["consultant_id", "first_name", "last_name", "email", "language_role", "band"],
    )
    return OrganisationAnalytics(
        organisation_id=organisation_id,
        as_of=day,
        window_after=after,
        window_sum_hundredths=int(frame["total"].sum()),
        window_count=int(frame["n"].sum()),
        consultants=consultant_rows(frame),
        roles=role_rows(frame),
        quarters=quarter_rows(_frame(quarters, ["year", "quarter"])),
        distribution=distribution_rows(frame),
        criteria=criterion_rows(_frame(criteria, ["code", "name_nl", "name_fr", "active_from"])),
    )


def _frame(rows: list[dict[str, Any]], keys: list[str]) -> pd.DataFrame:
    """Aggregate rows as a frame with integer `total` and `n`, also when there are none."""
    frame = pd.DataFrame(rows, columns=[*keys, "total", "n"])
    frame[["total", "n"]] = frame[["total", "n"]].fillna(0).astype("int64")
    return frame


def _with_average(frame: pd.DataFrame) -> pd.DataFrame:
    """`count`, `sum_hundredths` and the unrounded `average` from the summed aggregates."""
    frame = frame.rename(columns={"total": "sum_hundredths", "n": "count"})
    frame["average"] = [
        window_average(int(total), int(count))
        for total, count in zip(frame["sum_hundredths"], frame["count"], strict=True)
    ]
    return frame


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain Python values (no numpy scalars, None for missing) for templates and exports."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [
        {
            key: value.item() if isinstance(value, np.generic) else value
            for key, value in row.items()
        }
        for row in rows
    ]


def consultant_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per consultant: name, e-mail, Q-checks and average in the window, weakest first."""
    keys = ["consultant_id", "first_name", "last_name", "email"]
    grouped = _with_average(frame.groupby(keys, as_index=False)[["total", "n"]].sum())
    grouped = grouped.sort_values(
        ["average", "count", "last_name", "first_name", "email"],
        ascending=[True, False, True, True, True],
        kind="stable",
    )
    return _records(grouped)


def role_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per language role of the selection files: Q-checks and average in the window."""
    grouped = frame.groupby("language_role", as_index=False)[["total", "n"]].sum()
    return _records(_with_average(grouped).sort_values("language_role"))


def quarter_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per calendar quarter from the first Q-check's to the last one's: Q-checks and
    average, in order; a quarter without Q-checks in between is there with none (unknown
    average), so a trend never joins quarters that are not next to each other."""
    if frame.empty:
        return []
    frame = frame.astype({"year": "int64", "quarter": "int64"})
    index = frame["year"] * 4 + frame["quarter"] - 1
    every = pd.RangeIndex(int(index.min()), int(index.max()) + 1)
    full = frame.set_index(index)[["total", "n"]].reindex(every, fill_value=0)
    full.insert(0, "quarter", every % 4 + 1)
    full.insert(0, "year", every // 4)
    return _records(_with_average(full.reset_index(drop=True)))


def distribution_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Q-checks of the window per 10-point band of the score; every band, zeros included.
    `low` and `high` are the band's bounds in percent (low <= score < high; 100 counts
    in the top band)."""
    counts = (
        frame.astype({"band": "int64"})
        .groupby("band")["n"]
        .sum()
        .reindex(range(BANDS), fill_value=0)
    )
    width = BAND_WIDTH_HUNDREDTHS // 100
    return [
        {
            "band": int(band),
            "low": int(band) * width,
            "high": (int(band) + 1) * width,
            "count": int(n),
        }
        for band, n in counts.items()
    ]


def criterion_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per criterion code scored in the window: its names (of the latest checklist version
    scored on; None for a code scored without a version), Q-checks and average, weakest
    first."""
    if frame.empty:
        return []
    frame = frame.assign(version=frame["active_from"].map(lambda d: "" if d is None else str(d)))
    latest = frame.sort_values(["code", "version"]).groupby("code").tail(1)
    names = latest.set_index("code")[["name_nl", "name_fr"]]
    grouped = _with_average(frame.groupby("code", as_index=False)[["total", "n"]].sum())
    grouped = grouped.join(names, on="code").sort_values(["average", "code"], kind="stable")
    return _records(grouped[["code", "name_nl", "name_fr", "count", "sum_hundredths", "average"]])


# --- downloads -----------------------------------------------------------------------------

TABLES = ("consultants", "roles", "quarters", "distribution", "criteria")


def _figure(value: float | None) -> Decimal | None:
    """An average as downloads show it: truncated to two decimals like the pages (a number
    in the spreadsheet, 80.00 in the CSV), empty when unknown."""
    return None if value is None else Decimal(format_average(value))


def analytics_table(
    analytics: OrganisationAnalytics, table: str
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one of `TABLES` for a download; KeyError for another name."""
    if table == "consultants":
        return (
            ["consultant_email", "first_name", "last_name", "qchecks", "average"],
            [
                [r["email"], r["first_name"], r["last_name"], r["count"], _figure(r["average"])]
                for r in analytics.consultants
            ],
        )
    if table == "roles":
        return (
            ["language_role", "qchecks", "average"],
            [[r["language_role"], r["count"], _figure(r["average"])] for r in analytics.roles],
        )
    if table == "quarters":
        return (
            ["year", "quarter", "qchecks", "average"],
            [
                [r["year"], r["quarter"], r["count"], _figure(r["average"])]
                for r in analytics.quarters
            ],
        )
    if table == "distribution":
        return (
            ["score_from", "score_below", "qchecks"],
            [[r["low"], r["high"], r["count"]] for r in analytics.distribution],
        )
    if table == "criteria":
        return (
            ["criterion", "name_nl", "name_fr", "qchecks", "average"],
            [
                [r["code"], r["name_nl"], r["name_fr"], r["count"], _figure(r["average"])]
                for r in analytics.criteria
            ],
        )
    raise KeyError(table)


# --- DG R&O's ranking ----------------------------------------------------------------------


@dataclass(frozen=True)
class RankingFilter:
    """The ranking's filters: a text in the code or a name, an eligible level, near only."""

    q: str = ""
    level: str = ""
    near: bool = False

    @classmethod
    def from_query(cls, q: str | None, level: str | None, near: bool) -> RankingFilter:
        return cls(
            q=(q or "").strip()[:200], level=level if level in LEVELS else "", near=bool(near)
        )


RANKING_COLUMNS = (
    "rank",
    "code",
    "name_nl",
    "name_fr",
    "average",
    "count",
    "previous_average",
    "change",
    "granted",
    "eligible",
    "near",
    "below",
)


def _change(now: Any, before: Any) -> float | None:
    """Points gained since a year earlier, from the averages' decimal digits (a float
    subtraction would make 80.3 - 80.2 read 0.09); None when either is unknown."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return float(Decimal(repr(float(now))) - Decimal(repr(float(before))))


def _gap(average: Any, threshold_hundredths: int) -> Decimal | None:
    """Points above (positive) or below the threshold, from the average's decimal digits
    (85.07 - 80.07 is exactly 5, not 5.000000000000014); None when unknown."""
    if average is None or pd.isna(average):
        return None
    return Decimal(repr(float(average))) - Decimal(threshold_hundredths) / 100


def ranking_rows(
    current: list[dict[str, Any]],
    previous: list[dict[str, Any]],
    threshold_hundredths: int,
    filters: RankingFilter,
) -> list[dict[str, Any]]:
    """Every organisation ranked by its official window average, best first, unknown last,
    and only those the filters keep (`ranked_rows`, then `filter_ranking`)."""
    return filter_ranking(ranked_rows(current, previous, threshold_hundredths), filters)


def ranked_rows(
    current: list[dict[str, Any]], previous: list[dict[str, Any]], threshold_hundredths: int
) -> list[dict[str, Any]]:
    """Every organisation ranked by its official window average, best first, unknown last
    (then by code).

    `current` and `previous` hold one dict per organisation (`code`, `name_nl`, `name_fr`,
    `average` or None, `count`, `granted`, `eligible`) on the day and a year earlier. Each
    row gets its `rank` (equal averages share one; unknown has none), the
    `previous_average` and the `change` in points (None when either is unknown), `near`
    (within NEAR_POINTS of the threshold, above or below, inclusive) and `below` (a known
    average under the threshold; an unknown one is neither, and the page says "unknown").
    """
    columns = ["code", "name_nl", "name_fr", "average", "count", "granted", "eligible"]
    frame = pd.DataFrame(current, columns=columns)
    if frame.empty:
        return []
    earlier = pd.DataFrame(previous, columns=["code", "average"]).rename(
        columns={"average": "previous_average"}
    )
    frame = frame.merge(earlier, on="code", how="left")
    average = pd.to_numeric(frame["average"], errors="coerce")
    frame["change"] = [
        _change(now, before)
        for now, before in zip(frame["average"], frame["previous_average"], strict=True)
    ]
    gaps = [_gap(value, threshold_hundredths) for value in frame["average"]]
    frame["near"] = [gap is not None and abs(gap) <= NEAR_POINTS for gap in gaps]
    frame["below"] = [gap is not None and gap < 0 for gap in gaps]
    frame["rank"] = average.rank(method="min", ascending=False)
    frame["_unknown"] = average.isna()
    frame["_order"] = average
    frame = frame.sort_values(
        ["_unknown", "_order", "code"], ascending=[True, False, True], kind="stable"
    )
    return [
        {**row, "rank": None if row["rank"] is None else int(row["rank"])}
        for row in _records(frame[list(RANKING_COLUMNS)])
    ]


def filter_ranking(rows: list[dict[str, Any]], filters: RankingFilter) -> list[dict[str, Any]]:
    """The ranked rows the filters keep, in rank order: a text in the code or a name, the
    eligible level, near the threshold only. Each keeps its rank among all."""
    needle = filters.q.lower()
    return [
        row
        for row in rows
        if (
            not needle
            or any(needle in (row[key] or "").lower() for key in ("code", "name_nl", "name_fr"))
        )
        and (not filters.level or row["eligible"] == filters.level)
        and (not filters.near or row["near"])
    ]


def ranking_page(rows: list[dict[str, Any]], page: int) -> Page:
    """The asked page of the ranked rows (pages of `core.paging`, clamped)."""
    number = clamp_page(page, len(rows))
    start = (number - 1) * PAGE_SIZE
    return Page(
        rows=rows[start : start + PAGE_SIZE],
        total=len(rows),
        page=number,
        pages=page_count(len(rows)),
    )


def ranking_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the ranking's download (averages truncated like the page)."""
    header = [
        "rank",
        "organisation",
        "name_nl",
        "name_fr",
        "qcheck_average",
        "qcheck_count",
        "previous_year_average",
        "change",
        "granted_level",
        "eligible_level",
        "near_threshold",
        "below_threshold",
    ]
    return header, [
        [
            r["rank"],
            r["code"],
            r["name_nl"],
            r["name_fr"],
            _figure(r["average"]),
            r["count"],
            _figure(r["previous_average"]),
            _figure(r["change"]),
            r["granted"],
            r["eligible"],
            "yes" if r["near"] else "no",
            "yes" if r["below"] else "no",
        ]
        for r in rows
    ]
