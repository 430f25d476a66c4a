"""The Q-check truths every area uses (SPEC 2.2), pure: the window, the average, its display.

Scores are integers in hundredths of a percent (83.25 % is 8325), so "average >= 80 %"
is the exact test `sum >= 8000 × count` and no float rounding ever decides a level. The
dashboard, the overview, exports, the API and (later) the review all use these functions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from functools import lru_cache
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


# --- recording: the checks every path applies (form, API, import), as codes ----------------
# Each path words a problem its own way (the import's messages are SPEC 5.1's, the form's
# are translated), but the rule is decided once, here.

# The longest selection file reference (the table's column, the form and the import).
MAX_REFERENCE = 60
SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
MAX_SCORE_HUNDREDTHS = 10_000


def score_hundredths(raw: str) -> int:
    """`83.25` -> 8325, exactly, from the digits (the text matched SCORE)."""
    whole, _dot, decimals = raw.partition(".")
    return int(whole) * 100 + int(decimals.ljust(2, "0"))


@lru_cache(maxsize=16384)
def check_score(raw: str) -> tuple[int | None, str | None]:
    """The score in hundredths, or the problem: `empty`, `comma`, `shape` or `range`.
    Kept per text: a file of a million Q-checks has at most ten thousand scores."""
    raw = raw.strip()
    if raw == "":
        return None, "empty"
    if "," in raw:
        return None, "comma"
    if not SCORE.match(raw):
        return None, "shape"
    score = score_hundredths(raw)
    if score > MAX_SCORE_HUNDREDTHS:
        return None, "range"
    return score, None


def check_dates(closed_on: dt.date, checked_on: dt.date, today: dt.date) -> list[str]:
    """Events that happened cannot lie in the future, and only a closed file is checked:
    `closed_in_future`, `checked_in_future`, `checked_before_closed`."""
    problems = []
    if closed_on > today:
        problems.append("closed_in_future")
    if checked_on > today:
        problems.append("checked_in_future")
    if checked_on < closed_on:
        problems.append("checked_before_closed")
    return problems


Posting = tuple[int, dt.date, dt.date | None]  # (organisation id, start, end or None)


def on_staff_on(postings: Iterable[Posting], organisation_id: int, day: dt.date) -> bool:
    """The consultant was on the staff of the organisation on `day` (SPEC 5.1): one of their
    postings (the current one, or an earlier one before a move) covers it."""
    return any(
        organisation == organisation_id and start <= day and (end is None or end >= day)
        for organisation, start, end in postings
    )


def weighted_score(scored: Iterable[tuple[int, int]]) -> int:
    """The overall score in hundredths from (weight, score in hundredths) per criterion:
    the weighted mean, rounded half up to the hundredth, in integers."""
    pairs = list(scored)
    total_weight = sum(weight for weight, _score in pairs)
    if total_weight <= 0:
        raise ValueError("weighted_score needs at least one criterion with a weight")
    weighted = sum(weight * score for weight, score in pairs)
    return (2 * weighted + total_weight) // (2 * total_weight)


# --- the threshold watch ---------------------------------------------------------------------

NEAR_MARGIN = 2.0  # points above the threshold that already deserve a notice


class Zone(StrEnum):
    """Where an organisation's window average stands against the threshold."""

    OK = "ok"
    NEAR = "near"  # met, but within NEAR_MARGIN points above the threshold
    BELOW = "below"  # not met (under the threshold, or unknown)

    @property
    def rank(self) -> int:
        return {"ok": 0, "near": 1, "below": 2}[self.value]


def average_zone(met: bool, average: float | None, threshold: float) -> Zone:
    """`met` is the engine's exact verdict on the average; near is judged on the figure."""
    if not met or average is None:
        return Zone.BELOW
    if average < threshold + NEAR_MARGIN:
        return Zone.NEAR
    return Zone.OK
