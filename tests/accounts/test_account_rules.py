"""The password rule (NIST SP 800-63B) and who may grant which role (pure rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts import rules
from accounts.passwords import is_common, is_guessable, password_error
from accounts.rules import PasswordProblem, password_problem

EMAIL = "jan.peeters@bosa.fgov.be"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", PasswordProblem.TOO_SHORT),
        ("aaaaaaaaaa", PasswordProblem.PATTERN),
        ("1234567890", PasswordProblem.COMMON),
        ("password12", PasswordProblem.COMMON),
        ("Password2026!", PasswordProblem.COMMON),
        ("qwertyuiop", PasswordProblem.COMMON),
        ("abcdefghijk", PasswordProblem.PATTERN),
        ("ababababab", PasswordProblem.PATTERN),
        (EMAIL, PasswordProblem.EMAIL),
        (EMAIL.upper(), PasswordProblem.EMAIL),
        ("jan.peeters", PasswordProblem.EMAIL),
        ("jan.peeters2026", PasswordProblem.EMAIL),
        ("x" * 201, PasswordProblem.TOO_LONG),
        # The probe's two, and their kin: a piece repeated, runs and walks, either way.
        ("abcabcabca", PasswordProblem.PATTERN),
        ("0987654321", PasswordProblem.PATTERN),
        ("8901234567", PasswordProblem.PATTERN),
        ("qsdfghjklm", PasswordProblem.PATTERN),  # AZERTY's middle row
        ("mlkjhgfdsqpoiuytreza", PasswordProblem.PATTERN),
        ("wxcvbnwxcvbn", PasswordProblem.PATTERN),
        ("3edc4rfv5tgb", PasswordProblem.PATTERN),  # down the columns
        ("Xyz12Xyz12Xyz12", PasswordProblem.PATTERN),
        ("ab" * 100, PasswordProblem.PATTERN),
        ("aabbbaabab", PasswordProblem.PATTERN),
        ("lantern-orchard-velvet", None),
        ("Mijn fiets staat aan het station", None),
        ("jan.peeters went to the sea", None),
    ],
)
def test_the_password_rule(password, problem):
    assert password_problem(password, EMAIL, is_common) == problem


@pytest.mark.parametrize(
    "password",
    [
        "qwertyasdf",  # two walks
        "1234567890ab",
        "abcdabcdXY",
        "zaq12wsxcde",
    ],
)
def test_what_zxcvbn_finds_made_of_patterns_is_refused_too(password):
    assert password_problem(password, EMAIL, is_common) is None  # no single pattern
    assert is_guessable(password, EMAIL)
    assert password_error(password, EMAIL) == password_error("abcabcabca", EMAIL)


def test_good_passwords_stay_good_and_long_ones_are_checked_at_once():
    import secrets

    for password in (
        "lantern-orchard-velvet",
        "Mijn fiets staat aan het station",
        "jan.peeters went to the sea",
        "Vlinder onder de brug",
        "a fresh passphrase for marc",
    ):
        assert password_error(password, EMAIL) is None, password
    for _ in range(50):
        assert password_error(secrets.token_urlsafe(12), EMAIL) is None
    # Beyond zxcvbn's 72 characters (seconds of work for a repetitive 200) the other checks.
    sentence = "In de zomer van negentien zesentachtig fietsten wij samen naar de zee in Oostende"
    assert len(sentence) > 72 and password_error(sentence, EMAIL) is None
    assert not is_guessable("ab" * 100, EMAIL)
    assert password_problem("ab" * 100, EMAIL, is_common) is PasswordProblem.PATTERN


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
        assert "easy to guess" in password_error("abcabcabca", EMAIL)
        assert "e-mail address" in password_error(EMAIL, EMAIL)
        assert password_error("lantern-orchard-velvet", EMAIL) is None
        set_language("nl")
        assert "gelekte wachtwoorden" in password_error("password12", EMAIL)
        set_language("fr")
        assert "au moins 10 caractères" in password_error("short", EMAIL)
    finally:
        set_language(previous)


def test_nobody_grants_a_role_above_their_own():
    assert rules.grantable_roles({"dgro"}) == {
        "dgro", "pro_partner", "hr", "evaluator", "staff", "legal"
    }  # fmt: skip
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
