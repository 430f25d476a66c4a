"""Which competencies an organisation's certified staff cover: the competencies of the
tracks in which an active staff member holds a valid certificate on the day."""

from __future__ import annotations

import datetime as dt

from certification.rules import CertificateStatus
from certification.tables import Certificate, TrackCompetency
from organisations.rules import is_active_on


async def covered_competencies(organisation_id: int, day: dt.date) -> set[int]:
    """Two queries: the valid certificates of the organisation's active staff, and the
    competencies of their tracks."""
    rows = await Certificate.select(
        Certificate.track,
        Certificate.obtained_on,
        Certificate.valid_until,
        Certificate.staff.start_date.as_alias("start_date"),
        Certificate.staff.end_date.as_alias("end_date"),
    ).where(
        (Certificate.staff.organisation == organisation_id)
        & (Certificate.status == CertificateStatus.VALID)
    )
    tracks = {
        row["track"]
        for row in rows
        if row["obtained_on"] <= day
        and (row["valid_until"] is None or row["valid_until"] >= day)
        and is_active_on(row["start_date"], row["end_date"], day)
    }
    if not tracks:
        return set()
    links = await TrackCompetency.select(TrackCompetency.competency).where(
        TrackCompetency.track.is_in(sorted(tracks))
    )
    return {row["competency"] for row in links}
