"""The dossier of an evaluation cycle (SPEC 3): meetings and signed reports, objectives,
evaluations and deadlines, and who may see and do what, on the real database; every
refusal the issue names is tried."""

from __future__ import annotations

import datetime as dt

import pytest

from core.audit import Actor
from core.errors import NotFound, Refused, TransitionRefused
from core.identity import CurrentUser, parse_roles
from cycles import service
from cycles.dossier import queries as dossier_queries
from cycles.dossier import service as dossier_service
from cycles.lifecycle import ObjectiveAction
from cycles.objectives import service as objective_service
from tests.conftest import csrf_token, link_staff_records, login
from tests.helpers import logout

CYCLE_DAY = dt.date(2026, 5, 4)  # a Monday inside the 2026 cycle


def person(
    email: str, roles: str, organisation_id: int | None, staff_id: int | None = None
) -> CurrentUser:
    """A reader; `staff_id` is the staff record linked to the account (their dossier)."""
    return CurrentUser(
        id=0,
        email=email,
        full_name=email,
        roles=parse_roles(roles),
        organisation_id=organisation_id,
        organisation_code=None,
        preferred_language="en",
        staff_id=staff_id,
    )


def actor(user: CurrentUser) -> Actor:
    return Actor(email=user.email, roles=",".join(sorted(user.roles)))


@pytest.fixture
async def team(users):
    """BOSA: Sam (staff) evaluated first by Eva, second by Lucie; Marc in BOSA with no
    evaluator; Tom at FIN. Cycles generated through the end of 2027."""
    from competencies.loader import seed_models
    from core.i18n import set_language
    from cycles.tables import EvaluatorAssignment
    from organisations.tables import Organisation, StaffMember

    set_language("en")  # the service's messages, as an English reader gets them
    await seed_models()

    orgs = {row["code"]: row["id"] for row in await Organisation.select()}
    rows = [
        ("BOSA", "staff@bosa.demo.portal.be", "Sam", "Staff", dt.date(2019, 3, 1)),
        ("BOSA", "evaluator@bosa.demo.portal.be", "Eva", "Evaluator", dt.date(2018, 9, 1)),
        ("BOSA", "lucie@bosa.demo.portal.be", "Lucie", "Dubois", dt.date(2018, 9, 1)),
        ("BOSA", "marc@bosa.demo.portal.be", "Marc", "Lambert", dt.date(2021, 6, 1)),
        ("FIN", "tom@fin.demo.portal.be", "Tom", "Janssens", dt.date(2022, 1, 1)),
    ]
    await StaffMember.insert(
        *[
            StaffMember(
                organisation=orgs[code],
                email=email,
                first_name=first,
                last_name=last,
                language_role="NL",
                start_date=start,
            )
            for code, email, first, last, start in rows
        ]
    )
    ids = {row["email"]: row["id"] for row in await StaffMember.select()}
    await EvaluatorAssignment.insert(
        EvaluatorAssignment(
            staff=ids["staff@bosa.demo.portal.be"],
            role="first",
            evaluator=ids["evaluator@bosa.demo.portal.be"],
            from_on=dt.date(2019, 3, 1),
        ),
        EvaluatorAssignment(
            staff=ids["staff@bosa.demo.portal.be"],
            role="second",
            evaluator=ids["lucie@bosa.demo.portal.be"],
            from_on=dt.date(2019, 3, 1),
        ),
    )
    await service.generate(Actor.command_line("test"), dt.date(2027, 12, 31))
    from cycles.tables import EvaluationCycle

    cycles = {
        (row["staff"], row["starts_on"].year): row["id"] for row in await EvaluationCycle.select()
    }
    bosa = orgs["BOSA"]
    await link_staff_records()
    return {
        "sam_2026": cycles[(ids["staff@bosa.demo.portal.be"], 2026)],
        "sam_2027": cycles[(ids["staff@bosa.demo.portal.be"], 2027)],
        "marc_2026": cycles[(ids["marc@bosa.demo.portal.be"], 2026)],
        "sam": person("staff@bosa.demo.portal.be", "staff", bosa, ids["staff@bosa.demo.portal.be"]),
        "eva": person(
            "evaluator@bosa.demo.portal.be",
            "evaluator,staff",
            bosa,
            ids["evaluator@bosa.demo.portal.be"],
        ),
        "lucie": person(
            "lucie@bosa.demo.portal.be", "evaluator,staff", bosa, ids["lucie@bosa.demo.portal.be"]
        ),
        "hr": person("hr@bosa.demo.portal.be", "hr", bosa),
        "dgro": person("dgro@demo.portal.be", "dgro", None),
        "fin_hr": person("hr@fin.demo.portal.be", "hr", orgs["FIN"]),
        "orgs": orgs,
        "ids": ids,
    }


async def competency_id() -> int:
    from competencies.tables import Competency

    row = await Competency.select(Competency.id).first()
    assert row is not None
    return row["id"]


async def development(team, cycle="sam_2026", title="Learn to lead interviews", track=None):
    return await objective_service.add_objective(
        actor(team["eva"]),
        team["eva"],
        team[cycle],
        objective_service.ObjectiveInput(
            kind="development", title=title, competency_id=await competency_id(), track_id=track
        ),
        CYCLE_DAY,
    )


async def meeting_row(meeting_id):
    from cycles.tables import CycleMeeting

    return await CycleMeeting.select().where(CycleMeeting.id == meeting_id).first()


async def test_a_stage_planning_is_signed_once_it_has_two_development_objectives(team):
    """SPEC 3.1: the stage planning meeting sets at least two development objectives; the
    dossier of a stage shows its plan (the proposed functioning meetings)."""
    from cycles.tables import EvaluationCycle

    await EvaluationCycle.update({EvaluationCycle.kind: "probation"}).where(
        EvaluationCycle.id == team["sam_2026"]
    )
    eva, sam = team["eva"], team["sam"]
    meeting = await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput("planning", dt.date(2026, 1, 20), "The stage's plan."),
        CYCLE_DAY,
    )
    await development(team)
    with pytest.raises(Refused, match="at least 2 development objectives"):
        await dossier_service.sign_report(actor(sam), sam, meeting, 1, CYCLE_DAY)
    await development(team, title="Chair a selection board")
    assert (
        await dossier_service.sign_report(actor(sam), sam, meeting, 1, CYCLE_DAY) == "staff_signed"
    )


async def test_planning_is_signed_by_both_then_read_only(team):
    eva, sam = team["eva"], team["sam"]
    meeting = await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput(
            "planning", dt.date(2026, 2, 2), "We agreed on two objectives."
        ),
        CYCLE_DAY,
    )
    # Without a development objective the planning report cannot be signed.
    with pytest.raises(Refused, match="development objective"):
        await dossier_service.sign_report(actor(sam), sam, meeting, 1, CYCLE_DAY)
    await development(team)
    await dossier_service.add_remarks(actor(sam), sam, meeting, "Fine by me.", 1, CYCLE_DAY)
    assert (
        await dossier_service.sign_report(actor(sam), sam, meeting, 2, CYCLE_DAY) == "staff_signed"
    )
    # Signing twice is refused.
    with pytest.raises(TransitionRefused):
        await dossier_service.sign_report(actor(sam), sam, meeting, 3, CYCLE_DAY)
    assert await dossier_service.sign_report(actor(eva), eva, meeting, 3, CYCLE_DAY) == "signed"
    # Editing after both signed is refused, and the attempt is in the audit log.
    with pytest.raises(TransitionRefused):
        await dossier_service.edit_report(
            actor(eva), eva, meeting, "changed afterwards", 4, CYCLE_DAY
        )
    row = await meeting_row(meeting)
    assert row["report"] == "We agreed on two objectives."
    assert row["staff_remarks"] == "Fine by me."
    assert row["staff_signed_by"] == sam.email and row["evaluator_signed_by"] == eva.email
    from core.tables import AuditEntry

    denied = await AuditEntry.select().where(
        (AuditEntry.action == "report_edit") & (AuditEntry.outcome == "denied")
    )
    assert len(denied) == 1 and denied[0]["actor_email"] == eva.email


async def test_a_stale_page_cannot_sign_over_a_change(team):
    eva, sam = team["eva"], team["sam"]
    meeting = await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput("feedback", dt.date(2026, 3, 2)),
        CYCLE_DAY,
    )
    await dossier_service.edit_report(actor(eva), eva, meeting, "version two", 1, CYCLE_DAY)
    # Sam's page still shows revision 1: the signature would be on a text he has not read.
    with pytest.raises(TransitionRefused):
        await dossier_service.sign_report(actor(sam), sam, meeting, 1, CYCLE_DAY)
    assert (await meeting_row(meeting))["state"] == "draft"


async def test_meetings_respect_the_regimes_minimum_gap(team):
    eva = team["eva"]
    await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput("planning", dt.date(2026, 2, 2)),
        CYCLE_DAY,
    )
    with pytest.raises(Refused, match="20 working days"):
        await dossier_service.add_meeting(
            actor(eva),
            eva,
            team["sam_2026"],
            dossier_service.MeetingInput("feedback", dt.date(2026, 2, 16)),
            CYCLE_DAY,
        )
    # 2 February to 2 March: 20 working days later.
    await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput("feedback", dt.date(2026, 3, 2)),
        CYCLE_DAY,
    )


async def test_an_eleventh_objective_is_refused(team):
    eva = team["eva"]
    for number in range(10):
        await objective_service.add_objective(
            actor(eva),
            eva,
            team["sam_2026"],
            objective_service.ObjectiveInput(kind="performance", title=f"Objective {number + 1}"),
            CYCLE_DAY,
        )
    with pytest.raises(Refused, match="at most 10"):
        await development(team, title="The eleventh")
    from cycles.tables import CycleObjective

    assert await CycleObjective.count() == 10


async def test_a_development_objective_names_a_competency(team):
    eva = team["eva"]
    with pytest.raises(Refused, match="competency"):
        await objective_service.add_objective(
            actor(eva),
            eva,
            team["sam_2026"],
            objective_service.ObjectiveInput(kind="development", title="Something"),
            CYCLE_DAY,
        )


async def test_staff_records_progress_but_does_not_plan(team):
    sam = team["sam"]
    objective = await development(team)
    with pytest.raises(Refused, match="first evaluator"):
        await objective_service.add_objective(
            actor(sam),
            sam,
            team["sam_2026"],
            objective_service.ObjectiveInput(kind="performance", title="My own"),
            CYCLE_DAY,
        )
    await objective_service.record_progress(
        actor(sam), sam, objective, 40, "Half-way", 1, CYCLE_DAY
    )
    from cycles.tables import CycleObjective, ObjectiveProgress

    assert (await CycleObjective.select().first())["progress"] == 40
    assert [row["comment"] for row in await ObjectiveProgress.select()] == ["Half-way"]
    with pytest.raises(Refused, match="0 to 100"):
        await objective_service.record_progress(actor(sam), sam, objective, 140, "", 2, CYCLE_DAY)


async def test_an_objective_closes_and_carries_into_the_next_cycle(team):
    eva = team["eva"]
    objective = await development(team)
    with pytest.raises(Refused, match="final progress note"):
        await objective_service.decide_objective(
            actor(eva), eva, objective, ObjectiveAction.CARRY, "", 1, CYCLE_DAY
        )
    new_id = await objective_service.decide_objective(
        actor(eva), eva, objective, ObjectiveAction.CARRY, "Continues next year", 1, CYCLE_DAY
    )
    from cycles.tables import CycleObjective

    rows = {row["id"]: row for row in await CycleObjective.select()}
    assert rows[objective]["state"] == "carried"
    assert rows[objective]["closing_note"] == "Continues next year"
    assert rows[new_id]["cycle"] == team["sam_2027"] and rows[new_id]["carried_from"] == objective


async def test_evaluations_late_and_closed(team):
    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    # Not before the cycle's last month.
    with pytest.raises(Refused, match="open on 1 Dec 2026"):
        await dossier_service.submit_evaluation(actor(sam), sam, cycle, "self", "x", "", CYCLE_DAY)
    assert not await dossier_service.submit_evaluation(
        actor(sam), sam, cycle, "self", "I did well.", "", dt.date(2027, 3, 1)
    )
    # The second evaluator writes after the first.
    with pytest.raises(Refused, match="after the first"):
        await dossier_service.submit_evaluation(
            actor(lucie), lucie, cycle, "second", "ok", "", dt.date(2027, 3, 20)
        )
    # Past 15 March the first evaluation is late but accepted.
    assert await dossier_service.submit_evaluation(
        actor(eva), eva, cycle, "first", "Good year.", "", dt.date(2027, 3, 20)
    )
    with pytest.raises(Refused, match="rating"):
        await dossier_service.submit_evaluation(
            actor(lucie), lucie, cycle, "second", "ok", "excellent", dt.date(2027, 3, 25)
        )
    assert not await dossier_service.submit_evaluation(
        actor(lucie), lucie, cycle, "second", "Agreed.", "", dt.date(2027, 3, 25)
    )
    # A second submission of the same evaluation is refused.
    with pytest.raises(TransitionRefused):
        await dossier_service.submit_evaluation(
            actor(eva), eva, cycle, "first", "Again", "", dt.date(2027, 3, 26)
        )
    # After 30 June everything is read-only.
    with pytest.raises(Refused, match="closed on 30 Jun 2027"):
        await dossier_service.add_meeting(
            actor(eva),
            eva,
            cycle,
            dossier_service.MeetingInput("feedback", dt.date(2027, 6, 1)),
            dt.date(2027, 7, 1),
        )
    from cycles.tables import CycleEvaluation

    rows = {row["kind"]: row for row in await CycleEvaluation.select()}
    assert {kind: row["late"] for kind, row in rows.items()} == {
        "self": False,
        "first": True,
        "second": False,
    }


async def test_editing_after_30_june_is_refused(team):
    eva = team["eva"]
    objective = await development(team)
    with pytest.raises(Refused, match="closed on 30 Jun 2027"):
        await objective_service.record_progress(
            actor(eva), eva, objective, 100, "done", 1, dt.date(2027, 7, 1)
        )


async def test_a_rating_only_on_the_regimes_scale_and_not_on_a_self_evaluation(team):
    sam = team["sam"]
    with pytest.raises(Refused, match="rating"):
        await dossier_service.submit_evaluation(
            actor(sam), sam, team["sam_2026"], "self", "x", "insufficient", dt.date(2027, 3, 1)
        )


async def test_no_annual_evaluation_under_63_days_of_performance(team):
    from cycles.tables import EvaluationCycle

    await EvaluationCycle.update({EvaluationCycle.absent_days: 200}).where(
        EvaluationCycle.id == team["sam_2026"]
    )
    eva = team["eva"]
    with pytest.raises(Refused, match="63 days"):
        await dossier_service.submit_evaluation(
            actor(eva), eva, team["sam_2026"], "first", "x", "", dt.date(2027, 3, 1)
        )


@pytest.mark.parametrize("who", ["hr", "dgro", "fin_hr", "lucie_on_marc", "eva_on_marc"])
async def test_nobody_outside_the_dossier_reads_or_writes_it(team, who):
    target = "marc_2026" if who.endswith("_on_marc") else "sam_2026"
    reader = team[who.split("_on_")[0]]
    with pytest.raises(NotFound):
        await dossier_service.add_meeting(
            actor(reader),
            reader,
            team[target],
            dossier_service.MeetingInput("feedback", dt.date(2026, 3, 2)),
            CYCLE_DAY,
        )
    with pytest.raises(NotFound):
        await objective_service.add_objective(
            actor(reader),
            reader,
            team[target],
            objective_service.ObjectiveInput(kind="performance", title="Intrusion"),
            CYCLE_DAY,
        )


async def test_a_valid_certificate_of_the_linked_track_achieves_the_objective(team):
    from certification.tables import Certificate, Track
    from cycles import queries

    track = await Track.select(Track.id).where(Track.code == "AZ").first()
    objective = await development(team, track=track["id"])
    cycle = await queries.cycle_context(team["sam_2026"])
    [row] = (await dossier_queries.dossier(cycle, CYCLE_DAY)).objectives
    assert row.shown_state == "open"
    await Certificate.insert(
        Certificate(
            staff=team["ids"]["staff@bosa.demo.portal.be"],
            track=track["id"],
            obtained_on=dt.date(2026, 4, 20),
            status="pending",
        )
    )
    [row] = (await dossier_queries.dossier(cycle, CYCLE_DAY)).objectives
    assert row.shown_state == "open"  # pending is not valid yet
    await Certificate.update({Certificate.status: "valid"}).where(Certificate.track == track["id"])
    [row] = (await dossier_queries.dossier(cycle, CYCLE_DAY)).objectives
    assert row.id == objective and row.shown_state == "achieved"
    assert row.completed_by.track_code == "AZ"


# --- Through the web: the pages and the server-side refusals --------------------------


async def test_hr_never_opens_a_running_dossier_and_an_outsider_gets_404(client, users, team):
    await development(team, title="Private development plan")
    for name in ("hr_bosa", "dgro", "partner_bosa"):
        client.cookies.clear()
        await login(client, users[name])
        response = await client.get(f"/cycles/{team['sam_2026']}")
        assert response.status_code == 404, name
        assert "Private development plan" not in response.text


async def test_the_staff_member_reads_and_signs_through_the_page(client, users, team):
    client.headers["Accept-Language"] = "en"
    eva = team["eva"]
    meeting = await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput("planning", dt.date(2026, 2, 2), "Planning notes"),
        CYCLE_DAY,
    )
    await development(team, title="Grow as an assessor")
    await login(client, users["staff_bosa"])
    page = await client.get(f"/cycles/{team['sam_2026']}")
    assert page.status_code == 200
    assert "Grow as an assessor" in page.text and "Planning notes" in page.text
    token = await csrf_token(client, f"/cycles/{team['sam_2026']}")
    # A signature is final: without its "I have read the report" box it is refused, in
    # the page (400, the box marked), and nothing is signed.
    unticked = await client.post(
        f"/cycles/{team['sam_2026']}/meetings/{meeting}/sign",
        data={"revision": "1", "_csrf_token": token},
    )
    assert unticked.status_code == 400
    assert "I have read the report and sign it" in unticked.text
    assert 'name="final" value="yes" required aria-invalid="true"' in unticked.text
    assert (await meeting_row(meeting))["state"] == "draft"
    signed = await client.post(
        f"/cycles/{team['sam_2026']}/meetings/{meeting}/sign",
        data={"revision": "1", "final": "yes", "_csrf_token": token},
    )
    assert signed.status_code == 303
    assert (await meeting_row(meeting))["state"] == "staff_signed"
    again = await client.post(
        f"/cycles/{team['sam_2026']}/meetings/{meeting}/sign",
        data={"revision": "1", "final": "yes", "_csrf_token": token},
    )
    assert again.status_code == 409
    # The staff member cannot plan objectives, even by posting the form directly.
    refused = await client.post(
        f"/cycles/{team['sam_2026']}/objectives",
        data={"kind": "performance", "title": "Mine", "_csrf_token": token},
    )
    assert refused.status_code == 400
    assert "first evaluator" in refused.text


async def test_an_evaluation_is_submitted_only_as_final(client, users, team):
    """Submitting an evaluation cannot be undone: its form asks "I submit this evaluation
    as final" (a second step without JavaScript); unticked, the page answers 400 with the
    message and the typed text kept, and nothing is submitted."""
    from cycles.tables import CycleEvaluation

    client.headers["Accept-Language"] = "en"
    await login(client, users["staff_bosa"])
    cycle = team["sam_2026"]
    token = await csrf_token(client, f"/cycles/{cycle}")
    text = "My year: three assessment centres led."
    unticked = await client.post(
        f"/cycles/{cycle}/evaluations/self", data={"text": text, "_csrf_token": token}
    )
    assert unticked.status_code == 400
    assert "I submit this evaluation as final" in unticked.text
    assert text in unticked.text  # what was typed is kept
    assert await CycleEvaluation.count().where(CycleEvaluation.cycle == cycle) == 0
    submitted = await client.post(
        f"/cycles/{cycle}/evaluations/self",
        data={"text": text, "final": "yes", "_csrf_token": token},
    )
    assert submitted.status_code == 303
    assert await CycleEvaluation.count().where(CycleEvaluation.cycle == cycle) == 1


async def test_the_evaluator_plans_inline_with_htmx(client, users, team):
    client.headers["Accept-Language"] = "en"
    await login(client, users["evaluator_bosa"])
    token = await csrf_token(client, f"/cycles/{team['sam_2026']}")
    response = await client.post(
        f"/cycles/{team['sam_2026']}/objectives",
        data={
            "kind": "development",
            "title": "Lead a selection",
            "competency": str(await competency_id()),
            "_csrf_token": token,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="objectives"')
    assert "Lead a selection" in response.text
    bad = await client.post(
        f"/cycles/{team['sam_2026']}/objectives",
        data={"kind": "development", "title": "No competency", "_csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 400 and "names a competency" in bad.text
    team_page = await client.get("/team")
    assert team_page.status_code == 200 and "Sam Staff" in team_page.text
    # Marc is not in Eva's team: his dossier does not exist for her.
    assert (await client.get(f"/cycles/{team['marc_2026']}")).status_code == 404


async def test_my_dossier_leads_to_the_running_cycle(client, users, team):
    await login(client, users["staff_bosa"])
    response = await client.get("/my/dossier")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/cycles/")


# --- Reminders 7 days before each deadline, through the outbox, never twice -----------


def in_dutch(day: dt.date) -> str:
    """A date as the (Dutch-speaking) recipients of the reminders read it."""
    from core.i18n import current_language, format_day, set_language

    before = current_language()
    set_language("nl")
    try:
        return format_day(day)
    finally:
        set_language(before)


async def test_reminders_go_seven_days_before_each_deadline_once(team):
    from aiosmtpd.controller import Controller

    from core.mail import mail_sender
    from cycles.reminders import send_cycle_reminders
    from tests.certification.test_reminders import Inbox, free_port, settings_for

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        send = mail_sender(settings_for(controller))
        # 7 March 2027: 8 days before 15 March, nothing yet.
        assert (await send_cycle_reminders(dt.date(2027, 3, 7), send)).queued == 0
        # 8 March: every staff member's self-evaluation, and Eva for Sam's first evaluation
        # (Marc and Tom have no evaluator: only their own reminder).
        first = await send_cycle_reminders(dt.date(2027, 3, 8), send)
        assert first.queued == 6 and not first.failed
        subjects = sorted((m["To"], m["Subject"]) for m in inbox.messages)
        assert [to for to, _ in subjects] == [
            "evaluator@bosa.demo.portal.be",
            "evaluator@bosa.demo.portal.be",
            "lucie@bosa.demo.portal.be",
            "marc@bosa.demo.portal.be",
            "staff@bosa.demo.portal.be",
            "tom@fin.demo.portal.be",
        ]
        assert all(in_dutch(dt.date(2027, 3, 15)) in subject for _, subject in subjects)
        inbox.messages.sort(key=lambda m: m["To"] != "staff@bosa.demo.portal.be")
        body = inbox.messages[0].get_payload(decode=True).decode()
        assert in_dutch(dt.date(2027, 3, 15)) in body and "Sam Staff" in body
        # Again the same day and the next: nothing more.
        assert (await send_cycle_reminders(dt.date(2027, 3, 8), send)).queued == 0
        assert (await send_cycle_reminders(dt.date(2027, 3, 9), send)).queued == 0
        # Eva submits hers; on 24 March only the second evaluator (Lucie) is reminded.
        eva = team["eva"]
        await dossier_service.submit_evaluation(
            actor(eva), eva, team["sam_2026"], "first", "Good.", "", dt.date(2027, 3, 10)
        )
        second = await send_cycle_reminders(dt.date(2027, 3, 24), send)
        assert second.queued == 1
        assert inbox.messages[-1]["To"] == "lucie@bosa.demo.portal.be"
        assert in_dutch(dt.date(2027, 3, 31)) in inbox.messages[-1]["Subject"]
        assert len(inbox.messages) == 7
    finally:
        controller.stop()


# --- No query per row ----------------------------------------------------------------


async def grow_team(team, n: int, prefix: str) -> None:
    """`n` more staff evaluated by Eva, each with a 2026 cycle holding two objectives
    with a progress update each (bulk inserts, as a set-up)."""
    from cycles.tables import CycleObjective, EvaluatorAssignment, ObjectiveProgress
    from organisations.tables import StaffMember

    rows = await StaffMember.insert(
        *[
            StaffMember(
                organisation=team["orgs"]["BOSA"],
                email=f"{prefix}{i}@bosa.be",
                first_name=f"F{i}",
                last_name=f"L{i}",
                language_role="NL",
                start_date=dt.date(2020, 1, 1),
            )
            for i in range(n)
        ]
    ).returning(StaffMember.id)
    ids = [row["id"] for row in rows]
    await EvaluatorAssignment.insert(
        *[
            EvaluatorAssignment(
                staff=staff,
                role="first",
                evaluator=team["ids"]["evaluator@bosa.demo.portal.be"],
                from_on=dt.date(2020, 1, 1),
            )
            for staff in ids
        ]
    )
    await service.generate(Actor.command_line("test"), dt.date(2026, 12, 31), staff_ids=ids)
    from cycles.tables import EvaluationCycle

    cycles = await EvaluationCycle.select(EvaluationCycle.id).where(
        EvaluationCycle.staff.is_in(ids) & (EvaluationCycle.starts_on == dt.date(2026, 1, 1))
    )
    objectives = await CycleObjective.insert(
        *[
            CycleObjective(cycle=cycle["id"], kind=kind, title=f"{kind} {cycle['id']}")
            for cycle in cycles
            for kind in ("performance", "development")
        ]
    ).returning(CycleObjective.id)
    await ObjectiveProgress.insert(
        *[
            ObjectiveProgress(
                objective=o["id"],
                recorded_by="x",
                percent=10,
                recorded_at=dt.datetime.now(dt.UTC),
            )
            for o in objectives
        ]
    )


async def test_the_team_and_dossier_pages_ask_the_same_whatever_their_size(
    client, users, team, queries
):
    await login(client, users["evaluator_bosa"])
    await client.get("/")  # the login's welcome message is shown (and the session written)

    async def counts() -> dict[str, int]:
        found = {}
        for path in ("/team", f"/cycles/{team['sam_2026']}"):
            before = len(queries)
            response = await client.get(path)
            assert response.status_code == 200, path
            found[path] = len(queries) - before
        return found

    await development(team)
    await grow_team(team, 2, "a")
    few = await counts()
    for number in range(8):
        await objective_service.add_objective(
            actor(team["eva"]),
            team["eva"],
            team["sam_2026"],
            objective_service.ObjectiveInput(kind="performance", title=f"More {number}"),
            CYCLE_DAY,
        )
    await grow_team(team, 25, "b")
    many = await counts()
    assert few == many


async def test_the_dossier_of_a_stage_shows_its_plan(client, users, team):
    from cycles.tables import EvaluationCycle

    await EvaluationCycle.update({EvaluationCycle.kind: "probation"}).where(
        EvaluationCycle.id == team["sam_2026"]
    )
    client.headers["Accept-Language"] = "en"
    await login(client, users["staff_bosa"])
    page = (await client.get(f"/cycles/{team['sam_2026']}")).text
    assert "The stage planning meeting by 31 Jan 2026" in page
    # A quarter, a half and three quarters of 2026: working days all three.
    assert "proposed days: 2 Apr 2026, 2 Jul 2026, 1 Oct 2026" in page
    annual = (await client.get(f"/cycles/{team['sam_2027']}")).text
    assert "The stage planning meeting" not in annual


async def test_a_functioning_meeting_of_a_stage_closes_with_a_mention(client, users, team):
    """SPEC 3.1: each functioning meeting of a stage closes with a mention; its report is
    not signed without one; an unknown mention is refused."""
    from cycles.tables import CycleMeeting, EvaluationCycle

    await EvaluationCycle.update({EvaluationCycle.kind: "probation"}).where(
        EvaluationCycle.id == team["sam_2026"]
    )
    eva, sam = team["eva"], team["sam"]
    meeting = await dossier_service.add_meeting(
        actor(eva),
        eva,
        team["sam_2026"],
        dossier_service.MeetingInput("functioning", dt.date(2026, 4, 2), "First quarter."),
        CYCLE_DAY,
    )
    with pytest.raises(Refused, match="gives the mention"):
        await dossier_service.sign_report(actor(eva), eva, meeting, 1, CYCLE_DAY)
    with pytest.raises(Refused, match="mentions in the list"):
        await dossier_service.edit_report(
            actor(eva), eva, meeting, "First quarter.", 1, CYCLE_DAY, mention="brilliant"
        )
    # Through the page, as the evaluator types it.
    client.headers["Accept-Language"] = "en"
    await login(client, users["evaluator_bosa"])
    page = (await client.get(f"/cycles/{team['sam_2026']}")).text
    assert f'id="mention-{meeting}"' in page and "meets expectations" in page
    token = await csrf_token(client, f"/cycles/{team['sam_2026']}")
    saved = await client.post(
        f"/cycles/{team['sam_2026']}/meetings/{meeting}/report",
        data={"report": "First quarter: on track.", "mention": "meets_expectations",
              "revision": "1", "_csrf_token": token},
    )  # fmt: skip
    assert saved.status_code == 303
    row = await CycleMeeting.select(CycleMeeting.mention).where(CycleMeeting.id == meeting).first()
    assert row["mention"] == "meets_expectations"
    assert (
        await dossier_service.sign_report(actor(sam), sam, meeting, 2, CYCLE_DAY) == "staff_signed"
    )
    # An annual cycle's functioning meeting has no mention.
    annual = (await client.get(f"/cycles/{team['sam_2027']}")).text
    assert 'name="mention"' not in annual


async def test_a_final_insufficient_starts_an_early_cycle_and_tells_hr(team, users):
    """SPEC 3.2: the insufficient is final once the last evaluation is in; an `early`
    cycle of the regime's six months starts the next day, the running annual cycle ends
    before it, annual cycles resume after it, and HR gets a mail (name and dates only)."""
    from core.tables import OutboxMessage
    from cycles.tables import EvaluationCycle

    eva, lucie = team["eva"], team["lucie"]
    today = dt.date(2027, 2, 15)
    await dossier_service.submit_evaluation(
        actor(eva), eva, team["sam_2026"], "first", "Below what the function asks.",
        "insufficient", today,
    )  # fmt: skip
    kinds = {row["kind"] for row in await EvaluationCycle.select(EvaluationCycle.kind)}
    assert "early" not in kinds  # the second evaluator has not evaluated yet
    await dossier_service.submit_evaluation(
        actor(lucie), lucie, team["sam_2026"], "second", "I agree.", "", today
    )
    sam = (
        await EvaluationCycle.select(
            EvaluationCycle.kind, EvaluationCycle.starts_on, EvaluationCycle.ends_on
        )
        .where(EvaluationCycle.staff == team["sam"].staff_id)
        .order_by(EvaluationCycle.starts_on)
    )
    after_2026 = [
        (r["kind"], r["starts_on"], r["ends_on"]) for r in sam if r["starts_on"].year >= 2027
    ]
    assert after_2026[:3] == [
        ("annual", dt.date(2027, 1, 1), dt.date(2027, 2, 15)),
        ("early", dt.date(2027, 2, 16), dt.date(2027, 8, 15)),
        ("annual", dt.date(2027, 8, 16), dt.date(2028, 12, 31)),
    ]
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "final_insufficient")
    assert [m["recipient"] for m in mails] == [users["hr_bosa"].email]
    # The same insufficient never starts a second early cycle (nor a second mail).
    from cycles.queries import cycle_context

    await dossier_service._after_an_evaluation(
        actor(lucie), await cycle_context(team["sam_2026"]), dt.date(2027, 3, 1)
    )
    assert await EvaluationCycle.count().where(EvaluationCycle.kind == "early") == 1
    assert await OutboxMessage.count().where(OutboxMessage.kind == "final_insufficient") == 1
    assert "16" in mails[0]["body"] and "Below what the function asks" not in mails[0]["body"]


async def test_the_first_evaluator_writes_the_improvement_plan_of_the_early_cycle(
    client, users, team
):
    """SPEC 3.2: the plan (actions, support, follow-up) of the early cycle; the staff
    member reads it, HR sees only that it exists; no plan on an annual cycle."""
    from cycles.tables import EvaluationCycle

    start = dt.date.today() - dt.timedelta(days=10)
    [early] = await EvaluationCycle.insert(
        EvaluationCycle(staff=team["sam"].staff_id, starts_on=start,
                        ends_on=start + dt.timedelta(days=180), kind="early")
    ).returning(EvaluationCycle.id)  # fmt: skip
    early_id = early["id"]
    # The cycles follow it, as when an insufficient started it.
    await service.generate(Actor.command_line("test"), dt.date(2027, 12, 31))
    client.headers["Accept-Language"] = "en"
    await login(client, users["evaluator_bosa"])
    token = await csrf_token(client, f"/cycles/{early_id}")
    path = f"/cycles/{early_id}/improvement-plan"
    empty = await client.post(path, data={"support": "A mentor", "revision": "0",
                                          "_csrf_token": token})  # fmt: skip
    assert empty.status_code == 400 and "Write the actions of the plan." in empty.text
    assert "A mentor" in empty.text  # what was typed is kept
    saved = await client.post(path, data={"actions": "Lead two interviews with a mentor.",
                                          "support": "A mentor", "revision": "0",
                                          "_csrf_token": token})  # fmt: skip
    assert saved.status_code == 303
    stale = await client.post(path, data={"actions": "Other", "revision": "0",
                                          "_csrf_token": token})  # fmt: skip
    assert stale.status_code == 409
    annual = await client.post(f"/cycles/{team['sam_2026']}/improvement-plan",
                               data={"actions": "x", "revision": "0", "_csrf_token": token})  # fmt: skip
    assert annual.status_code == 400 and "early evaluation cycle" in annual.text
    await logout(client)
    await login(client, users["staff_bosa"])
    mine = (await client.get(f"/cycles/{early_id}")).text
    assert "Lead two interviews with a mentor." in mine and 'name="actions"' not in mine
    await logout(client)
    await login(client, users["hr_bosa"])
    status = (await client.get("/organisations/BOSA/cycles")).text
    assert "Improvement plan" in status and "Lead two interviews" not in status


async def test_a_stage_s_final_report_is_due_30_days_after_its_end(team):
    """SPEC 3.2: the final report of a stage within 30 calendar days of the final
    evaluation; past that the task is late (the regime's March deadlines are not a
    stage's)."""
    from cycles.queries import cycle_context, evaluation_tasks
    from cycles.tables import EvaluationCycle

    await EvaluationCycle.update({EvaluationCycle.kind: "probation"}).where(
        EvaluationCycle.id == team["sam_2026"]
    )
    cycle = await cycle_context(team["sam_2026"])
    assert cycle.deadline_of("first") == dt.date(2027, 1, 30)  # 31 December + 30 days
    on_time = {t.kind: t for t in evaluation_tasks(cycle, {}, dt.date(2027, 1, 30))}
    late = {t.kind: t for t in evaluation_tasks(cycle, {}, dt.date(2027, 1, 31))}
    assert (on_time["first"].status, late["first"].status) == ("due", "late")
