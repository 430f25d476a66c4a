"""The one password rule of the portal (NIST SP 800-63B), in the reader's words: the
command line, the invitation, the reset and the change of password all call
`password_error`.

The list of common and breached passwords is the one zxcvbn ships (the 30,000 most
frequent of the leaked password sets it was built from), read from the installed package:
no network call, loaded once per process on first use.
"""

from __future__ import annotations

from functools import cache

from accounts.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordProblem
from accounts.rules import password_problem as _problem
from core.i18n import gettext as _


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.casefold() in common_passwords()


def password_error(password: str, email: str) -> str | None:
    """Why `password` may not be the password of `email`'s account, or None when it may."""
    problem = _problem(password, email, is_common)
    if problem is None:
        return None
    if problem is PasswordProblem.TOO_SHORT:
        return _(
            "The password needs at least %(count)d characters; a few words you will "
            "remember make a good one.",
            count=MIN_PASSWORD_LENGTH,
        )
    if problem is PasswordProblem.TOO_LONG:
        return _("The password may have at most %(count)d characters.", count=MAX_PASSWORD_LENGTH)
    if problem is PasswordProblem.EMAIL:
        return _("The password may not be your e-mail address or the part before the @.")
    return _(
        "This password is too common or appears in lists of leaked passwords: choose another one."
    )
