"""The pure rules of a dossier: working days, deadlines, the meeting gap, tasks, the
63-day rule, the functioning meeting and who sees what."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import TransitionRefused
from cycles import rules
from cycles.lifecycle import REPORT_LIFECYCLE, ReportAction, ReportState


def plain_working_days(start: dt.date, end: dt.date) -> int:
    """Monday to Friday, not a public holiday of Belgium (SPEC 3.1), a day at a time."""
    days, day = 0, start
    while day <= end:
        days += day.weekday() < 5 and day not in holidays.country_holidays("BE", years=day.year)
        day += dt.timedelta(days=1)
    return days


@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=-3, max_value=800),
)
def test_working_days_match_a_day_by_day_count(start, length):
    end = start + dt.timedelta(days=length)
    assert rules.working_days(start, end) == plain_working_days(start, end)


def test_deadlines_fall_after_the_cycle_ends():
    d = rules.deadlines(dt.date(2026, 12, 31), rules.FEDERAL)
    assert (d.self, d.first, d.second, d.closes) == (
        dt.date(2027, 3, 15),
        dt.date(2027, 3, 15),
        dt.date(2027, 3, 31),
        dt.date(2027, 6, 30),
    )
    # A cycle ended early by a change of function on 1 May 2026.
    early = rules.deadlines(dt.date(2026, 4, 30), rules.FEDERAL)
    assert early.first == dt.date(2027, 3, 15) and early.closes == dt.date(2027, 6, 30)
    assert rules.is_closed(dt.date(2026, 12, 31), rules.FEDERAL, dt.date(2027, 7, 1))
    assert not rules.is_closed(dt.date(2026, 12, 31), rules.FEDERAL, dt.date(2027, 6, 30))


def test_task_status():
    deadline, closes, opens = dt.date(2027, 3, 15), dt.date(2027, 6, 30), dt.date(2026, 12, 1)
    status = lambda today, done=False: rules.task_status(done, deadline, closes, opens, today)  # noqa: E731
    assert status(dt.date(2026, 11, 30)) == "not_open"
    assert status(dt.date(2027, 3, 15)) == "due"
    assert status(dt.date(2027, 3, 16)) == "late"
    assert status(dt.date(2027, 7, 1)) == "closed"
    assert status(dt.date(2027, 7, 1), done=True) == "done"


def test_meetings_twenty_working_days_apart():
    others = [("planning", dt.date(2026, 2, 2))]
    assert rules.too_close(dt.date(2026, 2, 27), others, rules.FEDERAL) == others[0]
    assert rules.too_close(dt.date(2026, 3, 2), others, rules.FEDERAL) is None
    assert rules.too_close(dt.date(2026, 1, 5), others, rules.FEDERAL) is None


def test_sixty_three_days_of_performance():
    # 66 weekdays, less Armistice (Wednesday 11 November) and Christmas (a Friday).
    start, end = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
    assert rules.working_days(start, end) == 64
    assert rules.gets_annual_evaluation(start, end, 1, rules.FEDERAL)
    assert not rules.gets_annual_evaluation(start, end, 2, rules.FEDERAL)


def test_functioning_meeting_is_mandatory_after_long_absence_or_a_regime_change():
    assert rules.functioning_meeting_required(71, False, rules.FEDERAL)
    assert not rules.functioning_meeting_required(70, False, rules.FEDERAL)
    assert rules.functioning_meeting_required(0, True, rules.FEDERAL)
    assert not rules.functioning_meeting_required(200, True, rules.PLOEG)


def test_regime_problems_name_the_field():
    bad = rules.Regime(first_deadline="02-30", second_deadline="03-01", rating_scale="x")
    problems = rules.regime_problems(bad)
    assert problems["first_deadline"] == "month_day" and problems["rating_scale"] == "unknown_scale"
    assert rules.regime_problems(rules.PLOEG) == {}


def test_a_report_is_signed_once_by_each_side():
    state = REPORT_LIFECYCLE.next_state(ReportState.DRAFT, ReportAction.SIGN_STAFF)
    with pytest.raises(TransitionRefused):
        REPORT_LIFECYCLE.next_state(state, ReportAction.SIGN_STAFF)
    with pytest.raises(TransitionRefused):
        REPORT_LIFECYCLE.next_state(state, ReportAction.EDIT)
    assert REPORT_LIFECYCLE.next_state(state, ReportAction.SIGN_EVALUATOR) == ReportState.SIGNED
    assert REPORT_LIFECYCLE.actions_for(ReportState.SIGNED) == []


def test_privacy():
    assert rules.dossier_access(True, False, True) == rules.OWNER
    assert rules.dossier_access(False, True, False) == rules.EVALUATOR
    assert rules.dossier_access(False, False, True) == rules.STATUS_ONLY
    assert rules.dossier_access(False, False, False) == rules.NONE
