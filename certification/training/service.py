"""Track sessions (DG R&O publishes), place requests (a PRO Partner for its staff) and
mentorships (a client-certified organisation registers a mentee with a certified mentor);
each write in one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certification.eligibility import eligibility_for_all
from certification.rules import CertificateStatus
from certification.tables import Certificate, Mentorship, PlaceRequest, Track, TrackSession
from core import audit
from core.database import is_unique_violation, write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from organisations.rules import LANGUAGE_ROLES, is_active_on
from organisations.tables import Organisation, StaffMember


@dataclass(frozen=True)
class SessionInput:
    track: str
    starts_on: dt.date
    ends_on: dt.date
    language: str
    capacity: int


async def publish_session(actor: audit.Actor, data: SessionInput) -> int:
    if data.ends_on < data.starts_on:
        raise Refused(_("A session ends on or after the day it starts."), "ends_on")
    if data.language not in LANGUAGE_ROLES:
        raise Refused(
            _("Choose the language: %(roles)s.", roles=", ".join(LANGUAGE_ROLES)), "language"
        )
    if not 1 <= data.capacity <= 500:
        raise Refused(_("The number of places is a whole number from 1 to 500."), "capacity")
    async with write_transaction():
        track = await Track.select(Track.id).where(Track.code == data.track).first()
        if track is None:
            raise Refused(_("Choose a track from the list."), "track")
        [row] = await TrackSession.insert(
            TrackSession(
                track=track["id"],
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                language=data.language,
                capacity=data.capacity,
                published_by=actor.label,
                created_at=dt.datetime.now(dt.UTC),
            )
        ).returning(TrackSession.id)
        await audit.record(
            actor,
            "session_published",
            table="track_session",
            key=str(row["id"]),
            after={"track": data.track, "starts_on": data.starts_on, "capacity": data.capacity},
        )
    return int(row["id"])


async def _staff_of(organisation_id: int, staff_id: int, field: str) -> dict:
    staff = (
        await StaffMember.select()
        .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
        .first()
    )
    if staff is None:
        raise Refused(_("Choose a staff member of your organisation."), field)
    return staff


async def _may_follow(staff: dict, session: dict) -> None:
    """A session is for staff of its language who do not hold its track yet."""
    name = f"{staff['first_name']} {staff['last_name']}"
    if staff["language_role"] != session["language"]:
        raise Refused(
            _(
                "%(name)s works in %(role)s; this session is given in %(language)s.",
                name=name,
                role=staff["language_role"],
                language=session["language"],
            ),
            "staff",
        )
    if await Certificate.exists().where(
        (Certificate.staff == staff["id"])
        & (Certificate.track == session["track"])
        & (Certificate.status != CertificateStatus.REVOKED)
    ):
        raise Refused(_("%(name)s holds a certificate of this track already.", name=name), "staff")


async def cancel_request(
    actor: audit.Actor, organisation_id: int, request_id: int, today: dt.date
) -> int:
    """Withdraw one of the organisation's place requests before its session starts; the
    session's id. The next in line moves up (outcomes are allocated when read)."""
    async with write_transaction():
        where = (PlaceRequest.id == request_id) & (PlaceRequest.organisation == organisation_id)
        found = (
            await PlaceRequest.select(
                PlaceRequest.id,
                PlaceRequest.session,
                PlaceRequest.session.starts_on.as_alias("starts_on"),
                PlaceRequest.staff.email.as_alias("email"),
            )
            .where(where)
            .first()
        )
        if found is None:
            raise NotFound(_("There is no such place request."))
        if found["starts_on"] <= today:
            raise Refused(_("This session has started: its requests can no longer change."))
        await PlaceRequest.delete().where(PlaceRequest.id == request_id)
        await audit.record(
            actor,
            "session_place_cancelled",
            table="session_request",
            key=f"{found['session']}:{found['email']}",
        )
    return int(found["session"])


async def request_place(
    actor: audit.Actor, organisation_id: int, session_id: int, staff_id: int, today: dt.date
) -> None:
    """A place for one of the organisation's active staff in an upcoming session."""
    try:
        async with write_transaction():
            session = await TrackSession.select().where(TrackSession.id == session_id).first()
            if session is None:
                raise NotFound(_("There is no such session."))
            if session["starts_on"] < today:
                raise Refused(_("This session has started: places can no longer be requested."))
            staff = await _staff_of(organisation_id, staff_id, "staff")
            if not is_active_on(staff["start_date"], staff["end_date"], today):
                raise Refused(_("This staff member is not active today."), "staff")
            await _may_follow(staff, session)
            await PlaceRequest.insert(
                PlaceRequest(
                    session=session_id,
                    staff=staff_id,
                    organisation=organisation_id,
                    requested_at=dt.datetime.now(dt.UTC),
                    requested_by=actor.label,
                )
            )
            await audit.record(
                actor,
                "session_place_requested",
                table="session_request",
                key=f"{session_id}:{staff['email']}",
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Refused(
                _("A place was requested for this staff member already."), "staff"
            ) from None
        raise


async def register_mentorship(
    actor: audit.Actor,
    organisation_code: str,
    mentor_id: int,
    mentee_id: int,
    track_code: str,
    today: dt.date,
) -> None:
    """Under client certification: a mentor holding a valid certificate of the track, and
    a colleague not yet in that track (no certificate of it)."""
    async with write_transaction():
        organisation = (
            await Organisation.select(Organisation.id)
            .where(Organisation.code == organisation_code)
            .first()
        )
        if organisation is None:
            raise NotFound(_("There is no such organisation."))
        [result] = await eligibility_for_all(today, organisation_code)
        if str(result.granted) != "client":
            raise Refused(_("Mentoring is open to client-certified organisations only."))
        if mentor_id == mentee_id:
            raise Refused(_("A staff member cannot mentor themselves."), "mentee")
        track = await Track.select(Track.id).where(Track.code == track_code).first()
        if track is None:
            raise Refused(_("Choose a track from the list."), "track")
        mentor = await _staff_of(organisation["id"], mentor_id, "mentor")
        mentee = await _staff_of(organisation["id"], mentee_id, "mentee")
        certificates = await Certificate.select(
            Certificate.staff, Certificate.status, Certificate.obtained_on, Certificate.valid_until
        ).where(
            Certificate.staff.is_in([mentor_id, mentee_id]) & (Certificate.track == track["id"])
        )
        valid = any(
            c["staff"] == mentor_id
            and c["status"] == CertificateStatus.VALID
            and c["obtained_on"] <= today
            and (c["valid_until"] is None or c["valid_until"] >= today)
            for c in certificates
        )
        if not valid:
            raise Refused(
                _("The mentor needs a valid %(track)s certificate.", track=track_code), "mentor"
            )
        if any(
            c["staff"] == mentee_id and c["status"] != CertificateStatus.REVOKED
            for c in certificates
        ):
            raise Refused(
                _("The mentee is in the %(track)s track already.", track=track_code), "mentee"
            )
        if await Mentorship.exists().where(
            (Mentorship.mentee == mentee_id)
            & (Mentorship.track == track["id"])
            & Mentorship.ended_on.is_null()
        ):
            raise Refused(_("This colleague has a mentor for this track already."), "mentee")
        await Mentorship.insert(
            Mentorship(
                organisation=organisation["id"],
                mentor=mentor_id,
                mentee=mentee_id,
                track=track["id"],
                started_on=today,
                registered_by=actor.label,
            )
        )
        await audit.record(
            actor,
            "mentorship_registered",
            table="mentorship",
            key=f"{organisation_code}:{mentee['email']}",
            after={"mentor": mentor["email"], "track": track_code},
        )
