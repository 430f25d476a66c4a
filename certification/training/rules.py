"""Allocation of a session's places (pure): mentees first (priority), then by request
date; those who do not fit wait in that order. Each outcome says why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    id: int
    mentee: bool  # priority: a mentee of an active mentorship on the session's track
    requested_at: dt.datetime


@dataclass(frozen=True)
class Outcome:
    placed: bool
    priority: bool
    waiting_position: int | None  # 1 = first on the waiting list


def allocate_places(capacity: int, requests: Sequence[Request]) -> dict[int, Outcome]:
    """Every request's outcome: the first `capacity` in (priority, request date, id) order
    are placed, the others wait in that order."""
    ordered = sorted(requests, key=lambda r: (not r.mentee, r.requested_at, r.id))
    outcomes: dict[int, Outcome] = {}
    for index, request in enumerate(ordered):
        placed = index < capacity
        outcomes[request.id] = Outcome(
            placed=placed,
            priority=request.mentee,
            waiting_position=None if placed else index - capacity + 1,
        )
    return outcomes
