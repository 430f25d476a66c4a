"""Small helpers shared by every form handler."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from litestar.exceptions import ClientException

from core.i18n import gettext as _
from core.parsing import LARGEST_ID, NotADate, number_field, parse_iso_date


def safe_redirect_target(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host, never a scheme (open redirect)."""
    if not value:
        return default
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(ch) < 32 for ch in value):
        return default
    return value


def form_int(
    raw: object, *, low: int = 1, high: int = LARGEST_ID, message: str | None = None
) -> int:
    """A whole number from a form field (an id, a revision, a count), held to its column's
    range before any query meets it: a 400 with `message` otherwise (a list's "Choose from
    the list.", a revision's "reload the page"), or the range in words without one. A
    form with errors next to its fields uses `core.parsing.number_field`, the same rule."""
    value, problem = number_field("" if raw is None else str(raw), low=low, high=high)
    if value is None:
        raise ClientException(detail=message or problem or "")
    return value


def form_revision(raw: object) -> int:
    """The revision of a record the page showed, sent back in a hidden field (the write
    lands only on that revision): a 400 when it is missing or no revision at all."""
    return form_int(raw, low=0, message=_("The form is incomplete: reload the page."))


def parse_as_of(as_of: str | None) -> dt.date:
    """`as_of=YYYY-MM-DD` from a query string, today when absent; a clear 400 otherwise."""
    if not as_of:
        return dt.date.today()
    try:
        return parse_iso_date(as_of)
    except NotADate:
        raise ClientException(
            _("as_of %(value)s is not a date in the form YYYY-MM-DD.", value=repr(as_of[:40]))
        ) from None


@dataclass(frozen=True)
class AsOfField:
    """The "on date" field of a page: the day shown, the text the field shows again, and
    the error next to it. A bad date is not a dead end: the page shows today's situation,
    the text as typed and the error, with status 400."""

    day: dt.date
    text: str
    error: str | None = None

    @property
    def status(self) -> int:
        return 400 if self.error else 200


def as_of_field(as_of: str | None) -> AsOfField:
    """`?as_of=` of a page with a date field (the API and downloads use `parse_as_of`)."""
    if not as_of:
        today = dt.date.today()
        return AsOfField(today, today.isoformat())
    try:
        day = parse_iso_date(as_of)
    except NotADate:
        message = _("Give the date as YYYY-MM-DD, e.g. 2026-03-15.")
        return AsOfField(dt.date.today(), as_of[:40], message)
    return AsOfField(day, day.isoformat())
