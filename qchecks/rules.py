"""The Q-check truths every area uses (SPEC 2.2), pure: the window, the average, its display.

Scores are integers in hundredths of a percent (83.25 % is 8325), so "average >= 80 %"
is the exact test `sum >= 8000 × count` and no float rounding ever decides a level. The
dashboard, the overview, exports, the API and (later) the review all use these functions.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def in_qcheck_window(checked_on: dt.date, day: dt.date) -> bool:
    """The twelve months ending on D: D minus one year < checked_on <= D."""
    return one_year_before(day) < checked_on <= day


def window_average(sum_hundredths: int, count: int) -> float | None:
    """The mean score in percent, unrounded; None (unknown) when there is no Q-check."""
    return int(sum_hundredths) / int(count) / 100 if count else None


def meets_average(sum_hundredths: Any, count: Any, minimum_hundredths: int) -> Any:
    """Known and at least the minimum, compared exactly in integers. Works elementwise on
    numpy arrays too (the aggregate path of all organisations at once)."""
    return (count > 0) & (sum_hundredths >= minimum_hundredths * count)


def format_average(value: float | None) -> str:
    """Two decimals, truncated: 79.996 reads 79.99, never 80.00.

    Decimal from the float's shortest repr: `int(79.99 * 100)` is 7998, because
    79.99 * 100 is 7998.999… in binary.
    """
    if value is None:
        return "—"
    return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def format_hundredths(hundredths: int) -> str:
    """8000 -> "80.00": exact, from the integer, never through a float."""
    whole, rest = divmod(int(hundredths), 100)
    return f"{whole}.{rest:02d}"
