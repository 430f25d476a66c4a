"""State machines of every area: a StrEnum of states, a transition table, compare-and-set.

An area's `lifecycle.py` declares its `StateMachine`; its service applies a transition in
one transaction with `core.database.compare_and_set` (the update only lands if the state
is still the one read), the audit row, and later the outbox row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.errors import TransitionRefused


class UnknownAction(ValueError):
    """An action name the machine does not know (a programming error, not user input)."""


@dataclass(frozen=True)
class StateMachine:
    """`transitions[(state, action)]` is the state after `action`; anything else is refused."""

    actions: tuple[str, ...]
    transitions: Mapping[tuple[str, str], str]

    def next_state(self, current: str, action: str) -> str:
        """The state after `action`; TransitionRefused when impossible from `current`."""
        if action not in self.actions:
            raise UnknownAction(f"unknown action {action!r}")
        try:
            return str(self.transitions[(current, action)])
        except KeyError:
            raise TransitionRefused(current, action) from None

    def actions_for(self, state: str) -> list[str]:
        """The actions possible from `state`, in the machine's order."""
        return [action for action in self.actions if (state, action) in self.transitions]
