"""The e-mail outbox: a notice's mails are written with it, in each recipient's language,
and `deliver_due` sends them through a real SMTP server (aiosmtpd) once each; with the
server down they wait and go later; two workers at once never send one twice."""

from __future__ import annotations

import asyncio
import datetime as dt

from certification.qcheck_watch import raise_notices
from core.database import write_transaction
from core.mail import mail_sender
from core.outbox import deliver_due, enqueue
from core.settings import MailSettings
from core.tables import OutboxMessage
from organisations.tables import Organisation
from qchecks.rules import Zone
from tests.certification.test_reminders import free_port, settings_for, smtp  # noqa: F401


async def notice_for_bosa(users) -> None:
    await Organisation.update(
        {
            Organisation.pro_partner_email: "partner@bosa.demo.portal.be",
            Organisation.language_roles: "FR|NL",
        }
    ).where(Organisation.code == "BOSA")
    async with write_transaction():
        await raise_notices(
            {"BOSA": (Zone.OK, 85.0, 80.0)},
            {"BOSA": (Zone.BELOW, 75.5, 80.0)},
            dt.date(2026, 11, 25),
        )


async def test_a_notice_is_mailed_once_in_each_recipients_language(users, smtp):  # noqa: F811
    controller, inbox = smtp
    await notice_for_bosa(users)
    rows = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.language).order_by(
        OutboxMessage.recipient
    )
    # DG R&O's user (Dutch by default) and BOSA's PRO Partner, who has an account (no
    # preferred language: the organisation's, FR first).
    assert rows == [
        {"recipient": "dgro@demo.portal.be", "language": "nl"},
        {"recipient": "partner@bosa.demo.portal.be", "language": "fr"},
    ]
    send = mail_sender(settings_for(controller))
    assert await deliver_due(send, "worker-1") == (2, 0)
    assert await deliver_due(send, "worker-1") == (0, 0)  # never twice
    by_recipient = {m["To"]: m for m in inbox.messages}
    assert len(inbox.messages) == 2
    french = by_recipient["partner@bosa.demo.portal.be"].get_payload(decode=True).decode()
    dutch = by_recipient["dgro@demo.portal.be"].get_payload(decode=True).decode()
    assert "La moyenne des Q-checks de BOSA (75,50 %) est inférieure aux 80,00 %" in french
    assert "Het gemiddelde van de Q-checks van BOSA (75,50 %) ligt onder de 80,00 %" in dutch
    assert "&amp;" not in french and "DG R&O" in french


async def test_with_the_server_down_mail_waits_and_goes_later(users, smtp):  # noqa: F811
    controller, inbox = smtp
    async with write_transaction():
        await enqueue("test", "someone@bosa.be", "nl", "Subject", "Body\n")
    down = MailSettings(
        host="127.0.0.1",
        port=free_port(),
        sender="p@x.be",
        username=None,
        password=None,
        use_tls=False,
    )
    now = dt.datetime.now(dt.UTC)
    assert await deliver_due(mail_sender(down), "worker-1", now) == (0, 1)
    row = await OutboxMessage.select().first()
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] > now and "Error" in row["last_error"]
    # Not due yet: nothing is tried; a minute later the server is up: it goes, once.
    up = mail_sender(settings_for(controller))
    assert await deliver_due(up, "worker-1", now) == (0, 0)
    later = now + dt.timedelta(minutes=2)
    assert await deliver_due(up, "worker-1", later) == (1, 0)
    assert await deliver_due(up, "worker-1", later) == (0, 0)
    assert len(inbox.messages) == 1


async def test_two_workers_at_once_send_each_message_once(users, smtp):  # noqa: F811
    controller, inbox = smtp
    async with write_transaction():
        for n in range(120):
            await enqueue("test", f"r{n}@bosa.be", "nl", f"Message {n}", "Body\n")
    send = mail_sender(settings_for(controller))
    results = await asyncio.gather(deliver_due(send, "worker-1"), deliver_due(send, "worker-2"))
    assert sum(sent for sent, _failed in results) == 120
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"r{n}@bosa.be" for n in range(120))
    assert await OutboxMessage.count().where(OutboxMessage.state == "sent") == 120
