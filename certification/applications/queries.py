"""Reads of applications: an organisation's, and DG R&O's queue of open ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.applications.lifecycle import ApplicationState
from certification.tables import Application


async def applications_of(code: str) -> list[dict[str, Any]]:
    """An organisation's applications, newest first."""
    return await (
        Application.select(*Application.all_columns())
        .where(Application.organisation.code == code)
        .order_by(Application.id, ascending=False)
        .output(load_json=True)
    )


async def queue() -> list[dict[str, Any]]:
    """The open applications, oldest first (DG R&O's queue)."""
    return await (
        Application.select(
            *Application.all_columns(),
            Application.organisation.code.as_alias("code"),
            Application.organisation.name_nl.as_alias("name_nl"),
            Application.organisation.name_fr.as_alias("name_fr"),
        )
        .where(Application.state == ApplicationState.SUBMITTED)
        .order_by(Application.id)
        .output(load_json=True)
    )


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
