"""A cycle's dossier: the staff member's own (`/my/dossier`) and the one an evaluator
opens from the team page (`/cycles/{id}`), one template; meetings with their reports and
signatures, objectives (planned and edited inline with htmx, a plain form without it),
progress, evaluations. Who may do what is decided by
`cycles.dossier.access` on the server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification.certificates.labels import status_label
from core.errors import NotFound, Refused
from core.forms import FormResult
from core.i18n import gettext as _
from core.parsing import date_field, number_field
from core.templating import localized
from cycles import labels, queries
from cycles.dossier import queries as dossier_queries
from cycles.dossier import reports
from cycles.dossier import service as dossier_service
from cycles.lifecycle import ObjectiveAction
from cycles.objectives import queries as objective_queries
from cycles.objectives import service as objective_service
from webkit.errors import shows_again
from webkit.forms import form_revision
from webkit.guards import actor_of, requires_login, signed_in
from webkit.rendering import render, wants_fragment


def _today() -> dt.date:
    return dt.date.today()


def _number(raw: object, field: str, *, optional: bool = False) -> int | None:
    text = str(raw or "").strip()
    if not text and optional:
        return None
    number, _problem = number_field(text, low=0)
    if number is None:
        raise Refused(_("Choose from the list."), field)
    return number


def _revision(raw: object) -> int:
    return form_revision(raw)


def _date(raw: object, field: str, *, optional: bool = False) -> dt.date | None:
    text = str(raw or "").strip()
    if not text and optional:
        return None
    day, error = date_field(text)
    if error:
        raise Refused(error, field)
    return day


def objective_input(form: Any) -> objective_service.ObjectiveInput:
    return objective_service.ObjectiveInput(
        kind=str(form.get("kind") or ""),
        title=str(form.get("title") or ""),
        specific=str(form.get("specific") or ""),
        measurable=str(form.get("measurable") or ""),
        achievable=str(form.get("achievable") or ""),
        relevant=str(form.get("relevant") or ""),
        due_on=_date(form.get("due_on"), "due_on", optional=True),
        competency_id=_number(form.get("competency"), "competency", optional=True),
        track_id=_number(form.get("track"), "track", optional=True),
        aligned_to=_number(form.get("aligned_to"), "aligned_to", optional=True),
    )


async def dossier_context(request: Request, cycle_id: int) -> dict[str, Any]:
    """The dossier page's context; NotFound when the reader may not see it."""
    today = _today()
    cycle, standing = await must_see(request, cycle_id)
    return {
        "cycle": cycle,
        "standing": standing,
        "d": await dossier_queries.dossier(cycle, today, standing),
        "cycles": await queries.cycles_of_staff(cycle.staff_id),
        "choices": await queries.planning_choices() if standing.plans else None,
        "alignable": await objective_queries.alignable_objectives(cycle, today)
        if standing.plans
        else [],
        "labels": labels,
        "L": labels,
        "role_names": labels.evaluator_role_names,
        "certificate_status": status_label,
        "t": localized,
        "today": today,
        "error": None,
        "refused": {"path": "", "block": "", "typed": {}, "errors": {}},
    }


def _confirmed(form: Any, message: str) -> None:
    """A final step (a signature, an evaluation) needs its second step ticked: the
    "I have read …" box of its form (without JavaScript too; the browser asks for it first,
    the server refuses without it)."""
    if form.get("final") != "yes":
        raise Refused(message, "final")


def _refused_form(request: Request, form: FormResult) -> dict[str, Any]:
    """Which form of the dossier was refused, and what was typed in it: the dossier's
    forms fill themselves from it (`refused.path` is the form's action)."""
    path = request.url.path
    blocks = {"meetings": "meetings", "objectives": "objectives", "evaluations": "evaluations",
              "report/": "evaluations", "improvement-plan": "plan"}  # fmt: skip
    block = next((b for part, b in blocks.items() if f"/{part}" in path), "")
    return {"path": path, "block": block, "typed": form.values, "errors": form.errors}


async def _dossier_page(request: Request, form: FormResult) -> Template:
    """The dossier again after a refused form: the message in the form's block, what was
    typed in the form (htmx: only that block)."""
    cycle_id = int(request.path_params["cycle_id"])
    context = await dossier_context(request, cycle_id)
    refused = _refused_form(request, form)
    context["refused"] = refused
    context["error"] = next(iter(form.errors.values()), None)
    return render(request, "cycles/dossier.html", context, block=refused["block"] or None)


async def _answer(request: Request, cycle_id: int, done: str, *, block: str) -> Template | Redirect:
    """After a write: htmx gets the changed block of the dossier, a plain form the
    dossier again (303) with the message."""
    if wants_fragment(request):
        context = await dossier_context(request, cycle_id)
        return render(request, "cycles/dossier.html", context, block=block)
    flash(request, done, category="success")
    return Redirect(f"/cycles/{cycle_id}#{block}", status_code=303)


async def must_see(
    request: Request, cycle_id: int
) -> tuple[queries.CycleContext, queries.Standing]:
    """The cycle and the reader's standing. A dossier outside the reader's reach does not
    exist for them: 404 before anything of a form is read (the service checks again, in
    the write's transaction)."""
    user = signed_in(request)
    cycle = await queries.cycle_context(cycle_id)
    standing = await queries.standing(user, cycle, _today())
    if standing.access not in ("owner", "evaluator"):
        raise NotFound(_("There is no such evaluation cycle."))
    return cycle, standing


class DossierController(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/my/dossier", name="my_dossier")
    async def my_dossier(self, request: HTMXRequest) -> Template | Redirect:
        user = signed_in(request)
        cycles = await queries.cycles_of_staff(user.staff_id)
        current = queries.current_of(cycles, _today())
        if current is None:
            return render(request, "cycles/no_dossier.html", {}, block=None)
        return Redirect(f"/cycles/{current.id}", status_code=303)

    @get("/cycles/{cycle_id:int}", name="dossier")
    async def dossier(self, request: HTMXRequest, cycle_id: FromPath[int]) -> Template:
        context = await dossier_context(request, cycle_id)
        return render(request, "cycles/dossier.html", context, block=None)

    @post("/cycles/{cycle_id:int}/meetings", status_code=303, opt=shows_again(_dossier_page))
    async def add_meeting(self, request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
        await must_see(request, cycle_id)
        form = await request.form()
        user = signed_in(request)
        held_on = _date(form.get("held_on"), "held_on")
        assert held_on is not None
        data = dossier_service.MeetingInput(
            kind=str(form.get("kind") or ""), held_on=held_on, report=str(form.get("report") or "")
        )
        await dossier_service.add_meeting(actor_of(request), user, cycle_id, data, _today())
        return await _answer(request, cycle_id, _("The meeting has been added."), block="meetings")

    @post(
        "/cycles/{cycle_id:int}/meetings/{meeting_id:int}/{action:str}",
        status_code=303,
        opt=shows_again(_dossier_page),
    )
    async def report_action(
        self,
        request: Request,
        cycle_id: FromPath[int],
        meeting_id: FromPath[int],
        action: FromPath[str],
    ) -> Template | Redirect:
        await must_see(request, cycle_id)
        form = await request.form()
        user = signed_in(request)
        revision = _revision(form.get("revision"))
        actor, today = actor_of(request), _today()
        if action == "report":
            await dossier_service.edit_report(
                actor,
                user,
                meeting_id,
                str(form.get("report") or ""),
                revision,
                today,
                mention=str(form.get("mention") or ""),
            )
            done = _("The report has been saved.")
        elif action == "remarks":
            await dossier_service.add_remarks(
                actor, user, meeting_id, str(form.get("remarks") or ""), revision, today
            )
            done = _("Your remarks have been saved.")
        elif action == "sign":
            _confirmed(
                form,
                _("Tick “I have read the report and sign it” to sign: a signature is final."),
            )
            state = await dossier_service.sign_report(actor, user, meeting_id, revision, today)
            done = (
                _("Signed by both: the report can no longer change.")
                if state == "signed"
                else _("Your signature has been recorded.")
            )
        else:
            raise NotFound(_("There is no such meeting."))
        return await _answer(request, cycle_id, done, block="meetings")

    @post("/cycles/{cycle_id:int}/objectives", status_code=303, opt=shows_again(_dossier_page))
    async def add_objective(self, request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
        await must_see(request, cycle_id)
        form = await request.form()
        user = signed_in(request)
        await objective_service.add_objective(
            actor_of(request), user, cycle_id, objective_input(form), _today()
        )
        return await _answer(
            request, cycle_id, _("The objective has been added."), block="objectives"
        )

    @post(
        "/cycles/{cycle_id:int}/objectives/{objective_id:int}/{action:str}",
        status_code=303,
        opt=shows_again(_dossier_page),
    )
    async def objective_action(
        self,
        request: Request,
        cycle_id: FromPath[int],
        objective_id: FromPath[int],
        action: FromPath[str],
    ) -> Template | Redirect:
        await must_see(request, cycle_id)
        form = await request.form()
        user = signed_in(request)
        revision = _revision(form.get("revision"))
        actor, today = actor_of(request), _today()
        if action == "edit":
            await objective_service.edit_objective(
                actor, user, objective_id, objective_input(form), revision, today
            )
            done = _("The objective has been saved.")
        elif action == "progress":
            percent = _number(form.get("percent"), "percent")
            assert percent is not None
            comment = str(form.get("comment") or "")
            await objective_service.record_progress(
                actor, user, objective_id, percent, comment, revision, today
            )
            done = _("The progress has been recorded.")
        elif action in ("achieve", "reopen", "close", "carry"):
            note = str(form.get("note") or "")
            await objective_service.decide_objective(
                actor, user, objective_id, ObjectiveAction(action), note, revision, today
            )
            done = _("The objective has been updated.")
        else:
            raise NotFound(_("There is no such objective."))
        return await _answer(request, cycle_id, done, block="objectives")

    @post(
        "/cycles/{cycle_id:int}/improvement-plan",
        status_code=303,
        opt=shows_again(_dossier_page),
    )
    async def improvement_plan(
        self, request: Request, cycle_id: FromPath[int]
    ) -> Template | Redirect:
        """The first evaluator writes the improvement plan of an early cycle (SPEC 3.2)."""
        await must_see(request, cycle_id)
        form = await request.form()
        data = dossier_service.PlanInput(
            actions=str(form.get("actions") or ""),
            support=str(form.get("support") or ""),
            follow_up_on=_date(form.get("follow_up_on"), "follow_up_on", optional=True),
            follow_up=str(form.get("follow_up") or ""),
        )
        await dossier_service.save_improvement_plan(
            actor_of(request),
            signed_in(request),
            cycle_id,
            data,
            _revision(form.get("revision")),
            _today(),
        )
        return await _answer(
            request, cycle_id, _("The improvement plan has been saved."), block="plan"
        )

    @post(
        "/cycles/{cycle_id:int}/evaluations/{kind:str}",
        status_code=303,
        opt=shows_again(_dossier_page),
    )
    async def evaluate(
        self, request: Request, cycle_id: FromPath[int], kind: FromPath[str]
    ) -> Template | Redirect:
        """An evaluation: saved as a draft (`step=draft`), sent to the staff member for the
        written procedure (`step=send`, the first evaluation), or signed (SPEC 3.2)."""
        await must_see(request, cycle_id)
        form = await request.form()
        user, actor, today = signed_in(request), actor_of(request), _today()
        step = str(form.get("step") or "sign")
        text, rating = str(form.get("text") or ""), str(form.get("rating") or "")
        if step in ("draft", "send") and kind != "self":
            data = reports.DraftInput(kind=kind, text=text, rating=rating)
            await reports.save_draft(
                actor, user, cycle_id, data, _revision(form.get("revision")), today,
                send=step == "send",
            )  # fmt: skip
            done = (
                _("The draft has been sent to the staff member for their remarks.")
                if step == "send"
                else _("The draft has been saved; nobody else sees it.")
            )
            return await _answer(request, cycle_id, done, block="evaluations")
        _confirmed(
            form,
            _("Tick “I submit this evaluation as final” to submit it: it cannot be changed after."),
        )
        late = await dossier_service.submit_evaluation(
            actor, user, cycle_id, kind, text, rating, today
        )
        done = (
            _("The evaluation has been submitted, after its deadline: it is marked late.")
            if late
            else _("The evaluation has been submitted.")
        )
        return await _answer(request, cycle_id, done, block="evaluations")

    @post("/cycles/{cycle_id:int}/report/remarks", status_code=303, opt=shows_again(_dossier_page))
    async def written_remarks(
        self, request: Request, cycle_id: FromPath[int]
    ) -> Template | Redirect:
        """The staff member's remarks on the draft of the written procedure."""
        await must_see(request, cycle_id)
        form = await request.form()
        await reports.add_written_remarks(
            actor_of(request), signed_in(request), cycle_id, str(form.get("remarks") or ""),
            _today(),
        )  # fmt: skip
        return await _answer(
            request, cycle_id, _("Your remarks have been saved."), block="evaluations"
        )

    @post("/cycles/{cycle_id:int}/report/receipt", status_code=303, opt=shows_again(_dossier_page))
    async def receipt(self, request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
        """The staff member signs the final report for receipt, or refuses to sign."""
        await must_see(request, cycle_id)
        form = await request.form()
        choice = str(form.get("choice") or "")
        if choice == "sign":
            _confirmed(form, _("Tick “I have read the report and sign it for receipt” to sign it."))
        await reports.acknowledge(
            actor_of(request), signed_in(request), cycle_id, choice,
            str(form.get("receipt_remarks") or ""), _today(),
        )  # fmt: skip
        done = (
            _("You have signed the report for receipt.")
            if choice == "sign"
            else _("Your refusal to sign has been recorded; the report stays final.")
        )
        return await _answer(request, cycle_id, done, block="evaluations")
