"""Reads of the staff and certificate register and of DG R&O's verification queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certification.certificates.forms import StaffFilter
from certification.certificates.lifecycle import CertificateStatus
from certification.tables import Certificate, Track
from core.paging import Page, fetch_page
from organisations.rules import is_active_on
from organisations.tables import StaffMember


async def track_codes() -> tuple[list[str], list[str]]:
    """Every track's code, and those open for new certificates, in catalogue order."""
    rows = await Track.select(Track.code, Track.active).order_by(Track.id)
    return [row["code"] for row in rows], [row["code"] for row in rows if row["active"]]


async def staff_page(organisation_id: int, filters: StaffFilter, page: int, today: dt.date) -> Page:
    """One page of the organisation's staff, each with their certificates."""
    clauses: list[Any] = [StaffMember.organisation == organisation_id]
    for word in filters.q.split():
        pattern = f"%{word}%"
        clauses.append(
            StaffMember.first_name.ilike(pattern)
            | StaffMember.last_name.ilike(pattern)
            | StaffMember.email.ilike(pattern)
        )
    if filters.language_role:
        clauses.append(StaffMember.language_role == filters.language_role)
    if filters.active == "yes":
        clauses.append(StaffMember.start_date <= today)
        clauses.append(StaffMember.end_date.is_null() | (StaffMember.end_date >= today))
    if filters.track or filters.status:
        held = Certificate.select(Certificate.staff)
        if filters.track:
            held = held.where(Certificate.track.code == filters.track)
        if filters.status:
            held = held.where(Certificate.status == filters.status)
        clauses.append(StaffMember.id.is_in(held))
    query = StaffMember.select().order_by(
        StaffMember.last_name, StaffMember.first_name, StaffMember.id
    )
    result = await fetch_page(query, StaffMember.count(), clauses, page)
    rows = result.rows
    by_staff: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    if by_staff:
        certificates = await (
            Certificate.select(
                *Certificate.all_columns(), Certificate.track.code.as_alias("track_code")
            )
            .where(Certificate.staff.is_in(list(by_staff)))
            .order_by(Certificate.obtained_on)
            .order_by(Certificate.id)
        )
        for certificate in certificates:
            by_staff[certificate["staff"]].append(certificate)
    for row in rows:
        row["certificates"] = by_staff[row["id"]]
        row["active"] = is_active_on(row["start_date"], row["end_date"], today)
    return result


async def pending_queue(organisation_code: str, page: int) -> Page:
    """Pending certificates of every organisation (or one), registered first, first."""
    where: list[Any] = [Certificate.status == CertificateStatus.PENDING]
    if organisation_code:
        where.append(Certificate.staff._.organisation._.code == organisation_code)
    query = Certificate.select(
        Certificate.id,
        Certificate.obtained_on,
        Certificate.valid_until,
        Certificate.status,
        Certificate.registered_by,
        Certificate.track.code.as_alias("track_code"),
        Certificate.staff.id.as_alias("staff_id"),
        Certificate.staff.first_name.as_alias("first_name"),
        Certificate.staff.last_name.as_alias("last_name"),
        Certificate.staff.email.as_alias("email"),
        Certificate.staff.language_role.as_alias("language_role"),
        Certificate.staff._.organisation._.code.as_alias("organisation_code"),
    ).order_by(Certificate.id)
    return await fetch_page(query, Certificate.count(), where, page)


@dataclass(frozen=True)
class CertificateDetails:
    """A certificate with whom and what it is about, as a decision needs it."""

    id: int
    status: str
    status_reason: str
    decided_by: str | None
    rejected: bool
    obtained_on: dt.date
    valid_until: dt.date | None
    track_code: str
    first_name: str
    last_name: str
    email: str
    organisation_code: str


async def certificate_details(certificate_id: int) -> CertificateDetails | None:
    row = (
        await Certificate.select(
            Certificate.id,
            Certificate.status,
            Certificate.status_reason,
            Certificate.decided_by,
            Certificate.rejected,
            Certificate.obtained_on,
            Certificate.valid_until,
            Certificate.track.code.as_alias("track_code"),
            Certificate.staff.first_name.as_alias("first_name"),
            Certificate.staff.last_name.as_alias("last_name"),
            Certificate.staff.email.as_alias("email"),
            Certificate.staff._.organisation._.code.as_alias("organisation_code"),
        )
        .where(Certificate.id == certificate_id)
        .first()
    )
    return CertificateDetails(**row) if row else None


async def certificate_export_rows(code: str) -> list[tuple]:
    rows = (
        await Certificate.select(
            Certificate.staff.email,
            Certificate.track.code,
            Certificate.obtained_on,
            Certificate.status,
            Certificate.valid_until,
        )
        .where(Certificate.staff._.organisation._.code == code)
        .order_by(Certificate.staff.email)
        .order_by(Certificate.track.code)
        .order_by(Certificate.obtained_on)
    )
    return [
        (
            r["staff.email"],
            r["track.code"],
            r["obtained_on"],
            r["status"],
            r["valid_until"],
        )
        for r in rows
    ]


async def pending_count(organisation_code: str | None = None) -> int:
    """Certificates waiting for DG R&O's verification (of one organisation, or all)."""
    query = Certificate.count().where(Certificate.status == CertificateStatus.PENDING)
    if organisation_code is not None:
        query = query.where(Certificate.staff._.organisation._.code == organisation_code)
    return int(await query)
