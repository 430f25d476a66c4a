"""Statutes and the stage (SPEC 3.1, 5.1, 5.4, issue 21): the stage's end rule against a
plain day-by-day count, working days with Belgium's public holidays, the extensions, and
`portal import staff` with its `statute` column through `portal cycles generate|list`."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from cycles import rules
from cycles.rules import Cycle, Stage
from tests.cycles.test_cycles import ORGS, load
from tests.portal.test_cli import run_portal

DAY = dt.timedelta(days=1)


def end_day_by_day(start: dt.date, months: int) -> dt.date:
    """The rule said plainly: walk forward a day at a time to the month `months` later;
    the stage ends the day before the start's day of the month there, or on that month's
    last day when it has no such day."""
    day = start
    target = start.year * 12 + start.month - 1 + months
    while (day.year * 12 + day.month - 1) != target:
        day += DAY
    # `day` is the 1st of the target month; walk to the start's day or the month's end.
    while day.day < start.day and (day + DAY).month == day.month:
        day += DAY
    return day - DAY if day.day == start.day else day


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(min_value=1, max_value=36),
)
def test_the_stage_end_rule_is_the_day_by_day_rule(start, months):
    assert rules.months_later_end(start, months) == end_day_by_day(start, months)


def test_the_stage_ends_the_day_before_the_same_day_a_year_later_or_at_the_month_end():
    assert rules.stage_end(dt.date(2026, 3, 15)) == dt.date(2027, 3, 14)
    assert rules.stage_end(dt.date(2026, 1, 1)) == dt.date(2026, 12, 31)
    # 29 February: the next February has no such day, so its last day.
    assert rules.stage_end(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    # A regime's stage of one month from 31 January ends on February's last day.
    assert rules.stage_end(dt.date(2025, 1, 31), months=1) == dt.date(2025, 2, 28)
    assert rules.stage_end(dt.date(2028, 1, 31), months=1) == dt.date(2028, 2, 29)
    # The extension a final mention calls for counts in months, by the same rule.
    assert rules.stage_end(dt.date(2026, 3, 15), extension_months=4) == dt.date(2027, 7, 14)


def part_time_day_by_day(start: dt.date, full_time_end: dt.date, working_time: int) -> dt.date:
    """A part-time stage said plainly: each calendar day worked at `working_time` % adds
    that share of a full-time day; the stage ends on the day the full-time days are
    reached."""
    needed = ((full_time_end - start).days + 1) * 100
    day, done = start, working_time
    while done < needed:
        day += DAY
        done += working_time
    return day


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(min_value=1, max_value=16),
    st.integers(min_value=rules.MIN_WORKING_TIME, max_value=rules.FULL_TIME),
)
def test_a_part_time_stage_lasts_until_the_full_time_duration_is_reached(
    start, months, working_time
):
    full_time = rules.months_later_end(start, months)
    assert rules.part_time_end(start, full_time, working_time) == part_time_day_by_day(
        start, full_time, working_time
    )


def test_a_half_time_stage_lasts_two_years_and_a_full_time_one_is_unchanged():
    start = dt.date(2026, 3, 2)
    assert rules.stage_end(start, working_time=100) == rules.stage_end(start)
    # 365 full-time days at 50 %: 730 calendar days.
    assert rules.stage_end(start, working_time=50) == start + dt.timedelta(days=729)
    # 80 %: 365 / 0.8 = 456.25, so 457 days; a 4-month extension lengthens it alike.
    assert rules.stage_end(start, working_time=80) == start + dt.timedelta(days=456)
    assert rules.stage_end(start, extension_months=4, working_time=50) == start + dt.timedelta(
        days=2 * ((dt.date(2027, 7, 1) - start).days + 1) - 1
    )
    assert rules.working_time_problem(9) == "range"
    assert rules.working_time_problem(101) == "range"
    assert rules.working_time_problem(10) is None


def test_working_days_leave_out_weekends_and_belgian_public_holidays():
    # Week of Easter Monday 2026 (6 April): four working days.
    assert rules.working_days(dt.date(2026, 4, 6), dt.date(2026, 4, 12)) == 4
    assert not rules.is_working_day(dt.date(2026, 7, 21))  # National Day, a Tuesday
    assert not rules.is_working_day(dt.date(2026, 11, 11))  # Armistice, a Wednesday
    assert rules.is_working_day(dt.date(2026, 11, 12))
    # 2026: 261 weekdays, 8 of the 10 public holidays on one of them.
    assert rules.working_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 253
    # The day after Friday 10 July 2026, plus 7 working days, skips National Day.
    assert rules.add_working_days(dt.date(2026, 7, 10), 7) == dt.date(2026, 7, 22)


def test_absence_beyond_thirty_working_days_extends_the_stage_by_working_days():
    start = dt.date(2026, 3, 2)
    plain = rules.stage_end(start)
    assert plain == dt.date(2027, 3, 1)
    assert rules.stage_end(start, absent_working_days=30) == plain
    # 35 days of absence: five working days beyond the thirty, after Monday 1 March 2027.
    assert rules.stage_end(start, absent_working_days=35) == dt.date(2027, 3, 8)


def test_a_stage_then_annual_cycles_and_a_change_of_function_during_it():
    stage = Stage(dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    functions = [(dt.date(2026, 9, 1), "Trainee analyst"), (dt.date(2027, 2, 1), "Analyst")]
    got = rules.cycles_with_stage(stage, None, functions, dt.date(2029, 1, 1))
    assert got == [
        # The change of function in February does not end the stage ...
        ("probation", Cycle(dt.date(2026, 9, 1), dt.date(2027, 8, 31), "Trainee analyst")),
        # ... it applies to the cycles after it; the first one by the 30 June pivot.
        ("annual", Cycle(dt.date(2027, 9, 1), dt.date(2028, 12, 31), "Analyst")),
        ("annual", Cycle(dt.date(2029, 1, 1), dt.date(2029, 12, 31), "Analyst")),
    ]
    # Leaving during the stage ends it that day; nothing follows.
    left = rules.cycles_with_stage(stage, dt.date(2027, 1, 15), functions, dt.date(2029, 1, 1))
    assert left == [
        ("probation", Cycle(dt.date(2026, 9, 1), dt.date(2027, 1, 15), "Trainee analyst"))
    ]
    # A stage that ends by 30 June: the first annual cycle ends that December.
    spring = Stage(dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert rules.cycles_with_stage(spring, None, [], dt.date(2027, 5, 1))[1] == (
        "annual",
        Cycle(dt.date(2027, 4, 1), dt.date(2027, 12, 31), ""),
    )


STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date,statute\n"
    "BOSA,trainee@x.be,T,T,NL,2026-03-02,,trainee\n"
    "BOSA,mandate@x.be,M,M,NL,2025-01-01,,mandate\n"
    "BOSA,contract@x.be,C,C,FR,2026-08-01,,contractual\n"
    "BOSA,left@x.be,L,L,NL,2026-09-01,2027-01-15,trainee\n"
)


def listed(database) -> list[dict]:
    out = run_portal("cycles", "list", "--format", "json", database=database)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_import_statutes_and_generate_the_stage(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    assert load(tmp_path, database, "organisations", ORGS).returncode == 0
    bad = load(tmp_path, database, "staff", STAFF + "BOSA,x@x.be,X,X,NL,2026-01-01,,intern\n")
    assert bad.returncode != 0
    assert "staff.csv:6: statute intern unknown" in bad.stdout + bad.stderr
    assert listed(database) == []  # all or nothing: no staff member was written
    assert load(tmp_path, database, "staff", STAFF).returncode == 0
    generated = run_portal("cycles", "generate", "--through", "2028-01-01", database=database)
    assert generated.returncode == 0, generated.stderr
    rows = [(r["email"], r["kind"], r["start"], r["end"]) for r in listed(database)]
    assert rows == [
        ("contract@x.be", "annual", "2026-08-01", "2027-12-31"),
        ("contract@x.be", "annual", "2028-01-01", "2028-12-31"),
        ("left@x.be", "probation", "2026-09-01", "2027-01-15"),
        # no cycle for mandate@x.be
        ("trainee@x.be", "probation", "2026-03-02", "2027-03-01"),
        ("trainee@x.be", "annual", "2027-03-02", "2027-12-31"),
        ("trainee@x.be", "annual", "2028-01-01", "2028-12-31"),
    ]
    # A staff file without the column keeps each statute; running again changes nothing.
    plain = "\n".join(line.rsplit(",", 1)[0] for line in STAFF.splitlines()) + "\n"
    assert load(tmp_path, database, "staff", plain).returncode == 0
    again = run_portal("cycles", "generate", "--through", "2028-01-01", database=database)
    assert "0 cycle(s) created" in again.stdout, again.stdout
    assert [(r["email"], r["kind"]) for r in listed(database)][2:4] == [
        ("left@x.be", "probation"),
        ("trainee@x.be", "probation"),
    ]


async def test_generate_on_the_test_database_follows_the_statutes():
    """The service on SQLite and PostgreSQL: the stage, a mandate without cycles, and the
    absence HR recorded in the stage extending it at the next run."""
    from core.audit import Actor
    from cycles.queries import cycle_rows
    from cycles.service import generate
    from cycles.tables import EvaluationCycle
    from portal.imports import ImportScope, import_file

    for kind, text in (("organisations", ORGS), ("staff", STAFF)):
        assert (await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())).ok
    actor = Actor.command_line("test")
    first = await generate(actor, dt.date(2028, 1, 1))
    assert first.created == 6
    await EvaluationCycle.update({EvaluationCycle.absent_days: 35}).where(
        (EvaluationCycle.kind == "probation") & (EvaluationCycle.staff.email == "trainee@x.be")
    )
    again = await generate(actor, dt.date(2028, 1, 1))
    assert again.changed >= 1
    trainee = [r for r in await cycle_rows("BOSA") if r["email"] == "trainee@x.be"]
    assert [(r["kind"], r["start"], r["end"]) for r in trainee][:2] == [
        ("probation", "2026-03-02", "2027-03-08"),
        ("annual", "2027-03-09", "2027-12-31"),
    ]
    assert not [r for r in await cycle_rows("BOSA") if r["email"] == "mandate@x.be"]


def test_the_stage_plan_proposes_three_functioning_meetings_on_working_days():
    plan = rules.stage_plan(dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    assert plan.planning_by == dt.date(2026, 9, 30)
    # A quarter, a half and three quarters of 364 days: 1 December 2026 (a Tuesday),
    # 2 March 2027, then 1 June 2027; none on a weekend or a public holiday.
    assert plan.functioning_on == (dt.date(2026, 12, 1), dt.date(2027, 3, 2), dt.date(2027, 6, 1))
    assert all(rules.is_working_day(day) for day in plan.functioning_on)
    assert plan.final_on == dt.date(2027, 8, 31)
    assert plan.report_due == dt.date(2027, 9, 30)
    # A proposed day on Easter Monday moves to the Tuesday.
    assert rules.next_working_day(dt.date(2026, 4, 6)) == dt.date(2026, 4, 7)


def test_a_stage_planning_needs_two_development_objectives():
    assert rules.objective_problems(["development"], 2) == ["no_development"]
    assert rules.objective_problems(["development", "performance", "development"], 2) == []
    assert rules.objective_problems(["development"]) == []


def test_an_early_cycle_takes_its_place_and_annual_cycles_resume_after_it():
    annual = [
        ("annual", Cycle(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "Analyst")),
        ("annual", Cycle(dt.date(2027, 1, 1), dt.date(2027, 12, 31), "Analyst")),
        ("annual", Cycle(dt.date(2028, 1, 1), dt.date(2028, 12, 31), "Analyst")),
    ]
    early = rules.early_cycle(dt.date(2027, 3, 19), 6, "Analyst")
    assert early == Cycle(dt.date(2027, 3, 20), dt.date(2027, 9, 19), "Analyst")
    got = rules.with_early_cycles(
        annual, [early], None, [(dt.date(2020, 1, 1), "Analyst")], dt.date(2029, 1, 1)
    )
    assert got == [
        ("annual", Cycle(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "Analyst")),
        ("annual", Cycle(dt.date(2027, 1, 1), dt.date(2027, 3, 19), "Analyst")),
        ("early", early),
        # The period rule again from the day after: started after 30 June, so it runs to
        # 31 December of the next year.
        ("annual", Cycle(dt.date(2027, 9, 20), dt.date(2028, 12, 31), "Analyst")),
        ("annual", Cycle(dt.date(2029, 1, 1), dt.date(2029, 12, 31), "Analyst")),
    ]
    # Leaving during the early cycle ends it; nothing follows.
    left = rules.with_early_cycles(annual, [early], dt.date(2027, 5, 31), [], dt.date(2029, 1, 1))
    assert left[-1] == ("early", Cycle(dt.date(2027, 3, 20), dt.date(2027, 5, 31), "Analyst"))
