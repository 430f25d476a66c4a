"""Reads of organisations and staff that every area's pages use."""

from __future__ import annotations

from typing import Any

from organisations.rules import split_language_roles
from organisations.tables import Organisation, StaffMember


async def organisation_by_code(code: str) -> dict[str, Any] | None:
    """The organisation's row with `roles` (its language roles as a list), or None."""
    row = await Organisation.select().where(Organisation.code == code).first()
    if row is not None:
        row["roles"] = split_language_roles(row["language_roles"])
    return row


async def organisation_codes() -> list[str]:
    rows = await Organisation.select(Organisation.code).order_by(Organisation.code)
    return [row["code"] for row in rows]


async def organisation_names() -> dict[str, dict[str, str]]:
    """code -> {"name_nl", "name_fr"} of every organisation."""
    rows = await Organisation.select(Organisation.code, Organisation.name_nl, Organisation.name_fr)
    return {row["code"]: row for row in rows}


async def staff_member(organisation_id: int, staff_id: int) -> dict[str, Any] | None:
    """The staff member when they belong to this organisation, else None."""
    return (
        await StaffMember.select()
        .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
        .first()
    )


async def staff_export_rows(code: str) -> list[tuple]:
    """The organisation's staff in the columns of the `staff` import (an export re-imports)."""
    rows = (
        await StaffMember.select(
            StaffMember.email,
            StaffMember.first_name,
            StaffMember.last_name,
            StaffMember.language_role,
            StaffMember.start_date,
            StaffMember.end_date,
        )
        .where(StaffMember.organisation.code == code)
        .order_by(StaffMember.email)
    )
    return [
        (
            code,
            r["email"],
            r["first_name"],
            r["last_name"],
            r["language_role"],
            r["start_date"],
            r["end_date"],
        )
        for r in rows
    ]
