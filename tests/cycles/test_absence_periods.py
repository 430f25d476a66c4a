"""Absence periods with dates (SPEC 3.1, issue 21): HR records each absence with its first
and last day; its working days (Belgium's public holidays left out) are the days of
absence of each cycle it falls in, and beyond 30 working days in a stage they extend it.
The count against a plain day-by-day one; refusals at their field with what was typed
kept; a removal counts again; the note never reaches the audit log."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core.tables import AuditEntry
from cycles import rules
from cycles.tables import AbsencePeriod, EvaluationCycle
from tests import factories
from tests.conftest import login
from tests.cycles.test_stage_web import START, a_trainee
from tests.helpers import post

DAY = dt.timedelta(days=1)
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))
periods = st.lists(st.tuples(days, st.integers(min_value=0, max_value=90)), max_size=5)


def day_by_day(spans: list[tuple[dt.date, dt.date]], start: dt.date, end: dt.date) -> int:
    """Each day of the cycle once: absent in some period, and a working day."""
    count, day = 0, start
    while day <= end:
        if any(a <= day <= b for a, b in spans) and rules.is_working_day(day):
            count += 1
        day += DAY
    return count


@given(periods, days, st.integers(min_value=0, max_value=400))
def test_the_working_days_of_absence_are_the_day_by_day_count(raw, start, length):
    spans = [(first, first + dt.timedelta(days=extra)) for first, extra in raw]
    end = start + dt.timedelta(days=length)
    assert rules.absence_working_days(spans, start, end) == day_by_day(spans, start, end)


def test_a_period_counts_its_working_days_inside_the_cycle_once():
    christmas = [(dt.date(2026, 12, 21), dt.date(2027, 1, 8))]
    # 21–24 and 28–31 December 2026 (25 December is a public holiday): 8 in the 2026 cycle.
    assert rules.absence_working_days(christmas, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 8
    # 4–8 January 2027 (1 January is a public holiday): 5 in the next.
    assert rules.absence_working_days(christmas, dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == 5
    overlapping = [*christmas, (dt.date(2026, 12, 28), dt.date(2026, 12, 29))]
    assert rules.absence_working_days(overlapping, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 8


def test_why_a_period_is_refused():
    start = dt.date(2024, 1, 1)
    recorded = [(dt.date(2026, 3, 1), dt.date(2026, 3, 10))]
    problem = rules.absence_period_problem
    assert problem(dt.date(2026, 4, 2), dt.date(2026, 4, 1), start, recorded) == "order"
    assert problem(dt.date(2023, 12, 1), dt.date(2024, 1, 5), start, recorded) == "before_start"
    assert problem(dt.date(2026, 3, 10), dt.date(2026, 3, 12), start, recorded) == "overlap"
    assert problem(dt.date(2026, 3, 11), dt.date(2026, 3, 12), start, recorded) is None


async def _absent_days(cycle: int) -> int:
    row = (
        await EvaluationCycle.select(EvaluationCycle.absent_days)
        .where(EvaluationCycle.id == cycle)
        .first()
    )
    return row["absent_days"]


async def test_a_stage_s_absence_beyond_30_working_days_extends_it(client, users):
    staff, stage = await a_trainee()
    await login(client, users["hr_bosa"])
    page = f"/organisations/BOSA/cycles/{stage}/absence"
    await client.get(page)
    # April 2026 (Easter Monday off): 21 working days; 1–29 May (1 May, Ascension and
    # Whit Monday off): 18. In all 39, 9 beyond the 30 a stage allows.
    answer = await post(client, f"{page}/periods", {
        "starts_on": "2026-04-01", "ends_on": "2026-05-29", "note": "Sick leave, certificate 17",
    })  # fmt: skip
    assert answer.status_code == 303, answer.text[:300]
    assert await _absent_days(stage) == 39
    end = (
        await EvaluationCycle.select(EvaluationCycle.ends_on)
        .where((EvaluationCycle.staff == staff) & (EvaluationCycle.kind == "probation"))
        .first()
    )["ends_on"]
    assert end == rules.add_working_days(dt.date(2027, 3, 1), 9) == dt.date(2027, 3, 12)
    shown = (await client.get(page)).text
    assert "Sick leave, certificate 17" in shown and "<td>39</td>" in shown
    # The note is not audited (it may say why someone was absent).
    [entry] = await AuditEntry.select().where(AuditEntry.action == "absence_period_recorded")
    assert "certificate 17" not in str(entry)
    # Removed: the stage ends where it did.
    [period] = await AbsencePeriod.select(AbsencePeriod.id)
    removed = await post(client, f"{page}/periods/{period['id']}/delete")
    assert removed.status_code == 303
    assert await _absent_days(stage) == 0
    stage_row = (
        await EvaluationCycle.select(EvaluationCycle.ends_on)
        .where((EvaluationCycle.staff == staff) & (EvaluationCycle.kind == "probation"))
        .first()
    )
    assert stage_row["ends_on"] == dt.date(2027, 3, 1)


async def test_refused_periods_keep_what_was_typed_and_the_number_follows_the_periods(
    client, users
):
    _staff, stage = await a_trainee()
    await login(client, users["hr_bosa"])
    page = f"/organisations/BOSA/cycles/{stage}/absence"
    await client.get(page)
    await post(client, f"{page}/periods", {"starts_on": "2026-06-01", "ends_on": "2026-06-05"})
    assert await _absent_days(stage) == 5
    cases = [
        ({"starts_on": "2026-06-10", "ends_on": "2026-06-08"}, "cannot come before the first"),
        ({"starts_on": "2026-02-20", "ends_on": "2026-03-04"}, "cannot start before"),
        ({"starts_on": "2026-06-04", "ends_on": "2026-06-12"}, "overlaps one already recorded"),
        ({"starts_on": "2026-13-01", "ends_on": "2026-06-12"}, "YYYY-MM-DD"),
        ({"starts_on": "2026-07-01", "ends_on": "2099-01-01"}, "Create the cycles through"),
    ]
    for values, message in cases:
        answer = await post(client, f"{page}/periods", {**values, "note": "Typed note"})
        assert answer.status_code == 400, values
        assert message in answer.text and "Typed note" in answer.text, values
    assert await AbsencePeriod.count() == 1
    # The number of the cycle comes from its periods: another one is refused.
    answer = await post(client, page, {"absent_days": "12", "work_regime_changed_on": ""})
    assert (
        answer.status_code == 400
        and "come from its absence periods (5 working days)" in answer.text
    )
    assert await _absent_days(stage) == 5


async def test_another_organisation_s_hr_records_nothing(client, users):
    _staff, stage = await a_trainee()
    fin = await factories.staff_member("FIN", "fons@fin.be", first="Fons", start=START)
    assert fin
    await login(client, users["hr_bosa"])
    await client.get(f"/organisations/BOSA/cycles/{stage}/absence")
    # The cycle is BOSA's: under FIN's code it does not exist (and BOSA's HR is not FIN's).
    answer = await post(
        client, f"/organisations/FIN/cycles/{stage}/absence/periods",
        {"starts_on": "2026-06-01", "ends_on": "2026-06-05"},
    )  # fmt: skip
    assert answer.status_code in (403, 404)
    assert await AbsencePeriod.count() == 0
