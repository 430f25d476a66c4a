"""Facts about organisations that every area shares (pure: no web, no ORM)."""

from __future__ import annotations

import datetime as dt
import re

# The language roles an organisation and its staff can have (SPEC 2.1).
LANGUAGE_ROLES = ("NL", "FR", "DE")
# An organisation's code: 2 to 20 capital letters, digits, "-" or "_" (the import's and the
# form's rule).
ORGANISATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
# The lengths of names (the tables' columns, the forms and the import keep to them).
STAFF_NAME_LENGTH = 100
ORGANISATION_NAME_LENGTH = 255


# SPEC 3.1: appointed, on stage (a statutory recruit on probation), contractual, or a
# mandate holder (evaluated under the mandate's own procedure: no cycles in the portal).
STATUTES = ("statutory", "trainee", "contractual", "mandate")
DEFAULT_STATUTE = "statutory"


def split_language_roles(value: str | None) -> list[str]:
    """`"NL|FR"` as stored -> `["NL", "FR"]`."""
    return [role for role in (value or "").split("|") if role]


def is_active_on(start_date: dt.date, end_date: dt.date | None, day: dt.date) -> bool:
    """Active staff on D: started on or before D, and no end date before D (SPEC 2.2)."""
    return start_date <= day and (end_date is None or end_date >= day)


def correspondence_language(language_roles: str | None) -> str:
    """The language DG R&O writes to an organisation in: FR when FR is its only or first
    language role, else NL (SPEC 5.3)."""
    roles = split_language_roles(language_roles)
    return "fr" if roles and roles[0] == "FR" else "nl"


def earlier_posting_end(
    end_date: dt.date | None, next_start: dt.date | None, today: dt.date
) -> dt.date:
    """When a staff member's posting at the organisation they leave ends: its own end date,
    else the day before they start at the next one (today's when no start is given) - the
    rule of the staff import and of a confirmed move alike."""
    return end_date or ((next_start or today) - dt.timedelta(days=1))


# The states of a move request (organisations.tables.StaffMoveRequest).
MOVE_PENDING = "pending"
MOVE_CONFIRMED = "confirmed"
MOVE_DECLINED = "declined"
MOVE_WITHDRAWN = "withdrawn"
