"""The evaluation report from draft to final (SPEC 3.2): the evaluator's draft, the
written procedure (the draft sent to the staff member, 15 calendar days for remarks), and
the staff member's receipt signature or refusal to sign once the report is final. The
signature itself is `cycles.dossier.service.submit_evaluation`. Each write checks the
reader's standing in its transaction and lands with its audit entry; a final report never
changes (a refused edit is audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core import audit, outbox
from core.database import compare_and_set, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from core.i18n import in_language
from core.identity import CurrentUser
from cycles import rules
from cycles.dossier.access import audit_denied, bounded_text, context_for, ensure_open, now
from cycles.dossier.queries import signed_kinds
from cycles.labels import format_day
from cycles.queries import CycleContext, Standing, final_reports, staff_language
from cycles.tables import EvaluationDraft, EvaluationReport

SIGNED_KINDS = ("first", "second")


@dataclass(frozen=True)
class DraftInput:
    kind: str
    text: str
    rating: str


async def report_row(cycle_id: int) -> dict[str, Any] | None:
    return await EvaluationReport.select().where(EvaluationReport.cycle == cycle_id).first()


def ensure_writer(kind: str, standing: Standing) -> None:
    """The first evaluation is the first evaluator's (or a co-planner's), the second the
    second evaluator's."""
    if kind not in SIGNED_KINDS:
        raise NotFound(_("There is no such evaluation."))
    mine = standing.plans if kind == "first" else "second" in standing.evaluator_roles
    if not mine:
        raise Refused(_("This evaluation is not yours to write."))


def check_rating(cycle: CycleContext, rating: str) -> None:
    if rating and rating not in rules.RATING_SCALES[cycle.regime.rating_scale]:
        raise Refused(_("Choose a rating from the list."), "rating")


class ReportIsFinal(Exception):
    """Raised inside a write transaction when the report is final already; the caller
    refuses the change outside it (`refuse_final_edit`), so that the refusal's audit
    entry is not rolled back with it."""


async def mark_final(cycle_id: int) -> bool:
    """The evaluators' signatures have made the cycle's report final: its moment is kept,
    so that it stays final whoever is assigned later. False when it was final already.
    Inside the signature's transaction."""
    report = await report_row(cycle_id)
    if report is None:
        await EvaluationReport.insert(EvaluationReport(cycle=cycle_id, final_at=now()))
        return True
    if report["final_at"] is not None:
        return False
    await EvaluationReport.update({EvaluationReport.final_at: now()}).where(
        EvaluationReport.id == report["id"]
    )
    return True


async def refuse_final_edit(actor: audit.Actor, cycle_id: int, kind: str) -> None:
    """A final report never changes: the attempt is refused (409) and audited."""
    await audit_denied(
        actor, "evaluation_edit", "cycle_evaluation", cycle_id, f"refused: {kind} is final"
    )
    raise TransitionRefused("final", "edit")


async def save_draft(
    actor: audit.Actor,
    user: CurrentUser,
    cycle_id: int,
    data: DraftInput,
    revision: int,
    today: dt.date,
    *,
    send: bool = False,
) -> None:
    """The evaluator saves their evaluation as a draft, on the revision the page showed
    (0: none yet). `send`: the first evaluator sends it to the staff member for the
    written procedure (the draft must state a negative rating; it is not edited after)."""
    text = bounded_text(data.text, "text")
    if send and not text:
        raise Refused(_("Write the evaluation."), "text")
    async with write_transaction():
        cycle, standing = await context_for(user, cycle_id, today)
        ensure_open(cycle, today)
        ensure_writer(data.kind, standing)
        check_rating(cycle, data.rating)
        final = data.kind in await signed_kinds(cycle.id) or (
            cycle.id in await final_reports([cycle.id])
        )
    if final:
        await refuse_final_edit(actor, cycle_id, data.kind)
    async with write_transaction():
        report = await report_row(cycle.id)
        if data.kind == "first" and report is not None and report["written_sent_on"]:
            raise Refused(
                _(
                    "The draft was sent to the staff member on %(day)s: it is signed as it "
                    "was sent.",
                    day=format_day(report["written_sent_on"]),
                )
            )
        if send and (data.kind != "first" or rules.written_procedure_problem(data.rating)):
            raise Refused(
                _(
                    "The written procedure is for a first evaluation whose draft already "
                    "states the rating insufficient."
                ),
                "rating",
            )
        await _store_draft(actor, cycle.id, data, text, revision)
        if send:
            await _send_written(actor, cycle, report, today)
        await audit.record(
            actor,
            "evaluation_draft_sent" if send else "evaluation_draft_saved",
            table="evaluation_draft",
            key=f"{cycle.id}:{data.kind}",
            # That it was saved, never its text or rating.
            after={"cycle": cycle.id, "kind": data.kind},
        )


async def _store_draft(
    actor: audit.Actor, cycle_id: int, data: DraftInput, text: str, revision: int
) -> None:
    values: dict[Any, Any] = {
        EvaluationDraft.text: text,
        EvaluationDraft.rating: data.rating,
        EvaluationDraft.updated_by: actor.label,
        EvaluationDraft.updated_at: now(),
    }
    existing = (
        await EvaluationDraft.select(EvaluationDraft.id)
        .where((EvaluationDraft.cycle == cycle_id) & (EvaluationDraft.kind == data.kind))
        .first()
    )
    if existing is None:
        if revision != 0:
            raise TransitionRefused("removed", "edit")
        await EvaluationDraft.insert(
            EvaluationDraft(
                {EvaluationDraft.cycle: cycle_id, EvaluationDraft.kind: data.kind, **values}
            )
        )
    elif not await compare_and_set(
        EvaluationDraft,
        existing["id"],
        EvaluationDraft.revision,
        revision,
        {**values, EvaluationDraft.revision: revision + 1},
    ):
        raise TransitionRefused("changed", "edit")


async def _send_written(
    actor: audit.Actor, cycle: CycleContext, report: dict[str, Any] | None, today: dt.date
) -> None:
    values: dict[Any, Any] = {
        EvaluationReport.written_sent_on: today,
        EvaluationReport.written_sent_by: actor.label,
    }
    if report is None:
        await EvaluationReport.insert(
            EvaluationReport({EvaluationReport.cycle: cycle.id, **values})
        )
    else:
        await EvaluationReport.update(values).where(EvaluationReport.id == report["id"])
    language = await staff_language(cycle.staff_id)
    subject, body = mail_text(
        language, "written", name=cycle.staff_name, day=rules.remarks_term_end(today)
    )
    await outbox.enqueue("written_procedure", cycle.staff_email, language, subject, body)


def mail_text(language: str, which: str, **values: Any) -> tuple[str, str]:
    """A mail to the staff member in their language (name and dates only, nothing of the
    report): the written procedure's draft (`written`), or the final report (`final`)."""
    with in_language(language):
        day = format_day(values["day"]) if values.get("day") else ""
        if which == "written":
            subject = _("Your evaluation: the draft for your remarks")
            body = _(
                "Dear %(name)s, no evaluation meeting could be held, so your evaluator sends "
                "you the draft of your evaluation (written procedure). You can read it in "
                "your dossier and add your remarks until %(day)s; after that the evaluators "
                "sign it.",
                name=values["name"],
                day=day,
            )
        else:
            subject = _("Your evaluation report is final")
            body = _(
                "Dear %(name)s, your evaluation report is final. Read it in your dossier, "
                "sign it for receipt and add your remarks if you wish; you can also download "
                "it as a PDF.",
                name=values["name"],
            )
    return subject, body + "\n"


async def add_written_remarks(
    actor: audit.Actor, user: CurrentUser, cycle_id: int, remarks: str, today: dt.date
) -> None:
    """The staff member's remarks on the draft of the written procedure, within its term."""
    text = bounded_text(remarks, "remarks")
    if not text:
        raise Refused(_("Write your remarks."), "remarks")
    async with write_transaction():
        cycle, standing = await context_for(user, cycle_id, today)
        ensure_open(cycle, today)
        if not standing.is_owner:
            raise Refused(_("Only the staff member can do this."))
        report = await report_row(cycle.id)
        if report is None or report["written_sent_on"] is None:
            raise Refused(_("No draft has been sent to you for remarks."))
        end = rules.remarks_term_end(report["written_sent_on"])
        if today > end or "first" in await signed_kinds(cycle.id):
            raise Refused(
                _("The term for remarks ended on %(day)s.", day=format_day(end)), "remarks"
            )
        await EvaluationReport.update(
            {EvaluationReport.staff_remarks: text, EvaluationReport.remarks_at: now()}
        ).where(EvaluationReport.id == report["id"])
        await audit.record(
            actor,
            "written_remarks_added",
            table="evaluation_report",
            key=str(cycle.id),
            after={"cycle": cycle.id, "remarks_length": len(text)},
        )


async def acknowledge(
    actor: audit.Actor,
    user: CurrentUser,
    cycle_id: int,
    choice: str,
    remarks: str,
    today: dt.date,
) -> None:
    """The staff member signs the final report for receipt (`sign`) or refuses to sign
    (`refuse`, recorded with its date; the report stays final), with remarks if they wish.
    Once only; after the cycle closes the report is only read."""
    if choice not in ("sign", "refuse"):
        raise Refused(_("Choose whether you sign for receipt or refuse to sign."), "choice")
    text = bounded_text(remarks, "receipt_remarks")
    async with write_transaction():
        cycle, standing = await context_for(user, cycle_id, today)
        ensure_open(cycle, today)
        if not standing.is_owner:
            raise Refused(_("Only the staff member can do this."))
        if cycle.id not in await final_reports([cycle.id]):
            raise Refused(_("The report is signed for receipt once the evaluators signed it."))
        report = await report_row(cycle.id)
        if report is not None and (report["receipt_signed_at"] or report["refused_on"]):
            raise TransitionRefused("signed" if report["receipt_signed_at"] else "refused", choice)
        values: dict[Any, Any] = {EvaluationReport.receipt_remarks: text}
        if choice == "sign":
            values[EvaluationReport.receipt_signed_by] = actor.label
            values[EvaluationReport.receipt_signed_at] = now()
        else:
            values[EvaluationReport.refused_on] = today
            values[EvaluationReport.refused_by] = actor.label
        if report is None:
            await EvaluationReport.insert(
                EvaluationReport({EvaluationReport.cycle: cycle.id, **values})
            )
        elif not await compare_and_set(
            EvaluationReport,
            report["id"],
            EvaluationReport.revision,
            report["revision"],
            {**values, EvaluationReport.revision: report["revision"] + 1},
        ):
            raise TransitionRefused("changed", choice)
        await audit.record(
            actor,
            "report_receipt_signed" if choice == "sign" else "report_signature_refused",
            table="evaluation_report",
            key=str(cycle.id),
            after={"cycle": cycle.id, "remarks_length": len(text)},
        )
