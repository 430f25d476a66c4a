"""HR's motivated requests to read a closed dossier (SPEC 3.2): made by an HR account of
the dossier's organisation, granted at once when the dossier bears out a motive of a
negative evaluation or an improvement plan, otherwise decided by the organisation's legal
reviewer; a grant opens the dossier to the requesting account only, for 30 days. Every
request, grant, refusal and reading lands in the audit log (a reading without a grant is
audited as denied). Access follows account ids, never an e-mail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.queries import hr_recipients
from core import audit, outbox
from core.database import compare_and_set, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from core.i18n import in_language
from core.identity import CurrentUser, Role
from core.settings import LANGUAGES
from cycles import queries, rules
from cycles.dossier.access import audit_denied, bounded_text, now
from cycles.edossier.queries import RequestRow, dossier_facts, request_in
from cycles.lifecycle import REQUEST_LIFECYCLE, RequestAction, RequestState
from cycles.queries import CycleContext
from cycles.tables import DossierRequest


@dataclass(frozen=True)
class RequestInput:
    cycle_id: int
    motive: str
    reason: str


def _motive_message(problem: str) -> str:
    return {
        "unknown": _("Choose the motive from the list."),
        "no_negative": _("This dossier holds no negative evaluation: choose another motive."),
        "no_plan": _("This dossier holds no improvement plan: choose another motive."),
    }[problem]


async def _closed_cycle_of(organisation_id: int, cycle_id: int, today: dt.date) -> CycleContext:
    try:
        cycle = await queries.cycle_context(cycle_id)
    except NotFound:
        raise Refused(_("Choose a closed cycle of your organisation."), "cycle") from None
    if cycle.organisation_id != organisation_id or not cycle.closed(today):
        raise Refused(_("Choose a closed cycle of your organisation."), "cycle")
    return cycle


async def request_reading(
    actor: audit.Actor, user: CurrentUser, organisation_id: int, data: RequestInput,
    today: dt.date,
) -> str:  # fmt: skip
    """HR asks to read a closed dossier of its organisation, with a motive and its reason.
    The request's state: `granted` at once, or `pending` for the legal reviewer (who is
    told by mail)."""
    if not (user.has_role(Role.HR) and user.organisation_id == organisation_id):
        raise Refused(_("Only the HR of this organisation asks to read its dossiers."))
    reason = bounded_text(data.reason, "reason", limit=4000)
    if not reason:
        raise Refused(_("Say why you need to read this dossier: a request is motivated."), "reason")
    async with write_transaction():
        cycle = await _closed_cycle_of(organisation_id, data.cycle_id, today)
        has_negative, has_plan = await dossier_facts(cycle.id)
        problem = rules.motive_problem(data.motive, has_negative, has_plan)
        if problem is not None:
            raise Refused(_motive_message(problem), "motive")
        if await DossierRequest.exists().where(
            (DossierRequest.cycle == cycle.id)
            & (DossierRequest.requested_by == user.id)
            & (DossierRequest.state == str(RequestState.PENDING))
        ):
            raise Refused(_("You have a request for this dossier waiting already."), "cycle")
        at_once = rules.granted_at_once(data.motive, has_negative, has_plan)
        state = RequestState.GRANTED if at_once else RequestState.PENDING
        [row] = await DossierRequest.insert(
            DossierRequest(
                cycle=cycle.id,
                requested_by=user.id,
                requested_label=actor.label,
                requested_at=now(),
                motive=data.motive,
                reason=reason,
                state=str(state),
                decided_at=now() if at_once else None,
                valid_until=today + dt.timedelta(days=rules.GRANT_DAYS) if at_once else None,
            )
        ).returning(DossierRequest.id)
        await audit.record(
            actor,
            "dossier_request_granted" if at_once else "dossier_request_made",
            table="dossier_request",
            key=str(row["id"]),
            after={"cycle": cycle.id, "motive": data.motive, "state": str(state),
                   "reason_length": len(reason)},
        )  # fmt: skip
        if not at_once:
            for email, preferred in await hr_recipients(organisation_id, role="legal"):
                language = preferred if preferred in LANGUAGES else "nl"
                subject, body = _legal_mail(cycle, language)
                await outbox.enqueue("dossier_request", email, language, subject, body)
    return str(state)


def _legal_mail(cycle: CycleContext, language: str) -> tuple[str, str]:
    with in_language(language):
        subject = _("A request to read a closed evaluation dossier")
        body = _(
            "HR of your organisation asks to read the closed evaluation dossier of %(name)s. "
            "Decide on its necessity and proportionality on the page of dossier requests of "
            "the PRO certification portal.",
            name=cycle.staff_name,
        )
    return subject, body + "\n"


async def decide_request(
    actor: audit.Actor, user: CurrentUser, organisation_id: int, request_id: int,
    decision: str, note: str, revision: int, today: dt.date,
) -> str:  # fmt: skip
    """The organisation's legal reviewer grants or refuses a pending request, with the
    reasons (necessity, proportionality); on the revision the page showed."""
    if not (user.has_role(Role.LEGAL) and user.organisation_id == organisation_id):
        raise Refused(_("Only the legal reviewer of this organisation decides these requests."))
    if decision not in ("grant", "refuse"):
        raise Refused(_("Choose whether you grant or refuse the request."), "decision")
    text = bounded_text(note, "note", limit=4000)
    if not text:
        raise Refused(
            _("Give the reasons of the decision (necessity and proportionality)."), "note"
        )
    action = RequestAction(decision)
    try:
        async with write_transaction():
            request = await request_in(organisation_id, request_id)
            if request is None:
                raise NotFound(_("There is no such request."))
            new_state = REQUEST_LIFECYCLE.next_state(request.state, action)
            granted = action is RequestAction.GRANT
            landed = await compare_and_set(
                DossierRequest,
                request_id,
                DossierRequest.revision,
                revision,
                {
                    DossierRequest.state: new_state,
                    DossierRequest.decided_by: user.id,
                    DossierRequest.decided_label: actor.label,
                    DossierRequest.decided_at: now(),
                    DossierRequest.decision_note: text,
                    DossierRequest.valid_until: today + dt.timedelta(days=rules.GRANT_DAYS)
                    if granted
                    else None,
                    DossierRequest.revision: revision + 1,
                },
            )
            if not landed:
                raise TransitionRefused(request.state, decision)
            await audit.record(
                actor,
                f"dossier_request_{'granted' if granted else 'refused'}",
                table="dossier_request",
                key=str(request_id),
                before={"state": request.state},
                after={"state": new_state, "cycle": request.cycle},
            )
    except TransitionRefused as refused:
        await audit_denied(
            actor, f"dossier_request_{decision}", "dossier_request", request_id,
            f"refused: {decision} from state {refused.current}",
        )  # fmt: skip
        raise
    return new_state


async def open_for_reading(
    actor: audit.Actor, user: CurrentUser, organisation_id: int, request_id: int,
    today: dt.date, form: str,
) -> tuple[RequestRow, CycleContext]:  # fmt: skip
    """The request and its cycle for the HR account that made it, while its grant runs;
    the reading is audited (`form`: page or pdf). Anyone else, or without a running grant:
    NotFound, audited as denied."""
    request = await request_in(organisation_id, request_id)
    if request is None or request.requested_by != user.id or not request.readable(today):
        await audit_denied(
            actor, "dossier_read", "dossier_request", request_id, "refused: no running grant"
        )
        raise NotFound(_("There is no dossier to read on this request."))
    async with write_transaction():
        await audit.record(
            actor,
            "dossier_read",
            table="evaluation_cycle",
            key=str(request.cycle),
            after={"request": request_id, "form": form},
        )
    return request, await queries.cycle_context(request.cycle)
