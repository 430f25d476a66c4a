"""The certificate life cycle and the register's form checks, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from certification.certificates.forms import StaffFilter, parse_certificate_form, reason_error
from certification.certificates.labels import transition_message
from certification.certificates.lifecycle import ACTIONS, REASON_REQUIRED, actions_for, next_status
from core.errors import TransitionRefused
from core.i18n import set_language
from core.lifecycle import UnknownAction
from organisations.forms import parse_staff_form

STATUSES = ("pending", "valid", "suspended", "revoked")
ALLOWED = {
    ("pending", "verify"): "valid",
    ("pending", "reject"): "revoked",
    ("valid", "suspend"): "suspended",
    ("valid", "revoke"): "revoked",
    ("suspended", "revoke"): "revoked",
    ("suspended", "reinstate"): "valid",
}


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_status_and_action(status: str, action: str) -> None:
    if (status, action) in ALLOWED:
        assert next_status(status, action) == ALLOWED[(status, action)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(status, action)
        assert refused.value.current == status
        assert refused.value.action == action


def test_the_refusal_names_the_current_status() -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_status("revoked", "suspend")
    assert transition_message(refused.value.current, refused.value.action).startswith(
        "This certificate is revoked: only a valid"
    )
    with pytest.raises(TransitionRefused) as refused:
        next_status("pending", "reinstate")
    assert "is pending verification: only a suspended" in transition_message(
        refused.value.current, refused.value.action
    )


def test_revoked_is_final_and_unknown_actions_are_programming_errors() -> None:
    assert actions_for("revoked") == []
    assert actions_for("pending") == ["verify", "reject"]
    assert actions_for("valid") == ["suspend", "revoke"]
    assert actions_for("suspended") == ["revoke", "reinstate"]
    with pytest.raises(UnknownAction):
        next_status("pending", "approve")


def test_reasons() -> None:
    assert REASON_REQUIRED == {"reject", "suspend", "revoke"}
    assert reason_error("reject", "   ") == "Give the reason for rejecting this certificate."
    assert reason_error("revoke", "Fraud") is None
    assert reason_error("verify", "") is None
    assert reason_error("suspend", "x" * 2001) is not None


STAFF = {
    "email": " Ann.Peeters@Example.BE ",
    "first_name": "Ann",
    "last_name": "Peeters",
    "language_role": "nl",
    "start_date": "2026-01-01",
    "end_date": "",
}


def test_a_good_staff_form() -> None:
    result = parse_staff_form(STAFF, ["NL", "FR"])
    assert result.ok
    assert result.data.email == "ann.peeters@example.be"
    assert result.data.language_role == "NL"
    assert result.data.start_date == dt.date(2026, 1, 1)
    assert result.data.end_date is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "ann"}, "email"),
        ({"email": ""}, "email"),
        ({"last_name": ""}, "last_name"),
        ({"language_role": "DE"}, "language_role"),
        ({"start_date": ""}, "start_date"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"end_date": "2025-12-31"}, "end_date"),
    ],
)
def test_staff_form_errors(change: dict[str, str], field: str) -> None:
    result = parse_staff_form({**STAFF, **change}, ["NL", "FR"])
    assert not result.ok
    assert list(result.errors) == [field]
    assert result.values["first_name"] == "Ann"  # kept for the re-rendered form


def test_the_end_date_may_equal_the_start_date() -> None:
    assert parse_staff_form({**STAFF, "end_date": "2026-01-01"}, ["NL"]).ok


def test_certificate_form() -> None:
    today = dt.date(2026, 6, 1)
    tracks = ["AZ", "SELTEST"]
    ok = parse_certificate_form({"track": "az", "obtained_on": "2026-06-01"}, tracks, today)
    assert ok.ok and ok.data.track == "AZ" and ok.data.valid_until is None
    future = parse_certificate_form({"track": "AZ", "obtained_on": "2026-06-02"}, tracks, today)
    assert "future" in future.errors["obtained_on"]
    inactive = parse_certificate_form(
        {"track": "ASSESS", "obtained_on": "2026-01-01"}, tracks, today
    )
    assert list(inactive.errors) == ["track"]
    early = parse_certificate_form(
        {"track": "AZ", "obtained_on": "2026-01-02", "valid_until": "2026-01-01"}, tracks, today
    )
    assert list(early.errors) == ["valid_until"]
    same_day = parse_certificate_form(
        {"track": "AZ", "obtained_on": "2026-01-02", "valid_until": "2026-01-02"}, tracks, today
    )
    assert same_day.ok


def test_staff_filter() -> None:
    good = StaffFilter.from_query(
        {"q": " ann ", "language_role": "fr", "track": "az", "status": "Valid", "active": "yes"},
        ["NL", "FR"],
        ["AZ"],
    )
    assert not good.errors
    assert good.query_string(2) == "q=ann&language_role=FR&track=AZ&status=valid&active=yes&page=2"
    assert StaffFilter.from_query({}, ["NL"], ["AZ"]).query_string() == ""
    bad = StaffFilter.from_query(
        {"language_role": "DE", "track": "X", "status": "gone", "active": "maybe"}, ["NL"], ["AZ"]
    )
    assert set(bad.errors) == {"language_role", "track", "status", "active"}
