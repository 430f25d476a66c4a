"""Who a notice is mailed to, and in which language: DG R&O's active users (their own
language), and an organisation's PRO Partner (the language of their account if they
have one, else the organisation's correspondence language)."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.tables import User
from core import notices
from core.identity import Role, parse_roles
from organisations.rules import correspondence_language
from organisations.tables import Organisation


async def mail_recipients(
    audiences: Sequence[str], organisation_code: str | None
) -> list[tuple[str, str]]:
    """(address, language) for each audience of a notice (a few small queries)."""
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
        partner = (await partner_recipients([organisation_code])).get(organisation_code)
        if partner:
            found.append(partner)
    return found


async def partner_recipients(codes: Sequence[str]) -> dict[str, tuple[str, str]]:
    """code -> (the PRO Partner's address, language) for those organisations that have
    one: two queries for any number of organisations."""
    organisations = await Organisation.select(
        Organisation.code, Organisation.pro_partner_email, Organisation.language_roles
    ).where(Organisation.code.is_in(list(codes) or [""]))
    addresses = [row["pro_partner_email"] for row in organisations if row["pro_partner_email"]]
    languages = (
        {
            row["email"]: row["preferred_language"]
            for row in await User.select(User.email, User.preferred_language).where(
                User.email.is_in(addresses)
            )
        }
        if addresses
        else {}
    )
    return {
        row["code"]: (
            row["pro_partner_email"],
            languages.get(row["pro_partner_email"])
            or correspondence_language(row["language_roles"]),
        )
        for row in organisations
        if row["pro_partner_email"]
    }
