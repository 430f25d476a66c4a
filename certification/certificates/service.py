"""Writes of certificates: registration and DG R&O's decisions, each in one transaction
with its audit entry; a decision is a compare-and-set on the status the page showed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from certification.certificates.forms import CertificateInput, reason_error
from certification.certificates.lifecycle import (
    AUDIT_ACTIONS,
    REASON_REQUIRED,
    Action,
    CertificateStatus,
    next_status,
)
from certification.certificates.queries import CertificateDetails, certificate_details
from certification.recipients import mail_recipients
from certification.tables import Certificate, Track
from core import audit, notices, versions
from core.database import compare_and_set, is_unique_violation, write_transaction
from core.errors import ChangedMeanwhile, NotFound, Refused
from core.i18n import format_day
from core.i18n import gettext as _
from organisations.queries import staff_member

NOTICE_CERTIFICATE = "certificate_decided"


async def register_certificate(
    actor: audit.Actor,
    organisation_id: int,
    staff_id: int,
    data: CertificateInput,
    *,
    registered_by: str,
    verified: bool,
) -> int:
    """Register a certificate: `pending`, or `valid` at once when DG R&O registers it."""
    now = dt.datetime.now(dt.UTC)
    try:
        async with write_transaction():
            await versions.bump()  # computed eligibility is stale from here
            staff = await staff_member(organisation_id, staff_id)
            if staff is None:
                raise NotFound(_("There is no such staff member in this organisation."))
            track = (
                await Track.select(Track.id)
                .where((Track.code == data.track) & (Track.active.eq(True)))
                .first()
            )
            if track is None:
                raise Refused(_("This track is not active."), "track")
            await _duplicate_certificate(staff_id, track["id"], data)
            status = CertificateStatus.VALID if verified else CertificateStatus.PENDING
            values: dict[str, Any] = {
                "staff": staff_id,
                "track": track["id"],
                "obtained_on": data.obtained_on,
                "valid_until": data.valid_until,
                "status": str(status),
                "registered_by": registered_by,
                "decided_by": registered_by if verified else None,
                "decided_at": now if verified else None,
            }
            [row] = await Certificate.insert(Certificate(**values)).returning(Certificate.id)
            await audit.record(
                actor,
                "certificate_registered",
                table="certificate",
                key=str(row["id"]),
                after={
                    "email": staff.email,
                    "track": data.track,
                    "obtained_on": data.obtained_on,
                    "valid_until": data.valid_until,
                    "status": str(status),
                },
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Refused(_duplicate_message(data), "obtained_on") from None
        raise
    return int(row["id"])


def _duplicate_message(data: CertificateInput) -> str:
    return _(
        "This staff member already has a %(track)s certificate obtained on %(day)s.",
        track=data.track,
        day=format_day(data.obtained_on),
    )


async def _duplicate_certificate(staff_id: int, track_id: int, data: CertificateInput) -> None:
    if await Certificate.exists().where(
        (Certificate.staff == staff_id)
        & (Certificate.track == track_id)
        & (Certificate.obtained_on == data.obtained_on)
    ):
        raise Refused(_duplicate_message(data), "obtained_on")


def _changed(found: CertificateDetails, action: str, shown: str) -> ChangedMeanwhile:
    return ChangedMeanwhile(
        found.status, action, shown, found.decided_by, found.status_reason or None
    )


@dataclass(frozen=True)
class Decision:
    certificate_id: int
    action: str
    before: str
    after: str


async def decide(
    actor: audit.Actor,
    certificate_id: int,
    action: str,
    reason: str,
    decided_by: str,
    *,
    shown_status: str,
) -> Decision:
    """DG R&O's decision on a certificate, taken on the status the page showed
    (`shown_status`); NotFound, Refused (reason), ChangedMeanwhile (the status is no longer
    the one shown: who made it what) or TransitionRefused (impossible from the status),
    and nothing written."""
    reason = reason.strip()
    problem = reason_error(action, reason)
    if problem:
        raise Refused(problem, "reason")
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        await versions.bump()  # computed eligibility is stale from here
        current = await certificate_details(certificate_id)
        if current is None:
            raise NotFound(_("There is no certificate with number %(id)d.", id=certificate_id))
        if current.status != shown_status:
            raise _changed(current, action, shown_status)
        new = next_status(current.status, action)
        stored_reason = reason if action in REASON_REQUIRED else ""
        # The status in the WHERE clause: a decision taken meanwhile is never overwritten.
        changes: dict[Column | str, Any] = {
            Certificate.status: new,
            Certificate.status_reason: stored_reason,
            Certificate.decided_by: decided_by,
            Certificate.decided_at: now,
            Certificate.rejected: action == Action.REJECT,
        }
        if not await compare_and_set(
            Certificate, certificate_id, Certificate.status, shown_status, changes
        ):
            latest = await certificate_details(certificate_id)
            raise _changed(latest or current, action, shown_status)
        await audit.record(
            actor,
            AUDIT_ACTIONS[Action(action)],
            table="certificate",
            key=str(certificate_id),
            before={"status": current.status, "status_reason": current.status_reason},
            after={
                "status": new,
                "status_reason": stored_reason,
                "email": current.email,
                "track": current.track_code,
                "obtained_on": current.obtained_on,
            },
        )
        # The PRO Partner is told (in the portal and by mail through the outbox).
        audiences = (notices.PRO_PARTNER,)
        code = current.organisation_code
        await notices.notify(
            NOTICE_CERTIFICATE,
            audiences,
            code,
            {
                "name": f"{current.first_name} {current.last_name}",
                "track": current.track_code,
                "status": new,
                "reason": stored_reason,
            },
            mail_to=await mail_recipients(audiences, code),
        )
    return Decision(certificate_id, action, current.status, new)
