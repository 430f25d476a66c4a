"""Who may manage whose account, which roles one may grant, the password rule and the
life of one-time tokens (pure: the standard library only).

Roles are compared as their string values ("dgro", "hr", ...): `core.identity.Role` is
a `StrEnum`, so its members pass as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Set
from enum import StrEnum
from itertools import pairwise

# The roles each role may grant. DG R&O grants any; HR the accounts of its organisation
# at or below its own role (SPEC 1: hr, evaluator, staff); nobody grants a role above
# their own, and nobody else grants any.
_ALL = frozenset({"dgro", "pro_partner", "hr", "evaluator", "staff", "legal"})
HR_MANAGED = frozenset({"hr", "evaluator", "staff"})
_GRANTS: dict[str, frozenset[str]] = {"dgro": _ALL, "hr": HR_MANAGED}


def grantable_roles(own_roles: Collection[str]) -> frozenset[str]:
    """The roles someone holding `own_roles` may grant (and take away)."""
    found: frozenset[str] = frozenset()
    for role in own_roles:
        found |= _GRANTS.get(str(role), frozenset())
    return found


def may_manage_accounts(own_roles: Collection[str]) -> bool:
    return bool(grantable_roles(own_roles))


def may_manage(
    own_roles: Collection[str],
    own_organisation: int | None,
    their_roles: Collection[str],
    their_organisation: int | None,
) -> bool:
    """DG R&O manages every account; HR those of its own organisation whose every role it
    may grant (a PRO Partner of the same organisation is not HR's to manage)."""
    if "dgro" in {str(r) for r in own_roles}:
        return True
    if own_organisation is None or their_organisation != own_organisation:
        return False
    granted = grantable_roles(own_roles)
    return bool(granted) and {str(r) for r in their_roles} <= granted


def roles_beyond_grant(own_roles: Collection[str], wanted: Collection[str]) -> list[str]:
    """The roles of `wanted` that someone holding `own_roles` may not grant, sorted."""
    granted = grantable_roles(own_roles)
    return sorted({str(r) for r in wanted} - granted)


# --- passwords (NIST SP 800-63B, 5.1.1.2) ---------------------------------------------------

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    EMAIL = "email"
    PATTERN = "pattern"


# Keys in a row, row after row, and down the columns, column after column, on the
# keyboards of Belgium and its neighbours, and the digits both as counted and as on the
# keyboard (0 after 9): a walk along one of these lines, either way, is the first thing a
# guesser tries ("azertyuiop", "0987654321", "3edc4rfv").
_KEY_LINES = (
    "0123456789",
    "1234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1aqw2zsx3edc4rfv5tgb6yhn7uj8ik9ol0pm",
    "1qay2wsx3edc4rfv5tgb6zhn7ujm8ik9ol0p",
)
_KEY_STEPS = frozenset(step for line in _KEY_LINES for step in pairwise(line))


def password_problem(
    password: str,
    email: str,
    is_common: Callable[[str], bool],
    is_guessable: Callable[[str], bool] | None = None,
) -> PasswordProblem | None:
    """The first reason `password` may not be used by the owner of `email`, or None.

    At least MIN_PASSWORD_LENGTH characters (any characters, no composition rule); not in
    the list of common and breached passwords (`is_common`, case-insensitive, also with
    its trailing digits and symbols taken away: `password12` is `password`); not the
    e-mail address or its part before the @ (with or without trailing digits); not
    repetitive or sequential (NIST's own examples): one piece repeated (`abcabcabca`), a
    run or a walk along the keyboard (`0987654321`, `qsdfghjklm`), nor what `is_guessable`
    (an estimate of guesses over a whole password, such as zxcvbn's) finds made of such
    pieces and common words.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem.TOO_LONG
    folded = password.strip().casefold()
    stripped = folded.rstrip("0123456789!?.,;:-_+*#@$%&= ")
    address = email.strip().casefold()
    if address and {folded, stripped} & {address, address.split("@", 1)[0]}:
        return PasswordProblem.EMAIL
    candidates = {folded, stripped}
    if any(candidate and is_common(candidate) for candidate in candidates):
        return PasswordProblem.COMMON
    if _is_pattern(folded) or (is_guessable is not None and is_guessable(password)):
        return PasswordProblem.PATTERN
    return None


def _is_pattern(text: str) -> bool:
    """Two characters at most ("aaaaaaaaaa", "aabbbaabab"), one piece repeated
    ("ababababab", "abcabcabca": the text equals itself shifted by the piece), a run
    ("abcdefghij", "zyxw…") or a walk along one line of keys, either way."""
    if len(set(text)) <= 2:
        return True
    if any(text[shift:] == text[:-shift] for shift in range(1, len(text) // 2 + 1)):
        return True
    if {ord(b) - ord(a) for a, b in pairwise(text)} in ({1}, {-1}):
        return True
    steps = set(pairwise(text))
    return steps <= _KEY_STEPS or {(b, a) for a, b in steps} <= _KEY_STEPS


# --- one-time tokens ----------------------------------------------------------------------

INVITATION = "invitation"
RESET = "reset"
VALID_FOR = {INVITATION: dt.timedelta(days=7), RESET: dt.timedelta(hours=1)}


class TokenState(StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def token_state(
    found: bool, used_at: dt.datetime | None, expires_at: dt.datetime | None, now: dt.datetime
) -> TokenState:
    """What a token presented at `now` is: unknown (or not for this user and purpose), used
    once already, past its expiry, or usable."""
    if not found:
        return TokenState.UNKNOWN
    if used_at is not None:
        return TokenState.USED
    if expires_at is None or expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.USABLE


def sorted_roles(roles: Set[str]) -> list[str]:
    return sorted(str(r) for r in roles)
