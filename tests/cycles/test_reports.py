"""The evaluation report from draft to final (SPEC 3.2) on the real database: a draft its
writer alone sees; the written procedure (a draft stating an insufficient sent to the
staff member, 15 calendar days for remarks, then signed as it was sent); the report final
once the evaluators signed; the staff member's receipt signature or refusal, once; a
final report never changes, and a try is audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.audit import Outcome
from core.errors import Refused, TransitionRefused
from core.tables import AuditEntry, OutboxMessage
from cycles import rules
from cycles.dossier import queries as dossier_queries
from cycles.dossier import reports
from cycles.dossier import service as dossier_service
from cycles.dossier.access import context_for
from cycles.dossier.reports import DraftInput
from cycles.tables import CycleEvaluation, EvaluationDraft, EvaluationReport
from tests.conftest import csrf_token, login
from tests.cycles.test_cycles_dossier import actor, team
from tests.helpers import logout

__all__ = ["team"]  # the dossier's fixture: Sam, evaluated first by Eva, second by Lucie

SENT = dt.date(2027, 2, 1)  # inside the 2026 cycle's evaluation window


def test_the_term_the_final_and_the_written_procedure_as_rules():
    # Sent on 1 March: remarks until 16 March; signed after that day or after remarks.
    assert rules.remarks_term_end(dt.date(2027, 3, 1)) == dt.date(2027, 3, 16)
    assert not rules.may_sign_after_written_procedure(
        dt.date(2027, 3, 1), False, dt.date(2027, 3, 16)
    )
    assert rules.may_sign_after_written_procedure(dt.date(2027, 3, 1), False, dt.date(2027, 3, 17))
    assert rules.may_sign_after_written_procedure(dt.date(2027, 3, 1), True, dt.date(2027, 3, 2))
    assert rules.may_sign_after_written_procedure(None, False, dt.date(2027, 3, 2))
    # Final: the first evaluator signed, and the second where the staff member has one.
    assert rules.report_final({"first"}, has_second=False)
    assert not rules.report_final({"first"}, has_second=True)
    assert rules.report_final({"self", "first", "second"}, has_second=True)
    assert not rules.report_final({"self"}, has_second=False)
    # The written procedure is for a draft stating a negative rating.
    assert rules.written_procedure_problem("insufficient") is None
    assert rules.written_procedure_problem("career_delay") is None
    assert rules.written_procedure_problem("") == "not_negative"  # meets expectations


async def _drafts(user, cycle_id: int, today: dt.date = SENT) -> dict:
    cycle, standing = await context_for(user, cycle_id, today)
    return (await dossier_queries.dossier(cycle, today, standing)).drafts


async def test_a_draft_is_seen_by_its_writer_alone_and_saved_on_its_revision(team):
    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    first = DraftInput("first", "Halfway through: strong on planning.", "")
    await reports.save_draft(actor(eva), eva, cycle, first, 0, SENT)
    assert (await _drafts(eva, cycle))["first"].text == first.text
    assert await _drafts(sam, cycle) == {}  # not sent: the staff member does not see it
    assert await _drafts(lucie, cycle) == {}  # the second evaluator sees only her own
    # Saved again on the revision the page showed; a stale page is refused.
    await reports.save_draft(actor(eva), eva, cycle, DraftInput("first", "Better.", ""), 1, SENT)
    with pytest.raises(TransitionRefused):
        await reports.save_draft(actor(eva), eva, cycle, DraftInput("first", "Old.", ""), 1, SENT)
    assert (await _drafts(eva, cycle))["first"].text == "Better."
    # The first evaluation is not the second evaluator's to write, nor the staff member's.
    for who in (lucie, sam):
        with pytest.raises(Refused, match="not yours"):
            await reports.save_draft(actor(who), who, cycle, first, 0, SENT)
    # A draft is not an evaluation: nothing is signed, and its text is in no audit row.
    assert await CycleEvaluation.count() == 0
    audit = await AuditEntry.select().where(AuditEntry.action == "evaluation_draft_saved")
    assert len(audit) == 2 and all("Better" not in str(row) for row in audit)
    # Signing the evaluation takes it out of the drafts.
    await dossier_service.submit_evaluation(actor(eva), eva, cycle, "first", "Signed.", "", SENT)
    assert await EvaluationDraft.count() == 0


async def test_the_written_procedure_term_remarks_and_signature_as_sent(team):
    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    text = "No meeting could be held. The objectives were not met."
    # Only a first evaluation whose draft states an insufficient goes out.
    with pytest.raises(Refused, match="written procedure"):
        await reports.save_draft(
            actor(eva), eva, cycle, DraftInput("first", text, ""), 0, SENT, send=True
        )
    with pytest.raises(Refused, match="not yours"):
        await reports.save_draft(
            actor(lucie),
            lucie,
            cycle,
            DraftInput("first", text, "insufficient"),
            0,
            SENT,
            send=True,
        )
    await reports.save_draft(
        actor(eva), eva, cycle, DraftInput("first", text, "insufficient"), 0, SENT, send=True
    )
    # The staff member is told, with the term's end, and nothing of the draft.
    [mail] = await OutboxMessage.select().where(OutboxMessage.kind == "written_procedure")
    assert mail["recipient"] == sam.email
    assert "16 feb 2027" in mail["body"].lower() and "objectives were not met" not in mail["body"]
    # The staff member reads the draft; the evaluator cannot change it any more.
    assert (await _drafts(sam, cycle))["first"].rating == "insufficient"
    with pytest.raises(Refused, match="signed as it was sent"):
        await reports.save_draft(
            actor(eva), eva, cycle, DraftInput("first", "Softer.", ""), 1, dt.date(2027, 2, 3)
        )
    # Not signed within the 15 days unless the staff member has given remarks.
    with pytest.raises(Refused, match="until 16 Feb 2027"):
        await dossier_service.submit_evaluation(
            actor(eva), eva, cycle, "first", text, "insufficient", dt.date(2027, 2, 16)
        )
    with pytest.raises(Refused, match="Only the staff member"):
        await reports.add_written_remarks(actor(eva), eva, cycle, "Mine.", dt.date(2027, 2, 5))
    await reports.add_written_remarks(
        actor(sam), sam, cycle, "I was on sick leave for four months.", dt.date(2027, 2, 10)
    )
    # After the remarks it is signed at once, as it was sent (whatever the form says).
    await dossier_service.submit_evaluation(
        actor(eva), eva, cycle, "first", "Changed at the last minute.", "", dt.date(2027, 2, 11)
    )
    [signed] = await CycleEvaluation.select().where(CycleEvaluation.kind == "first")
    assert (signed["text"], signed["rating"]) == (text, "insufficient")
    report = await EvaluationReport.select().first()
    assert report["staff_remarks"] == "I was on sick leave for four months."
    # Remarks end with the signature.
    with pytest.raises(Refused, match="ended on 16 Feb 2027"):
        await reports.add_written_remarks(actor(sam), sam, cycle, "More.", dt.date(2027, 2, 12))


async def test_without_remarks_the_draft_is_signed_once_the_15_days_have_passed(team):
    sam, eva = team["sam"], team["eva"]
    cycle = team["sam_2026"]
    draft = DraftInput("first", "Written procedure.", "insufficient")
    await reports.save_draft(actor(eva), eva, cycle, draft, 0, SENT, send=True)
    with pytest.raises(Refused, match="ended on 16 Feb 2027"):
        await reports.add_written_remarks(actor(sam), sam, cycle, "Late.", dt.date(2027, 2, 17))
    await dossier_service.submit_evaluation(
        actor(eva), eva, cycle, "first", draft.text, "insufficient", dt.date(2027, 2, 17)
    )
    assert await CycleEvaluation.count().where(CycleEvaluation.kind == "first") == 1


async def test_the_report_is_final_once_both_signed_then_signed_for_receipt_once(team):
    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    day = dt.date(2027, 2, 15)
    await dossier_service.submit_evaluation(actor(eva), eva, cycle, "first", "Good.", "", day)
    # Sam has a second evaluator: not final yet, so no receipt and no mail.
    with pytest.raises(Refused, match="once the evaluators signed"):
        await reports.acknowledge(actor(sam), sam, cycle, "sign", "", day)
    assert await OutboxMessage.count().where(OutboxMessage.kind == "evaluation_final") == 0
    await dossier_service.submit_evaluation(
        actor(lucie), lucie, cycle, "second", "Agreed.", "", day
    )
    [mail] = await OutboxMessage.select().where(OutboxMessage.kind == "evaluation_final")
    assert mail["recipient"] == sam.email and "Good." not in mail["body"]
    context, standing = await context_for(sam, cycle, day)
    assert (await dossier_queries.dossier(context, day, standing)).final
    # Only the staff member signs for receipt, with remarks if they wish; once.
    with pytest.raises(Refused, match="Only the staff member"):
        await reports.acknowledge(actor(eva), eva, cycle, "sign", "", day)
    with pytest.raises(Refused, match="Choose whether"):
        await reports.acknowledge(actor(sam), sam, cycle, "maybe", "", day)
    await reports.acknowledge(actor(sam), sam, cycle, "sign", "Thank you.", day)
    with pytest.raises(TransitionRefused):
        await reports.acknowledge(actor(sam), sam, cycle, "refuse", "", day)
    report = await EvaluationReport.select().first()
    assert report["receipt_signed_at"] is not None and report["refused_on"] is None
    assert report["receipt_remarks"] == "Thank you."


async def test_a_refusal_to_sign_is_recorded_with_its_date_and_the_report_stays_final(team):
    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    day = dt.date(2027, 3, 1)
    await dossier_service.submit_evaluation(
        actor(eva), eva, cycle, "first", "Weak.", "insufficient", day
    )
    await dossier_service.submit_evaluation(actor(lucie), lucie, cycle, "second", "Yes.", "", day)
    await reports.acknowledge(actor(sam), sam, cycle, "refuse", "I disagree.", dt.date(2027, 3, 4))
    report = await EvaluationReport.select().first()
    assert report["refused_on"] == dt.date(2027, 3, 4) and report["receipt_signed_at"] is None
    context, standing = await context_for(sam, cycle, day)
    dossier = await dossier_queries.dossier(context, day, standing)
    assert dossier.final and dossier.report is not None and dossier.report.acknowledged
    # The refusal does not stop the report: the insufficient took its path.
    assert await OutboxMessage.count().where(OutboxMessage.kind == "final_insufficient") == 1


async def test_a_final_report_never_changes_and_the_try_is_audited(team):
    eva = team["eva"]
    cycle = team["sam_2026"]
    day = dt.date(2027, 2, 15)
    await dossier_service.submit_evaluation(actor(eva), eva, cycle, "first", "Good.", "", day)
    with pytest.raises(TransitionRefused):
        await reports.save_draft(actor(eva), eva, cycle, DraftInput("first", "Other.", ""), 0, day)
    with pytest.raises(TransitionRefused):
        await dossier_service.submit_evaluation(actor(eva), eva, cycle, "first", "Again.", "", day)
    denied = await AuditEntry.select().where(
        (AuditEntry.action == "evaluation_edit") & (AuditEntry.outcome == str(Outcome.DENIED))
    )
    assert len(denied) == 2
    [signed] = await CycleEvaluation.select().where(CycleEvaluation.kind == "first")
    assert signed["text"] == "Good."


async def test_a_report_stays_final_when_a_second_evaluator_is_assigned_later(team):
    """Final is the moment the evaluators' signatures completed the report, not a reading
    of today's assignments: Sam without a second evaluator is final at Eva's signature;
    Lucie assigned as second evaluator afterwards changes nothing (her evaluation would
    change a final report: refused and audited), and the receipt and the PDF stay."""
    from cycles.tables import EvaluatorAssignment

    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    day = dt.date(2027, 2, 15)
    await EvaluatorAssignment.delete().where(EvaluatorAssignment.role == "second")
    await dossier_service.submit_evaluation(actor(eva), eva, cycle, "first", "Good.", "", day)
    assert await OutboxMessage.count().where(OutboxMessage.kind == "evaluation_final") == 1
    await EvaluatorAssignment.insert(
        EvaluatorAssignment(
            staff=sam.staff_id, role="second", evaluator=lucie.staff_id,
            from_on=dt.date(2027, 2, 16), assigned_by="test",
        )
    )  # fmt: skip
    later = dt.date(2027, 2, 20)
    context, standing = await context_for(sam, cycle, later)
    dossier = await dossier_queries.dossier(context, later, standing)
    assert dossier.final
    # No second evaluation is due any more: not on the dossier, not on HR's status page.
    assert {t.kind: t.status for t in dossier.tasks}["second"] == "not_required"
    from cycles.hr import queries as hr_queries

    status = await hr_queries.organisation_cycles(team["orgs"]["BOSA"], later)
    [row] = [r for r in status.rows if r.staff_id == sam.staff_id]
    assert {t.kind: t.status for t in row.tasks}["second"] == "not_required"
    # Sam's 2026 report counts as evaluated (on the day it was signed), the others not.
    evaluated = [p for p in status.progress if p.evaluated_on is not None]
    assert [(p.starts_on, p.ends_on) for p in evaluated] == [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    ]
    with pytest.raises(TransitionRefused):
        await dossier_service.submit_evaluation(
            actor(lucie), lucie, cycle, "second", "Late view.", "", later
        )
    assert await CycleEvaluation.count().where(CycleEvaluation.kind == "second") == 0
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "evaluation_edit") & (AuditEntry.outcome == str(Outcome.DENIED))
        )
        == 1
    )
    await reports.acknowledge(actor(sam), sam, cycle, "sign", "", later)
    # Made final once: no second mail.
    assert await OutboxMessage.count().where(OutboxMessage.kind == "evaluation_final") == 1


async def test_the_written_procedure_through_the_pages(client, users, team):
    """Eva sends the draft from the dossier's form; Sam sees it with the term's end date
    and adds remarks; an empty remark is refused at its field; Eva's form then signs."""
    client.headers["Accept-Language"] = "en"
    cycle = team["sam_2026"]
    today = dt.date.today()
    await login(client, users["evaluator_bosa"])
    token = await csrf_token(client, f"/cycles/{cycle}")
    text = "No evaluation meeting was possible: the draft for your remarks."
    sent = await client.post(
        f"/cycles/{cycle}/evaluations/first",
        data={
            "step": "send",
            "text": text,
            "rating": "insufficient",
            "revision": "0",
            "_csrf_token": token,
        },
    )
    assert sent.status_code == 303, re.findall(r"error[^>]*>([^<]+)", sent.text)
    await logout(client)
    await login(client, users["staff_bosa"])
    page = (await client.get(f"/cycles/{cycle}")).text
    end = rules.remarks_term_end(today)
    assert text in page and f"{end.day} {end:%b %Y}" in page
    token = await csrf_token(client, f"/cycles/{cycle}")
    empty = await client.post(
        f"/cycles/{cycle}/report/remarks", data={"remarks": " ", "_csrf_token": token}
    )
    assert empty.status_code == 400 and "Write your remarks." in empty.text
    remarks = "I was absent from March to June."
    answer = await client.post(
        f"/cycles/{cycle}/report/remarks", data={"remarks": remarks, "_csrf_token": token}
    )
    assert answer.status_code == 303
    assert remarks in (await client.get(f"/cycles/{cycle}")).text
    await logout(client)
    await login(client, users["evaluator_bosa"])
    token = await csrf_token(client, f"/cycles/{cycle}")
    signed = await client.post(
        f"/cycles/{cycle}/evaluations/first",
        data={"text": text, "rating": "insufficient", "final": "yes", "_csrf_token": token},
    )
    assert signed.status_code == 303
    assert await CycleEvaluation.count().where(CycleEvaluation.kind == "first") == 1
