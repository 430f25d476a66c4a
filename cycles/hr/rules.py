"""Pure rules of the HR side of evaluation cycles (standard library only).

- An evaluator assignment's change: a new first evaluator, second evaluator or
  co-planner ends the running assignment of that role the day before the new one
  starts, or replaces it when both start on the same day; a start before the running
  one is refused (history is not rewritten).
- The organisation's progress through a year, month by month: the share of the year's
  cycles whose planning report both signed, and the share of the evaluations due that
  both evaluators submitted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)
ASSIGNMENT_ROLES = ("first", "second", "coplanner")

INSERT = "insert"  # nothing runs: the new assignment is added
END_AND_INSERT = "end_and_insert"  # the running one ends the day before the new one starts
REPLACE = "replace"  # the running one started the same day: it is replaced
SAME = "same"  # the same evaluator from an earlier day: nothing changes
BEFORE_RUNNING = "before_running"  # refused: the new one would start before the running one


@dataclass(frozen=True)
class Running:
    """The running (open-ended) assignment of one role: who, and from when."""

    evaluator_id: int
    from_on: dt.date


def assignment_change(running: Running | None, evaluator_id: int, from_on: dt.date) -> str:
    """What assigning `evaluator_id` from `from_on` does to the running assignment."""
    if running is None:
        return INSERT
    if from_on < running.from_on:
        return BEFORE_RUNNING
    if running.evaluator_id == evaluator_id:
        return SAME
    if from_on == running.from_on:
        return REPLACE
    return END_AND_INSERT


def ended_on(from_on: dt.date) -> dt.date:
    """The running assignment's last day when a new one starts on `from_on`."""
    return from_on - ONE_DAY


@dataclass(frozen=True)
class CycleProgress:
    """What the year's chart needs of one cycle (dates only, no contents).

    `evaluation_opens` is None when the cycle gets no annual evaluation (too few days
    of performance); `evaluated_on` is the day the last of the two evaluators submitted
    (None while one is missing)."""

    starts_on: dt.date
    ends_on: dt.date
    planning_signed_on: dt.date | None
    evaluation_opens: dt.date | None
    evaluation_closes: dt.date
    evaluated_on: dt.date | None


@dataclass(frozen=True)
class MonthProgress:
    month: int
    day: dt.date  # the last day counted: the month's end, or today in the current month
    cycles: int  # the year's cycles started by that day
    planning_signed: int
    evaluations_due: int  # evaluations open by that day in the year
    evaluations_done: int

    @property
    def planning_percent(self) -> int | None:
        return percent(self.planning_signed, self.cycles)

    @property
    def evaluations_percent(self) -> int | None:
        return percent(self.evaluations_done, self.evaluations_due)


def percent(part: int, whole: int) -> int | None:
    """Rounded half up to a whole percent; None of nothing."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def year_progress(
    year: int, cycles: Sequence[CycleProgress], today: dt.date
) -> list[MonthProgress]:
    """Month by month up to today (none for a year that has not begun): the cycles
    running in `year` that had started by the month's last day and how many of them had
    their planning report signed by then; the evaluations that had opened by then and
    close in `year` or later, and how many both evaluators had submitted by then."""
    first_day = dt.date(year, 1, 1)
    months: list[MonthProgress] = []
    for month in range(1, 13):
        month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
        start = dt.date(year, month, 1)
        if start > today:
            break
        day = min(month_end, today)
        running = [c for c in cycles if c.starts_on <= day and c.ends_on >= first_day]
        due = [
            c
            for c in cycles
            if c.evaluation_opens is not None
            and c.evaluation_opens <= day
            and c.evaluation_closes >= first_day
        ]
        months.append(
            MonthProgress(
                month=month,
                day=day,
                cycles=len(running),
                planning_signed=sum(
                    1
                    for c in running
                    if c.planning_signed_on is not None and c.planning_signed_on <= day
                ),
                evaluations_due=len(due),
                evaluations_done=sum(
                    1 for c in due if c.evaluated_on is not None and c.evaluated_on <= day
                ),
            )
        )
    return months


EVALUATOR_ROLES_DUE = ("first", "second")


def missing_evaluators(due: bool, held: Iterable[str]) -> tuple[str, ...]:
    """The evaluator roles a staff member due an evaluation lacks (issue 22: HR checks in
    early December that everyone to evaluate has a first and a second evaluator); none
    for someone not due one."""
    if not due:
        return ()
    roles = set(held)
    return tuple(role for role in EVALUATOR_ROLES_DUE if role not in roles)
