"""Reminders to the PRO Partner 90, 30 and 7 days before a certificate runs out (SPEC 2.1).

`due_reminders` is pure. `send_certificate_reminders` is meant for cron: it sends one
mail per organisation and records each reminder after the mail went out, so a reminder
never goes twice and a failed mail is retried on the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from certification.rules import CertificateStatus
from certification.tables import Certificate, CertificateReminder
from core import audit, outbox
from core.database import write_transaction

THRESHOLDS = (90, 30, 7)


@dataclass(frozen=True)
class ExpiringCertificate:
    certificate_id: int
    organisation: str
    pro_partner_email: str | None
    staff_name: str
    staff_email: str
    track: str
    valid_until: dt.date


@dataclass(frozen=True)
class DueReminder:
    certificate: ExpiringCertificate
    days_before: int
    days_left: int


def due_reminders(
    certificates: Iterable[ExpiringCertificate],
    sent: set[tuple[int, int]],
    today: dt.date,
) -> list[DueReminder]:
    """The reminder each certificate needs today: the tightest threshold reached, once.

    A run that was missed does not cause a burst: at 25 days left only the 30-day
    reminder goes, and the 90-day one is no longer due.
    """
    due = []
    for certificate in certificates:
        days_left = (certificate.valid_until - today).days
        if days_left < 0:
            continue
        reached = [t for t in THRESHOLDS if days_left <= t]
        if not reached:
            continue
        threshold = min(reached)
        if any((certificate.certificate_id, t) in sent for t in THRESHOLDS if t <= threshold):
            continue
        due.append(DueReminder(certificate, threshold, days_left))
    return due


@dataclass
class ReminderReport:
    sent: list[DueReminder] = field(default_factory=list)
    without_partner: list[DueReminder] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def reminder_text(organisation: str, reminders: list[DueReminder]) -> tuple[str, str]:
    """Subject and body, in Dutch and French as federal mail to an organisation is."""
    subject = (
        f"PRO Academy: certificaten lopen af / certificats arrivant à échéance ({organisation})"
    )
    lines = [
        f"Organisatie / Organisation: {organisation}",
        "",
        "Deze certificaten lopen binnenkort af / Ces certificats arrivent bientôt à échéance:",
        "",
    ]
    for reminder in sorted(
        reminders, key=lambda r: (r.certificate.valid_until, r.certificate.staff_email)
    ):
        c = reminder.certificate
        lines.append(
            f"- {c.staff_name} <{c.staff_email}>, {c.track}: {c.valid_until.isoformat()} "
            f"({reminder.days_left} dagen / jours)"
        )
    lines += [
        "",
        "Zonder geldig certificaat kan het certificeringsniveau van uw organisatie dalen.",
        "Sans certificat valide, le niveau de certification de votre organisation peut baisser.",
    ]
    return subject, "\n".join(lines)


async def load_expiring(today: dt.date) -> list[ExpiringCertificate]:
    horizon = today + dt.timedelta(days=max(THRESHOLDS))
    rows = await Certificate.select(
        Certificate.id,
        Certificate.valid_until,
        Certificate.track.code,
        Certificate.staff.email,
        Certificate.staff.first_name,
        Certificate.staff.last_name,
        Certificate.staff.organisation.code,  # type: ignore[union-attr]
        Certificate.staff.organisation.pro_partner_email,  # type: ignore[union-attr]
    ).where(
        (Certificate.status == CertificateStatus.VALID)
        & Certificate.valid_until.is_not_null()
        & (Certificate.valid_until >= today)
        & (Certificate.valid_until <= horizon)
    )
    return [
        ExpiringCertificate(
            certificate_id=row["id"],
            organisation=row["staff.organisation.code"],
            pro_partner_email=row["staff.organisation.pro_partner_email"] or None,
            staff_name=f"{row['staff.first_name']} {row['staff.last_name']}",
            staff_email=row["staff.email"],
            track=row["track.code"],
            valid_until=row["valid_until"],
        )
        for row in rows
    ]


COMMAND_LINE = audit.Actor.command_line("send-reminders")
SendMail = Callable[[str, str, str], Awaitable[None]]


async def send_certificate_reminders(
    today: dt.date,
    send_mail: SendMail,
    actor: audit.Actor = COMMAND_LINE,
) -> ReminderReport:
    """Queue what is due today (each organisation's mail and its records together) and
    deliver the outbox. The run is audited: how many were queued, had no PRO Partner, or
    wait in the outbox for the SMTP server."""

    expiring = await load_expiring(today)
    ids = [c.certificate_id for c in expiring]
    sent_rows = (
        await CertificateReminder.select(
            CertificateReminder.certificate, CertificateReminder.days_before
        ).where(CertificateReminder.certificate.is_in(ids))
        if ids
        else []
    )
    sent = {(row["certificate"], row["days_before"]) for row in sent_rows}
    report = ReminderReport()
    by_organisation: dict[str, list[DueReminder]] = {}
    for reminder in due_reminders(expiring, sent, today):
        if reminder.certificate.pro_partner_email is None:
            report.without_partner.append(reminder)
            continue
        by_organisation.setdefault(reminder.certificate.organisation, []).append(reminder)
    # Each organisation's mail goes into the outbox with the records of its reminders, in
    # one transaction: a reminder is queued once, and the outbox delivers it (now, and
    # later again while the SMTP server is down).
    queued: dict[int, str] = {}
    async with write_transaction():
        for organisation, reminders in sorted(by_organisation.items()):
            recipient = reminders[0].certificate.pro_partner_email
            assert recipient is not None
            subject, body = reminder_text(organisation, reminders)
            message_id = await outbox.enqueue(
                "certificate_reminder", recipient, "nl", subject, body
            )
            queued[message_id] = organisation
            await CertificateReminder.insert(
                *[
                    CertificateReminder(
                        certificate=r.certificate.certificate_id,
                        days_before=r.days_before,
                        sent_to=recipient,
                    )
                    for r in reminders
                ]
            ).on_conflict(action="DO NOTHING")
            report.sent.extend(reminders)
    await outbox.deliver_due(send_mail, "send-reminders")
    for message_id, error in (await outbox.still_pending(list(queued))).items():
        report.failed[queued[message_id]] = error
    async with write_transaction():
        await audit.record(
            actor,
            "certificate_reminders_sent",
            table="certificate_reminder",
            key=today.isoformat(),
            after={
                "sent": len(report.sent),
                "without_partner": len(report.without_partner),
                "failed": len(report.failed),
            },
            outcome=audit.Outcome.FAILED if report.failed else audit.Outcome.OK,
        )
    return report
