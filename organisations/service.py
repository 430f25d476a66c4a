"""Writes of organisations and the staff register: add and edit organisations (DG R&O), add
and update staff members; audited, scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns import Column

from core import audit, versions
from core.database import is_unique_violation, write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from organisations.forms import STAFF_FIELDS, OrganisationInput, StaffInput
from organisations.queries import staff_member
from organisations.rules import split_language_roles
from organisations.tables import Organisation, ProPartnerTerm, StaffMember


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


# --- organisations (DG R&O) -----------------------------------------------------------------


async def _partner_term(organisation_id: int, before: str | None, after: str | None) -> None:
    """A change of PRO Partner closes the running term and opens the next (as the import)."""
    if before == after:
        return
    today = dt.date.today()
    await ProPartnerTerm.update({ProPartnerTerm.ended_on: today}).where(
        (ProPartnerTerm.organisation == organisation_id) & ProPartnerTerm.ended_on.is_null()
    )
    if after:
        await ProPartnerTerm.insert(
            ProPartnerTerm(organisation=organisation_id, email=after, started_on=today)
        )


async def add_organisation(actor: audit.Actor, data: OrganisationInput) -> None:
    refused = Refused(
        _("An organisation with code %(code)s exists already.", code=data.code), "code"
    )
    try:
        async with write_transaction():
            if await Organisation.exists().where(Organisation.code == data.code):
                raise refused
            await versions.bump()
            [row] = await Organisation.insert(
                Organisation(code=data.code, created_at=dt.datetime.now(dt.UTC), **data.record())
            ).returning(Organisation.id)
            await _partner_term(int(row["id"]), None, data.pro_partner_email)
            await audit.record(
                actor,
                "organisation_added",
                table="organisation",
                key=data.code,
                after=data.record(),
            )
    except Exception as error:
        if is_unique_violation(error):
            raise refused from None
        raise


async def update_organisation(actor: audit.Actor, data: OrganisationInput) -> None:
    """Rename, change the language roles or the PRO Partner (the code never changes). A
    language role still held by active or future staff cannot be taken away."""
    async with write_transaction():
        before = await Organisation.select().where(Organisation.code == data.code).first()
        if before is None:
            raise NotFound
        removed = set(split_language_roles(before["language_roles"])) - set(data.language_roles)
        if removed:
            held = await StaffMember.count().where(
                (StaffMember.organisation == before["id"])
                & StaffMember.language_role.is_in(sorted(removed))
                & (StaffMember.end_date.is_null() | (StaffMember.end_date >= dt.date.today()))
            )
            if held:
                raise Refused(
                    _(
                        "%(count)d staff members still have the language role %(roles)s: "
                        "change theirs first.",
                        count=held,
                        roles=", ".join(sorted(removed)),
                    ),
                    "language_roles",
                )
        await versions.bump()
        await Organisation.update(
            {getattr(Organisation, k): v for k, v in data.record().items()}
        ).where(Organisation.id == before["id"])
        await _partner_term(before["id"], before["pro_partner_email"], data.pro_partner_email)
        await audit.record(
            actor,
            "organisation_changed",
            table="organisation",
            key=data.code,
            before={k: before[k] for k in data.record()},
            after=data.record(),
        )
