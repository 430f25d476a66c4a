"""The one password rule of the portal (NIST SP 800-63B), in the reader's words: the
command line, the invitation, the reset and the change of password all call
`password_error`.

The list of common and breached passwords is the one zxcvbn ships (the 30,000 most
frequent of the leaked password sets it was built from), read from the installed package:
no network call, loaded once per process on first use. zxcvbn's estimate of the guesses a
password needs refuses, besides, what is made of sequences, repetitions, keyboard patterns
and common words together (`qwertyasdf`), which no single check of `accounts.rules` sees.
"""

from __future__ import annotations

import re
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


# zxcvbn's own limit: its time grows with the length and a repetitive pattern of 200
# characters took seconds; a longer password is held to the rule's other checks only.
GUESSABLE_CHECKED_UP_TO = 72
# zxcvbn's score 2 and up: more than a million guesses, beyond a throttled online attack.
MIN_GUESSES = 10**6


def is_guessable(password: str, email: str) -> bool:
    """zxcvbn's estimate of the guesses `password` needs, with the owner's e-mail address
    and its parts as words a guesser knows, under MIN_GUESSES: sequences, repetitions,
    keyboard patterns (QWERTY's: AZERTY's walks are `accounts.rules`'), reversed and
    l33t words, dates, and combinations of them (`1qaz2wsx3edc`, `qwertyasdf`)."""
    if len(password) > GUESSABLE_CHECKED_UP_TO:
        return False
    from zxcvbn import zxcvbn

    address = email.strip().casefold()
    words = [address, *re.split(r"[@.+_-]+", address)]
    return bool(zxcvbn(password, user_inputs=[w for w in words if w])["guesses"] < MIN_GUESSES)


def password_error(password: str, email: str) -> str | None:
    """Why `password` may not be the password of `email`'s account, or None when it may."""
    problem = _problem(password, email, is_common, lambda text: is_guessable(text, email))
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
    if problem is PasswordProblem.PATTERN:
        return _(
            "This password is easy to guess: it repeats or follows a sequence or keys in a "
            "row (such as abcabc, 4321 or azerty). A few words you will remember make a "
            "good one."
        )
    return _(
        "This password is too common or appears in lists of leaked passwords: choose another one."
    )
