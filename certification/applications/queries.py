"""Reads of applications: an organisation's, and DG R&O's queue of open ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.applications.lifecycle import ApplicationState
from certification.tables import Application


@dataclass(frozen=True)
class ApplicationRow:
    """An application with its frozen eligibility (the SPEC 5.2 object, as submitted)."""

    id: int
    code: str
    name_nl: str
    name_fr: str
    state: str
    frozen: dict[str, Any]
    submitted_at: dt.datetime
    decided_by: str | None
    reason: str | None
    revision: int


_COLUMNS = (
    Application.id,
    Application.organisation.code.as_alias("code"),
    Application.organisation.name_nl.as_alias("name_nl"),
    Application.organisation.name_fr.as_alias("name_fr"),
    Application.state,
    Application.frozen,
    Application.submitted_at,
    Application.decided_by,
    Application.reason,
    Application.revision,
)


async def applications_of(code: str) -> list[ApplicationRow]:
    """An organisation's applications, newest first."""
    rows = await (
        Application.select(*_COLUMNS)
        .where(Application.organisation.code == code)
        .order_by(Application.id, ascending=False)
        .output(load_json=True)
    )
    return [ApplicationRow(**row) for row in rows]


async def queue() -> list[ApplicationRow]:
    """The open applications, oldest first (DG R&O's queue)."""
    rows = await (
        Application.select(*_COLUMNS)
        .where(Application.state == ApplicationState.SUBMITTED)
        .order_by(Application.id)
        .output(load_json=True)
    )
    return [ApplicationRow(**row) for row in rows]


@dataclass(frozen=True)
class DecidedApplication:
    """An application that is no longer open, as DG R&O's history lists it."""

    id: int
    code: str
    state: str
    submitted_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
    override: bool


HISTORY_SHOWN = 50


async def decided(limit: int = HISTORY_SHOWN) -> list[DecidedApplication]:
    """The applications decided or withdrawn, the latest first."""
    rows = (
        await Application.select(
            Application.id,
            Application.organisation.code.as_alias("code"),
            Application.state,
            Application.submitted_at,
            Application.decided_by,
            Application.decided_at,
            Application.reason,
            Application.override,
        )
        .where(Application.state != ApplicationState.SUBMITTED)
        .order_by(Application.id, ascending=False)
        .limit(limit)
    )
    return [DecidedApplication(**row) for row in rows]


async def submitted_count() -> int:
    """Applications for client certification waiting for DG R&O's decision."""
    return int(await Application.count().where(Application.state == ApplicationState.SUBMITTED))
