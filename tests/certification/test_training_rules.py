"""Places: mentees first, then the request date; the waiting list keeps that order."""

import datetime as dt

from certification.training.rules import Outcome, Request, allocate_places

T = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T + dt.timedelta(minutes=minutes)


def test_mentees_first_then_the_request_date():
    requests = [
        Request(1, False, at(1)),
        Request(2, False, at(2)),
        Request(3, True, at(3)),  # the latest request, but a mentee
        Request(4, False, at(4)),
    ]
    outcomes = allocate_places(2, requests)
    assert outcomes[3] == Outcome(placed=True, priority=True, waiting_position=None)
    assert outcomes[1] == Outcome(placed=True, priority=False, waiting_position=None)
    assert outcomes[2] == Outcome(placed=False, priority=False, waiting_position=1)
    assert outcomes[4] == Outcome(placed=False, priority=False, waiting_position=2)


def test_room_for_everyone_and_no_room_at_all():
    requests = [Request(n, n % 2 == 0, at(n)) for n in range(1, 6)]
    assert all(o.placed for o in allocate_places(10, requests).values())
    full = allocate_places(0, requests)
    assert sorted(o.waiting_position for o in full.values()) == [1, 2, 3, 4, 5]
    assert full[2].waiting_position == 1 and full[4].waiting_position == 2  # mentees first
