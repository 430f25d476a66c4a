"""Reads of Q-checks: the checklist in force, one Q-check with its criteria, and the lists
each reader may see (DG R&O all; an organisation its own; a consultant theirs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from core.paging import Page, fetch_page
from core.rows import columns_of, rows_as
from qchecks.tables import ClosedYear, Criterion, QCheck, QCheckCriterion


def in_force_on(day: dt.date) -> Any:
    """The clause of the checklist versions in force on `day`."""
    return (Criterion.active_from <= day) & (
        Criterion.active_until.is_null() | (Criterion.active_until >= day)
    )


@dataclass(frozen=True)
class CriterionVersion:
    """One version of a checklist criterion: its names, weight and days in force."""

    id: int
    code: str
    name_nl: str
    name_fr: str
    weight: int
    active_from: dt.date
    active_until: dt.date | None


async def criteria_in_force(day: dt.date) -> list[CriterionVersion]:
    """The checklist on `day`: one version per criterion code, in code order."""
    rows = (
        await Criterion.select(*columns_of(Criterion, CriterionVersion))
        .where(in_force_on(day))
        .order_by(Criterion.code)
    )
    return rows_as(CriterionVersion, rows)


async def criteria_versions() -> list[CriterionVersion]:
    """Every version of every criterion, by code then start: the checklist's history."""
    rows = await (
        Criterion.select(*columns_of(Criterion, CriterionVersion))
        .order_by(Criterion.code)
        .order_by(Criterion.active_from)
    )
    return rows_as(CriterionVersion, rows)


def _qcheck_columns() -> list[Any]:
    return [
        QCheck.id,
        QCheck.checked_on,
        QCheck.score_hundredths,
        QCheck.checked_by,
        QCheck.comment,
        QCheck.updated_at,
        QCheck.revision,
        QCheck.selection_file.reference.as_alias("reference"),
        QCheck.selection_file.language_role.as_alias("language_role"),
        QCheck.selection_file.closed_on.as_alias("closed_on"),
        QCheck.organisation.code.as_alias("organisation_code"),
        QCheck.organisation.name_nl.as_alias("organisation_name_nl"),
        QCheck.organisation.name_fr.as_alias("organisation_name_fr"),
        QCheck.consultant.as_alias("consultant_id"),
        QCheck.consultant.email.as_alias("consultant_email"),
        QCheck.consultant.first_name.as_alias("consultant_first_name"),
        QCheck.consultant.last_name.as_alias("consultant_last_name"),
    ]


@dataclass(frozen=True)
class QCheckRow:
    """A Q-check with its selection file, organisation and consultant: a list's row."""

    id: int
    checked_on: dt.date
    score_hundredths: int
    checked_by: str
    comment: str
    updated_at: dt.datetime
    revision: int
    reference: str
    language_role: str
    closed_on: dt.date
    organisation_code: str
    organisation_name_nl: str
    organisation_name_fr: str
    consultant_id: int
    consultant_email: str
    consultant_first_name: str
    consultant_last_name: str


@dataclass(frozen=True)
class ScoredCriterion:
    """A criterion's score on one Q-check (None: not scored) and the checker's comment."""

    criterion: str
    score_hundredths: int | None
    comment: str
    name_nl: str
    name_fr: str
    weight: int


@dataclass(frozen=True)
class QCheckDetails(QCheckRow):
    """A Q-check with its scored criteria."""

    criteria: list[ScoredCriterion]


async def qcheck_details(qcheck_id: int) -> QCheckDetails | None:
    """One Q-check with its file, organisation, consultant and scored criteria (two
    queries), or None."""
    row = await QCheck.select(*_qcheck_columns()).where(QCheck.id == qcheck_id).first()
    if row is None:
        return None
    criteria = await (
        QCheckCriterion.select(
            QCheckCriterion.criterion,
            QCheckCriterion.score_hundredths,
            QCheckCriterion.comment,
            QCheckCriterion.definition.name_nl.as_alias("name_nl"),
            QCheckCriterion.definition.name_fr.as_alias("name_fr"),
            QCheckCriterion.definition.weight.as_alias("weight"),
        )
        .where(QCheckCriterion.qcheck == row["id"])
        .order_by(QCheckCriterion.criterion)
    )
    return QCheckDetails(**row, criteria=[ScoredCriterion(**c) for c in criteria])


@dataclass
class QCheckFilter:
    """The list's filters: one organisation, one consultant (a staff member's own, by the
    id of the reader's staff record), a year of the check, a text in the reference or the
    consultant's name."""

    organisation_code: str | None = None
    consultant_id: int | None = None
    year: int | None = None
    q: str = ""

    def clauses(self) -> list[Any]:
        clauses: list[Any] = []
        if self.organisation_code is not None:
            clauses.append(QCheck.organisation.code == self.organisation_code)
        if self.consultant_id is not None:
            clauses.append(QCheck.consultant == self.consultant_id)
        if self.year is not None:
            clauses.append(QCheck.checked_on >= dt.date(self.year, 1, 1))
            clauses.append(QCheck.checked_on <= dt.date(self.year, 12, 31))
        if self.q:
            like = f"%{self.q}%"
            clauses.append(
                QCheck.selection_file.reference.ilike(like)
                | QCheck.consultant.last_name.ilike(like)
                | QCheck.consultant.first_name.ilike(like)
            )
        return clauses

    def query_string(self, page: int) -> str:
        params = {"q": self.q, "year": str(self.year or ""), "page": str(page)}
        return urlencode({k: v for k, v in params.items() if v})


async def qcheck_page(filters: QCheckFilter, page: int) -> Page[QCheckRow]:
    """One page of the Q-checks that pass the filters, newest check first (two queries)."""
    query = QCheck.select(*_qcheck_columns()).order_by(QCheck.checked_on, ascending=False)
    query = query.order_by(QCheck.id, ascending=False)
    return await fetch_page(query, QCheck.count(), filters.clauses(), page, into=QCheckRow)


async def closed_years() -> set[int]:
    return {row["year"] for row in await ClosedYear.select(ClosedYear.year)}
