"""Track sessions and mentoring: DG R&O publishes sessions; a PRO Partner requests places
for its staff and sees each outcome ("placed: mentee priority", "waiting list position
3"); a client-certified organisation registers mentees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification.certificates.queries import track_codes
from certification.eligibility import eligibility_for_all
from certification.training import queries, service
from core.errors import NotFound
from core.forms import FormResult
from core.i18n import gettext as _
from core.identity import Role
from organisations.queries import active_staff, organisation_by_code
from organisations.rules import LANGUAGE_ROLES
from webkit.errors import shows_again
from webkit.forms import FormReader, form_int
from webkit.guards import (
    actor_of,
    current_user,
    requires_dgro,
    requires_organisation_scope,
    requires_role,
    signed_in,
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


async def _sessions_page(request: Request, form: FormResult) -> Template:
    """The sessions; DG R&O's form to publish one, a PRO Partner's to request a place."""
    user = signed_in(request)
    partner = user.has_role(Role.PRO_PARTNER)
    context = {
        "sessions": await queries.sessions(dt.date.today()),
        "is_dgro": user.is_dgro,
        "may_request": partner,
        "staff": await active_staff(user.organisation_id, dt.date.today())
        if partner and user.organisation_id is not None
        else [],
        "tracks": (await track_codes())[1],
        "languages": LANGUAGE_ROLES,
        "form": form,
        # the session whose request was refused: its message stands in its row
        "refused_session": request.path_params.get("session_id"),
    }
    return render(request, "certification/sessions.html", context, block=None)


async def _mentoring_page(request: Request, form: FormResult) -> Template:
    code = request.path_params["code"]
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    [today] = await eligibility_for_all(dt.date.today(), organisation.code)
    user = current_user(request)
    context = {
        "organisation": organisation,
        # The form only where it can succeed: a client-certified organisation, a writer.
        "is_client": str(today.granted) == "client",
        "may_register": user is not None and user.has_role(Role.DGRO, Role.PRO_PARTNER),
        "mentorships": await queries.mentorships(organisation.id),
        "staff": await active_staff(organisation.id, dt.date.today()),
        "tracks": (await track_codes())[1],
        "form": form,
    }
    return render(request, "certification/mentoring.html", context, block=None)


class TrainingController(Controller):
    include_in_schema = False

    @get("/sessions", guards=[requires_training_reader], name="sessions")
    async def sessions(self, request: HTMXRequest) -> Template:
        return await _sessions_page(request, FormResult({}))

    @post("/sessions", guards=[requires_dgro], status_code=303, opt=shows_again(_sessions_page))
    async def publish(self, request: Request) -> Redirect:
        form = FormReader(await request.form())
        data = service.SessionInput(
            track=form.text("track", upper=True),
            starts_on=form.date("starts_on") or dt.date.min,
            ends_on=form.date("ends_on") or dt.date.min,
            language=form.text("language", upper=True),
            capacity=form.number("capacity", low=0),  # the service says 1 to 500
        )
        form.check()
        await service.publish_session(actor_of(request), data)
        flash(request, _("The session has been published."), category="success")
        return Redirect("/sessions", status_code=303)

    @get("/sessions/{session_id:int}", guards=[requires_training_reader], name="session")
    async def session(self, request: HTMXRequest, session_id: FromPath[int]) -> Template:
        user = signed_in(request)
        session, rows = await queries.session_requests(
            session_id, None if user.is_dgro else (user.organisation_id or -1)
        )
        if session is None:
            raise NotFound(_("There is no such session."))
        context = {
            "session": session,
            "requests": rows,
            "outcome_label": outcome_label,
            "may_cancel": user.has_role(Role.PRO_PARTNER) and session.starts_on > dt.date.today(),
        }
        return render(request, "certification/session.html", context, block=None)

    @post(
        "/sessions/{session_id:int}/requests",
        guards=[requires_partner],
        status_code=303,
        opt=shows_again(_sessions_page),
    )
    async def request_place(self, request: Request, session_id: FromPath[int]) -> Redirect:
        user = signed_in(request)
        assert user.organisation_id is not None
        raw = await request.form()
        await service.request_place(
            actor_of(request),
            user.organisation_id,
            session_id,
            form_int(raw.get("staff"), message=_("Choose from the list."), field="staff"),
            dt.date.today(),
        )
        flash(request, _("The place has been requested."), category="success")
        return Redirect(f"/sessions/{session_id}", status_code=303)

    @post(
        "/sessions/{session_id:int}/requests/{place_id:int}/cancel",
        guards=[requires_partner],
        status_code=303,
    )
    async def cancel_request(
        self, request: Request, session_id: FromPath[int], place_id: FromPath[int]
    ) -> Redirect:
        """The PRO Partner withdraws one of its organisation's place requests."""
        user = signed_in(request)
        assert user.organisation_id is not None
        session = await service.cancel_request(
            actor_of(request), user.organisation_id, place_id, dt.date.today()
        )
        flash(request, _("The place request has been withdrawn."), category="success")
        return Redirect(f"/sessions/{session}", status_code=303)

    @get(
        "/organisations/{code:str}/mentoring",
        guards=[requires_organisation_scope, requires_training_reader],
        name="mentoring",
    )
    async def mentoring(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        return await _mentoring_page(request, FormResult({}))

    @post(
        "/organisations/{code:str}/mentoring",
        guards=[requires_organisation_scope, requires_mentoring_writer],
        status_code=303,
        opt=shows_again(_mentoring_page),
    )
    async def register(self, request: Request, code: FromPath[str]) -> Redirect:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        form = FormReader(await request.form())
        mentor = form.number("mentor", message=_("Choose from the list."))
        mentee = form.number("mentee", message=_("Choose from the list."))
        form.check()
        await service.register_mentorship(
            actor_of(request),
            organisation.code,
            mentor,
            mentee,
            form.text("track", upper=True),
            dt.date.today(),
        )
        flash(request, _("The mentee has been registered."), category="success")
        return Redirect(f"/organisations/{organisation.code}/mentoring", status_code=303)
