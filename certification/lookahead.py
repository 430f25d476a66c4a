"""The look-ahead in one pass (pure): the first day the eligible level would fall.

Every record changes the counts on a few days only: a staff member starts and leaves,
a certificate starts and runs out, a Q-check enters and leaves the twelve-month window,
a policy version comes into force. Those events are sorted once and the counts of
`rules.Counts` are carried across them, so the cost is O(events log events), not
O(days × records). `rules.first_level_drop` (which recounts everything on each candidate
day) stays as the reference: the property tests prove both give the same drop.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from certification.certificates.lifecycle import CertificateStatus
from certification.rules import (
    AZ,
    SELTEST,
    CertificateFacts,
    Counts,
    Eligibility,
    Level,
    LevelDrop,
    OrganisationFacts,
    Policy,
    QCheckFacts,
    StaffFacts,
    decide,
    policy_on,
)
from qchecks.rules import in_qcheck_window, one_year_after

ONE_DAY = dt.timedelta(days=1)

# Event kinds; on one day every event applies before the day is evaluated.
STAFF = "staff"  # +1 starts, -1 leaves
CERTIFICATE = "certificate"  # +1 becomes valid, -1 runs out
QCHECK = "qcheck"  # +1 enters the window, -1 leaves it
POLICY = "policy"  # a version comes into force: only a day to evaluate


def _leaves_window(checked_on: dt.date) -> dt.date:
    """The first day on which a Q-check is no longer in the window (29 February aware)."""
    leaves = one_year_after(checked_on)
    return leaves if not in_qcheck_window(checked_on, leaves) else leaves + ONE_DAY


class _Counter:
    """The counts of one organisation on the current day, updated event by event."""

    def __init__(self, staff: dict[int, StaffFacts]) -> None:
        self.staff = staff
        self.active: set[int] = set()
        # Valid certificates per staff member and track: a person may hold two of one track.
        self.tracks: dict[int, dict[str, int]] = defaultdict(dict)
        # Q-checks in the window per consultant, counted for AZ-certified ones only.
        self.window: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        self.certified_staff = 0
        self.az_certified = 0
        self.az_by_language: dict[str, int] = defaultdict(int)
        self.seltest_by_language: dict[str, int] = defaultdict(int)
        self.qcheck_sum = 0
        self.qcheck_count = 0

    def _contribution(self, staff_id: int, sign: int) -> None:
        """Add (+1) or remove (-1) what an active staff member's tracks count for."""
        tracks = {track for track, n in self.tracks[staff_id].items() if n > 0}
        if not tracks:
            return
        role = self.staff[staff_id].language_role
        self.certified_staff += sign
        if AZ in tracks:
            self.az_certified += sign
            self.az_by_language[role] += sign
            total, count = self.window[staff_id]
            self.qcheck_sum += sign * total
            self.qcheck_count += sign * count
        if SELTEST in tracks:
            self.seltest_by_language[role] += sign

    def staff_event(self, staff_id: int, sign: int) -> None:
        if sign > 0:
            self.active.add(staff_id)
            self._contribution(staff_id, +1)
        else:
            self._contribution(staff_id, -1)
            self.active.discard(staff_id)

    def certificate_event(self, staff_id: int, track: str, sign: int) -> None:
        active = staff_id in self.active
        if active:
            self._contribution(staff_id, -1)
        held = self.tracks[staff_id]
        held[track] = held.get(track, 0) + sign
        if active:
            self._contribution(staff_id, +1)

    def qcheck_event(self, consultant_id: int, score: int, sign: int) -> None:
        entry = self.window[consultant_id]
        entry[0] += sign * score
        entry[1] += sign
        if consultant_id in self.active and self.tracks[consultant_id].get(AZ, 0) > 0:
            self.qcheck_sum += sign * score
            self.qcheck_count += sign

    def counts(self) -> Counts:
        return Counts(
            certified_staff=self.certified_staff,
            az_certified=self.az_certified,
            az_by_language={k: v for k, v in self.az_by_language.items() if v},
            seltest_by_language={k: v for k, v in self.seltest_by_language.items() if v},
            qcheck_sum_hundredths=self.qcheck_sum,
            qcheck_count=self.qcheck_count,
        )


Event = tuple[dt.date, str, int, object, int]


def _events(
    organisation: OrganisationFacts,
    members: dict[int, StaffFacts],
    certificates: Sequence[CertificateFacts],
    qchecks: Sequence[QCheckFacts],
    policies: Sequence[Policy],
) -> list[Event]:
    """Every date a count can change, sorted once: leaving before joining on the same day
    keeps every running count at or above zero."""
    events: list[Event] = []
    for s in members.values():
        if s.end_date is not None and s.end_date < s.start_date:
            continue  # never active
        events.append((s.start_date, STAFF, s.id, None, +1))
        if s.end_date is not None:
            events.append((s.end_date + ONE_DAY, STAFF, s.id, None, -1))
    for c in certificates:
        if c.staff_id not in members or c.status != CertificateStatus.VALID:
            continue
        if c.valid_until is not None and c.valid_until < c.obtained_on:
            continue  # never valid
        events.append((c.obtained_on, CERTIFICATE, c.staff_id, c.track, +1))
        if c.valid_until is not None:
            events.append((c.valid_until + ONE_DAY, CERTIFICATE, c.staff_id, c.track, -1))
    for q in qchecks:
        if q.organisation != organisation.code:
            continue
        events.append((q.checked_on, QCHECK, q.consultant_id, q.score_hundredths, +1))
        events.append(
            (_leaves_window(q.checked_on), QCHECK, q.consultant_id, q.score_hundredths, -1)
        )
    for p in policies:
        events.append((p.effective_from, POLICY, 0, None, 0))
    events.sort(key=lambda event: (event[0], event[4]))
    return events


def _apply(counter: _Counter, event: Event) -> None:
    _on, kind, record_id, detail, sign = event
    if kind == STAFF:
        counter.staff_event(record_id, sign)
    elif kind == CERTIFICATE:
        counter.certificate_event(record_id, str(detail), sign)
    elif kind == QCHECK:
        counter.qcheck_event(record_id, int(detail), sign)  # type: ignore[call-overload]


def _drop(current: Eligibility, later: Eligibility, on: dt.date) -> LevelDrop | None:
    """A fall from `current` to `later` on `on`, with the conditions that fail then."""
    if later.eligible_level.rank >= current.eligible_level.rank:
        return None
    was_met = {c.code for c in current.conditions if c.met}
    failing = tuple(c for c in later.conditions if not c.met and c.code in was_met)
    return LevelDrop(on, current.eligible_level, later.eligible_level, failing, later)


def first_level_drop(
    organisation: OrganisationFacts,
    staff: Sequence[StaffFacts],
    certificates: Sequence[CertificateFacts],
    qchecks: Sequence[QCheckFacts],
    policies: Sequence[Policy],
    day: dt.date,
    horizon_days: int = 730,
) -> LevelDrop | None:
    """The first date after `day`, within the horizon, on which the eligible level falls."""
    until = day + dt.timedelta(days=horizon_days)
    members = {s.id: s for s in staff if s.organisation == organisation.code}
    events = _events(organisation, members, certificates, qchecks, policies)
    counter = _Counter(members)
    current = None
    position = 0
    while position < len(events):
        on = events[position][0]
        if on > until:
            break
        if current is None and on > day:
            current = decide(organisation, counter.counts(), policy_on(policies, day), day)
            if current.eligible_level == Level.NONE:
                return None
        while position < len(events) and events[position][0] == on:
            _apply(counter, events[position])
            position += 1
        if on <= day:
            continue
        assert current is not None
        drop = _drop(
            current, decide(organisation, counter.counts(), policy_on(policies, on), on), on
        )
        if drop is not None:
            return drop
    return None
