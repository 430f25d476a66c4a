"""Who may manage whose account, which roles one may grant, the password rule and the
life of one-time tokens (pure: the standard library only).

Roles are compared as their string values ("dgro", "hr", ...): `accounts.identity.Role` is
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
_ALL = frozenset({"dgro", "pro_partner", "hr", "evaluator", "staff"})
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


def password_problem(
    password: str, email: str, is_common: Callable[[str], bool]
) -> PasswordProblem | None:
    """The first reason `password` may not be used by the owner of `email`, or None.

    At least MIN_PASSWORD_LENGTH characters (any characters, no composition rule); not in
    the list of common and breached passwords (`is_common`, case-insensitive, also with
    its trailing digits and symbols taken away: `password12` is `password`); not the
    e-mail address or its part before the @ (with or without trailing digits).
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
    if len(set(folded)) <= 2:  # "aaaaaaaaaa", "ababababab"
        return PasswordProblem.COMMON
    if _is_run(folded):  # "1234567890", "abcdefghij"
        return PasswordProblem.COMMON
    return None


def _is_run(text: str) -> bool:
    """Every character one up (or one down) from the one before: "0123456789", "zyxw..."."""
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return steps in ({1}, {-1})


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
