"""In-app notices: a message for an audience, kept as a kind and its parameters so that
each reader sees it in their own language and the e-mail outbox can send it later.

Audiences: `dgro` (every DG R&O user), `pro_partner` (the PRO Partner users of
`organisation_code`) and `person` (one account, `recipient`: the dossier's events, each
mailed at once, in a daily digest or not, as that person chose). The area that raises a
notice owns its kind and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import outbox
from core.i18n import gettext, in_language
from core.identity import CurrentUser, Role
from core.settings import get_settings
from core.tables import Notice, NoticePreference
from core.templating import jinja_environment

DGRO = "dgro"
PRO_PARTNER = "pro_partner"
PERSON = "person"
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


@dataclass(frozen=True)
class Reader:
    """Whose notices a reader sees: DG R&O's (the flag), those of the organisation they are
    PRO Partner of (its code), and their own (their account's id)."""

    is_dgro: bool
    partner_of: str | None
    account: int | None


def _audience_clause(reader: Reader):
    clauses: list[Any] = []
    if reader.is_dgro:
        clauses.append(Notice.audience == DGRO)
    if reader.partner_of:
        clauses.append(
            (Notice.audience == PRO_PARTNER) & (Notice.organisation_code == reader.partner_of)
        )
    if reader.account is not None:
        clauses.append((Notice.audience == PERSON) & (Notice.recipient == reader.account))
    if not clauses:
        return None
    where: Any = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


async def notices_for(
    reader: Reader, *, organisation_code: str | None = None
) -> list[dict[str, Any]]:
    """The newest notices a reader may see (DG R&O's, those of the organisation they are
    PRO Partner of, their own), optionally about one organisation; JSON decoded."""
    where = _audience_clause(reader)
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


def audience_of(user: CurrentUser) -> Reader:
    """Whose notices `user` reads: DG R&O's, those of the organisation they are PRO
    Partner of, and their own."""
    partner_of = user.organisation_code if user.has_role(Role.PRO_PARTNER) else None
    return Reader(user.is_dgro, partner_of, user.id)


async def unread_for(user: CurrentUser) -> int:
    """How many of the notices `user` reads wait unread."""
    return await unread_count(audience_of(user))


async def unread_count(reader: Reader) -> int:
    """How many of the notices a reader may see are not read yet."""
    where = _audience_clause(reader)
    if where is None:
        return 0
    return int(await Notice.count().where(where & Notice.read_at.is_null()))


async def mark_read(notice_id: int, reader: Reader) -> bool:
    """Mark one of the reader's notices read; False when it is not theirs (or absent)."""
    where = _audience_clause(reader)
    if where is None:
        return False
    changed = await (
        Notice.update({Notice.read_at: dt.datetime.now(dt.UTC)})
        .where((Notice.id == notice_id) & where)
        .returning(Notice.id)
    )
    return bool(changed)


# --- Notices to one person: the dossier's events (issue 22) ------------------------------

# The kinds of notice to one person, each of which the person may have mailed at once, in
# a daily digest or not at all (in the portal only). Their words: components/notice_text.
PERSON_KINDS = (
    "meeting_planned",
    "report_to_sign",
    "report_signed",
    "objective_set",
    "objective_achieved",
    "evaluation_to_write",
    "evaluation_submitted",
    "evaluation_final",
    "remarks_added",
    "evaluator_assigned",
)
DELIVERIES = ("now", "digest", "app")
DEFAULT_DELIVERY = "now"


@dataclass(frozen=True)
class Person:
    """Someone a notice is for: their account, the address and language of its mail."""

    account: int
    email: str
    language: str


async def choices_of(accounts: Sequence[int]) -> dict[int, dict[str, str]]:
    """Each account's chosen delivery per kind (one query); absent: the default."""
    if not accounts:
        return {}
    rows = await (
        NoticePreference.select(NoticePreference.account, NoticePreference.choices)
        .where(NoticePreference.account.is_in(list(accounts)))
        .output(load_json=True)
    )
    return {row["account"]: dict(row["choices"] or {}) for row in rows}


async def save_choices(account: int, choices: Mapping[str, str]) -> dict[str, str]:
    """Keep a person's deliveries (kinds and deliveries outside the lists are refused by
    the caller); returns what was kept before. Inside the caller's transaction."""
    kept = {kind: choices[kind] for kind in PERSON_KINDS if choices.get(kind) in DELIVERIES}
    before = (await choices_of([account])).get(account, {})
    if await NoticePreference.exists().where(NoticePreference.account == account):
        await NoticePreference.update({NoticePreference.choices: kept}).where(
            NoticePreference.account == account
        )
    else:
        await NoticePreference.insert(NoticePreference(account=account, choices=kept))
    return before


async def notify_people(
    kind: str, people: Sequence[Person], params: Mapping[str, Any], organisation_code: str | None
) -> int:
    """One notice to each person (once, whoever is named twice), mailed through the outbox
    at once to those who chose so; a digest takes those who chose one. Inside the write's
    transaction, so that all land with the write. How many were told."""
    unique = list({person.account: person for person in people}.values())
    if not unique:
        return 0
    choices = await choices_of([person.account for person in unique])
    now = dt.datetime.now(dt.UTC)
    rows = []
    for person in unique:
        delivery = choices.get(person.account, {}).get(kind, DEFAULT_DELIVERY)
        if delivery == "now":
            subject, body = notice_mail(kind, organisation_code, params, person.language)
            await outbox.enqueue(kind, person.email, person.language, subject, body)
        rows.append(
            Notice(
                created_at=now,
                kind=kind,
                audience=PERSON,
                organisation_code=organisation_code,
                params=dict(params),
                recipient=person.account,
                delivery=delivery,
                mailed_at=now if delivery == "now" else None,
            )
        )
    await Notice.insert(*rows)
    return len(rows)


async def digest_rows(before: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    """The notices waiting for a daily digest, raised before `before`, per account."""
    rows = await (
        Notice.select()
        .where(
            (Notice.audience == PERSON)
            & (Notice.delivery == "digest")
            & Notice.mailed_at.is_null()
            & (Notice.created_at < before)
        )
        .order_by(Notice.id)
        .output(load_json=True)
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["recipient"], []).append(row)
    return grouped


async def send_digest(person: Person, rows: Sequence[Mapping[str, Any]]) -> None:
    """One mail with a line per notice (titles and dates only), and the notices marked
    mailed, so that none is mailed twice. Inside the caller's transaction."""
    with in_language(person.language):
        body = (
            jinja_environment()
            .get_template("mail/digest.txt")
            .render(notices=rows, public_url=get_settings().public_url)
            .strip()
        )
        subject = gettext("PRO certification portal: your notices of the day")
    await outbox.enqueue("notice_digest", person.email, person.language, subject, body + "\n")
    await mark_mailed([row["id"] for row in rows])


async def mark_mailed(notice_ids: Sequence[int]) -> None:
    """These notices are mailed (or will never be): no digest takes them again."""
    if notice_ids:
        await Notice.update({Notice.mailed_at: dt.datetime.now(dt.UTC)}).where(
            Notice.id.is_in(list(notice_ids))
        )
