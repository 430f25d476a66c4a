"""The password rule (NIST SP 800-63B) and who may grant which role (pure rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts import rules
from accounts.passwords import is_common, password_error
from accounts.rules import PasswordProblem, password_problem

EMAIL = "jan.peeters@bosa.fgov.be"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", PasswordProblem.TOO_SHORT),
        ("aaaaaaaaaa", PasswordProblem.COMMON),
        ("1234567890", PasswordProblem.COMMON),
        ("password12", PasswordProblem.COMMON),
        ("Password2026!", PasswordProblem.COMMON),
        ("qwertyuiop", PasswordProblem.COMMON),
        ("abcdefghijk", PasswordProblem.COMMON),
        ("ababababab", PasswordProblem.COMMON),
        (EMAIL, PasswordProblem.EMAIL),
        (EMAIL.upper(), PasswordProblem.EMAIL),
        ("jan.peeters", PasswordProblem.EMAIL),
        ("jan.peeters2026", PasswordProblem.EMAIL),
        ("x" * 201, PasswordProblem.TOO_LONG),
        ("lantern-orchard-velvet", None),
        ("Mijn fiets staat aan het station", None),
        ("jan.peeters went to the sea", None),
    ],
)
def test_the_password_rule(password, problem):
    assert password_problem(password, EMAIL, is_common) == problem


def test_the_list_of_leaked_passwords_comes_with_the_package():
    # zxcvbn's list, read offline: tens of thousands of entries, the usual suspects in it.
    from accounts.passwords import common_passwords

    assert len(common_passwords()) > 20_000
    assert all(is_common(word) for word in ("password", "iloveyou", "letmein", "dragon"))
    assert not is_common("lantern-orchard-velvet")


def test_each_problem_has_a_message_a_person_understands():
    from core.i18n import current_language, set_language

    previous = current_language()
    try:
        set_language("en")
        assert "at least 10 characters" in password_error("short", EMAIL)
        assert "leaked passwords" in password_error("password12", EMAIL)
        assert "e-mail address" in password_error(EMAIL, EMAIL)
        assert password_error("lantern-orchard-velvet", EMAIL) is None
        set_language("nl")
        assert "gelekte wachtwoorden" in password_error("password12", EMAIL)
        set_language("fr")
        assert "au moins 10 caractères" in password_error("short", EMAIL)
    finally:
        set_language(previous)


def test_nobody_grants_a_role_above_their_own():
    assert rules.grantable_roles({"dgro"}) == {"dgro", "pro_partner", "hr", "evaluator", "staff"}
    assert rules.grantable_roles({"hr"}) == {"hr", "evaluator", "staff"}
    assert rules.grantable_roles({"pro_partner", "staff"}) == frozenset()
    assert rules.roles_beyond_grant({"hr"}, {"staff", "pro_partner", "dgro"}) == [
        "dgro",
        "pro_partner",
    ]
    assert rules.roles_beyond_grant({"dgro"}, {"dgro", "staff"}) == []


def test_hr_manages_the_accounts_of_its_own_organisation_it_can_grant():
    assert rules.may_manage({"hr"}, 1, {"evaluator", "staff"}, 1)
    assert not rules.may_manage({"hr"}, 1, {"staff"}, 2)  # another organisation
    assert not rules.may_manage({"hr"}, 1, {"pro_partner"}, 1)  # above HR
    assert not rules.may_manage({"hr"}, None, {"staff"}, None)
    assert not rules.may_manage({"staff"}, 1, {"staff"}, 1)
    assert rules.may_manage({"dgro"}, None, {"pro_partner"}, 2)


def test_a_token_is_usable_once_until_it_expires():
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    later = now + rules.VALID_FOR[rules.RESET]
    assert rules.VALID_FOR[rules.INVITATION] == dt.timedelta(days=7)
    assert rules.VALID_FOR[rules.RESET] == dt.timedelta(hours=1)
    assert rules.token_state(True, None, later, now) is rules.TokenState.USABLE
    assert rules.token_state(True, now, later, now) is rules.TokenState.USED
    assert rules.token_state(True, None, now, now) is rules.TokenState.EXPIRED
    assert rules.token_state(False, None, None, now) is rules.TokenState.UNKNOWN
