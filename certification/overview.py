"""DG R&O's overview: every organisation's levels and gaps, filtered and sorted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from certification import explain
from certification.eligibility import eligibility_for_all
from certification.rules import Level
from core import versions
from core.i18n import current_language
from core.paging import PAGE_SIZE, Page, clamp_page, page_count
from organisations.queries import organisation_names


@dataclass(frozen=True)
class OverviewRow:
    """One organisation on the overview: its levels, figures and gaps (in words)."""

    code: str
    name_nl: str
    name_fr: str
    eligible: str
    granted: str
    certified_staff: int
    qcheck_average: float | None
    gaps: list[str]
    # Granted more than it now qualifies for: the yearly review flags it.
    attention: bool


SORT_KEYS: dict[str, Callable[[OverviewRow], Any]] = {
    "code": lambda row: row.code,
    "eligible": lambda row: (-Level(row.eligible).rank, row.code),
    "granted": lambda row: (-Level(row.granted).rank, row.code),
    "certified": lambda row: (-row.certified_staff, row.code),
    "average": lambda row: (
        row.qcheck_average is None,
        -(row.qcheck_average or 0),
        row.code,
    ),
}


@dataclass(frozen=True)
class OverviewFilter:
    as_of: dt.date
    level: str = ""
    q: str = ""
    sort: str = "code"
    attention: bool = False

    @classmethod
    def from_query(
        cls, as_of: dt.date, level: str | None, q: str | None, sort: str | None, attention: bool
    ) -> OverviewFilter:
        return cls(
            as_of=as_of,
            level=level if level in {"none", "individual", "client"} else "",
            q=(q or "").strip()[:200],
            sort=sort if sort in SORT_KEYS else "code",
            attention=attention,
        )

    def query_string(self, page: int | None = None) -> str:
        params = {
            "as_of": self.as_of.isoformat(),
            "q": self.q,
            "level": self.level,
            "sort": "" if self.sort == "code" else self.sort,
            "attention": "true" if self.attention else "",
            "page": str(page) if page else "",
        }
        return urlencode({k: v for k, v in params.items() if v})


@dataclass(frozen=True)
class Overview:
    page: Page[OverviewRow]  # the rows of the asked page, among those that pass the filters
    matched: int
    total: int  # organisations in all


# Every organisation's row per day, language and data version (the gaps are in words).
_ROWS = versions.VersionedCache(size=32)


async def overview(filters: OverviewFilter, page: int) -> Overview:
    """One page of the organisations that pass the filters, sorted; every organisation's
    row is computed once per day, language and data version."""
    level, q, attention, sort = filters.level, filters.q, filters.attention, filters.sort
    day = filters.as_of
    rows = await _ROWS.get((day, current_language()), lambda: _all_rows(day))
    total = len(rows)
    if level in {"none", "individual", "client"}:
        rows = [row for row in rows if row.eligible == level]
    if q:
        needle = q.strip().lower()
        rows = [
            row
            for row in rows
            if needle in row.code.lower()
            or needle in row.name_nl.lower()
            or needle in row.name_fr.lower()
        ]
    if attention:
        rows = [row for row in rows if row.attention]
    rows = sorted(rows, key=SORT_KEYS[sort])  # a new list: the kept one stays as it is
    page = clamp_page(page, len(rows))
    start = (page - 1) * PAGE_SIZE
    return Overview(
        page=Page(
            rows=rows[start : start + PAGE_SIZE],
            total=len(rows),
            page=page,
            pages=page_count(len(rows)),
        ),
        matched=len(rows),
        total=total,
    )


async def _all_rows(day: dt.date) -> list[OverviewRow]:
    names = await organisation_names()
    rows: list[OverviewRow] = []
    for result in await eligibility_for_all(day):
        eligibility = result.eligibility
        rows.append(
            OverviewRow(
                code=eligibility.organisation,
                name_nl=names[eligibility.organisation]["name_nl"],
                name_fr=names[eligibility.organisation]["name_fr"],
                eligible=str(eligibility.eligible_level),
                granted=str(result.granted),
                certified_staff=eligibility.certified_staff,
                qcheck_average=eligibility.qcheck_average,
                gaps=[explain.gap(c) for c in eligibility.unmet],
                attention=result.granted.rank > eligibility.eligible_level.rank,
            )
        )
    return rows
