"""The `certificates` kind of the import (SPEC 5.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from certification.rules import CertificateStatus
from certification.tables import Certificate, Track
from core.database import bulk_load, bulk_upsert
from core.i18n import gettext as _
from core.importing import (
    ImportKind,
    ImportResult,
    ImportScope,
    Row,
    RowErrors,
    date_cell,
    email_cell,
    is_bulk_load,
    no_duplicate,
    required,
    varchar_lengths,
)
from organisations.importing import staff_in_scope
from organisations.tables import StaffMember


def _partner_status_problem(
    status: str, until: dt.date | None, known: tuple[str, dt.date | None] | None
) -> str | None:
    """A PRO Partner registers pending certificates; one DG R&O has decided on may come
    back (an export re-imported) but only unchanged. The problem, or None."""
    if known is not None and known[0] != CertificateStatus.PENDING:
        if (status, until) != known:
            return f"this certificate is {known[0]}: only DG R&O can change it now"
        return None
    if status != CertificateStatus.PENDING:
        return f"status {status}: certificates you register are pending until DG R&O verifies them"
    return None


async def _import_certificates(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    tracks = {row["code"]: row["id"] for row in await Track.select(Track.id, Track.code)}
    staff = {
        row["email"]: row for row in await staff_in_scope(scope, StaffMember.id, StaffMember.email)
    }
    existing = {
        (row["staff"], row["track"], row["obtained_on"]): (row["status"], row["valid_until"])
        for row in await Certificate.select(
            Certificate.staff,
            Certificate.track,
            Certificate.obtained_on,
            Certificate.status,
            Certificate.valid_until,
        )
    }
    statuses = [s.value for s in CertificateStatus]
    seen: dict[tuple, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        email = email_cell(v, "email", errors)
        member = staff.get(email)
        if email and member is None:
            errors.add(f"no staff member with e-mail {email}{_of(scope)} (import staff first)")
        track_code = required(v, "track", errors).upper()
        track = tracks.get(track_code)
        if track_code and track is None:
            errors.add(
                f"track {track_code} does not exist; the tracks are {', '.join(sorted(tracks))}"
            )
        obtained = date_cell(v, "obtained_on", errors)
        status = v.get("status", "").strip().lower()
        if status not in statuses:
            errors.add(f"status {v.get('status', '')!r} must be one of {', '.join(statuses)}")
        until = date_cell(v, "valid_until", errors, optional=True)
        known = (
            existing.get((member["id"], track, obtained))
            if member is not None and track is not None
            else None
        )
        if not scope.may_set_status and status in statuses:
            problem = _partner_status_problem(status, until, known)
            if problem:
                errors.add(problem)
        if obtained and until and until < obtained:
            errors.add("valid_until comes before obtained_on")
        if obtained and obtained > dt.date.today():
            errors.add(f"obtained_on {obtained} lies in the future")
        no_duplicate((email, track_code, obtained), row.line, seen, errors, "this certificate")
        if errors.count == 0 and member is not None and track is not None:
            records.append((member["id"], track, obtained, status, until))

    async def write() -> None:
        result.created = sum(1 for r in records if (r[0], r[1], r[2]) not in existing)
        result.updated = len(records) - result.created
        bulk = await is_bulk_load(len(records), "certificate")
        async with bulk_load("certificate", when=bulk) as load:
            await bulk_upsert(
                "certificate",
                (
                    "staff",
                    "track",
                    "obtained_on",
                    "status",
                    "valid_until",
                    "status_reason",
                    "registered_by",
                ),
                [(*record, "", scope.registered_by) for record in records],
                conflict=("staff", "track", "obtained_on"),
                update=("status", "valid_until"),
                insert_only=load.empty,
            )

    return write


def _of(scope: ImportScope) -> str:
    return f" in {scope.organisation_code}" if scope.organisation_code else ""


CERTIFICATES = ImportKind(
    name="certificates",
    columns=("email", "track", "obtained_on", "status", "valid_until"),
    validate=_import_certificates,
    tables_written=("certificate",),
    limits=varchar_lengths(StaffMember, email="email"),
    label=lambda: _("Certificates"),
    note=lambda: _(
        "certificates: status is pending, valid, suspended or revoked; valid_until may be empty."
    ),
    organisation_scoped=True,
)
