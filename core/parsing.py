"""The one way to read the values people type or import: ISO dates and e-mail addresses.

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


class NotADate(ValueError):
    """`shape` is True when the text is not YYYY-MM-DD at all; False for 2026-02-30."""

    def __init__(self, raw: str, *, shape: bool) -> None:
        super().__init__(raw)
        self.raw = raw
        self.shape = shape


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
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise NotADate(raw, shape=False) from None


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
        return None, _("%(value)s is not a real date.", value=error.raw)
