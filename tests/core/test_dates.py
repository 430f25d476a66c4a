"""The days a date may name (issue 18, info row: 9999-12-31 became `infinity` on
PostgreSQL): 1900-01-01 to 2999-12-31, said in words."""

from __future__ import annotations

import datetime as dt

import pytest

from core.parsing import NotADate, date_field, parse_iso_date


@pytest.mark.parametrize("raw", ["1900-01-01", "2026-02-28", "2999-12-31"])
def test_days_within_the_bounds_are_read(raw):
    assert parse_iso_date(raw) == dt.date.fromisoformat(raw)


@pytest.mark.parametrize("raw", ["9999-12-31", "3000-01-01", "1899-12-31", "0001-01-01"])
def test_days_beyond_them_are_refused_as_out_of_range(raw):
    with pytest.raises(NotADate) as refused:
        parse_iso_date(raw)
    assert refused.value.out_of_range and not refused.value.shape


def test_a_form_says_which_days_it_takes():
    from core.i18n import set_language

    set_language("en")
    assert date_field("9999-12-31") == (None, "Give a date from 1900-01-01 to 2999-12-31.")
    assert date_field("2026-02-30") == (None, "2026-02-30 is not a real date.")
