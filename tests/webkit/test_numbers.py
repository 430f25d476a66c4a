"""The one rule of a whole number typed or sent in a form (issue 18 #5): ASCII digits,
within the column's range, read without converting a number too long for it."""

from __future__ import annotations

import pytest

from core.parsing import LARGEST_ID, NotANumber, number_field, parse_whole_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", 1), (" 42 ", 42), ("0007", 7), (str(LARGEST_ID), LARGEST_ID), ("0" * 50 + "5", 5)],
)
def test_whole_numbers_within_the_range_are_read(raw, expected):
    assert parse_whole_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", " ", "0", "-1", "+1", "1.0", "1e3", "0x10", "²", "٣", "８０", str(LARGEST_ID + 1),
     str(2**63), str(10**30), "9" * 5000, "1\n2"],
)  # fmt: skip
def test_anything_else_is_not_a_number_of_a_record(raw):
    with pytest.raises(NotANumber):
        parse_whole_number(raw)


def test_the_range_is_the_callers_and_said_in_words():
    from core.i18n import set_language

    set_language("en")
    assert parse_whole_number("0", low=0) == 0
    assert number_field("101", low=1, high=100) == (
        None,
        "Give a whole number from 1 to 100.",
    )
    assert number_field("100", low=1, high=100) == (100, None)
