"""Writes of organisations and the staff register: add and edit organisations (DG R&O), add
and update staff members; audited, scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns import Column

from core import audit, notices, versions
from core.database import is_unique_violation, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from organisations.forms import STAFF_FIELDS, OrganisationInput, StaffInput
from organisations.queries import staff_member
from organisations.rules import (
    MOVE_CONFIRMED,
    MOVE_DECLINED,
    MOVE_PENDING,
    MOVE_WITHDRAWN,
    earlier_posting_end,
    split_language_roles,
)
from organisations.tables import (
    Organisation,
    ProPartnerTerm,
    StaffAssignment,
    StaffMember,
    StaffMoveRequest,
)


async def _email_holder(email: str) -> dict[str, Any] | None:
    return (
        await StaffMember.select(StaffMember.id, StaffMember.organisation)
        .where(StaffMember.email == email)
        .first()
    )


async def _email_conflict(
    email: str, organisation_id: int, staff_id: int | None, *, partner: bool = False
) -> None:
    other = await _email_holder(email)
    if other is None or other["id"] == staff_id:
        return
    if other["organisation"] != organisation_id and partner:
        raise Refused(
            _("Another staff record has this e-mail address: a person is registered once."),
            "email",
        )
    if other["organisation"] != organisation_id:
        raise Refused(
            _(
                "This e-mail is already registered for another organisation; "
                "record the move with a staff import."
            ),
            "email",
        )
    raise Refused(
        _("A staff member of this organisation already has this e-mail address."), "email"
    )


async def add_staff(
    actor: audit.Actor, organisation_id: int, data: StaffInput, *, request_move: bool = False
) -> int | None:
    """Add a staff member to the organisation; the e-mail must be new to the whole register.
    With `request_move` (a PRO Partner's registration), an address another organisation's
    record holds becomes a move request for DG R&O instead (None is returned): the partner
    is answered as for a new address (issue 18, row 10)."""
    try:
        async with write_transaction():
            await versions.bump()  # computed eligibility is stale from here
            other = await _email_holder(data.email)
            if request_move and other is not None and other["organisation"] != organisation_id:
                await request_moves(actor, organisation_id, [(int(other["id"]), data)])
                return None
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
            await _email_conflict(data.email, organisation_id, None, partner=request_move)
        raise
    return int(row["id"])


# --- moves between organisations (issue 18, row 10) ----------------------------------------

NOTICE_MOVE_REQUESTED = "staff_move_requested"
NOTICE_MOVE_DECIDED = "staff_move_decided"


async def request_moves(
    actor: audit.Actor, organisation_id: int, wanted: list[tuple[int, StaffInput]]
) -> None:
    """Record (or renew) a pending move request per (existing record id, typed values),
    audit each and tell DG R&O once; inside the caller's transaction, set-based."""
    if not wanted:
        return
    now = dt.datetime.now(dt.UTC)
    ids = [staff_id for staff_id, _data in wanted]
    await StaffMoveRequest.delete().where(
        (StaffMoveRequest.organisation == organisation_id)
        & StaffMoveRequest.staff.is_in(ids)
        & (StaffMoveRequest.state == MOVE_PENDING)
    )
    fields = ("first_name", "last_name", "language_role", "start_date", "end_date")
    await StaffMoveRequest.insert(
        *[
            StaffMoveRequest(
                staff=staff_id,
                organisation=organisation_id,
                requested_by=actor.label,
                requested_at=now,
                **{name: getattr(data, name) for name in fields},
            )
            for staff_id, data in wanted
        ]
    )
    await audit.record_many(
        actor,
        "staff_move_requested",
        table="staff_move_request",
        entries=[
            (data.email, {"organisation": organisation_id, **data.record()}) for _i, data in wanted
        ],
    )
    code = await _organisation_code(organisation_id)
    await notices.notify(NOTICE_MOVE_REQUESTED, (notices.DGRO,), code, {"count": len(wanted)})


async def _organisation_code(organisation_id: int) -> str:
    row = (
        await Organisation.select(Organisation.code)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return str(row["code"]) if row else ""


async def decide_move(actor: audit.Actor, request_id: int, *, confirm: bool) -> str:
    """DG R&O confirms a pending move (the record moves to the requesting organisation with
    the typed values, its earlier posting kept as the import keeps it) or declines it; the
    requesting PRO Partner is told. Returns the person's name."""
    async with write_transaction():
        request = await _open_request(request_id, None, "confirm" if confirm else "decline")
        state = MOVE_CONFIRMED if confirm else MOVE_DECLINED
        await _close_request(actor, request_id, state)
        if confirm:
            await _move(request)
        await audit.record(
            actor,
            f"staff_move_{state}",
            table="staff_move_request",
            key=request["email"],
            after={"organisation": request["code"], "state": state},
        )
        name = f"{request['first_name']} {request['last_name']}"
        await notices.notify(
            NOTICE_MOVE_DECIDED,
            (notices.PRO_PARTNER,),
            request["code"],
            {"name": name, "state": state},
        )
    return name


async def _open_request(
    request_id: int, organisation_id: int | None, action: str
) -> dict[str, Any]:
    """The request (of `organisation_id` when given: NotFound for another's), still
    pending (TransitionRefused once decided or withdrawn)."""
    query = StaffMoveRequest.select(
        *StaffMoveRequest.all_columns(),
        StaffMoveRequest.staff.email.as_alias("email"),
        StaffMoveRequest.organisation.code.as_alias("code"),
    ).where(StaffMoveRequest.id == request_id)
    if organisation_id is not None:
        query = query.where(StaffMoveRequest.organisation == organisation_id)
    request = await query.first()
    if request is None:
        raise NotFound(_("There is no such request."))
    if request["state"] != MOVE_PENDING:
        raise TransitionRefused(request["state"], action)
    return request


async def _close_request(actor: audit.Actor, request_id: int, state: str) -> None:
    """Pending -> `state`, compare-and-set: of two decisions at once, one wins."""
    closed = (
        await StaffMoveRequest.update(
            {
                StaffMoveRequest.state: state,
                StaffMoveRequest.decided_by: actor.label,
                StaffMoveRequest.decided_at: dt.datetime.now(dt.UTC),
            }
        )
        .where((StaffMoveRequest.id == request_id) & (StaffMoveRequest.state == MOVE_PENDING))
        .returning(StaffMoveRequest.id)
    )
    if not closed:
        raise TransitionRefused("decided", state)


async def _move(request: dict[str, Any]) -> None:
    """The record joins the requesting organisation; the posting it leaves is kept."""
    await versions.bump()
    member = await StaffMember.select().where(StaffMember.id == request["staff"]).first()
    if member is None:
        raise NotFound
    if member["organisation"] != request["organisation"]:
        await StaffAssignment.insert(
            StaffAssignment(
                staff=member["id"],
                organisation=member["organisation"],
                start_date=member["start_date"],
                end_date=earlier_posting_end(
                    member["end_date"], request["start_date"], dt.date.today()
                ),
            )
        )
    fields = ("first_name", "last_name", "language_role", "start_date", "end_date")
    changes: dict[Column | str, Any] = {name: request[name] for name in fields}
    changes["organisation"] = request["organisation"]
    await StaffMember.update(changes).where(StaffMember.id == member["id"])


async def withdraw_move(actor: audit.Actor, organisation_id: int, request_id: int) -> None:
    """The requesting organisation takes its pending request back (NotFound for anyone
    else's or a decided one)."""
    async with write_transaction():
        request = await _open_request(request_id, organisation_id, "withdraw")
        await _close_request(actor, request_id, MOVE_WITHDRAWN)
        await audit.record(
            actor, "staff_move_withdrawn", table="staff_move_request", key=request["email"]
        )


async def update_staff(
    actor: audit.Actor,
    organisation_id: int,
    staff_id: int,
    data: StaffInput,
    *,
    partner: bool = False,
) -> None:
    """Save a staff member of this organisation (NotFound for anyone else's). A PRO
    Partner (`partner`) is not told which organisation has an address already in use."""
    try:
        async with write_transaction():
            await versions.bump()  # computed eligibility is stale from here
            before = await staff_member(organisation_id, staff_id)
            if before is None:
                raise NotFound(_("There is no such staff member in this organisation."))
            await _email_conflict(data.email, organisation_id, staff_id, partner=partner)
            changes: dict[Column | str, Any] = {k: v for k, v in data.record().items()}
            await StaffMember.update(changes).where(StaffMember.id == staff_id)
            await audit.record(
                actor,
                "staff_updated",
                table="staff_member",
                key=data.email,
                before={name: getattr(before, name) for name in STAFF_FIELDS},
                after=data.record(),
            )
    except Exception as error:
        if is_unique_violation(error):
            await _email_conflict(data.email, organisation_id, staff_id, partner=partner)
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
