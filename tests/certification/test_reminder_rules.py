"""Which reminder is due: the tightest threshold reached, once, never a burst."""

import datetime as dt

from certification.reminders import ExpiringCertificate, due_reminders

TODAY = dt.date(2026, 11, 23)


def expiring(days_left: int, certificate_id: int = 1) -> ExpiringCertificate:
    return ExpiringCertificate(
        certificate_id,
        "BOSA",
        "partner@bosa.be",
        "An Peeters",
        "an@bosa.be",
        "AZ",
        TODAY + dt.timedelta(days=days_left),
    )


def due(days_left: int, sent: set[tuple[int, int]] = frozenset()) -> list[int]:
    return [r.days_before for r in due_reminders([expiring(days_left)], set(sent), TODAY)]


def test_thresholds_and_their_edges():
    assert due(91) == []
    assert due(90) == [90]
    assert due(31) == [90]
    assert due(30) == [30]
    assert due(8) == [30]
    assert due(7) == [7]
    assert due(0) == [7]
    assert due(-1) == []


def test_a_reminder_already_sent_is_not_sent_again():
    assert due(60, {(1, 90)}) == []
    assert due(30, {(1, 90)}) == [30]
    assert due(20, {(1, 30)}) == []
    assert due(5, {(1, 30)}) == [7]
    assert due(5, {(1, 7)}) == []


def test_a_missed_run_sends_only_the_tightest_reminder():
    assert due(25) == [30]
    assert due(3) == [7]
