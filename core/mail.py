"""Outgoing mail over SMTP (settings SMTP_*)."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from core.settings import MailSettings


def mail_sender(settings: MailSettings):
    """An async `send(to, subject, body)` that delivers through the configured SMTP server."""

    def deliver(to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            if settings.use_tls:
                smtp.starttls()
            if settings.username and settings.password:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)

    async def send(to: str, subject: str, body: str) -> None:
        await asyncio.to_thread(deliver, to, subject, body)

    return send
