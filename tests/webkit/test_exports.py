"""Exports neutralise spreadsheet formulas and never round a failing average up."""

import pytest

from certification.exports import eligibility_table
from core.spreadsheets import safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+32 2 123", "'+32 2 123"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("BOSA", "BOSA"),
        (83.25, 83.25),
        (-5, -5),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_table_truncates_the_average():
    row = {
        "organisation": "BOSA",
        "as_of": "2026-12-31",
        "eligible_level": "individual",
        "granted_level": "individual",
        "certified_staff": 4,
        "qcheck_average": 79.996,
        "qcheck_count": 3,
        "conditions": [
            {"code": "qcheck_average", "met": False, "actual": 79.996, "required": 80.0}
        ],
    }
    table = eligibility_table([row])
    assert "79.99" in table
    assert "80.00" not in table


@pytest.mark.parametrize(
    ("hundredths_sum", "count", "shown"),
    [
        (7999, 1, "79.99"),  # int(79.99 * 100) would read 79.98
        (8237, 1, "82.37"),
        (8029, 1, "80.29"),
        (8000 + 8000 + 7999, 3, "79.99"),  # 79.9966…: never 80.00
        (8000, 1, "80.00"),
        (10000, 1, "100.00"),
        (1, 3, "0.00"),
    ],
)
def test_averages_are_truncated_exactly(hundredths_sum, count, shown):
    from qchecks.rules import format_average

    assert format_average(hundredths_sum / count / 100) == shown
