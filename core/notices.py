"""In-app notices: a message for an audience, kept as a kind and its parameters so that
each reader sees it in their own language and the e-mail outbox can send it later.

Audiences: `dgro` (every DG R&O user) and `pro_partner` (the PRO Partner users of
`organisation_code`). The area that raises a notice owns its kind and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from core import outbox
from core.i18n import gettext, in_language
from core.identity import CurrentUser, Role
from core.settings import get_settings
from core.tables import Notice
from core.templating import jinja_environment

DGRO = "dgro"
PRO_PARTNER = "pro_partner"
UNREAD_SHOWN = 50


async def notify(
    kind: str,
    audiences: Sequence[str],
    organisation_code: str | None,
    params: Mapping[str, Any],
    mail_to: Sequence[tuple[str, str]] = (),
) -> None:
    """One notice per audience, and an e-mail to each (address, language) of `mail_to`
    through the outbox; inside the write's transaction, so all land with the write."""
    now = dt.datetime.now(dt.UTC)
    for address, language in mail_to:
        subject, body = notice_mail(kind, organisation_code, params, language)
        await outbox.enqueue(kind, address, language, subject, body)
    await Notice.insert(
        *[
            Notice(
                created_at=now,
                kind=kind,
                audience=audience,
                organisation_code=organisation_code,
                params=dict(params),
            )
            for audience in audiences
        ]
    )


def notice_mail(
    kind: str, organisation_code: str | None, params: Mapping[str, Any], language: str
) -> tuple[str, str]:
    """The subject and text of a notice's e-mail in `language` (templates/mail/notice.txt,
    the same words as the notices page)."""
    with in_language(language):
        body = (
            jinja_environment()
            .get_template("mail/notice.txt")
            .render(
                kind=kind,
                code=organisation_code or "",
                params=dict(params),
                public_url=get_settings().public_url,
            )
            .strip()
        )
        macros = jinja_environment().get_template("components/notice_text.html").module
        title = str(macros.notice_title(kind)).strip()  # type: ignore[attr-defined]
        subject = gettext(
            "PRO certification portal: %(title)s (%(code)s)",
            title=title,
            code=organisation_code or "DG R&O",
        )
    return subject, body + "\n"


def _audience_clause(is_dgro: bool, pro_partner_of: str | None):
    clauses: list[Any] = []
    if is_dgro:
        clauses.append(Notice.audience == DGRO)
    if pro_partner_of:
        clauses.append(
            (Notice.audience == PRO_PARTNER) & (Notice.organisation_code == pro_partner_of)
        )
    if not clauses:
        return None
    where: Any = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


async def notices_for(
    is_dgro: bool, pro_partner_of: str | None, *, organisation_code: str | None = None
) -> list[dict[str, Any]]:
    """The newest notices a reader may see (DG R&O's, and those of the organisation they are
    PRO Partner of), optionally about one organisation; JSON parameters decoded."""
    where = _audience_clause(is_dgro, pro_partner_of)
    if where is None:
        return []
    if organisation_code is not None:
        where = where & (Notice.organisation_code == organisation_code)
    rows = (
        await Notice.select()
        .where(where)
        .order_by(Notice.id, ascending=False)
        .limit(UNREAD_SHOWN)
        .output(load_json=True)
    )
    return list(rows)


def audience_of(user: CurrentUser) -> tuple[bool, str | None]:
    """Whose notices `user` reads: DG R&O's (the flag) and those of the organisation they
    are PRO Partner of (its code, or None)."""
    partner_of = user.organisation_code if user.has_role(Role.PRO_PARTNER) else None
    return user.is_dgro, partner_of


async def unread_for(user: CurrentUser) -> int | None:
    """How many of the notices `user` reads wait unread; None for a user who reads none."""
    is_dgro, partner_of = audience_of(user)
    if not is_dgro and not partner_of:
        return None
    return await unread_count(is_dgro, partner_of)


async def unread_count(is_dgro: bool, pro_partner_of: str | None) -> int:
    """How many of the notices a reader may see are not read yet."""
    where = _audience_clause(is_dgro, pro_partner_of)
    if where is None:
        return 0
    return int(await Notice.count().where(where & Notice.read_at.is_null()))


async def mark_read(notice_id: int, is_dgro: bool, pro_partner_of: str | None) -> bool:
    """Mark one of the reader's notices read; False when it is not theirs (or absent)."""
    where = _audience_clause(is_dgro, pro_partner_of)
    if where is None:
        return False
    changed = await (
        Notice.update({Notice.read_at: dt.datetime.now(dt.UTC)})
        .where((Notice.id == notice_id) & where)
        .returning(Notice.id)
    )
    return bool(changed)
