"""The certification level of an organisation on a date (SPEC 2.2), as a DG R&O reviewer checks it.

Every named case goes through both paths of `certification.rules`: the reference
(`eligibility_on`, one organisation from its records) and the vectorised one
(`evaluate_aggregates` over `aggregate_facts`), and asserts that they agree before
looking at the level and the condition that decides it. Property-based tests then
compare the two paths on random data sets, and check the look-ahead against a
day-by-day evaluation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from certification.rules import (
    AGGREGATE_COLUMNS,
    DEFAULT_POLICY,
    CertificateFacts,
    Eligibility,
    Level,
    OrganisationFacts,
    Policy,
    QCheckFacts,
    StaffFacts,
    aggregate_facts,
    change_dates,
    client_granted_on,
    eligibility_on,
    evaluate_aggregates,
    first_level_drop,
    granted_level,
    policy_on,
)
from qchecks.rules import in_qcheck_window, one_year_before

# --- builders ------------------------------------------------------------------------------

D = dt.date(2026, 6, 30)
LONG_AGO = dt.date(2020, 1, 1)
ONE_DAY = dt.timedelta(days=1)
A_MONTH_BEFORE_D = D - dt.timedelta(days=30)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def org(code: str = "BOSA", roles: str = "NL|FR", partner: bool = True) -> OrganisationFacts:
    return OrganisationFacts(code, tuple(roles.split("|")), partner)


def staff(
    id: int,
    org: str = "BOSA",
    role: str = "NL",
    start: dt.date = LONG_AGO,
    end: dt.date | None = None,
) -> StaffFacts:
    return StaffFacts(id, org, role, start, end)


def cert(
    staff_id: int,
    track: str = "AZ",
    status: str = "valid",
    obtained: dt.date = LONG_AGO,
    until: dt.date | None = None,
) -> CertificateFacts:
    return CertificateFacts(staff_id, track, status, obtained, until)


def qcheck(
    consultant: int, score: int, checked: dt.date = A_MONTH_BEFORE_D, org: str = "BOSA"
) -> QCheckFacts:
    return QCheckFacts(org, consultant, checked, score)


def client_records() -> tuple[list[StaffFacts], list[CertificateFacts], list[QCheckFacts]]:
    """BOSA (NL|FR) meeting every client condition on D with the default policy.

    1 (NL) and 2 (FR) hold AZ and SELTEST, 3 (NL) ASSESS, 4 (FR) INTERVIEW: four certified
    staff; two Q-checks at 85 % by the AZ consultants 1 and 2.
    """
    members = [staff(1, role="NL"), staff(2, role="FR"), staff(3, role="NL"), staff(4, role="FR")]
    certificates = [
        cert(1, "AZ"),
        cert(1, "SELTEST"),
        cert(2, "AZ"),
        cert(2, "SELTEST"),
        cert(3, "ASSESS"),
        cert(4, "INTERVIEW"),
    ]
    checks = [qcheck(1, 8500, D - days(100)), qcheck(2, 8500, D - days(50))]
    return members, certificates, checks


def individual_records() -> tuple[list[StaffFacts], list[CertificateFacts]]:
    """One active NL consultant holding a valid AZ certificate, nothing else."""
    return [staff(1, role="NL")], [cert(1, "AZ")]


def evaluate(
    organisation: OrganisationFacts,
    members: Sequence[StaffFacts] = (),
    certificates: Sequence[CertificateFacts] = (),
    checks: Sequence[QCheckFacts] = (),
    day: dt.date = D,
    policies: Sequence[Policy] = (DEFAULT_POLICY,),
    others: Sequence[OrganisationFacts] = (),
) -> Eligibility:
    """The reference result, after checking that the vectorised path says exactly the same."""
    reference = eligibility_on(organisation, members, certificates, checks, policies, day)
    everyone = [organisation, *others]
    aggregates = aggregate_facts(everyone, members, certificates, checks, day)
    by_code = {
        e.organisation: e for e in evaluate_aggregates(aggregates, policy_on(policies, day), day)
    }
    assert by_code[organisation.code] == reference
    return reference


def level_on(
    organisation: OrganisationFacts,
    members: Sequence[StaffFacts],
    certificates: Sequence[CertificateFacts],
    checks: Sequence[QCheckFacts],
    day: dt.date,
    policies: Sequence[Policy] = (DEFAULT_POLICY,),
) -> Level:
    return eligibility_on(organisation, members, certificates, checks, policies, day).eligible_level


# --- the Q-check window: D minus one year < checked_on <= D --------------------------------


def test_qcheck_checked_exactly_one_year_before_d_is_outside_the_window():
    members, certificates = individual_records()
    result = evaluate(org(), members, certificates, [qcheck(1, 9000, dt.date(2025, 6, 30))])
    assert not in_qcheck_window(dt.date(2025, 6, 30), D)
    assert result.qcheck_count == 0
    assert result.qcheck_average is None
    assert result.condition("qcheck_average").met is False
    assert result.condition("qcheck_average").actual is None


def test_qcheck_checked_the_day_after_one_year_before_d_is_inside_the_window():
    members, certificates = individual_records()
    result = evaluate(org(), members, certificates, [qcheck(1, 9000, dt.date(2025, 7, 1))])
    assert in_qcheck_window(dt.date(2025, 7, 1), D)
    assert result.qcheck_count == 1
    assert result.qcheck_average == 90.0
    assert result.condition("qcheck_average").met is True


def test_qcheck_checked_on_d_itself_is_inside_the_window():
    members, certificates = individual_records()
    result = evaluate(org(), members, certificates, [qcheck(1, 9000, D)])
    assert in_qcheck_window(D, D)
    assert result.qcheck_count == 1
    assert result.condition("qcheck_average").actual == 90.0


def test_qcheck_checked_after_d_is_not_yet_in_the_window():
    members, certificates = individual_records()
    result = evaluate(org(), members, certificates, [qcheck(1, 9000, D + ONE_DAY)])
    assert not in_qcheck_window(D + ONE_DAY, D)
    assert result.qcheck_count == 0
    assert result.qcheck_average is None


def test_window_on_29_february_starts_after_28_february_of_the_previous_year():
    leap_day = dt.date(2028, 2, 29)
    assert one_year_before(leap_day) == dt.date(2027, 2, 28)
    assert not in_qcheck_window(dt.date(2027, 2, 28), leap_day)
    assert in_qcheck_window(dt.date(2027, 3, 1), leap_day)

    members, certificates = individual_records()
    checks = [qcheck(1, 6000, dt.date(2027, 2, 28)), qcheck(1, 9000, dt.date(2027, 3, 1))]
    result = evaluate(org(), members, certificates, checks, day=leap_day)
    assert result.qcheck_count == 1
    assert result.qcheck_average == 90.0
    assert result.condition("qcheck_average").met is True


def test_qcheck_checked_on_29_february_stays_in_the_window_until_28_february_next_year():
    checked = dt.date(2028, 2, 29)
    assert in_qcheck_window(checked, dt.date(2029, 2, 28))
    assert not in_qcheck_window(checked, dt.date(2029, 3, 1))

    members, certificates = individual_records()
    checks = [qcheck(1, 9000, checked)]
    assert (
        evaluate(org(), members, certificates, checks, day=dt.date(2029, 2, 28)).qcheck_count == 1
    )
    assert evaluate(org(), members, certificates, checks, day=dt.date(2029, 3, 1)).qcheck_count == 0


# --- the Q-check average: unrounded, >= 80.00 -------------------------------------------------


def client_with_scores(*scores: int) -> Eligibility:
    members, certificates, _ = client_records()
    checks = [qcheck(1 + i % 2, score, D - days(10 + i)) for i, score in enumerate(scores)]
    return evaluate(org(), members, certificates, checks)


def test_average_of_79_99_is_not_met_and_the_level_is_individual():
    result = client_with_scores(7999)
    condition = result.condition("qcheck_average")
    assert (condition.met, condition.actual, condition.required) == (False, 79.99, 80.0)
    assert result.eligible_level == Level.INDIVIDUAL


def test_average_of_exactly_80_00_is_met_and_the_level_is_client():
    result = client_with_scores(8000)
    condition = result.condition("qcheck_average")
    assert (condition.met, condition.actual, condition.required) == (True, 80.0, 80.0)
    assert result.eligible_level == Level.CLIENT


def test_average_of_80_01_is_met():
    result = client_with_scores(8001)
    condition = result.condition("qcheck_average")
    assert (condition.met, condition.actual) == (True, 80.01)
    assert result.eligible_level == Level.CLIENT


def test_average_of_several_scores_landing_exactly_on_80_00_is_met():
    result = client_with_scores(7950, 8050)
    assert result.qcheck_count == 2
    assert result.qcheck_average == 80.0
    assert result.condition("qcheck_average").met is True
    assert result.eligible_level == Level.CLIENT


def test_average_is_reported_unrounded_and_79_9966_is_not_met():
    result = client_with_scores(8000, 8000, 7999)
    assert result.qcheck_count == 3
    assert result.qcheck_average == 23999 / 3 / 100
    assert 79.996 < result.qcheck_average < 79.997
    condition = result.condition("qcheck_average")
    assert condition.actual == result.qcheck_average
    assert condition.met is False
    assert result.eligible_level == Level.INDIVIDUAL


def test_one_hundredth_short_over_a_hundred_checks_is_still_not_met():
    result = client_with_scores(7999, *([8000] * 99))
    assert result.qcheck_count == 100
    assert result.qcheck_average == pytest.approx(79.9999)
    assert result.qcheck_average < 80
    assert result.condition("qcheck_average").met is False
    assert result.eligible_level == Level.INDIVIDUAL


def test_every_qcheck_weighs_the_same_across_language_roles():
    # One FR check at 100 % and three NL checks at 70 %: (10000 + 3 * 7000) / 4 = 77.5 %.
    members, certificates, _ = client_records()
    checks = [qcheck(2, 10000), qcheck(1, 7000), qcheck(1, 7000), qcheck(1, 7000)]
    result = evaluate(org(), members, certificates, checks)
    assert result.qcheck_average == 77.5
    assert result.condition("qcheck_average").met is False


# --- certificates ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "suspended", "revoked"])
def test_certificate_that_is_not_valid_does_not_count(status: str):
    result = evaluate(org(), [staff(1)], [cert(1, "AZ", status=status)])
    assert result.certified_staff == 0
    condition = result.condition("az_certified")
    assert (condition.met, condition.actual, condition.required) == (False, 0, 1)
    assert result.eligible_level == Level.NONE


def test_expired_certificate_does_not_count():
    result = evaluate(org(), [staff(1)], [cert(1, "AZ", until=D - ONE_DAY)])
    assert result.certified_staff == 0
    assert result.condition("az_certified").actual == 0
    assert result.eligible_level == Level.NONE


def test_certificate_valid_until_d_still_counts_on_d():
    result = evaluate(org(), [staff(1)], [cert(1, "AZ", until=D)])
    assert result.certified_staff == 1
    condition = result.condition("az_certified")
    assert (condition.met, condition.actual) == (True, 1)
    assert result.eligible_level == Level.INDIVIDUAL


def test_certificate_obtained_after_d_does_not_count_yet():
    result = evaluate(org(), [staff(1)], [cert(1, "AZ", obtained=D + ONE_DAY)])
    assert result.certified_staff == 0
    assert result.condition("az_certified").met is False
    assert result.eligible_level == Level.NONE


def test_certificate_obtained_on_d_counts():
    result = evaluate(org(), [staff(1)], [cert(1, "AZ", obtained=D)])
    assert result.certified_staff == 1
    assert result.eligible_level == Level.INDIVIDUAL


def test_staff_member_with_two_tracks_counts_once_as_certified_staff():
    result = evaluate(org(), [staff(1, role="NL")], [cert(1, "AZ"), cert(1, "SELTEST")])
    assert result.certified_staff == 1
    assert result.condition("certified_staff").actual == 1
    assert result.condition("az_per_language:NL").actual == 1
    assert result.condition("seltest_per_language:NL").actual == 1


def test_staff_member_with_two_az_certificates_counts_once_as_az_certified():
    result = evaluate(org(), [staff(1)], [cert(1, "AZ"), cert(1, "AZ", obtained=D - days(5))])
    assert result.condition("az_certified").actual == 1
    assert result.certified_staff == 1


# --- staff --------------------------------------------------------------------------------------


def test_staff_member_whose_end_date_is_before_d_is_not_active():
    result = evaluate(org(), [staff(1, end=D - ONE_DAY)], [cert(1, "AZ")])
    assert result.certified_staff == 0
    assert result.condition("az_certified").actual == 0
    assert result.eligible_level == Level.NONE


def test_staff_member_whose_end_date_is_d_is_still_active():
    result = evaluate(org(), [staff(1, end=D)], [cert(1, "AZ")])
    assert result.certified_staff == 1
    assert result.condition("az_certified").actual == 1
    assert result.eligible_level == Level.INDIVIDUAL


def test_staff_member_starting_after_d_is_not_active():
    result = evaluate(org(), [staff(1, start=D + ONE_DAY)], [cert(1, "AZ")])
    assert result.certified_staff == 0
    assert result.eligible_level == Level.NONE


def test_staff_member_starting_on_d_is_active():
    result = evaluate(org(), [staff(1, start=D)], [cert(1, "AZ")])
    assert result.certified_staff == 1
    assert result.eligible_level == Level.INDIVIDUAL


def test_staff_of_another_organisation_does_not_count():
    members = [staff(1, org="BOSA"), staff(2, org="FEDRIS", role="FR")]
    certificates = [cert(1, "SELTEST"), cert(2, "AZ")]
    others = [org("FEDRIS")]
    bosa = evaluate(org("BOSA"), members, certificates, others=others)
    assert bosa.certified_staff == 1
    assert bosa.condition("az_certified").actual == 0
    assert bosa.eligible_level == Level.NONE
    fedris = evaluate(org("FEDRIS"), members, certificates, others=[org("BOSA")])
    assert fedris.certified_staff == 1
    assert fedris.condition("az_per_language:FR").actual == 1
    assert fedris.eligible_level == Level.INDIVIDUAL


# --- language roles -----------------------------------------------------------------------------


def test_de_organisation_needs_az_and_seltest_for_the_de_role():
    members, certificates, checks = client_records()
    result = evaluate(org(roles="NL|FR|DE"), members, certificates, checks)
    assert [c.code for c in result.conditions] == [
        "az_certified",
        "pro_partner",
        "certified_staff",
        "az_per_language:NL",
        "az_per_language:FR",
        "az_per_language:DE",
        "seltest_per_language:NL",
        "seltest_per_language:FR",
        "seltest_per_language:DE",
        "qcheck_average",
    ]
    for code in ("az_per_language:DE", "seltest_per_language:DE"):
        condition = result.condition(code)
        assert (condition.met, condition.actual, condition.required) == (False, 0, 1)
        assert condition.language_role == "DE"
    assert {c.code for c in result.unmet} == {"az_per_language:DE", "seltest_per_language:DE"}
    assert result.eligible_level == Level.INDIVIDUAL


def test_de_organisation_with_a_de_az_and_seltest_consultant_is_client():
    members, certificates, checks = client_records()
    members.append(staff(5, role="DE"))
    certificates += [cert(5, "AZ"), cert(5, "SELTEST")]
    result = evaluate(org(roles="NL|FR|DE"), members, certificates, checks)
    assert result.condition("az_per_language:DE").actual == 1
    assert result.condition("seltest_per_language:DE").actual == 1
    assert result.certified_staff == 5
    assert result.unmet == ()
    assert result.eligible_level == Level.CLIENT


def test_nl_fr_organisation_has_no_de_conditions_even_with_de_staff():
    members, certificates, checks = client_records()
    members.append(staff(5, role="DE"))
    certificates.append(cert(5, "AZ"))
    result = evaluate(org(roles="NL|FR"), members, certificates, checks)
    assert not [c for c in result.conditions if c.code.endswith(":DE")]
    assert {c.language_role for c in result.conditions} == {None, "NL", "FR"}
    assert result.condition("az_certified").actual == 3
    assert result.eligible_level == Level.CLIENT


def test_az_of_one_language_role_does_not_cover_another():
    members, certificates, checks = client_records()
    certificates.remove(cert(2, "AZ"))
    result = evaluate(org(), members, certificates, checks)
    fr = result.condition("az_per_language:FR")
    assert (fr.met, fr.actual, fr.required) == (False, 0, 1)
    assert result.condition("az_per_language:NL").met is True
    assert result.eligible_level == Level.INDIVIDUAL


# --- Q-checks that count ----------------------------------------------------------------------


def test_no_qchecks_at_all_leaves_the_average_unknown_and_the_level_below_client():
    members, certificates, _ = client_records()
    result = evaluate(org(), members, certificates, [])
    assert result.qcheck_average is None
    assert result.qcheck_count == 0
    condition = result.condition("qcheck_average")
    assert (condition.met, condition.actual, condition.required) == (False, None, 80.0)
    assert [c.code for c in result.unmet] == ["qcheck_average"]
    assert result.eligible_level == Level.INDIVIDUAL


def test_qcheck_by_a_consultant_without_az_is_excluded():
    members, certificates, checks = client_records()
    checks.append(qcheck(3, 0))  # 3 holds ASSESS only
    result = evaluate(org(), members, certificates, checks)
    assert result.qcheck_count == 2
    assert result.qcheck_average == 85.0
    assert result.eligible_level == Level.CLIENT


def test_qcheck_by_a_consultant_whose_az_has_expired_is_excluded():
    members, certificates, checks = client_records()
    members.append(staff(5, role="NL"))
    certificates.append(cert(5, "AZ", until=D - ONE_DAY))
    checks.append(qcheck(5, 0))
    result = evaluate(org(), members, certificates, checks)
    assert result.qcheck_count == 2
    assert result.qcheck_average == 85.0
    assert result.eligible_level == Level.CLIENT


def test_qcheck_by_an_az_consultant_of_another_organisation_is_excluded():
    members, certificates, checks = client_records()
    members.append(staff(9, org="FEDRIS", role="NL"))
    certificates.append(cert(9, "AZ"))
    checks.append(qcheck(9, 0, org="BOSA"))
    result = evaluate(org(), members, certificates, checks, others=[org("FEDRIS")])
    assert result.qcheck_count == 2
    assert result.qcheck_average == 85.0
    assert result.eligible_level == Level.CLIENT


def test_qcheck_by_an_az_consultant_who_has_left_is_excluded():
    members, certificates, checks = client_records()
    members.append(staff(5, role="NL", end=D - ONE_DAY))
    certificates.append(cert(5, "AZ"))
    checks.append(qcheck(5, 0, D - days(200)))
    result = evaluate(org(), members, certificates, checks)
    assert result.qcheck_count == 2
    assert result.qcheck_average == 85.0


def test_qcheck_of_another_organisation_is_excluded():
    members, certificates, checks = client_records()
    checks.append(qcheck(1, 0, org="FEDRIS"))
    result = evaluate(org(), members, certificates, checks, others=[org("FEDRIS")])
    assert result.qcheck_count == 2
    assert result.qcheck_average == 85.0


def test_qcheck_counts_when_the_consultant_is_az_certified_on_d_even_if_certified_later():
    # SPEC: the consultant must be AZ-certified in O *on D*, not on the day of the check.
    members, certificates, checks = client_records()
    members.append(staff(5, role="NL"))
    certificates.append(cert(5, "AZ", obtained=D - days(10)))
    checks.append(qcheck(5, 5500, D - days(200)))
    result = evaluate(org(), members, certificates, checks)
    assert result.qcheck_count == 3
    assert result.qcheck_average == (8500 + 8500 + 5500) / 3 / 100
    assert result.condition("qcheck_average").met is False
    assert result.eligible_level == Level.INDIVIDUAL


# --- PRO Partner, and the levels none / individual -----------------------------------------------


def test_client_qualifying_organisation_without_pro_partner_drops_to_individual():
    members, certificates, checks = client_records()
    result = evaluate(org(partner=False), members, certificates, checks)
    condition = result.condition("pro_partner")
    assert (condition.met, condition.actual, condition.required) == (False, False, True)
    assert [c.code for c in result.unmet] == ["pro_partner"]
    assert result.eligible_level == Level.INDIVIDUAL


def test_individual_organisation_without_pro_partner_stays_individual():
    members, certificates = individual_records()
    result = evaluate(org(partner=False), members, certificates)
    assert result.condition("pro_partner").met is False
    assert result.condition("az_certified").met is True
    assert result.eligible_level == Level.INDIVIDUAL


def test_level_is_none_without_any_az_certified_staff():
    members = [staff(1, role="NL"), staff(2, role="FR")]
    certificates = [cert(1, "SELTEST"), cert(2, "ASSESS")]
    result = evaluate(org(), members, certificates)
    assert result.certified_staff == 2
    condition = result.condition("az_certified")
    assert (condition.met, condition.actual, condition.required) == (False, 0, 1)
    assert result.eligible_level == Level.NONE


def test_level_is_none_for_an_organisation_without_any_staff():
    result = evaluate(org(), [], [], [])
    assert result.certified_staff == 0
    assert result.qcheck_average is None
    assert result.eligible_level == Level.NONE


def test_level_is_individual_with_one_az_certified_staff_member():
    members, certificates = individual_records()
    result = evaluate(org(), members, certificates)
    condition = result.condition("az_certified")
    assert (condition.met, condition.actual, condition.required) == (True, 1, 1)
    assert result.condition("certified_staff").met is False
    assert result.eligible_level == Level.INDIVIDUAL


def test_three_certified_staff_is_one_short_of_client():
    members, certificates, checks = client_records()
    certificates.remove(cert(4, "INTERVIEW"))
    result = evaluate(org(), members, certificates, checks)
    condition = result.condition("certified_staff")
    assert (condition.met, condition.actual, condition.required) == (False, 3, 4)
    assert result.eligible_level == Level.INDIVIDUAL


def test_client_records_meet_every_condition():
    members, certificates, checks = client_records()
    result = evaluate(org(), members, certificates, checks)
    assert result.unmet == ()
    assert result.certified_staff == 4
    assert (result.qcheck_count, result.qcheck_average) == (2, 85.0)
    assert result.eligible_level == Level.CLIENT


# --- policy -------------------------------------------------------------------------------------

STRICT_FROM_2027 = Policy(effective_from=dt.date(2027, 1, 1), min_certified_staff=6)
POLICIES = [DEFAULT_POLICY, STRICT_FROM_2027]


def test_policy_on_picks_the_latest_policy_in_force():
    assert policy_on(POLICIES, dt.date(2026, 12, 31)) == DEFAULT_POLICY
    assert policy_on(POLICIES, dt.date(2027, 1, 1)) == STRICT_FROM_2027
    assert policy_on(POLICIES, dt.date(2030, 1, 1)) == STRICT_FROM_2027
    assert policy_on(list(reversed(POLICIES)), dt.date(2027, 1, 1)) == STRICT_FROM_2027


def test_policy_on_falls_back_to_the_spec_defaults_when_none_is_in_force():
    assert policy_on([], D) == DEFAULT_POLICY
    assert policy_on([STRICT_FROM_2027], D) == DEFAULT_POLICY
    assert DEFAULT_POLICY.min_certified_staff == 4
    assert DEFAULT_POLICY.min_qcheck_average == 80.0


def test_stricter_policy_effective_later_does_not_affect_an_earlier_day():
    members, certificates, checks = client_records()
    before = evaluate(org(), members, certificates, checks, dt.date(2026, 12, 31), POLICIES)
    assert before.condition("certified_staff").required == 4
    assert before.eligible_level == Level.CLIENT
    on = evaluate(org(), members, certificates, checks, dt.date(2027, 1, 1), POLICIES)
    condition = on.condition("certified_staff")
    assert (condition.met, condition.actual, condition.required) == (False, 4, 6)
    assert on.eligible_level == Level.INDIVIDUAL


def test_thresholds_of_the_policy_appear_as_required():
    policy = Policy(
        effective_from=dt.date(2026, 1, 1),
        min_certified_staff=5,
        min_az_per_language=2,
        min_seltest_per_language=3,
        min_az_for_individual=2,
        min_qcheck_average_hundredths=8250,
    )
    members, certificates, checks = client_records()
    result = evaluate(org(), members, certificates, checks, policies=[DEFAULT_POLICY, policy])
    required = {c.code: c.required for c in result.conditions}
    assert required == {
        "az_certified": 2,
        "pro_partner": True,
        "certified_staff": 5,
        "az_per_language:NL": 2,
        "az_per_language:FR": 2,
        "seltest_per_language:NL": 3,
        "seltest_per_language:FR": 3,
        "qcheck_average": 82.5,
    }
    assert result.condition("az_certified").met is True  # 2 AZ, 2 required
    assert result.condition("qcheck_average").met is True  # 85 % >= 82.5 %
    assert result.eligible_level == Level.INDIVIDUAL


# --- granted level ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligible", "since", "granted"),
    [
        (Level.CLIENT, None, Level.INDIVIDUAL),
        (Level.CLIENT, D + ONE_DAY, Level.INDIVIDUAL),
        (Level.CLIENT, D, Level.CLIENT),
        (Level.CLIENT, D - days(365), Level.CLIENT),
        (Level.INDIVIDUAL, None, Level.INDIVIDUAL),
        (Level.INDIVIDUAL, D, Level.CLIENT),
        (Level.INDIVIDUAL, D + ONE_DAY, Level.INDIVIDUAL),
        (Level.NONE, None, Level.NONE),
        (Level.NONE, D + ONE_DAY, Level.NONE),
        (Level.NONE, D - ONE_DAY, Level.CLIENT),
    ],
)
def test_granted_level(eligible: Level, since: dt.date | None, granted: Level):
    history = [] if since is None else [(since, "client")]
    assert granted_level(eligible, client_granted_on(history, D)) == granted


def test_the_last_change_in_effect_decides_the_granted_level():
    """Granted in 2024 (initial load), withdrawn from 2026 by a review, granted again from
    2027 by an application; two changes on one day: the later one counts."""
    history = [
        (dt.date(2024, 1, 1), "client"),
        (dt.date(2026, 1, 1), "individual"),
        (dt.date(2027, 1, 1), "client"),
    ]
    assert not client_granted_on(history, dt.date(2023, 12, 31))
    assert client_granted_on(history, dt.date(2025, 12, 31))
    assert not client_granted_on(history, dt.date(2026, 1, 1))
    assert client_granted_on(history, dt.date(2027, 6, 1))
    same_day = [(dt.date(2026, 1, 1), "client"), (dt.date(2026, 1, 1), "individual")]
    assert not client_granted_on(same_day, dt.date(2026, 1, 2))


# --- condition codes and the exchange contract ---------------------------------------------------


def test_condition_codes_are_exactly_those_of_the_spec():
    members, certificates, checks = client_records()
    result = evaluate(org(roles="FR|NL"), members, certificates, checks)
    assert [c.code for c in result.conditions] == [
        "az_certified",
        "pro_partner",
        "certified_staff",
        "az_per_language:FR",
        "az_per_language:NL",
        "seltest_per_language:FR",
        "seltest_per_language:NL",
        "qcheck_average",
    ]


def test_as_dict_has_exactly_the_keys_of_the_exchange_contract():
    members, certificates, checks = client_records()
    result = evaluate(org(), members, certificates, checks)
    payload = result.as_dict(Level.INDIVIDUAL)
    assert set(payload) == {
        "organisation",
        "as_of",
        "eligible_level",
        "granted_level",
        "certified_staff",
        "qcheck_average",
        "qcheck_count",
        "conditions",
    }
    assert payload["organisation"] == "BOSA"
    assert payload["as_of"] == "2026-06-30"
    assert payload["eligible_level"] == "client"
    assert payload["granted_level"] == "individual"
    assert (payload["certified_staff"], payload["qcheck_count"]) == (4, 2)
    assert payload["qcheck_average"] == 85.0
    assert payload["conditions"][2] == {
        "code": "certified_staff",
        "met": True,
        "actual": 4,
        "required": 4,
    }
    assert all(set(c) == {"code", "met", "actual", "required"} for c in payload["conditions"])
    assert json.loads(json.dumps(payload)) == payload


def test_as_dict_reports_an_unknown_average_as_null():
    members, certificates = individual_records()
    payload = evaluate(org(), members, certificates).as_dict("individual")
    text = json.dumps(payload)
    assert '"qcheck_average": null' in text
    assert payload["granted_level"] == "individual"


def test_aggregate_facts_has_the_columns_of_evaluate_aggregates():
    members, certificates, checks = client_records()
    frame = aggregate_facts([org("ZETA"), org()], members, certificates, checks, D)
    assert tuple(frame.columns) == AGGREGATE_COLUMNS
    results = evaluate_aggregates(frame, DEFAULT_POLICY, D)
    assert [r.organisation for r in results] == ["BOSA", "ZETA"]
    assert [r.eligible_level for r in results] == [Level.CLIENT, Level.NONE]


def test_evaluate_aggregates_of_nothing_is_empty():
    assert (
        evaluate_aggregates(pd.DataFrame(columns=list(AGGREGATE_COLUMNS)), DEFAULT_POLICY, D) == []
    )


def test_aggregate_facts_without_organisations_is_empty():
    # A portal without any organisation yet: no rows, not an exception.
    frame = aggregate_facts([], [], [], [], D)
    assert frame.empty
    assert evaluate_aggregates(frame, DEFAULT_POLICY, D) == []


# --- the look-ahead -------------------------------------------------------------------------------


def test_only_az_certificate_running_out_drops_to_none_the_day_after():
    expires = D + days(40)
    members = [staff(1, role="NL")]
    certificates = [cert(1, "AZ", until=expires)]
    drop = first_level_drop(org(), members, certificates, [], [DEFAULT_POLICY], D)
    assert drop is not None
    assert drop.on == expires + ONE_DAY
    assert (drop.level_before, drop.level_after) == (Level.INDIVIDUAL, Level.NONE)
    assert "az_certified" in {c.code for c in drop.failing}
    assert {c.code for c in drop.failing} == {"az_certified", "az_per_language:NL"}
    assert drop.eligibility.as_of == drop.on
    assert drop.eligibility.eligible_level == Level.NONE
    assert level_on(org(), members, certificates, [], expires) == Level.INDIVIDUAL


def test_only_az_consultant_leaving_drops_to_none_the_day_after_the_end_date():
    leaves = D + days(90)
    members = [staff(1, role="FR", end=leaves)]
    drop = first_level_drop(org(), members, [cert(1, "AZ")], [], [DEFAULT_POLICY], D)
    assert drop is not None
    assert drop.on == leaves + ONE_DAY
    assert drop.level_after == Level.NONE


def test_client_drops_to_individual_when_the_oldest_needed_qcheck_leaves_the_window():
    members, certificates, _ = client_records()
    oldest = D - days(200)
    checks = [qcheck(1, 9000, oldest), qcheck(2, 7500, D - days(50))]
    assert evaluate(org(), members, certificates, checks).eligible_level == Level.CLIENT
    drop = first_level_drop(org(), members, certificates, checks, [DEFAULT_POLICY], D)
    assert drop is not None
    assert drop.on == oldest.replace(year=oldest.year + 1)
    assert (drop.level_before, drop.level_after) == (Level.CLIENT, Level.INDIVIDUAL)
    assert [c.code for c in drop.failing] == ["qcheck_average"]
    assert drop.eligibility.qcheck_average == 75.0
    assert level_on(org(), members, certificates, checks, drop.on - ONE_DAY) == Level.CLIENT


def test_qcheck_of_29_february_leaves_the_window_on_1_march():
    day = dt.date(2028, 6, 1)
    members, certificates, _ = client_records()
    checks = [qcheck(1, 9000, dt.date(2028, 2, 29))]
    drop = first_level_drop(org(), members, certificates, checks, [DEFAULT_POLICY], day)
    assert drop is not None
    assert drop.on == dt.date(2029, 3, 1)
    assert drop.level_after == Level.INDIVIDUAL
    assert drop.eligibility.qcheck_average is None


def test_stricter_policy_coming_into_force_is_a_drop():
    members, certificates, checks = client_records()
    checks = [qcheck(1, 8500, D - days(5))]
    drop = first_level_drop(org(), members, certificates, checks, POLICIES, D)
    assert drop is not None
    assert drop.on == STRICT_FROM_2027.effective_from
    assert [c.code for c in drop.failing] == ["certified_staff"]


def test_organisation_that_keeps_its_level_has_no_drop():
    members, certificates = individual_records()
    assert first_level_drop(org(), members, certificates, [], [DEFAULT_POLICY], D) is None


def test_client_keeping_its_level_within_the_horizon_has_no_drop():
    members, certificates, checks = client_records()
    drop = first_level_drop(
        org(), members, certificates, checks, [DEFAULT_POLICY], D, horizon_days=30
    )
    assert drop is None


def test_organisation_at_level_none_has_no_drop():
    members = [staff(1)]
    certificates = [cert(1, "SELTEST", until=D + days(10))]
    assert first_level_drop(org(), members, certificates, [], [DEFAULT_POLICY], D) is None


def test_change_dates_lists_every_day_a_count_can_change():
    members = [staff(1, start=D + days(3), end=D + days(20))]
    certificates = [cert(1, "AZ", obtained=D + days(5), until=D + days(30))]
    checks = [qcheck(1, 9000, D - days(300))]
    leaves = (D - days(300)).replace(year=D.year)
    found = change_dates(members, certificates, checks, POLICIES, D, D + days(400))
    assert found == sorted(
        {
            D + days(3),
            D + days(21),
            D + days(5),
            D + days(31),
            leaves,
            leaves + ONE_DAY,
            STRICT_FROM_2027.effective_from,
        }
    )
    assert change_dates(members, certificates, checks, POLICIES, D + days(3), D + days(4)) == []


# --- property-based tests ------------------------------------------------------------------------

CODES = ("BOSA", "FEDRIS", "SPF-FIN", "ONEM", "RVA", "INAMI", "FOD-BZ", "RIZIV", "SELOR")
ROLES = ("NL", "FR", "DE")
TRACKS = ("AZ", "SELTEST", "ASSESS", "INTERVIEW")
STATUSES = ("pending", "valid", "suspended", "revoked")

# `HYPOTHESIS_EXAMPLES=500 make test-sqlite` for a deeper run; the default keeps CI quick.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "60"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def near(day: dt.date, low: int, high: int) -> st.SearchStrategy[dt.date]:
    """A date within [day + low, day + high], often one of the edges that rules care about."""
    edges = [
        day,
        day - ONE_DAY,
        day + ONE_DAY,
        one_year_before(day),
        one_year_before(day) + ONE_DAY,
    ]
    edges = [e for e in edges if day + days(low) <= e <= day + days(high)]
    offsets = st.integers(low, high).map(lambda n: day + days(n))
    return st.one_of(offsets, st.sampled_from(edges)) if edges else offsets


@st.composite
def policies(draw: st.DrawFn, day: dt.date) -> Policy:
    return Policy(
        effective_from=draw(near(day, -1500, 0)),
        min_certified_staff=draw(st.sampled_from([0, 1, 2, 3, 4, 4, 4, 5, 6])),
        min_az_per_language=draw(st.sampled_from([0, 1, 1, 1, 2])),
        min_seltest_per_language=draw(st.sampled_from([0, 1, 1, 1, 2])),
        min_az_for_individual=draw(st.sampled_from([0, 1, 1, 1, 2])),
        min_qcheck_average_hundredths=draw(
            st.one_of(st.integers(0, 10000), st.integers(7000, 9000), st.sampled_from([7999, 8000]))
        ),
    )


@st.composite
def datasets(
    draw: st.DrawFn,
    max_orgs: int = 8,
    max_staff: int = 40,
    max_certificates: int = 80,
    max_qchecks: int = 120,
) -> dict:
    day = draw(
        st.one_of(
            st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)),
            st.sampled_from([dt.date(2028, 2, 29), dt.date(2029, 2, 28), dt.date(2029, 3, 1)]),
        )
    )
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=max_orgs, unique=True))
    organisations = [
        OrganisationFacts(
            code,
            tuple(draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True))),
            draw(st.booleans()),
        )
        for code in codes
    ]
    # Sizes are drawn first so that data sets are not all tiny; staff may belong to an
    # organisation that is not in the list (it is never evaluated).
    staff_rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*codes, *codes, *codes, "GHOST"]),
                st.sampled_from(ROLES),
                near(day, -800, 120),
                st.none() | near(day, -300, 400),
            ),
            min_size=draw(st.integers(0, max_staff)),
            max_size=max_staff,
        )
    )
    if draw(st.sampled_from([True, True, False])):
        # Often, a first organisation with an AZ + SELTEST consultant per language role, so
        # that client-level organisations (and their drops) are common, not rare.
        first = organisations[0] = replace(
            organisations[0], has_pro_partner=draw(st.sampled_from([True, True, False]))
        )
        roles = [r for r in first.language_roles for _ in range(draw(st.integers(1, 2)))]
        core = len(roles)
        staff_rows = [
            (first.code, role, day - days(1000), draw(st.none() | near(day, -10, 400)))
            for role in roles
        ] + staff_rows[: max_staff - core]
    else:
        core = 0
    members = [StaffFacts(i, *row) for i, row in enumerate(staff_rows, start=1)]
    # Certificates and Q-checks may name a staff id that does not exist (999).
    staff_ids = st.sampled_from([*range(1, len(members) + 1), 999])
    certificates = draw(
        st.lists(
            st.builds(
                CertificateFacts,
                staff_id=staff_ids,
                track=st.sampled_from([*TRACKS, "AZ", "AZ", "SELTEST"]),
                status=st.sampled_from([*STATUSES, "valid", "valid", "valid"]),
                obtained_on=near(day, -800, 120),
                valid_until=st.none() | near(day, -300, 500),
            ),
            min_size=draw(st.integers(0, max_certificates)),
            max_size=max_certificates,
        )
    )
    for consultant in range(1, core + 1):
        for track in ("AZ", "SELTEST"):
            certificates.append(
                CertificateFacts(
                    consultant,
                    track,
                    "valid",
                    day - days(900),
                    draw(st.none() | near(day, -10, 500)),
                )
            )
    core_checks = [
        (consultant, None, checked_on, score)
        for consultant, checked_on, score in draw(
            st.lists(
                st.tuples(
                    st.integers(1, max(core, 1)),
                    near(day, -400, 30),
                    st.integers(7000, 10000),
                ),
                max_size=6 if core else 0,
            )
        )
    ]
    # A Q-check is mostly of its consultant's own organisation, sometimes of another one.
    home = {m.id: m.organisation for m in members}
    qcheck_rows = draw(
        st.lists(
            st.tuples(
                staff_ids,
                st.one_of(st.none(), st.none(), st.sampled_from(codes)),
                near(day, -730, 730),
                st.one_of(st.integers(0, 10000), st.integers(7900, 8100), st.just(8000)),
            ),
            min_size=draw(st.integers(0, max_qchecks)),
            max_size=max_qchecks,
        )
    )
    qchecks = [
        QCheckFacts(
            other or (home[consultant] if home.get(consultant) in codes else codes[0]),
            consultant,
            checked_on,
            score,
        )
        for consultant, other, checked_on, score in core_checks + qcheck_rows
    ]
    return {
        "day": day,
        "organisations": organisations,
        "staff": members,
        "certificates": certificates,
        "qchecks": qchecks,
        "policy": draw(policies(day)),
    }


def reference_results(data: dict, certificates: Sequence[CertificateFacts] | None = None):
    certificates = data["certificates"] if certificates is None else certificates
    return {
        o.code: eligibility_on(
            o, data["staff"], certificates, data["qchecks"], [data["policy"]], data["day"]
        )
        for o in data["organisations"]
    }


@PROPERTY_SETTINGS
@given(data=datasets())
def test_vectorised_path_agrees_with_the_reference_for_every_organisation(data: dict):
    day, policy = data["day"], data["policy"]
    aggregates = aggregate_facts(
        data["organisations"], data["staff"], data["certificates"], data["qchecks"], day
    )
    vectorised = evaluate_aggregates(aggregates, policy, day)
    reference = reference_results(data)
    assert [e.organisation for e in vectorised] == sorted(reference)
    for result in vectorised:
        expected = reference[result.organisation]
        assert result.eligible_level == expected.eligible_level
        assert result.certified_staff == expected.certified_staff
        assert result.qcheck_average == expected.qcheck_average
        assert result.qcheck_count == expected.qcheck_count
        assert result.conditions == expected.conditions
        assert result == expected
        # Same JSON too: no numpy scalar may leak into the exchange contract.
        assert json.dumps(result.as_dict(Level.NONE)) == json.dumps(expected.as_dict(Level.NONE))


@settings(PROPERTY_SETTINGS, max_examples=max(EXAMPLES // 2, 10))
@given(data=datasets())
def test_level_follows_the_conditions_of_the_spec_table(data: dict):
    policy = data["policy"]
    results = reference_results(data)
    for organisation in data["organisations"]:
        result = results[organisation.code]
        codes = [c.code for c in result.conditions]
        roles = organisation.language_roles
        assert codes == [
            "az_certified",
            "pro_partner",
            "certified_staff",
            *(f"az_per_language:{r}" for r in roles),
            *(f"seltest_per_language:{r}" for r in roles),
            "qcheck_average",
        ]
        for condition in result.conditions:
            if isinstance(condition.actual, int) and not isinstance(condition.actual, bool):
                assert condition.met == (condition.actual >= condition.required)
        average = result.condition("qcheck_average")
        assert average.required == policy.min_qcheck_average
        assert (result.qcheck_average is None) == (result.qcheck_count == 0)
        # Levels are cumulative (docs/decisions/0002-certification-level.md): client
        # needs its own conditions *and* the
        # az_certified condition of individual; a missing PRO Partner only costs client.
        individual = result.condition("az_certified").met
        client_conditions = all(c.met for c in result.conditions if c.code != "az_certified")
        if individual and client_conditions:
            assert result.eligible_level == Level.CLIENT
        elif individual:
            assert result.eligible_level == Level.INDIVIDUAL
        else:
            assert result.eligible_level == Level.NONE
        if not result.condition("pro_partner").met:
            assert result.eligible_level == (Level.INDIVIDUAL if individual else Level.NONE)


@PROPERTY_SETTINGS
@given(data=datasets(), pick=st.data())
def test_adding_a_valid_az_certificate_never_loses_az_certified(data: dict, pick: st.DataObject):
    day = data["day"]
    codes = {o.code for o in data["organisations"]}
    candidates = [
        s
        for s in data["staff"]
        if s.organisation in codes
        and s.start_date <= day
        and (s.end_date is None or s.end_date >= day)
    ]
    assume(candidates)
    member = pick.draw(st.sampled_from(candidates))
    added = CertificateFacts(
        member.id,
        "AZ",
        "valid",
        pick.draw(near(day, -800, 0)),
        pick.draw(st.none() | near(day, 0, 500)),
    )
    before = reference_results(data)[member.organisation]
    after = reference_results(data, [*data["certificates"], added])[member.organisation]

    az_before, az_after = before.condition("az_certified"), after.condition("az_certified")
    assert az_after.actual in (az_before.actual, az_before.actual + 1)
    assert az_after.met or not az_before.met
    assert after.certified_staff in (before.certified_staff, before.certified_staff + 1)
    for condition in before.conditions:
        if condition.code.startswith(("az_per_language:", "seltest_per_language:")):
            assert after.condition(condition.code).actual >= condition.actual
            assert after.condition(condition.code).met or not condition.met
    # Levels are cumulative, so client also meets az_certified and cannot fall to none
    # either (it may fall to individual: the new AZ holder's Q-checks enter the window).
    if before.eligible_level != Level.NONE:
        assert after.eligible_level != Level.NONE
    # Only Q-checks can be added to the window, never removed.
    assert after.qcheck_count >= before.qcheck_count


def days_to_check(day: dt.date, until: dt.date, extra: Sequence[dt.date], pick) -> list[dt.date]:
    """Every day in [day, until] when that is at most 60 days; else 30 sampled, plus `extra`."""
    span = (until - day).days
    if span <= 60:
        return [day + days(n) for n in range(span + 1)]
    sampled = pick.draw(st.lists(st.integers(0, span), min_size=30, max_size=30))
    return sorted({day, until, *extra, *(day + days(n) for n in sampled)})


@settings(PROPERTY_SETTINGS, max_examples=max(EXAMPLES * 3 // 4, 10))
@given(
    data=datasets(max_orgs=4, max_staff=16, max_certificates=32, max_qchecks=40),
    pick=st.data(),
)
def test_look_ahead_finds_the_first_drop(data: dict, pick: st.DataObject):
    day = data["day"]
    policies = [data["policy"]]
    records = (data["staff"], data["certificates"], data["qchecks"])
    horizon = 730
    for organisation in data["organisations"]:
        current = eligibility_on(organisation, *records, policies, day)
        drop = first_level_drop(organisation, *records, policies, day, horizon)
        if current.eligible_level == Level.NONE:
            assert drop is None
            continue
        last = day + days(horizon) if drop is None else drop.on - ONE_DAY
        known = change_dates(*records, policies, day, last)
        for candidate in days_to_check(day, last, known, pick):
            later = eligibility_on(organisation, *records, policies, candidate)
            assert later.eligible_level.rank >= current.eligible_level.rank, candidate
        if drop is not None:
            assert day < drop.on <= day + days(horizon)
            later = eligibility_on(organisation, *records, policies, drop.on)
            assert later == drop.eligibility
            assert drop.level_before == current.eligible_level
            assert drop.level_after == later.eligible_level
            assert later.eligible_level.rank < current.eligible_level.rank
            was_met = {c.code for c in current.conditions if c.met}
            assert {c.code for c in drop.failing} <= was_met
            assert all(not c.met for c in drop.failing)
            assert drop.failing, "a drop always has a condition that stopped being met"
            if later.eligible_level == Level.NONE:
                # Cumulative: every level above none met az_certified, so it is what failed.
                assert "az_certified" in {c.code for c in drop.failing}


def test_levels_are_cumulative_client_also_needs_the_individual_az_minimum():
    """Decision (docs/decisions/0002): a policy asking 3 AZ staff for individual also binds client."""
    members, certificates, checks = client_records()
    strict = replace(DEFAULT_POLICY, min_az_for_individual=3)
    result = evaluate(org(), members, certificates, checks, policies=(strict,))
    assert result.condition("az_certified").met is False
    assert (result.condition("az_certified").actual, result.condition("az_certified").required) == (
        2,
        3,
    )
    assert all(c.met for c in result.conditions if c.code != "az_certified")
    assert result.eligible_level == Level.NONE
