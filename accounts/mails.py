"""The account mails (invitation, password reset), in the recipient's language, written to
the e-mail outbox by the service in the same transaction as the token they carry."""

from __future__ import annotations

from typing import Any

from core import outbox
from core.i18n import current_language, gettext, set_language
from core.templating import jinja_environment

INVITATION_MAIL = "account_invitation"
RESET_MAIL = "password_reset"

_TEMPLATES = {INVITATION_MAIL: "mail/invitation.txt", RESET_MAIL: "mail/password_reset.txt"}


def _subject(kind: str) -> str:
    if kind == INVITATION_MAIL:
        return gettext("Your account on the PRO certification portal")
    return gettext("Choosing a new password for the PRO certification portal")


def account_mail(kind: str, language: str, **context: Any) -> tuple[str, str]:
    """The subject and text of an account mail in `language`."""
    previous = current_language()
    set_language(language)
    try:
        body = jinja_environment().get_template(_TEMPLATES[kind]).render(**context).strip()
        subject = _subject(kind)
    finally:
        set_language(previous)
    return subject, body + "\n"


async def queue_account_mail(kind: str, recipient: str, language: str, **context: Any) -> None:
    """Write the mail to the outbox; call it inside the write's transaction."""
    subject, body = account_mail(kind, language, **context)
    await outbox.enqueue(kind, recipient, language, subject, body)
