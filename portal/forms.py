"""Small helpers shared by every form handler."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from litestar.exceptions import ClientException

from core.i18n import gettext as _
from core.parsing import NotADate, parse_iso_date


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
