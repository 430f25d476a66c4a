"""Small helpers shared by every form handler."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar.exceptions import ClientException

from core.errors import FieldsRefused, Refused
from core.i18n import gettext as _
from core.parsing import LARGEST_ID, NotADate, date_field, number_field, parse_iso_date


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
    raw: object,
    *,
    low: int = 1,
    high: int = LARGEST_ID,
    message: str | None = None,
    field: str = "",
) -> int:
    """A whole number from a form field (an id, a revision, a count), held to its column's
    range before any query meets it: refused (`Refused`, at `field`) with `message`
    otherwise (a list's "Choose from the list.", a revision's "reload the page"), or the
    range in words without one. `core.parsing.number_field` is the same rule."""
    value, problem = number_field("" if raw is None else str(raw), low=low, high=high)
    if value is None:
        raise Refused(message or problem or "", field)
    return value


def form_revision(raw: object) -> int:
    """The revision of a record the page showed, sent back in a hidden field (the write
    lands only on that revision): refused when it is missing or no revision at all."""
    return form_int(raw, low=0, message=_("The form is incomplete: reload the page."))


def _typed_date(typed: str) -> tuple[dt.date | None, str]:
    """A typed date (YYYY-MM-DD), or what is wrong with it in words."""
    day, problem = date_field(typed.strip())
    return day, problem or _("Give the date as YYYY-MM-DD.")


def form_date(raw: object, field: str) -> dt.date:
    """A date typed in a form field (YYYY-MM-DD): refused at `field`, in words, otherwise."""
    day, problem = _typed_date(str(raw or ""))
    if day is None:
        raise Refused(problem, field)
    return day


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


class FormReader:
    """Reads a posted form field by field and collects what is wrong with each, so one
    round names every mistake: `check()` raises `FieldsRefused` with them all (the route's
    form page shows them beside their fields, with what was typed)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.errors: dict[str, str] = {}

    def text(self, name: str, *, upper: bool = False) -> str:
        value = str(self.raw.get(name) or "").strip()
        return value.upper() if upper else value

    def date(self, name: str, *, optional: bool = False) -> dt.date | None:
        typed = self.text(name)
        if optional and not typed:
            return None
        day, problem = _typed_date(typed)
        if day is None:
            self.errors[name] = problem
        return day

    def number(
        self, name: str, *, low: int = 1, high: int = LARGEST_ID, message: str | None = None
    ) -> int:
        value, problem = number_field(self.text(name), low=low, high=high)
        if value is None:
            self.errors[name] = message or problem or ""
            return low
        return value

    def check(self) -> None:
        if self.errors:
            raise FieldsRefused(self.errors)
