"""Reads of organisations and staff that every area's pages use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.paging import Page, fetch_page
from core.rows import columns_of
from organisations.rules import MOVE_PENDING, is_active_on, split_language_roles
from organisations.tables import Organisation, StaffAssignment, StaffMember, StaffMoveRequest


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation as its pages read it; `roles` are its language roles as a list."""

    id: int
    code: str
    name_nl: str
    name_fr: str
    language_roles: str
    pro_partner_email: str | None
    client_certified_since: dt.date | None
    created_at: dt.datetime
    roles: list[str]


async def organisation_by_code(code: str) -> OrganisationRow | None:
    """The organisation, or None."""
    row = await Organisation.select().where(Organisation.code == code).first()
    if row is None:
        return None
    return OrganisationRow(**row, roles=split_language_roles(row["language_roles"]))


async def organisation_codes() -> list[str]:
    rows = await Organisation.select(Organisation.code).order_by(Organisation.code)
    return [row["code"] for row in rows]


async def organisation_names() -> dict[str, dict[str, str]]:
    """code -> {"name_nl", "name_fr"} of every organisation."""
    rows = await Organisation.select(Organisation.code, Organisation.name_nl, Organisation.name_fr)
    return {row["code"]: row for row in rows}


@dataclass(frozen=True)
class StaffMemberRow:
    """A staff member's record as the pages read it."""

    id: int
    organisation: int
    email: str
    first_name: str
    last_name: str
    language_role: str
    start_date: dt.date
    end_date: dt.date | None
    statute: str


async def staff_member(organisation_id: int, staff_id: int) -> StaffMemberRow | None:
    """The staff member when they belong to this organisation, else None."""
    row = await (
        StaffMember.select(*columns_of(StaffMember, StaffMemberRow))
        .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
        .first()
    )
    return StaffMemberRow(**row) if row is not None else None


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
            StaffMember.statute,
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
            r["statute"],
        )
        for r in rows
    ]


Posting = tuple[int, dt.date, dt.date | None]  # (organisation id, start, end or None)


async def staff_postings(email: str | None = None) -> dict[str, tuple[int, list[Posting]]]:
    """e-mail -> (staff id, postings): the current organisation with the staff member's
    dates, and every earlier one they moved from. Everybody, or the one `email`; two
    queries either way."""
    members = StaffMember.select(
        StaffMember.id,
        StaffMember.email,
        StaffMember.organisation,
        StaffMember.start_date,
        StaffMember.end_date,
    )
    earlier = StaffAssignment.select(
        StaffAssignment.staff,
        StaffAssignment.organisation,
        StaffAssignment.start_date,
        StaffAssignment.end_date,
    )
    if email is not None:
        members = members.where(StaffMember.email == email)
        earlier = earlier.where(StaffAssignment.staff.email == email)
    by_id: dict[int, list[Posting]] = {}
    postings: dict[str, tuple[int, list[Posting]]] = {}
    for row in await members:
        own: list[Posting] = [(row["organisation"], row["start_date"], row["end_date"])]
        by_id[row["id"]] = own
        postings[row["email"]] = (row["id"], own)
    for row in await earlier:
        if row["staff"] in by_id:
            by_id[row["staff"]].append((row["organisation"], row["start_date"], row["end_date"]))
    return postings


async def organisations_page(text: str, page: int) -> Page:
    """One page of the organisations, by code; `text` filters code and both names."""
    clauses = []
    if text:
        pattern = f"%{text}%"
        clauses.append(
            Organisation.code.ilike(pattern)
            | Organisation.name_nl.ilike(pattern)
            | Organisation.name_fr.ilike(pattern)
        )
    query = Organisation.select(
        Organisation.code,
        Organisation.name_nl,
        Organisation.name_fr,
        Organisation.language_roles,
        Organisation.pro_partner_email,
    ).order_by(Organisation.code)
    return await fetch_page(query, Organisation.count(), clauses, page)


@dataclass(frozen=True)
class MoveRequest:
    """A pending move of a staff member to the organisation that asked for it. `current`
    (the organisation that has the record now) is only filled for DG R&O."""

    id: int
    email: str
    first_name: str
    last_name: str
    language_role: str
    start_date: dt.date
    end_date: dt.date | None
    organisation: str
    requested_by: str
    requested_at: dt.datetime
    current: str | None


async def pending_moves(organisation_id: int | None = None) -> list[MoveRequest]:
    """The pending move requests, oldest first: every one (DG R&O), or those one
    organisation asked for (without saying where the record is now)."""
    query = StaffMoveRequest.select(
        StaffMoveRequest.id,
        StaffMoveRequest.staff.email.as_alias("email"),
        StaffMoveRequest.first_name,
        StaffMoveRequest.last_name,
        StaffMoveRequest.language_role,
        StaffMoveRequest.start_date,
        StaffMoveRequest.end_date,
        StaffMoveRequest.organisation.code.as_alias("organisation"),
        StaffMoveRequest.requested_by,
        StaffMoveRequest.requested_at,
        StaffMoveRequest.staff._.organisation._.code.as_alias("current"),
    ).where(StaffMoveRequest.state == MOVE_PENDING)
    if organisation_id is not None:
        query = query.where(StaffMoveRequest.organisation == organisation_id)
    rows = await query.order_by(StaffMoveRequest.requested_at).order_by(StaffMoveRequest.id)
    return [
        MoveRequest(**{**row, "current": row["current"] if organisation_id is None else None})
        for row in rows
    ]


async def pending_move_count(organisation_id: int | None = None) -> int:
    """Move requests waiting for DG R&O (asked by one organisation, or all)."""
    query = StaffMoveRequest.count().where(StaffMoveRequest.state == MOVE_PENDING)
    if organisation_id is not None:
        query = query.where(StaffMoveRequest.organisation == organisation_id)
    return int(await query)


@dataclass(frozen=True)
class StaffName:
    id: int
    first_name: str
    last_name: str


async def active_staff(organisation_id: int, today: dt.date) -> list[StaffName]:
    """The organisation's staff on `today`, by last name: whom a form may choose."""
    rows = (
        await StaffMember.select(
            StaffMember.id,
            StaffMember.first_name,
            StaffMember.last_name,
            StaffMember.start_date,
            StaffMember.end_date,
        )
        .where(StaffMember.organisation == organisation_id)
        .order_by(StaffMember.last_name)
        .order_by(StaffMember.first_name)
    )
    return [
        StaffName(row["id"], row["first_name"], row["last_name"])
        for row in rows
        if is_active_on(row["start_date"], row["end_date"], today)
    ]
