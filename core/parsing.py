"""The one way to read the values people type or import: ISO dates, e-mail addresses and
whole numbers.

Callers word their own message (the import in English `FILE:LINE` style, forms in the
user's language); the rule of what is a date or an address lives here only.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from core.i18n import gettext as _

# The longest e-mail address (RFC 5321): the tables' e-mail columns have this length.
EMAIL_LENGTH = 254
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The ids' and revisions' column type, INTEGER: 32 bits on PostgreSQL, which answers a
# larger number with an error (a 500) where SQLite stores it. A number a form sends for a
# record or a revision is at most this, and so is any other whole number of a form unless
# its column allows less.
LARGEST_ID = 2**31 - 1
DIGITS = re.compile(r"[0-9]+")


# The days a date may name. Every date here is a working life's (staff, certificates,
# Q-checks, policies, meetings, deadlines): 1900 takes any start date a register holds,
# 2999 any "valid until" however far. Beyond them lie only typing slips and the "no end"
# of other systems (9999-12-31), which asyncpg writes to PostgreSQL as `infinity` (and
# 0001-01-01 as `-infinity`), not as the day typed, and which the portal's date sums
# (a year later, 400 days ahead) would carry past the calendar's end.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


class NotADate(ValueError):
    """`shape` is True when the text is not YYYY-MM-DD at all; False for 2026-02-30.
    `out_of_range`: a real day, but before FIRST_DAY or after LAST_DAY."""

    def __init__(self, raw: str, *, shape: bool, out_of_range: bool = False) -> None:
        super().__init__(raw)
        self.raw = raw
        self.shape = shape
        self.out_of_range = out_of_range


@lru_cache(maxsize=8192)
def parse_iso_date(raw: str) -> dt.date:
    """`YYYY-MM-DD` exactly (no time, no week dates); NotADate otherwise.

    Kept per text: an import of a million rows has a few thousand distinct dates, and
    every row then shares one date object (speed and memory).
    """
    raw = raw.strip()
    if not ISO_DATE.match(raw):
        raise NotADate(raw, shape=True)
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise NotADate(raw, shape=False) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise NotADate(raw, shape=False, out_of_range=True)
    return day


class NotANumber(ValueError):
    """The text is not a whole number from `low` to `high`."""


def parse_whole_number(raw: str, *, low: int = 1, high: int = LARGEST_ID) -> int:
    """Digits 0-9 only (no sign, no `²` or `٣` that `str.isdigit` takes and `int` then
    refuses or reads), from `low` to `high`: the column's range, so that no query meets
    a number its column cannot hold. The length is compared first: a number of 10,000
    digits costs no conversion (Python refuses more than 4,300 with an error)."""
    text = raw.strip()
    if not DIGITS.fullmatch(text):
        raise NotANumber(text)
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(high)) or not low <= int(digits) <= high:
        raise NotANumber(text)
    return int(digits)


@lru_cache(maxsize=1 << 17)
def is_email(value: str) -> bool:
    """At most 254 characters and the shape of an address; kept for the addresses an
    import repeats (a consultant on thousands of rows)."""
    return len(value) <= EMAIL_LENGTH and bool(EMAIL.match(value))


def date_field(raw: str) -> tuple[dt.date | None, str | None]:
    """A form's date field: the date, or what is wrong in the user's language."""
    try:
        return parse_iso_date(raw), None
    except NotADate as error:
        if error.shape:
            return None, _("Give the date as YYYY-MM-DD, e.g. 2026-03-15.")
        if error.out_of_range:
            return None, _(
                "Give a date from %(first)s to %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        return None, _("%(value)s is not a real date.", value=error.raw)


def number_field(
    raw: str, *, low: int = 1, high: int = LARGEST_ID
) -> tuple[int | None, str | None]:
    """A form's whole-number field: the number, or what is wrong in the user's language."""
    try:
        return parse_whole_number(raw, low=low, high=high), None
    except NotANumber:
        return None, _("Give a whole number from %(low)s to %(high)s.", low=low, high=high)
