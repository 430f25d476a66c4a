"""HR's stage page (SPEC 3.1, issue 21): the stage of a trainee with its dates, absence
and decisions; an extension moves its end (and the annual cycles after it), an
appointment makes the statute statutory, a dismissal ends the stage and the posting;
refusals at their field with what was typed kept; other organisations and other cycles
are not found; every decision in the audit log."""

from __future__ import annotations

import datetime as dt

from core.audit import Actor
from core.tables import AuditEntry
from cycles.service import generate
from cycles.tables import EvaluationCycle, StageDecision
from organisations.tables import StaffMember
from tests import factories
from tests.conftest import login
from tests.helpers import logout, post

START = dt.date(2026, 3, 2)


async def a_trainee() -> tuple[int, int]:
    """A BOSA trainee since 2 March 2026 and their stage (its probation cycle)."""
    staff = await factories.staff_member(
        "BOSA", "tina@bosa.example.be", first="Tina", start=START, statute="trainee"
    )
    await generate(Actor.command_line("test"), dt.date(2027, 12, 31), staff_ids=[staff])
    stage = (
        await EvaluationCycle.select(EvaluationCycle.id, EvaluationCycle.ends_on)
        .where((EvaluationCycle.staff == staff) & (EvaluationCycle.kind == "probation"))
        .first()
    )
    assert stage["ends_on"] == dt.date(2027, 3, 1)
    return staff, stage["id"]


async def cycles_of(staff: int) -> list[tuple[str, dt.date, dt.date]]:
    rows = (
        await EvaluationCycle.select(
            EvaluationCycle.kind, EvaluationCycle.starts_on, EvaluationCycle.ends_on
        )
        .where(EvaluationCycle.staff == staff)
        .order_by(EvaluationCycle.starts_on)
    )
    return [(r["kind"], r["starts_on"], r["ends_on"]) for r in rows]


async def test_hr_extends_then_appoints_a_trainee(client, users):
    staff, stage = await a_trainee()
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    status = (await client.get("/organisations/BOSA/cycles")).text
    assert f'href="/organisations/BOSA/stages/{stage}"' in status
    page = await client.get(f"/organisations/BOSA/stages/{stage}")
    assert page.status_code == 200 and "No decision has been recorded yet." in page.text
    # Five months in all is more than the statute allows: refused, the note kept.
    too_long = await post(client, f"/organisations/BOSA/stages/{stage}",
                          {"decision": "extended", "decided_on": "2027-02-20", "months": "5",
                           "note": "Mention: to improve"})  # fmt: skip
    assert too_long.status_code == 400
    assert "A stage is extended by 4 months at most in all." in too_long.text
    assert "Mention: to improve" in too_long.text
    assert not await StageDecision.exists()
    extended = await post(client, f"/organisations/BOSA/stages/{stage}",
                          {"decision": "extended", "decided_on": "2027-02-20", "months": "3",
                           "note": "Mention: to improve"})  # fmt: skip
    assert extended.status_code == 303
    assert (await cycles_of(staff))[:2] == [
        ("probation", START, dt.date(2027, 6, 1)),
        ("annual", dt.date(2027, 6, 2), dt.date(2027, 12, 31)),
    ]
    again = await post(client, f"/organisations/BOSA/stages/{stage}",
                       {"decision": "extended", "decided_on": "2027-05-20", "months": "2"})  # fmt: skip
    assert again.status_code == 400  # 3 + 2 months
    appointed = await post(client, f"/organisations/BOSA/stages/{stage}",
                           {"decision": "appointed", "decided_on": "2027-05-25"})  # fmt: skip
    assert appointed.status_code == 303
    member = await StaffMember.select(StaffMember.statute).where(StaffMember.id == staff).first()
    assert member["statute"] == "statutory"
    # The stage stays as it was; the annual cycles follow it.
    assert (await cycles_of(staff))[0] == ("probation", START, dt.date(2027, 6, 1))
    page = (await client.get(f"/organisations/BOSA/stages/{stage}")).text
    assert "appointed (statutory from the day after the stage)" in page
    assert 'name="decision"' not in page  # an appointed stage takes no further decision
    actions = await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.action == "stage_decision_recorded"
    )
    assert len(actions) == 2


async def test_a_dismissal_ends_the_stage_and_the_posting(client, users):
    staff, stage = await a_trainee()
    await login(client, users["hr_bosa"])
    done = await post(client, f"/organisations/BOSA/stages/{stage}",
                      {"decision": "dismissed", "decided_on": "2026-11-30"})  # fmt: skip
    assert done.status_code == 303
    member = await StaffMember.select(StaffMember.end_date).where(StaffMember.id == staff).first()
    assert member["end_date"] == dt.date(2026, 11, 30)
    assert await cycles_of(staff) == [("probation", START, dt.date(2026, 11, 30))]


async def test_no_stage_page_for_another_organisation_or_an_annual_cycle(client, users):
    _staff, stage = await a_trainee()
    annual = await factories.cycle(
        await factories.staff_member("BOSA", "ann@bosa.example.be"),
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    await login(client, users["hr_bosa"])
    assert (await client.get(f"/organisations/BOSA/stages/{annual}")).status_code == 404
    refused = await post(client, f"/organisations/BOSA/stages/{annual}",
                         {"decision": "appointed", "decided_on": "2026-12-01"})  # fmt: skip
    assert refused.status_code == 404
    await logout(client)
    await login(client, users["partner_fin"])
    assert (await client.get(f"/organisations/BOSA/stages/{stage}")).status_code in (403, 404)
    assert not await StageDecision.exists()


async def test_hr_s_status_shows_a_stage_s_tasks_due_30_days_after_it(users):
    """HR's status (dates and states only): a stage's evaluations are due 30 calendar
    days after its end, not on the regime's March deadlines."""
    from cycles.hr.queries import organisation_cycles
    from organisations.tables import Organisation

    staff, _stage = await a_trainee()
    bosa = await Organisation.select(Organisation.id).where(Organisation.code == "BOSA").first()
    found = await organisation_cycles(bosa["id"], dt.date(2027, 3, 10))
    [row] = [r for r in found.rows if r.staff_id == staff]
    # Running now: the first annual cycle; being evaluated: the stage.
    assert row.kind == "annual" and row.evaluated_ends_on == dt.date(2027, 3, 1)
    assert {task.kind: (task.deadline, task.status) for task in row.tasks} == {
        "self": (dt.date(2027, 3, 31), "due"),
        "first": (dt.date(2027, 3, 31), "due"),
        "second": (None, "not_required"),  # nobody is the trainee's second evaluator
    }


async def test_a_part_time_stage_lasts_until_the_full_time_duration_is_reached(client, users):
    """HR records a stage's working time on the stage page: at 50 % the stage lasts two
    full-time years' worth of days and the annual cycles move after it; a value out of
    range is refused at its field, typed value kept; an appointed stage takes none."""
    staff, stage = await a_trainee()
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    page = (await client.get(f"/organisations/BOSA/stages/{stage}")).text
    assert 'name="working_time"' in page and 'value="100"' in page
    refused = await post(client, f"/organisations/BOSA/stages/{stage}/working-time",
                         {"working_time": "5"})  # fmt: skip
    assert refused.status_code == 400
    assert "Give the working time as a whole per cent from 10 to 100." in refused.text
    assert 'value="5"' in refused.text
    assert (await cycles_of(staff))[0] == ("probation", START, dt.date(2027, 3, 1))
    half = await post(client, f"/organisations/BOSA/stages/{stage}/working-time",
                      {"working_time": "50"})  # fmt: skip
    assert half.status_code == 303
    # 365 days of a full-time stage at 50 %: 730 calendar days from 2 March 2026.
    assert (await cycles_of(staff))[:2] == [
        ("probation", START, dt.date(2028, 2, 29)),
        ("annual", dt.date(2028, 3, 1), dt.date(2028, 12, 31)),
    ]
    page = (await client.get(f"/organisations/BOSA/stages/{stage}")).text
    assert "29 Feb 2028" in page and "part-time" in page
    entry = (
        await AuditEntry.select(AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.action == "stage_working_time_recorded")
        .first()
    )
    assert entry is not None and "50" in str(entry["after"]) and "100" in str(entry["before"])
    await post(client, f"/organisations/BOSA/stages/{stage}",
               {"decision": "appointed", "decided_on": "2028-02-20"})  # fmt: skip
    late = await post(client, f"/organisations/BOSA/stages/{stage}/working-time",
                      {"working_time": "80"})  # fmt: skip
    assert late.status_code == 400
    assert "This stage has ended in an appointment or a dismissal." in late.text


async def test_only_hr_of_the_organisation_records_a_stage_s_working_time(client, users):
    _staff, stage = await a_trainee()
    for who in ("evaluator_bosa", "legal_bosa", "partner_fin"):
        await login(client, users[who])
        answer = await post(client, f"/organisations/BOSA/stages/{stage}/working-time",
                            {"working_time": "50"})  # fmt: skip
        assert answer.status_code in (403, 404), who
        await logout(client)
    row = (
        await EvaluationCycle.select(EvaluationCycle.working_time)
        .where(EvaluationCycle.id == stage)
        .first()
    )
    assert row["working_time"] == 100
