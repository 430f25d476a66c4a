"""What every area's command line shares: reading a date option the one way."""

from __future__ import annotations

import datetime as dt

import click

from core.parsing import NotADate, parse_iso_date


def option_date(raw: str | None, option: str) -> dt.date:
    """`--option YYYY-MM-DD`, today when not given; a usage error (exit 2) otherwise."""
    if not raw:
        return dt.date.today()
    try:
        return parse_iso_date(raw)
    except NotADate:
        raise click.BadParameter(
            f"{raw!r} is not a date in the form YYYY-MM-DD", param_hint=option
        ) from None
