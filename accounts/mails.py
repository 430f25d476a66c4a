"""The account mails (invitation, password reset), in the recipient's language, written to
the e-mail outbox by the service in the same transaction as the token they carry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core import outbox
from core.i18n import gettext, in_language
from core.settings import get_settings
from core.templating import jinja_environment

INVITATION_MAIL = "account_invitation"
RESET_MAIL = "password_reset"

_TEMPLATES = {INVITATION_MAIL: "mail/invitation.txt", RESET_MAIL: "mail/password_reset.txt"}


def _subject(kind: str) -> str:
    if kind == INVITATION_MAIL:
        return gettext("Your account on the PRO certification portal")
    return gettext("Choosing a new password for the PRO certification portal")


def public_link(link: str) -> str:
    """`link` on the portal's PUBLIC_URL: its path and query, whatever host it was given
    with. A request's Host header is the sender's to choose (any name in development, and
    a proxy may pass on what it was sent): a link built on it could carry the token to
    another server."""
    scheme, netloc, _, _, _ = urlsplit(get_settings().public_url)
    _, _, path, query, fragment = urlsplit(link)
    return urlunsplit((scheme, netloc, path, query, fragment))


def account_mail(kind: str, language: str, **context: Any) -> tuple[str, str]:
    """The subject and text of an account mail in `language`; its `link` on PUBLIC_URL."""
    if "link" in context:
        context["link"] = public_link(context["link"])
    with in_language(language):
        body = jinja_environment().get_template(_TEMPLATES[kind]).render(**context).strip()
        subject = _subject(kind)
    return subject, body + "\n"


async def queue_account_mail(kind: str, recipient: str, language: str, **context: Any) -> None:
    """Write the mail to the outbox; call it inside the write's transaction."""
    subject, body = account_mail(kind, language, **context)
    await outbox.enqueue(kind, recipient, language, subject, body)
