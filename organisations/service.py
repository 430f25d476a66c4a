"""Writes of the staff register: add and update staff members, audited, scoped."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from core import audit, versions
from core.database import is_unique_violation, write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from organisations.forms import STAFF_FIELDS, StaffInput
from organisations.queries import staff_member
from organisations.tables import StaffMember


async def _email_conflict(email: str, organisation_id: int, staff_id: int | None) -> None:
    other = (
        await StaffMember.select(StaffMember.id, StaffMember.organisation)
        .where(StaffMember.email == email)
        .first()
    )
    if other is None or other["id"] == staff_id:
        return
    if other["organisation"] != organisation_id:
        raise Refused(
            _(
                "This e-mail is already registered for another organisation; "
                "ask DG R&O to record the move."
            ),
            "email",
        )
    raise Refused(
        _("A staff member of this organisation already has this e-mail address."), "email"
    )


async def add_staff(actor: audit.Actor, organisation_id: int, data: StaffInput) -> int:
    """Add a staff member to the organisation; the e-mail must be new to the whole register."""
    try:
        async with write_transaction():
            await versions.bump()  # computed eligibility is stale from here
            await _email_conflict(data.email, organisation_id, None)
            [row] = await StaffMember.insert(
                StaffMember(organisation=organisation_id, **data.record())
            ).returning(StaffMember.id)
            await audit.record(
                actor,
                "staff_added",
                table="staff_member",
                key=data.email,
                after={"organisation": organisation_id, **data.record()},
            )
    except Exception as error:
        if is_unique_violation(error):
            await _email_conflict(data.email, organisation_id, None)
        raise
    return int(row["id"])


async def update_staff(
    actor: audit.Actor, organisation_id: int, staff_id: int, data: StaffInput
) -> None:
    """Save a staff member of this organisation (NotFound for anyone else's)."""
    try:
        async with write_transaction():
            await versions.bump()  # computed eligibility is stale from here
            before = await staff_member(organisation_id, staff_id)
            if before is None:
                raise NotFound
            await _email_conflict(data.email, organisation_id, staff_id)
            changes: dict[Column | str, Any] = {k: v for k, v in data.record().items()}
            await StaffMember.update(changes).where(StaffMember.id == staff_id)
            await audit.record(
                actor,
                "staff_updated",
                table="staff_member",
                key=data.email,
                before={name: before[name] for name in STAFF_FIELDS},
                after=data.record(),
            )
    except Exception as error:
        if is_unique_violation(error):
            await _email_conflict(data.email, organisation_id, staff_id)
        raise
