"""Reads of reviews: the list of years, and one review's organisations for its page
(flagged first, filters) and its download."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from certification.tables import Review, ReviewEntry


@dataclass(frozen=True)
class ReviewRow:
    """A yearly review: its year, state and who opened and closed it when."""

    id: int
    year: int
    state: str
    as_of: dt.date
    policy_effective_from: dt.date
    opened_at: dt.datetime
    opened_by: str
    closed_at: dt.datetime | None
    closed_by: str | None


@dataclass(frozen=True)
class EntryDecision:
    """The decision recorded on one organisation of a review (all None: none yet)."""

    decision: str | None
    reason: str | None
    decided_by: str | None


async def reviews() -> list[ReviewRow]:
    rows = await Review.select().order_by(Review.year, ascending=False)
    return [ReviewRow(**row) for row in rows]


async def review_of(year: int) -> ReviewRow | None:
    row = await Review.select().where(Review.year == year).first()
    return ReviewRow(**row) if row else None


@dataclass
class EntryFilter:
    flagged: bool = False
    undecided: bool = False
    q: str = ""

    def query_string(self) -> str:
        params = {
            "flagged": "true" if self.flagged else "",
            "undecided": "true" if self.undecided else "",
            "q": self.q,
        }
        return urlencode({k: v for k, v in params.items() if v})


async def review_entries(review_id: int, filters: EntryFilter | None = None) -> list[dict]:
    """Every organisation of the review with its frozen figures and decision: flagged
    first, then by code (one query)."""
    query = (
        ReviewEntry.select(
            *ReviewEntry.all_columns(),
            ReviewEntry.organisation.code.as_alias("code"),
            ReviewEntry.organisation.name_nl.as_alias("name_nl"),
            ReviewEntry.organisation.name_fr.as_alias("name_fr"),
        )
        .where(ReviewEntry.review == review_id)
        .output(load_json=True)
    )
    filters = filters or EntryFilter()
    if filters.flagged:
        query = query.where(ReviewEntry.flag.is_not_null())
    if filters.undecided:
        query = query.where(ReviewEntry.decision.is_null())
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(
            ReviewEntry.organisation.code.ilike(like)
            | ReviewEntry.organisation.name_nl.ilike(like)
            | ReviewEntry.organisation.name_fr.ilike(like)
        )
    rows = await query
    return sorted(rows, key=lambda row: (row["flag"] is None, row["code"]))


async def review_entry(review_id: int, code: str) -> EntryDecision | None:
    row = (
        await ReviewEntry.select(ReviewEntry.decision, ReviewEntry.reason, ReviewEntry.decided_by)
        .where((ReviewEntry.review == review_id) & (ReviewEntry.organisation.code == code))
        .first()
    )
    return EntryDecision(**row) if row else None
