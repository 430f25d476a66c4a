"""The one-pass look-ahead gives exactly the drop of the reference that recounts every day."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from certification import lookahead
from certification.rules import (
    DEFAULT_POLICY,
    CertificateFacts,
    Level,
    OrganisationFacts,
    QCheckFacts,
    StaffFacts,
    first_level_drop,
)
from tests.certification.test_rules import EXAMPLES, PROPERTY_SETTINGS, datasets


@settings(PROPERTY_SETTINGS, max_examples=max(EXAMPLES, 50))
@given(
    data=datasets(max_orgs=4, max_staff=16, max_certificates=32, max_qchecks=40),
    horizon=st.sampled_from([30, 365, 730, 1100]),
)
def test_one_pass_agrees_with_the_reference(data: dict, horizon: int):
    day = data["day"]
    policies = [data["policy"]]
    records = (data["staff"], data["certificates"], data["qchecks"])
    for organisation in data["organisations"]:
        expected = first_level_drop(organisation, *records, policies, day, horizon)
        assert lookahead.first_level_drop(organisation, *records, policies, day, horizon) == (
            expected
        )


def test_a_qcheck_of_29_february_leaves_the_window_on_1_march():
    """Leap day: in the window until 28 February of the next year, out on 1 March."""
    organisation = OrganisationFacts("BOSA", ("NL",), True)
    start = dt.date(2020, 1, 1)
    members = [StaffFacts(n, "BOSA", "NL", start) for n in range(1, 5)]
    certificates = [
        CertificateFacts(1, "AZ", "valid", start),
        CertificateFacts(1, "SELTEST", "valid", start),
        *(CertificateFacts(n, "ASSESS", "valid", start) for n in range(2, 5)),
    ]
    checks = [QCheckFacts("BOSA", 1, dt.date(2028, 2, 29), 9000)]
    day = dt.date(2028, 3, 1)
    for implementation in (first_level_drop, lookahead.first_level_drop):
        drop = implementation(organisation, members, certificates, checks, [DEFAULT_POLICY], day)
        assert drop is not None
        assert drop.on == dt.date(2029, 3, 1)
        assert (drop.level_before, drop.level_after) == (Level.CLIENT, Level.INDIVIDUAL)
        assert [c.code for c in drop.failing] == ["qcheck_average"]


def test_a_second_certificate_of_the_same_track_keeps_the_holder_certified():
    organisation = OrganisationFacts("BOSA", ("NL",), False)
    members = [StaffFacts(1, "BOSA", "NL", dt.date(2020, 1, 1))]
    certificates = [
        CertificateFacts(1, "AZ", "valid", dt.date(2021, 1, 1), dt.date(2026, 12, 31)),
        CertificateFacts(1, "AZ", "valid", dt.date(2026, 6, 1), dt.date(2027, 6, 30)),
    ]
    day = dt.date(2026, 7, 1)
    for implementation in (first_level_drop, lookahead.first_level_drop):
        drop = implementation(organisation, members, certificates, [], [DEFAULT_POLICY], day)
        assert drop is not None
        assert drop.on == dt.date(2027, 7, 1)
        assert drop.level_after == Level.NONE
