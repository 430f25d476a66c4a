"""Track sessions and mentoring: DG R&O publishes sessions; a PRO Partner requests places
for its staff and sees each outcome ("placed: mentee priority", "waiting list position
3"); a client-certified organisation registers mentees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification.certificates.queries import track_codes
from certification.training import queries, service
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from core.identity import Role
from core.parsing import date_field
from organisations.queries import organisation_by_code
from organisations.rules import LANGUAGE_ROLES, is_active_on
from organisations.tables import StaffMember
from webkit.forms import form_int
from webkit.guards import (
    actor_of,
    current_user,
    requires_dgro,
    requires_organisation_scope,
    requires_role,
)
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

requires_training_reader = requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)
requires_partner = requires_role(Role.PRO_PARTNER)
requires_mentoring_writer = requires_role(Role.DGRO, Role.PRO_PARTNER)


def outcome_label(outcome: Any) -> str:
    if outcome.placed and outcome.priority:
        return _("placed: mentee priority")
    if outcome.placed:
        return _("placed: in order of request")
    return _("waiting list position %(position)d", position=outcome.waiting_position)


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _day(raw: object) -> dt.date:
    day, problem = date_field(str(raw or "").strip())
    if day is None:
        raise _bad(problem or _("Give the dates as YYYY-MM-DD."))
    return day


async def _active_staff(organisation_id: int | None) -> list[dict[str, Any]]:
    if organisation_id is None:
        return []
    today = dt.date.today()
    rows = (
        await StaffMember.select(
            StaffMember.id,
            StaffMember.first_name,
            StaffMember.last_name,
            StaffMember.start_date,
            StaffMember.end_date,
        )
        .where(StaffMember.organisation == organisation_id)
        .order_by(StaffMember.last_name)
    )
    return [row for row in rows if is_active_on(row["start_date"], row["end_date"], today)]


class TrainingController(Controller):
    include_in_schema = False

    @get("/sessions", guards=[requires_training_reader], name="sessions")
    async def sessions(self, request: HTMXRequest) -> Template:
        user = current_user(request)
        assert user is not None
        context = {
            "sessions": await queries.sessions(dt.date.today()),
            "is_dgro": user.is_dgro,
            "may_request": user.has_role(Role.PRO_PARTNER),
            "staff": await _active_staff(user.organisation_id)
            if user.has_role(Role.PRO_PARTNER)
            else [],
            "tracks": (await track_codes())[1],
            "languages": LANGUAGE_ROLES,
        }
        return render(request, "certification/sessions.html", context, block=None)

    @post("/sessions", guards=[requires_dgro], status_code=303)
    async def publish(self, request: Request) -> Redirect:
        raw = await request.form()
        data = service.SessionInput(
            track=str(raw.get("track") or "").upper(),
            starts_on=_day(raw.get("starts_on")),
            ends_on=_day(raw.get("ends_on")),
            language=str(raw.get("language") or "").upper(),
            capacity=form_int(raw.get("capacity"), low=0),  # the service says 1 to 500
        )
        try:
            await service.publish_session(actor_of(request), data)
        except Refused as refused:
            raise _bad(refused.message) from None
        flash(request, _("The session has been published."), category="success")
        return Redirect("/sessions", status_code=303)

    @get("/sessions/{session_id:int}", guards=[requires_training_reader], name="session")
    async def session(self, request: HTMXRequest, session_id: FromPath[int]) -> Template:
        user = current_user(request)
        assert user is not None
        session, rows = await queries.session_requests(
            session_id, None if user.is_dgro else (user.organisation_id or -1)
        )
        if session is None:
            raise NotFoundException(_("There is no such session."))
        context = {"session": session, "requests": rows, "outcome_label": outcome_label}
        return render(request, "certification/session.html", context, block=None)

    @post("/sessions/{session_id:int}/requests", guards=[requires_partner], status_code=303)
    async def request_place(self, request: Request, session_id: FromPath[int]) -> Redirect:
        user = current_user(request)
        assert user is not None and user.organisation_id is not None
        raw = await request.form()
        try:
            await service.request_place(
                actor_of(request),
                user.organisation_id,
                session_id,
                form_int(raw.get("staff"), message=_("Choose from the list.")),
                dt.date.today(),
            )
        except NotFound:
            raise NotFoundException(_("There is no such session.")) from None
        except Refused as refused:
            raise _bad(refused.message) from None
        flash(request, _("The place has been requested."), category="success")
        return Redirect(f"/sessions/{session_id}", status_code=303)

    @get(
        "/organisations/{code:str}/mentoring",
        guards=[requires_organisation_scope, requires_training_reader],
        name="mentoring",
    )
    async def mentoring(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        context = {
            "organisation": organisation,
            "mentorships": await queries.mentorships(organisation["id"]),
            "staff": await _active_staff(organisation["id"]),
            "tracks": (await track_codes())[1],
        }
        return render(request, "certification/mentoring.html", context, block=None)

    @post(
        "/organisations/{code:str}/mentoring",
        guards=[requires_organisation_scope, requires_mentoring_writer],
        status_code=303,
    )
    async def register(self, request: Request, code: FromPath[str]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        raw = await request.form()
        try:
            await service.register_mentorship(
                actor_of(request),
                organisation["code"],
                form_int(raw.get("mentor"), message=_("Choose from the list.")),
                form_int(raw.get("mentee"), message=_("Choose from the list.")),
                str(raw.get("track") or "").upper(),
                dt.date.today(),
            )
        except NotFound:
            raise NotFoundException(_("There is no such organisation.")) from None
        except Refused as refused:
            raise _bad(refused.message) from None
        flash(request, _("The mentee has been registered."), category="success")
        return Redirect(f"/organisations/{organisation['code']}/mentoring", status_code=303)
