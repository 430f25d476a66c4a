"""The pure part of the policy service: parsing a draft, comparing levels (no database)."""

import datetime as dt

import pytest

from certification.policy import (
    PolicyVersion,
    form_values,
    format_hundredths,
    in_force_version,
    level_changes,
    level_counts,
    parse_draft,
    parse_percentage,
    parse_simulation_day,
    past_date_error,
    simulation_day,
)
from certification.rules import (
    DEFAULT_POLICY,
    Counts,
    Level,
    OrganisationFacts,
    Policy,
    decide,
)
from core.i18n import current_language, set_language

DAY = dt.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def english():
    before = current_language()
    set_language("en")
    yield
    set_language(before)


def form(**changes: str) -> dict[str, str]:
    values = {
        "min_certified_staff": "4",
        "min_az_per_language": "1",
        "min_seltest_per_language": "1",
        "min_az_for_individual": "1",
        "min_qcheck_average": "80",
        "effective_from": "2027-01-01",
        "note": "  why  ",
    }
    return {**values, **changes}


def test_a_valid_draft_becomes_a_policy():
    draft = parse_draft(form(min_certified_staff=" 5 ", min_qcheck_average="81.5"))
    assert draft.ok and draft.errors == {}
    assert draft.policy == Policy(
        effective_from=dt.date(2027, 1, 1),
        min_certified_staff=5,
        min_qcheck_average_hundredths=8150,
    )
    assert draft.note == "why"
    assert draft.values["min_certified_staff"] == "5"


@pytest.mark.parametrize(
    ("raw", "hundredths"),
    [("80", 8000), ("80.5", 8050), ("80.05", 8005), ("79,99", 7999), ("0", 0), ("100.00", 10000)],
)
def test_percentages_are_exact_hundredths(raw, hundredths):
    assert parse_percentage(raw) == (hundredths, None)


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("min_certified_staff", "-1", "not a negative number"),
        ("min_az_per_language", "1.5", "whole number"),
        ("min_seltest_per_language", "", "whole number"),
        ("min_az_for_individual", "one", "whole number"),
        ("min_certified_staff", "100000", "at most 10000"),
        ("min_qcheck_average", "100.01", "above 100 %"),
        ("min_qcheck_average", "80.125", "at most two decimals"),
        ("min_qcheck_average", "-5", "not a negative number"),
        ("min_qcheck_average", "eighty", "between 0 and 100"),
        ("effective_from", "2027-02-30", "YYYY-MM-DD"),
        ("effective_from", "1-1-2027", "YYYY-MM-DD"),
        ("note", "x" * 2001, "under 2000 characters"),
    ],
)
def test_each_bad_value_gets_a_message_on_its_own_field(field, raw, message):
    draft = parse_draft(form(**{field: raw}))
    assert not draft.ok and draft.policy is None
    assert list(draft.errors) == [field]
    assert message in draft.errors[field]
    assert draft.values[field] == raw.strip()


def test_every_field_is_checked_at_once():
    draft = parse_draft({})
    assert set(draft.errors) == {
        "min_certified_staff",
        "min_az_per_language",
        "min_seltest_per_language",
        "min_az_for_individual",
        "min_qcheck_average",
        "effective_from",
    }


def test_the_form_is_prefilled_exactly():
    policy = Policy(effective_from=DAY, min_certified_staff=6, min_qcheck_average_hundredths=8007)
    values = form_values(policy, effective_from=dt.date(2027, 3, 2))
    assert values["min_certified_staff"] == "6"
    assert values["min_qcheck_average"] == "80.07"  # not 80.06 through a float
    assert values["effective_from"] == "2027-03-02"
    assert format_hundredths(8000) == "80.00"
    assert format_hundredths(10000) == "100.00"
    assert format_hundredths(5) == "0.05"


def test_a_policy_never_starts_in_the_past():
    assert past_date_error(DAY, DAY) is None
    assert past_date_error(DAY + dt.timedelta(days=1), DAY) is None
    message = past_date_error(DAY - dt.timedelta(days=1), DAY)
    assert message and "never rewrites the past" in message
    assert simulation_day(Policy(effective_from=DAY - dt.timedelta(days=9)), DAY) == DAY
    assert simulation_day(
        Policy(effective_from=DAY + dt.timedelta(days=9)), DAY
    ) == DAY + dt.timedelta(days=9)


def test_the_version_in_force_and_the_status_of_each():
    versions = [
        PolicyVersion(Policy(effective_from=d), None, None, "")
        for d in (dt.date(2028, 1, 1), DAY, dt.date(2026, 1, 1))
    ]
    in_force = in_force_version(versions, DAY)
    assert in_force is versions[1]
    assert [v.status(DAY, in_force) for v in versions] == ["future", "in_force", "superseded"]
    assert in_force_version(versions[:1], DAY) is None


# --- comparing levels -------------------------------------------------------------------------

ORGANISATION = OrganisationFacts("BOSA", ("NL", "FR"), has_pro_partner=True)


def counts(average_hundredths: int, certified: int = 4) -> Counts:
    return Counts(
        certified_staff=certified,
        az_certified=2,
        az_by_language={"NL": 1, "FR": 1},
        seltest_by_language={"NL": 1, "FR": 1},
        qcheck_sum_hundredths=average_hundredths * 2,
        qcheck_count=2,
    )


def results(policy: Policy, **organisations: Counts):
    return [
        decide(OrganisationFacts(code, ("NL", "FR"), True), facts, policy, DAY)
        for code, facts in organisations.items()
    ]


def test_level_changes_lists_only_organisations_whose_level_moves():
    stricter = Policy(effective_from=DAY, min_qcheck_average_hundredths=8150)
    data = {"BOSA": counts(8100), "FIN": counts(7950), "MOB": counts(9000)}
    before = results(DEFAULT_POLICY, **data)
    after = results(stricter, **data)
    [change] = level_changes(before, after)
    assert change.organisation == "BOSA"
    assert (change.level_before, change.level_after) == (Level.CLIENT, Level.INDIVIDUAL)
    assert not change.is_rise
    [flip] = change.flips
    assert flip.code == "qcheck_average"
    assert flip.actual == 81.0
    assert (flip.required_before, flip.required_after) == (80.0, 81.5)
    assert (flip.met_before, flip.met_after) == (True, False)

    looser = Policy(effective_from=DAY, min_qcheck_average_hundredths=7900)
    [rise] = level_changes(before, results(looser, **data))
    assert rise.organisation == "FIN" and rise.is_rise
    assert rise.level_after == Level.CLIENT


def test_several_conditions_can_flip_and_unchanged_levels_are_left_out():
    draft = Policy(effective_from=DAY, min_certified_staff=5, min_qcheck_average_hundredths=8200)
    data = {"ZED": counts(8100), "ABC": counts(8100, certified=6)}
    changes = level_changes(results(DEFAULT_POLICY, **data), results(draft, **data))
    assert [c.organisation for c in changes] == ["ABC", "ZED"]  # sorted by code
    assert [f.code for f in changes[1].flips] == ["certified_staff", "qcheck_average"]
    assert [f.code for f in changes[0].flips] == ["qcheck_average"]
    # Same policy: nothing moves; an organisation missing on one side is not compared.
    assert level_changes(results(draft, **data), results(draft, **data)) == []
    assert level_changes(results(DEFAULT_POLICY, **data), []) == []


def test_level_counts_cover_every_level():
    data = {"A": counts(8100), "B": counts(7000), "C": counts(9000)}
    assert level_counts(results(DEFAULT_POLICY, **data)) == {
        Level.CLIENT: 2,
        Level.INDIVIDUAL: 1,
        Level.NONE: 0,
    }
    assert list(level_counts([])) == [Level.CLIENT, Level.INDIVIDUAL, Level.NONE]


def test_the_simulation_day_is_chosen_or_defaults_to_the_draft_date():
    draft = Policy(effective_from=DAY + dt.timedelta(days=5))
    assert parse_simulation_day("", draft, DAY) == (DAY + dt.timedelta(days=5), None)
    assert parse_simulation_day(" 2020-02-29 ", draft, DAY) == (dt.date(2020, 2, 29), None)
    day, error = parse_simulation_day("2021-02-29", draft, DAY)
    assert day is None and error and "YYYY-MM-DD" in error
    assert parse_simulation_day("", None, DAY) == (None, None)
    assert parse_draft(form(simulate_on=" 2027-05-01 ")).values["simulate_on"] == "2027-05-01"
