"""The cycle period rule against a second, plainly written version that walks day by day,
over every start day of several years (29 February included) and random changes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cycles.rules import Cycle, cycles_of, first_cycle_end

ONE_DAY = dt.timedelta(days=1)


def reference(start, end, functions, through):
    """Walk every day: a new cycle starts on the start date, on a change of function,
    and on 1 January after the first cycle of a function has ended."""
    titles = dict(functions)
    changes = {d for d in titles if start < d and (end is None or d <= end)}
    cycles = []
    day = start
    last = end or dt.date(through.year + 3, 12, 31)
    current_start, current_end, title = None, None, ""
    while day <= last:
        if day == start or day in changes:
            if current_start is not None:
                cycles.append(Cycle(current_start, day - ONE_DAY, title))
            title = titles.get(day, "")
            current_start = day
            current_end = dt.date(day.year if day.month <= 6 else day.year + 1, 12, 31)
        elif day == current_end + ONE_DAY:
            cycles.append(Cycle(current_start, current_end, title))
            current_start = day
            current_end = dt.date(day.year, 12, 31)
        day += ONE_DAY
    if current_start is not None:
        cycles.append(Cycle(current_start, min(current_end, last) if end else current_end, title))
    return [c for c in cycles if c.start <= through]


def test_the_first_cycle_ends_by_the_30_june_pivot():
    assert first_cycle_end(dt.date(2026, 6, 30)) == dt.date(2026, 12, 31)
    assert first_cycle_end(dt.date(2026, 7, 1)) == dt.date(2027, 12, 31)
    assert first_cycle_end(dt.date(2024, 2, 29)) == dt.date(2024, 12, 31)


def test_spec_example():
    cycles = cycles_of(
        dt.date(2026, 7, 1), None, [(dt.date(2026, 7, 1), "Consultant")], dt.date(2028, 1, 1)
    )
    assert cycles == [
        Cycle(dt.date(2026, 7, 1), dt.date(2027, 12, 31), "Consultant"),
        Cycle(dt.date(2028, 1, 1), dt.date(2028, 12, 31), "Consultant"),
    ]


def test_a_change_of_function_and_the_end_date_end_the_running_cycle():
    functions = [(dt.date(2020, 3, 1), "Assistant"), (dt.date(2022, 9, 15), "Consultant")]
    cycles = cycles_of(dt.date(2020, 3, 1), dt.date(2024, 5, 31), functions, dt.date(2030, 1, 1))
    assert cycles == [
        Cycle(dt.date(2020, 3, 1), dt.date(2020, 12, 31), "Assistant"),
        Cycle(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "Assistant"),
        Cycle(dt.date(2022, 1, 1), dt.date(2022, 9, 14), "Assistant"),
        Cycle(dt.date(2022, 9, 15), dt.date(2023, 12, 31), "Consultant"),
        Cycle(dt.date(2024, 1, 1), dt.date(2024, 5, 31), "Consultant"),
    ]


def test_every_start_day_of_four_years_matches_the_plain_version():
    day = dt.date(2023, 1, 1)
    through = dt.date(2027, 12, 31)
    while day <= dt.date(2026, 12, 31):
        assert cycles_of(day, None, [], through) == reference(day, None, [], through), day
        day += ONE_DAY


dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    start=dates,
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=2500)),
    changes=st.lists(st.integers(min_value=1, max_value=2500), max_size=4, unique=True),
    through=dates,
)
def test_random_careers_match_the_plain_version(start, length, changes, through):
    end = None if length is None else start + dt.timedelta(days=length)
    functions = [(start, "F0")] + [(start + dt.timedelta(days=n), f"F{n}") for n in changes]
    assert cycles_of(start, end, functions, through) == reference(start, end, functions, through)


def test_a_month_day_in_other_digits_is_no_day():
    """'²-01' passes str.isdigit() but not int(): it was a 500 on the regime form (issue 18)."""
    from cycles.rules import month_day

    assert month_day("²-01") is None
    assert month_day("03-15") == (3, 15)
