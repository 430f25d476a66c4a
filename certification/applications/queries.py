"""Reads of applications: an organisation's, and DG R&O's queue of open ones."""

from __future__ import annotations

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


async def submitted_count() -> int:
    """Applications for client certification waiting for DG R&O's decision."""
    return int(await Application.count().where(Application.state == ApplicationState.SUBMITTED))
