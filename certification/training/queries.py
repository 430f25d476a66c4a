"""Reads of sessions (with each request's outcome) and mentorships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certification.tables import Mentorship, PlaceRequest, TrackSession
from certification.training.rules import Outcome, Request, allocate_places


@dataclass(frozen=True)
class Session:
    id: int
    track: int
    track_code: str
    starts_on: dt.date
    ends_on: dt.date
    language: str
    capacity: int


@dataclass(frozen=True)
class PlaceRow:
    """A place request with its outcome (placed, mentee priority, waiting position)."""

    id: int
    staff: int
    organisation: int
    organisation_code: str
    first_name: str
    last_name: str
    requested_at: dt.datetime
    outcome: Outcome


@dataclass(frozen=True)
class MentorshipRow:
    id: int
    track_code: str
    mentor_first_name: str
    mentor_last_name: str
    mentee_first_name: str
    mentee_last_name: str
    started_on: dt.date


_SESSION_COLUMNS = (
    TrackSession.id,
    TrackSession.track,
    TrackSession.track.code.as_alias("track_code"),
    TrackSession.starts_on,
    TrackSession.ends_on,
    TrackSession.language,
    TrackSession.capacity,
)


async def sessions(from_day: dt.date) -> list[Session]:
    """The sessions that have not ended, soonest first."""
    rows = await (
        TrackSession.select(*_SESSION_COLUMNS)
        .where(TrackSession.ends_on >= from_day)
        .order_by(TrackSession.starts_on)
    )
    return [Session(**row) for row in rows]


async def session_requests(
    session_id: int, organisation_id: int | None = None
) -> tuple[Session | None, list[PlaceRow]]:
    """The session and its requests with their outcome (placed, priority, waiting list),
    all organisations' requests allocated together; only `organisation_id`'s returned
    when given. Three queries."""
    found = await TrackSession.select(*_SESSION_COLUMNS).where(TrackSession.id == session_id)
    if not found:
        return None, []
    session = Session(**found[0])
    rows = await PlaceRequest.select(
        PlaceRequest.id,
        PlaceRequest.staff,
        PlaceRequest.organisation,
        PlaceRequest.organisation.code.as_alias("organisation_code"),
        PlaceRequest.staff.first_name.as_alias("first_name"),
        PlaceRequest.staff.last_name.as_alias("last_name"),
        PlaceRequest.requested_at,
    ).where(PlaceRequest.session == session_id)
    mentees = {
        row["mentee"]
        for row in await Mentorship.select(Mentorship.mentee).where(
            (Mentorship.track == session.track) & Mentorship.ended_on.is_null()
        )
    }
    outcomes = allocate_places(
        session.capacity,
        [Request(row["id"], row["staff"] in mentees, row["requested_at"]) for row in rows],
    )
    places = [PlaceRow(**row, outcome=outcomes[row["id"]]) for row in rows]
    places.sort(key=lambda r: (not r.outcome.placed, r.outcome.waiting_position or 0))
    if organisation_id is not None:
        places = [place for place in places if place.organisation == organisation_id]
    return session, places


async def mentorships(organisation_id: int) -> list[MentorshipRow]:
    rows = await (
        Mentorship.select(
            Mentorship.id,
            Mentorship.track.code.as_alias("track_code"),
            Mentorship.mentor.first_name.as_alias("mentor_first_name"),
            Mentorship.mentor.last_name.as_alias("mentor_last_name"),
            Mentorship.mentee.first_name.as_alias("mentee_first_name"),
            Mentorship.mentee.last_name.as_alias("mentee_last_name"),
            Mentorship.started_on,
        )
        .where(Mentorship.organisation == organisation_id)
        .order_by(Mentorship.id, ascending=False)
    )
    return [MentorshipRow(**row) for row in rows]
