"""Reads of sessions (with each request's outcome) and mentorships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certification.tables import Mentorship, PlaceRequest, TrackSession
from certification.training.rules import Request, allocate_places


async def sessions(from_day: dt.date) -> list[dict[str, Any]]:
    """The sessions that have not ended, soonest first."""
    return await (
        TrackSession.select(
            *TrackSession.all_columns(), TrackSession.track.code.as_alias("track_code")
        )
        .where(TrackSession.ends_on >= from_day)
        .order_by(TrackSession.starts_on)
    )


async def session_requests(
    session_id: int, organisation_id: int | None = None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The session and its requests with their outcome (placed, priority, waiting list),
    all organisations' requests allocated together; only `organisation_id`'s returned
    when given. Three queries."""
    session = (
        await TrackSession.select(
            *TrackSession.all_columns(), TrackSession.track.code.as_alias("track_code")
        )
        .where(TrackSession.id == session_id)
        .first()
    )
    if session is None:
        return None, []
    rows = await PlaceRequest.select(
        *PlaceRequest.all_columns(),
        PlaceRequest.staff.first_name.as_alias("first_name"),
        PlaceRequest.staff.last_name.as_alias("last_name"),
        PlaceRequest.organisation.code.as_alias("organisation_code"),
    ).where(PlaceRequest.session == session_id)
    mentees = {
        row["mentee"]
        for row in await Mentorship.select(Mentorship.mentee).where(
            (Mentorship.track == session["track"]) & Mentorship.ended_on.is_null()
        )
    }
    outcomes = allocate_places(
        session["capacity"],
        [Request(row["id"], row["staff"] in mentees, row["requested_at"]) for row in rows],
    )
    for row in rows:
        row["outcome"] = outcomes[row["id"]]
    rows.sort(key=lambda r: (not r["outcome"].placed, r["outcome"].waiting_position or 0))
    if organisation_id is not None:
        rows = [row for row in rows if row["organisation"] == organisation_id]
    return session, rows


async def mentorships(organisation_id: int) -> list[dict[str, Any]]:
    return await (
        Mentorship.select(
            *Mentorship.all_columns(),
            Mentorship.mentor.first_name.as_alias("mentor_first_name"),
            Mentorship.mentor.last_name.as_alias("mentor_last_name"),
            Mentorship.mentee.first_name.as_alias("mentee_first_name"),
            Mentorship.mentee.last_name.as_alias("mentee_last_name"),
            Mentorship.track.code.as_alias("track_code"),
        )
        .where(Mentorship.organisation == organisation_id)
        .order_by(Mentorship.id, ascending=False)
    )
