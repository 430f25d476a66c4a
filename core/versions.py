"""Data versions: what a cache of computed results is keyed on, so it is never stale.

Every service write that can change eligibility calls `bump` in its own transaction;
readers read the version *before* the data, so a result cached under a version was
computed from data at least that new.
"""

from __future__ import annotations

import uuid

from core.tables import DataVersion

ELIGIBILITY = "eligibility"


async def bump(name: str = ELIGIBILITY) -> None:
    """Replace the version's token (call it inside the write's transaction)."""
    await DataVersion.raw(
        "INSERT INTO data_version (name, token) VALUES ({}, {}) "
        "ON CONFLICT (name) DO UPDATE SET token = excluded.token",
        name,
        uuid.uuid4().hex,
    )


async def version(name: str = ELIGIBILITY) -> str | None:
    """The current token, or None when nothing was ever written through a service."""
    row = await DataVersion.select(DataVersion.token).where(DataVersion.name == name).first()
    return None if row is None else str(row["token"])
