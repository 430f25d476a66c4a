"""The dossier's writes (SPEC 3.1): meetings and their reports through the report's
state machine (draft, signed by evaluator and staff, remarks), and the evaluations.
Each write checks the reader's standing on the server and lands with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from accounts.queries import hr_recipients
from core import audit, outbox
from core.database import bulk_upsert, compare_and_set, is_unique_violation, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from core.i18n import in_language
from core.identity import CurrentUser
from core.settings import LANGUAGES
from cycles import notify, queries, rules
from cycles.dossier import queries as dossier_queries
from cycles.dossier import reports
from cycles.dossier.access import (
    audit_denied,
    bounded_text,
    context_for,
    ensure_open,
    ensure_planner,
    now,
)
from cycles.labels import format_day, meeting_kind_label
from cycles.lifecycle import (
    REPORT_LIFECYCLE,
    ObjectiveState,
    ReportAction,
    ReportState,
)
from cycles.queries import (
    CycleContext,
    Standing,
    final_reports,
    has_second_evaluator,
    staff_language,
)
from cycles.service import generate
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    EvaluationDraft,
    ImprovementPlan,
)


@dataclass(frozen=True)
class MeetingInput:
    kind: str
    held_on: dt.date
    report: str = ""


async def add_meeting(
    actor: audit.Actor, user: CurrentUser, cycle_id: int, data: MeetingInput, today: dt.date
) -> int:
    """The first evaluator (or co-planner) records a meeting; the staff member may ask for
    a functioning meeting themself (SPEC 3: either party may ask)."""
    if data.kind not in rules.MEETING_KINDS:
        raise Refused(_("Choose the kind of meeting from the list."), "kind")
    report = bounded_text(data.report, "report")
    async with write_transaction():
        cycle, standing = await context_for(user, cycle_id, today)
        ensure_open(cycle, today)
        if standing.is_owner:
            if data.kind != "functioning":
                raise Refused(
                    _("You can ask for a functioning meeting; the evaluator plans the others."),
                    "kind",
                )
            requested_by = "staff"
        else:
            ensure_planner(standing)
            requested_by = "evaluator"
        if not cycle.starts_on <= data.held_on <= cycle.deadlines.closes:
            raise Refused(
                _(
                    "The meeting falls within the cycle: from %(start)s to %(end)s.",
                    start=format_day(cycle.starts_on),
                    end=format_day(cycle.deadlines.closes),
                ),
                "held_on",
            )
        others = await CycleMeeting.select(CycleMeeting.kind, CycleMeeting.held_on).where(
            CycleMeeting.cycle == cycle.id
        )
        if data.kind in ("planning", "balance", "function") and any(
            other["kind"] == data.kind for other in others
        ):
            raise Refused(_("This cycle has that meeting already."), "kind")
        clash = rules.too_close(
            data.held_on, [(o["kind"], o["held_on"]) for o in others], cycle.regime
        )
        if clash is not None:
            raise Refused(
                _(
                    "Meetings are at least %(days)s working days apart under your "
                    "organisation's regime; the %(kind)s is on %(day)s.",
                    days=cycle.regime.min_days_between_meetings,
                    kind=meeting_kind_label(clash[0]),
                    day=format_day(clash[1]),
                ),
                "held_on",
            )
        [row] = await CycleMeeting.insert(
            CycleMeeting(
                cycle=cycle.id,
                kind=data.kind,
                held_on=data.held_on,
                requested_by=requested_by,
                report=report,
                state=str(ReportState.DRAFT),
                revision=1,
                created_by=actor.label,
            )
        ).returning(CycleMeeting.id)
        await audit.record(
            actor,
            "meeting_added",
            table="cycle_meeting",
            key=str(row["id"]),
            after={"cycle": cycle.id, "kind": data.kind, "held_on": data.held_on},
        )
        # The other side is told: the staff member, or the planners of a meeting asked for.
        to = PLANNERS if standing.is_owner else (notify.STAFF,)
        await notify.tell("meeting_planned", cycle, to, user.id, today, day=data.held_on)
    return int(row["id"])


async def _meeting(meeting_id: int) -> dict[str, Any]:
    row = await CycleMeeting.select().where(CycleMeeting.id == meeting_id).first()
    if row is None:
        raise NotFound(_("There is no such meeting."))
    return row


async def _report_transition(
    actor: audit.Actor,
    user: CurrentUser,
    meeting_id: int,
    action: ReportAction,
    revision: int,
    today: dt.date,
    changes: dict[Any, Any],
    audit_after: dict[str, Any],
) -> str:
    try:
        async with write_transaction():
            meeting = await _meeting(meeting_id)
            cycle, standing = await context_for(user, meeting["cycle"], today)
            ensure_open(cycle, today)
            if action in (ReportAction.EDIT, ReportAction.SIGN_EVALUATOR):
                ensure_planner(standing)
            elif not standing.is_owner:
                raise Refused(_("Only the staff member can do this."))
            new_state = REPORT_LIFECYCLE.next_state(meeting["state"], action)
            if action is ReportAction.SIGN_EVALUATOR or action is ReportAction.SIGN_STAFF:
                if meeting["kind"] == "planning":
                    await _check_planning(cycle.id, stage=cycle.kind == "probation")
                if rules.needs_mention(cycle.kind, meeting["kind"]) and not meeting["mention"]:
                    raise Refused(
                        _("A meeting of the stage is signed once its report gives the mention."),
                        "mention",
                    )
            landed = await compare_and_set(
                CycleMeeting,
                meeting_id,
                CycleMeeting.revision,
                revision,
                {**changes, CycleMeeting.state: new_state, CycleMeeting.revision: revision + 1},
            )
            if not landed:
                current = await _meeting(meeting_id)
                raise TransitionRefused(current["state"], str(action))
            await audit.record(
                actor,
                f"report_{action}",
                table="cycle_meeting",
                key=str(meeting_id),
                before={"state": meeting["state"]},
                after={"state": new_state, **audit_after},
            )
            await _tell_of_report(action, new_state, cycle, user, meeting, today)
    except TransitionRefused as refused:
        await audit_denied(
            actor,
            f"report_{action}",
            "cycle_meeting",
            meeting_id,
            f"refused: {action} from state {refused.current}",
        )
        raise
    return new_state


PLANNERS = ("first", "coplanner")


async def _tell_of_report(
    action: ReportAction,
    new_state: str,
    cycle: CycleContext,
    user: CurrentUser,
    meeting: dict[str, Any],
    today: dt.date,
) -> None:
    """A signature tells the other side that the report waits for theirs, or that it is
    signed by both; the staff member's remarks tell the planners."""
    if action is ReportAction.EDIT:
        return
    to = PLANNERS if action in (ReportAction.SIGN_STAFF, ReportAction.REMARK) else (notify.STAFF,)
    if action is ReportAction.REMARK:
        kind = "remarks_added"
    else:
        kind = "report_signed" if new_state == ReportState.SIGNED else "report_to_sign"
    await notify.tell(kind, cycle, to, user.id, today, day=meeting["held_on"])


async def _check_planning(cycle_id: int, *, stage: bool = False) -> None:
    kinds = [
        row["kind"]
        for row in await CycleObjective.select(CycleObjective.kind).where(
            (CycleObjective.cycle == cycle_id)
            & CycleObjective.state.is_in([str(ObjectiveState.OPEN), str(ObjectiveState.ACHIEVED)])
        )
    ]
    minimum = rules.STAGE_DEVELOPMENT_OBJECTIVES if stage else 1
    problems = rules.objective_problems(kinds, minimum)
    if "no_development" in problems and stage:
        raise Refused(
            _(
                "The stage planning report can be signed once the stage has at least "
                "%(count)d development objectives.",
                count=minimum,
            )
        )
    if "no_development" in problems:
        raise Refused(
            _(
                "The planning report can be signed once the cycle has at least one "
                "development objective."
            )
        )
    if "too_many" in problems:
        raise Refused(_("A cycle has at most 10 objectives."))


async def edit_report(
    actor: audit.Actor,
    user: CurrentUser,
    meeting_id: int,
    report: str,
    revision: int,
    today: dt.date,
    mention: str = "",
) -> None:
    """The evaluator's report; for a stage's functioning or final meeting, its mention."""
    text = bounded_text(report, "report")
    if mention and mention not in rules.MENTIONS:
        raise Refused(_("Choose one of the mentions in the list."), "mention")
    changes: dict[Any, Any] = {CycleMeeting.report: text}
    if mention:
        changes[CycleMeeting.mention] = mention
    await _report_transition(
        actor,
        user,
        meeting_id,
        ReportAction.EDIT,
        revision,
        today,
        changes,
        {"report_length": len(text), "mention": mention},
    )


async def add_remarks(
    actor: audit.Actor,
    user: CurrentUser,
    meeting_id: int,
    remarks: str,
    revision: int,
    today: dt.date,
) -> None:
    text = bounded_text(remarks, "remarks")
    await _report_transition(
        actor,
        user,
        meeting_id,
        ReportAction.REMARK,
        revision,
        today,
        {CycleMeeting.staff_remarks: text},
        {"remarks_length": len(text)},
    )


async def sign_report(
    actor: audit.Actor, user: CurrentUser, meeting_id: int, revision: int, today: dt.date
) -> str:
    """The staff member or the evaluator signs, by who the reader is; signing twice is
    refused (409). The report's state after it."""
    meeting = await _meeting(meeting_id)
    cycle = await queries.cycle_context(meeting["cycle"])
    standing = await queries.standing(user, cycle, today)
    if standing.is_owner:
        action = ReportAction.SIGN_STAFF
        changes = {CycleMeeting.staff_signed_by: actor.label, CycleMeeting.staff_signed_at: now()}
    else:
        action = ReportAction.SIGN_EVALUATOR
        changes = {
            CycleMeeting.evaluator_signed_by: actor.label,
            CycleMeeting.evaluator_signed_at: now(),
        }
    return await _report_transition(actor, user, meeting_id, action, revision, today, changes, {})


async def submit_evaluation(
    actor: audit.Actor,
    user: CurrentUser,
    cycle_id: int,
    kind: str,
    text: str,
    rating: str,
    today: dt.date,
) -> bool:
    """The self-evaluation (the staff member), the first (first evaluator or co-planner)
    or the second evaluation; past its deadline it is `late` but still accepted; after
    the closing day refused. Whether it was late."""
    if kind not in rules.EVALUATION_KINDS:
        raise NotFound(_("There is no such evaluation."))
    text = bounded_text(text, "text")
    if not text:
        raise Refused(_("Write the evaluation."), "text")
    try:
        async with write_transaction():
            cycle, standing = await context_for(user, cycle_id, today)
            ensure_open(cycle, today)
            await _may_evaluate(cycle, standing, kind, rating, today)
            if kind == "first":
                text, rating = await _after_written_procedure(cycle.id, text, rating, today)
            late = today > cycle.deadline_of(kind)
            [row] = await CycleEvaluation.insert(
                CycleEvaluation(
                    cycle=cycle.id,
                    kind=kind,
                    text=text,
                    rating=rating,
                    submitted_by=actor.label,
                    submitted_at=now(),
                    late=late,
                )
            ).returning(CycleEvaluation.id)
            await EvaluationDraft.delete().where(
                (EvaluationDraft.cycle == cycle.id) & (EvaluationDraft.kind == kind)
            )
            await audit.record(
                actor,
                "evaluation_submitted",
                table="cycle_evaluation",
                key=str(row["id"]),
                # That it was submitted (and whether late), never its text or rating.
                after={"cycle": cycle.id, "kind": kind, "late": late},
            )
            await _tell_of_evaluation(kind, cycle, user, today)
            if (
                kind != "self"
                and rules.report_final(
                    await dossier_queries.signed_kinds(cycle.id),
                    await has_second_evaluator(cycle.staff_id, today),
                )
                and await reports.mark_final(cycle.id)
            ):
                await _report_final(actor, cycle, today)
    except reports.ReportIsFinal:
        await reports.refuse_final_edit(actor, cycle_id, kind)
        raise
    except Exception as error:
        if is_unique_violation(error):
            await reports.refuse_final_edit(actor, cycle_id, kind)
        raise
    return late


async def _may_evaluate(
    cycle: CycleContext, standing: Standing, kind: str, rating: str, today: dt.date
) -> None:
    """Whether this reader writes this evaluation now: theirs, the evaluations open, an
    annual evaluation due, a rating of the scale, the second after the first, and the
    report not final yet (`reports.ReportIsFinal`)."""
    who = {
        "self": standing.is_owner,
        "first": standing.plans,
        "second": "second" in standing.evaluator_roles,
    }[kind]
    if not who:
        raise Refused(_("This evaluation is not yours to write."))
    if today < rules.evaluation_opens(cycle.starts_on, cycle.ends_on):
        raise Refused(
            _(
                "Evaluations open on %(day)s.",
                day=format_day(rules.evaluation_opens(cycle.starts_on, cycle.ends_on)),
            )
        )
    if kind != "self" and not cycle.evaluated:
        raise Refused(
            _(
                "Only staff with at least %(days)s days of performance in the cycle get "
                "an annual evaluation.",
                days=cycle.regime.min_performance_days,
            )
        )
    if rating and (kind == "self" or rating not in rules.RATING_SCALES[cycle.regime.rating_scale]):
        raise Refused(_("Choose a rating from the list."), "rating")
    if kind == "second" and not await CycleEvaluation.exists().where(
        (CycleEvaluation.cycle == cycle.id) & (CycleEvaluation.kind == "first")
    ):
        raise Refused(_("The second evaluator evaluates after the first."))
    if kind != "self" and cycle.id in await final_reports([cycle.id]):
        raise reports.ReportIsFinal  # signed already: no later evaluation joins it


async def _after_written_procedure(
    cycle_id: int, text: str, rating: str, today: dt.date
) -> tuple[str, str]:
    """A first evaluation whose draft went through the written procedure is signed as it
    was sent, after the staff member's remarks or once their 15 days have passed."""
    report = await reports.report_row(cycle_id)
    if report is None or report["written_sent_on"] is None:
        return text, rating
    if not rules.may_sign_after_written_procedure(
        report["written_sent_on"], report["remarks_at"] is not None, today
    ):
        raise Refused(
            _(
                "The staff member has until %(day)s for remarks on the draft: it is signed "
                "after their remarks or after that day.",
                day=format_day(rules.remarks_term_end(report["written_sent_on"])),
            )
        )
    draft = (
        await EvaluationDraft.select(EvaluationDraft.text, EvaluationDraft.rating)
        .where((EvaluationDraft.cycle == cycle_id) & (EvaluationDraft.kind == "first"))
        .first()
    )
    return (draft["text"], draft["rating"]) if draft is not None else (text, rating)


async def _tell_of_evaluation(
    kind: str, cycle: CycleContext, user: CurrentUser, today: dt.date
) -> None:
    """A self-evaluation tells the planners; a first evaluation the second evaluator,
    whose evaluation it now is to write."""
    if kind == "self":
        await notify.tell("evaluation_submitted", cycle, PLANNERS, user.id, today)
    elif kind == "first":
        await notify.tell("evaluation_to_write", cycle, ("second",), user.id, today)


async def _report_final(actor: audit.Actor, cycle: CycleContext, today: dt.date) -> None:
    """The report has become final: the staff member is told (to sign for receipt; by a
    mail where they have no account), and an annual cycle's final insufficient takes its
    path."""
    if not await notify.tell("evaluation_final", cycle, (notify.STAFF,), None, today):
        language = await staff_language(cycle.staff_id)
        subject, body = reports.mail_text(language, "final", name=cycle.staff_name)
        await outbox.enqueue("evaluation_final", cycle.staff_email, language, subject, body)
    if cycle.kind == "annual":
        await _after_an_evaluation(actor, cycle, today)


# --- The insufficient path (SPEC 3.2) --------------------------------------------------


async def _after_an_evaluation(actor: audit.Actor, cycle: CycleContext, today: dt.date) -> None:
    """When the report is final (the second evaluator signed, or the first where nobody is
    second evaluator) and one evaluation says `insufficient`, the insufficient is final: an
    `early` cycle of the regime's months starts the next day, the cycles after it follow
    the period rule again, and the organisation's HR is told (name and dates only)."""
    ratings = [
        row["rating"]
        for row in await CycleEvaluation.select(CycleEvaluation.rating).where(
            (CycleEvaluation.cycle == cycle.id) & CycleEvaluation.kind.is_in(["first", "second"])
        )
    ]
    if "insufficient" not in ratings:
        return
    # One early cycle per insufficient cycle (a second evaluator assigned after the first
    # evaluation does not start another).
    if await EvaluationCycle.exists().where(
        (EvaluationCycle.staff == cycle.staff_id)
        & (EvaluationCycle.kind == "early")
        & (EvaluationCycle.starts_on > cycle.ends_on)
    ):
        return
    early = rules.early_cycle(today, cycle.regime.early_months, cycle.function)
    await bulk_upsert(
        "evaluation_cycle",
        ("staff", "starts_on", "ends_on", "function", "kind"),
        [(cycle.staff_id, early.start, early.end, early.function, "early")],
        conflict=("staff", "starts_on"),
        update=("ends_on", "function", "kind"),
    )
    await audit.record(
        actor,
        "early_cycle_started",
        table="evaluation_cycle",
        key=f"{cycle.staff_email}:{early.start.isoformat()}",
        after={"after_cycle": cycle.id, "starts_on": early.start, "ends_on": early.end},
    )
    for email, preferred in await hr_recipients(cycle.organisation_id):
        language = preferred if preferred in LANGUAGES else "nl"
        subject, body = insufficient_text(cycle.staff_name, early, language)
        await outbox.enqueue("final_insufficient", email, language, subject, body)
    through = early.end + dt.timedelta(days=366)
    await generate(actor, through, staff_ids=[cycle.staff_id])


def insufficient_text(name: str, early: rules.Cycle, language: str) -> tuple[str, str]:
    """HR's message of a final insufficient, in the recipient's language: who and the
    early evaluation's dates, nothing of the dossier (privacy)."""
    with in_language(language):
        subject = _("Evaluation cycles: a final insufficient for %(name)s", name=name)
        body = _(
            "The evaluation of %(name)s has become final with the rating insufficient. An "
            "improvement plan follows, and an early evaluation cycle runs from %(start)s to "
            "%(end)s. Follow it on the evaluation cycles page of the PRO certification "
            "portal.",
            name=name,
            start=format_day(early.start),
            end=format_day(early.end),
        )
    return subject, body + "\n"


@dataclass(frozen=True)
class PlanInput:
    actions: str
    support: str
    follow_up_on: dt.date | None
    follow_up: str


async def save_improvement_plan(
    actor: audit.Actor,
    user: CurrentUser,
    cycle_id: int,
    data: PlanInput,
    revision: int,
    today: dt.date,
) -> None:
    """The first evaluator (or a co-planner) writes the improvement plan of an early
    cycle: actions, support, a follow-up date and the follow-up; saved on the revision
    the page showed (0: none yet)."""
    texts = {name: bounded_text(getattr(data, name), name) for name in
             ("actions", "support", "follow_up")}  # fmt: skip
    if not texts["actions"]:
        raise Refused(_("Write the actions of the plan."), "actions")
    async with write_transaction():
        cycle, standing = await context_for(user, cycle_id, today)
        ensure_open(cycle, today)
        ensure_planner(standing)
        if cycle.kind != "early":
            raise Refused(_("An improvement plan belongs to an early evaluation cycle."))
        if data.follow_up_on is not None and not (
            cycle.starts_on <= data.follow_up_on <= cycle.ends_on
        ):
            raise Refused(
                _("The follow-up falls within the cycle (%(start)s to %(end)s).",
                  start=format_day(cycle.starts_on), end=format_day(cycle.ends_on)),
                "follow_up_on",
            )  # fmt: skip
        values: dict[Column, Any] = {
            ImprovementPlan.actions: texts["actions"],
            ImprovementPlan.support: texts["support"],
            ImprovementPlan.follow_up: texts["follow_up"],
            ImprovementPlan.follow_up_on: data.follow_up_on,
            ImprovementPlan.updated_by: actor.label,
            ImprovementPlan.updated_at: now(),
        }
        existing = (
            await ImprovementPlan.select(ImprovementPlan.id)
            .where(ImprovementPlan.cycle == cycle.id)
            .first()
        )
        if existing is None:
            if revision != 0:
                raise TransitionRefused("removed", "edit")
            await ImprovementPlan.insert(
                ImprovementPlan({ImprovementPlan.cycle: cycle.id, **values})
            )
        elif not await compare_and_set(
            ImprovementPlan,
            existing["id"],
            ImprovementPlan.revision,
            revision,
            {**{str(column._meta.name): value for column, value in values.items()},
             "revision": revision + 1},
        ):  # fmt: skip
            raise TransitionRefused("changed", "edit")
        await audit.record(
            actor,
            "improvement_plan_saved",
            table="improvement_plan",
            key=str(cycle.id),
            # That it was saved, never its text.
            after={"cycle": cycle.id, "follow_up_on": data.follow_up_on},
        )
