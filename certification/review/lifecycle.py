"""The yearly review's life cycle and its decisions (SPEC 5.3), pure:

    (none) --open--> open --close--> closed        a closed review never changes again
                      |
                      +--discard--> (none)          an open review may be removed

While open, each organisation may get a decision (a later one replaces the earlier):
`confirm` and `withdraw` where client certification is granted, `grant` where it is
eligible and not granted. Closing needs a decision for every flagged organisation.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from core.lifecycle import StateMachine


class ReviewState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReviewAction(StrEnum):
    DECIDE = "decide"
    CLOSE = "close"


class Decision(StrEnum):
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    GRANT = "grant"


class Flag(StrEnum):
    WITHDRAW = "withdraw"  # client granted, no longer eligible
    GRANT = "grant"  # client eligible, not granted


REVIEW_LIFECYCLE = StateMachine(
    actions=tuple(str(action) for action in ReviewAction),
    transitions={
        (ReviewState.OPEN, ReviewAction.DECIDE): ReviewState.OPEN,
        (ReviewState.OPEN, ReviewAction.CLOSE): ReviewState.CLOSED,
    },
)
DECISIONS = tuple(str(decision) for decision in Decision)
CLIENT = "client"


def review_day(year: int) -> dt.date:
    """The review of year Y judges eligibility on 31 December Y."""
    return dt.date(year, 12, 31)


def closing_from(year: int) -> dt.date:
    """The review of year Y may close once the year is over: from 1 January Y+1."""
    return dt.date(year + 1, 1, 1)


def flag_of(granted: str, eligible: str) -> Flag | None:
    if granted == CLIENT and eligible != CLIENT:
        return Flag.WITHDRAW
    if eligible == CLIENT and granted != CLIENT:
        return Flag.GRANT
    return None


def decision_allowed(decision: str, granted: str, eligible: str) -> bool:
    if decision in (Decision.CONFIRM, Decision.WITHDRAW):
        return granted == CLIENT
    if decision == Decision.GRANT:
        return eligible == CLIENT and granted != CLIENT
    return False


def effective_on(decision: str, year: int) -> dt.date | None:
    """When a decision changes the granted level: `withdraw` ends client certification on
    31 December Y (the next level from 1 January Y+1), `grant` grants it from 1 January
    Y+1, `confirm` changes nothing (None)."""
    if decision in (Decision.WITHDRAW, Decision.GRANT):
        return dt.date(year + 1, 1, 1)
    return None
