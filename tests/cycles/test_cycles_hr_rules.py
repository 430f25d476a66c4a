"""The HR side's pure rules: what a new evaluator assignment does to the running one, and
the organisation's progress through a year, month by month."""

from __future__ import annotations

import datetime as dt

from cycles.hr import rules
from cycles.hr.rules import CycleProgress, Running

D = dt.date


def test_a_new_assignment_ends_replaces_or_is_refused():
    running = Running(evaluator_id=7, from_on=D(2026, 3, 1))
    assert rules.assignment_change(None, 8, D(2026, 1, 1)) == rules.INSERT
    assert rules.assignment_change(running, 8, D(2026, 4, 1)) == rules.END_AND_INSERT
    assert rules.ended_on(D(2026, 4, 1)) == D(2026, 3, 31)
    assert rules.ended_on(D(2024, 3, 1)) == D(2024, 2, 29)
    assert rules.assignment_change(running, 8, D(2026, 3, 1)) == rules.REPLACE
    assert rules.assignment_change(running, 8, D(2026, 2, 28)) == rules.BEFORE_RUNNING
    assert rules.assignment_change(running, 7, D(2026, 5, 1)) == rules.SAME


def test_percent_rounds_half_up_and_knows_nothing_of_nothing():
    assert rules.percent(1, 3) == 33
    assert rules.percent(2, 3) == 67
    assert rules.percent(1, 8) == 13  # 12.5 -> 13
    assert rules.percent(0, 5) == 0
    assert rules.percent(3, 3) == 100
    assert rules.percent(0, 0) is None


def _cycle(start, end, planning=None, opens=None, closes=None, evaluated=None):
    return CycleProgress(start, end, planning, opens, closes or D(end.year + 1, 6, 30), evaluated)


def test_year_progress_counts_month_by_month_up_to_today():
    cycles = [
        # Last year's cycle: evaluated this year (opened in December), done in March.
        _cycle(D(2025, 1, 1), D(2025, 12, 31), D(2025, 2, 1), D(2025, 12, 1), None, D(2026, 3, 10)),
        # This year's cycles: one planned in February, one starting in April.
        _cycle(D(2026, 1, 1), D(2026, 12, 31), D(2026, 2, 15), D(2026, 12, 1)),
        _cycle(D(2026, 4, 1), D(2027, 12, 31)),
        # Too few days of performance: no evaluation counted.
        _cycle(D(2026, 1, 1), D(2026, 1, 20), None, None),
        # Closed before the year: not counted at all.
        _cycle(D(2023, 1, 1), D(2023, 12, 31), None, D(2023, 12, 1), D(2024, 6, 30)),
    ]
    months = rules.year_progress(2026, cycles, D(2026, 4, 10))
    assert [m.month for m in months] == [1, 2, 3, 4]
    assert months[-1].day == D(2026, 4, 10)
    assert [(m.cycles, m.planning_signed) for m in months] == [(2, 0), (2, 1), (2, 1), (3, 1)]
    assert [(m.evaluations_due, m.evaluations_done) for m in months] == [
        (1, 0),
        (1, 0),
        (1, 1),
        (1, 1),
    ]
    assert months[1].planning_percent == 50
    assert months[2].evaluations_percent == 100
    assert rules.year_progress(2027, cycles, D(2026, 12, 31)) == []
    december = rules.year_progress(2026, cycles, D(2027, 2, 1))[-1]
    assert (december.month, december.day, december.evaluations_due) == (12, D(2026, 12, 31), 2)
