"""Who a notice is mailed to, and in which language: DG R&O's active users (their own
language), and an organisation's PRO Partner (the language of their account if they
have one, else the organisation's correspondence language)."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.identity import Role, parse_roles
from accounts.tables import User
from core import notices
from organisations.rules import correspondence_language
from organisations.tables import Organisation


async def mail_recipients(
    audiences: Sequence[str], organisation_code: str | None
) -> list[tuple[str, str]]:
    """(address, language) for each audience of a notice (two or three small queries)."""
    found: list[tuple[str, str]] = []
    if notices.DGRO in audiences:
        rows = await User.select(User.email, User.roles, User.preferred_language).where(
            User.active.eq(True) & User.roles.like("%dgro%")
        )
        found += [
            (row["email"], row["preferred_language"] or "nl")
            for row in rows
            if Role.DGRO in parse_roles(row["roles"])
        ]
    if notices.PRO_PARTNER in audiences and organisation_code:
        organisation = (
            await Organisation.select(Organisation.pro_partner_email, Organisation.language_roles)
            .where(Organisation.code == organisation_code)
            .first()
        )
        if organisation and organisation["pro_partner_email"]:
            address = organisation["pro_partner_email"]
            account = (
                await User.select(User.preferred_language).where(User.email == address).first()
            )
            language = (account or {}).get("preferred_language") or correspondence_language(
                organisation["language_roles"]
            )
            found.append((address, language))
    return found
