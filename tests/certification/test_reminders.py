"""Certificate reminders reach the PRO Partner through a real SMTP server, once each."""

import asyncio
import datetime as dt
import email
import os
import socket
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from certification.reminders import send_certificate_reminders
from certification.tables import CertificateReminder
from core.mail import mail_sender
from core.outbox import deliver_due
from core.settings import MailSettings
from core.tables import AuditEntry
from tests.conftest import DATABASE_URL
from tests.helpers import load


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[email.message.Message] = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def settings_for(controller) -> MailSettings:
    return MailSettings(
        host=controller.hostname,
        port=controller.port,
        sender="portal@bosa.example",
        username=None,
        password=None,
        use_tls=False,
    )


async def setup_data() -> None:
    await load(
        "organisations",
        "code,name_nl,name_fr,language_roles,pro_partner_email\n"
        "BOSA,FOD BOSA,SPF BOSA,NL|FR,partner@bosa.be\n"
        "FIN,FOD Fin,SPF Fin,NL|FR,\n",
    )
    await load(
        "staff",
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
        "BOSA,an@bosa.be,An,Peeters,NL,2020-01-01,\n"
        "BOSA,bo@bosa.be,Bo,Dubois,FR,2020-01-01,\n"
        "FIN,ed@fin.be,Ed,Jacobs,NL,2020-01-01,\n",
    )
    await load(
        "certificates",
        "email,track,obtained_on,status,valid_until\n"
        "an@bosa.be,AZ,2021-01-01,valid,2027-03-01\n"  # 98 days left on 2026-11-23
        "bo@bosa.be,SELTEST,2021-01-01,valid,2026-12-20\n"  # 27 days left
        "bo@bosa.be,AZ,2021-01-01,pending,2026-12-20\n"  # pending: never reminded
        "ed@fin.be,AZ,2021-01-01,valid,2026-11-30\n",  # FIN has no PRO Partner
    )


async def test_reminders_go_once_per_threshold_to_the_pro_partner(smtp):
    controller, inbox = smtp
    await setup_data()
    send = mail_sender(settings_for(controller))

    first = await send_certificate_reminders(dt.date(2026, 11, 23), send)
    assert [(r.certificate.staff_email, r.days_before) for r in first.sent] == [("bo@bosa.be", 30)]
    assert [r.certificate.organisation for r in first.without_partner] == ["FIN"]
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "partner@bosa.be"
    body = message.get_payload(decode=True).decode()
    assert "bo@bosa.be" in body and "SELTEST" in body and "2026-12-20" in body
    assert "an@bosa.be" not in body

    again = await send_certificate_reminders(dt.date(2026, 11, 23), send)
    assert again.sent == []
    assert len(inbox.messages) == 1

    # Five days later An crosses 90 days; Bo is between thresholds: only An is mailed.
    later = await send_certificate_reminders(dt.date(2026, 12, 2), send)
    assert [(r.certificate.staff_email, r.days_before) for r in later.sent] == [("an@bosa.be", 90)]
    # On 2026-12-13 Bo has 7 days left: the 7-day reminder.
    last = await send_certificate_reminders(dt.date(2026, 12, 13), send)
    assert [(r.certificate.staff_email, r.days_before) for r in last.sent] == [("bo@bosa.be", 7)]
    assert await CertificateReminder.count() == 3


async def test_a_failed_mail_waits_in_the_outbox_and_goes_later_once(smtp):
    controller, inbox = smtp
    await setup_data()
    unreachable = MailSettings("127.0.0.1", free_port(), "portal@bosa.example", None, None, False)
    failed = await send_certificate_reminders(dt.date(2026, 11, 23), mail_sender(unreachable))
    assert "BOSA" in failed.failed and len(failed.sent) == 1
    assert await CertificateReminder.count() == 1  # queued once, with its mail
    again = await send_certificate_reminders(
        dt.date(2026, 11, 23), mail_sender(settings_for(controller))
    )
    assert again.sent == []  # not queued twice; the mail waits for its next attempt
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    assert await deliver_due(mail_sender(settings_for(controller)), "cron", later) == (1, 0)
    assert len(inbox.messages) == 1


async def test_the_cron_command_sends_and_audits(smtp):
    controller, inbox = smtp
    await setup_data()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "SMTP_HOST": controller.hostname,
        "SMTP_PORT": str(controller.port),
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal", "send-reminders", "--today", "2026-11-23"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 reminder(s) sent." in result.stdout
    assert "No PRO Partner for FIN" in result.stderr
    assert len(inbox.messages) == 1
    entry = (
        await AuditEntry.select().where(AuditEntry.action == "certificate_reminders_sent").first()
    )
    assert entry["outcome"] == "ok"
