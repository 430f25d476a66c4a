"""Notices of the dossier's events (issue 22): each event tells the other side of the
dossier exactly once (an in-app notice, and a mail at once, in a daily digest or not, as
each person chose in My account), never the person who caused it, nor HR, another
evaluator or another organisation; mails carry titles and dates, never what a report or
an evaluation says; the mails reach a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email

import pytest
from aiosmtpd.controller import Controller

from accounts.service import send_notice_digests
from accounts.tables import User
from core.audit import Actor
from core.mail import mail_sender
from core.outbox import deliver_due
from core.tables import AuditEntry, Notice, OutboxMessage
from cycles.dossier import service as dossier_service
from cycles.hr import service as hr_service
from cycles.lifecycle import ObjectiveAction
from cycles.objectives import service as objective_service
from tests.certification.test_reminders import Inbox, free_port, settings_for
from tests.conftest import csrf_token, login
from tests.cycles.test_cycles_dossier import CYCLE_DAY, actor, team
from tests.helpers import logout, post

__all__ = ["team"]

EVALUATION_DAY = dt.date(2027, 2, 15)  # the 2026 cycle's evaluations are open
SECRET_REPORT = "Strong planning; the March selection slipped."
SECRET_EVALUATION = "Meets the expectations on every point."


@pytest.fixture
async def people(team, users):
    """Account ids by name; Lucie (second evaluator) gets an account of her own."""
    lucie = team["ids"]["lucie@bosa.demo.portal.be"]
    bosa = team["orgs"]["BOSA"]
    await User.insert(
        User(
            email="lucie@bosa.demo.portal.be",
            full_name="Lucie Dubois",
            password_hash="x",
            roles="evaluator,staff",
            organisation=bosa,
            staff_member=lucie,
            preferred_language="fr",
        )
    )
    ids = {row["email"]: row["id"] for row in await User.select(User.id, User.email)}
    return {
        "sam": ids["staff@bosa.demo.portal.be"],
        "eva": ids["evaluator@bosa.demo.portal.be"],
        "lucie": ids["lucie@bosa.demo.portal.be"],
        "hr": ids["hr@bosa.demo.portal.be"],
        "dgro": ids["dgro@demo.portal.be"],
        "fin": ids["partner@fin.demo.portal.be"],
    }


async def told() -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for row in await Notice.select(Notice.kind, Notice.recipient).where(
        Notice.audience == "person"
    ):
        key = (row["kind"], row["recipient"])
        counts[key] = counts.get(key, 0) + 1
    return counts


async def mailed() -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for row in await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.recipient):
        key = (row["kind"], row["recipient"])
        counts[key] = counts.get(key, 0) + 1
    return counts


async def test_every_event_tells_the_other_side_once(team, people):
    sam, eva, lucie = team["sam"], team["eva"], team["lucie"]
    cycle = team["sam_2026"]
    meeting = await dossier_service.add_meeting(
        actor(eva), eva, cycle,
        dossier_service.MeetingInput("functioning", dt.date(2026, 5, 4), SECRET_REPORT), CYCLE_DAY,
    )  # fmt: skip
    objective = await objective_service.add_objective(
        actor(eva), eva, cycle,
        objective_service.ObjectiveInput(kind="performance", title="Run four selections"),
        CYCLE_DAY,
    )  # fmt: skip
    assert await dossier_service.sign_report(actor(eva), eva, meeting, 1, CYCLE_DAY) == (
        "evaluator_signed"
    )
    assert await dossier_service.sign_report(actor(sam), sam, meeting, 2, CYCLE_DAY) == "signed"
    await objective_service.decide_objective(
        actor(eva), eva, objective, ObjectiveAction.ACHIEVE, "", 1, CYCLE_DAY
    )
    for who, kind in ((sam, "self"), (eva, "first"), (lucie, "second")):
        await dossier_service.submit_evaluation(
            actor(who), who, cycle, kind, SECRET_EVALUATION, "", EVALUATION_DAY
        )
    expected = {
        ("meeting_planned", people["sam"]): 1,
        ("objective_set", people["sam"]): 1,
        ("report_to_sign", people["sam"]): 1,
        ("report_signed", people["eva"]): 1,
        ("objective_achieved", people["sam"]): 1,
        ("evaluation_submitted", people["eva"]): 1,
        ("evaluation_to_write", people["lucie"]): 1,
        ("evaluation_final", people["sam"]): 1,
    }
    assert await told() == expected
    # Everyone chose nothing yet: each notice is one mail at once, to its person.
    emails = {
        people["sam"]: "staff@bosa.demo.portal.be",
        people["eva"]: "evaluator@bosa.demo.portal.be",
        people["lucie"]: "lucie@bosa.demo.portal.be",
    }
    assert await mailed() == {(kind, emails[account]): n for (kind, account), n in expected.items()}
    # Nobody outside the dossier: not HR, not DG R&O, not another organisation, not Marc.
    outsiders = {people["hr"], people["dgro"], people["fin"]}
    assert not [key for key in await told() if key[1] in outsiders]
    # Titles and dates, never what a report or an evaluation says.
    bodies = [row["body"] for row in await OutboxMessage.select(OutboxMessage.body)]
    assert all(SECRET_REPORT not in body and SECRET_EVALUATION not in body for body in bodies)
    # Lucie reads French: her mail is in French, with the link to the exact place.
    [to_lucie] = await OutboxMessage.select().where(
        OutboxMessage.recipient == "lucie@bosa.demo.portal.be"
    )
    assert to_lucie["language"] == "fr" and "deuxième évaluation" in to_lucie["body"]
    assert f"/cycles/{cycle}#evaluations" in to_lucie["body"]


async def test_a_choice_of_digest_or_portal_only_and_nothing_mailed_twice(
    client, team, users, people
):
    client.headers["Accept-Language"] = "en"
    await login(client, users["staff_bosa"])
    page = await client.get("/account/notifications")
    assert page.status_code == 200 and "Meeting planned" in page.text
    refused = await post(client, "/account/notifications",
                         {"notice-meeting_planned": "digest", "notice-objective_set": "twice"})  # fmt: skip
    assert refused.status_code == 400
    assert "Choose at once, a daily digest or in the portal only." in refused.text
    assert (
        'id="notice-meeting_planned-digest" name="notice-meeting_planned" value="digest" checked'
        in refused.text
    )
    saved = await post(client, "/account/notifications",
                       {"notice-meeting_planned": "digest", "notice-objective_set": "app"})  # fmt: skip
    assert saved.status_code == 303
    assert await AuditEntry.count().where(AuditEntry.action == "notice_choices_saved") == 1

    eva, cycle = team["eva"], team["sam_2026"]
    for day in (dt.date(2026, 5, 4), dt.date(2026, 6, 8)):
        await dossier_service.add_meeting(
            actor(eva), eva, cycle, dossier_service.MeetingInput("feedback", day, ""), CYCLE_DAY
        )
    await objective_service.add_objective(
        actor(eva), eva, cycle,
        objective_service.ObjectiveInput(kind="performance", title="Plan the year"), CYCLE_DAY,
    )  # fmt: skip
    assert await told() == {("meeting_planned", people["sam"]): 2,
                            ("objective_set", people["sam"]): 1}  # fmt: skip
    assert await OutboxMessage.count() == 0  # a digest and "in the portal only"
    # The notices page shows all three, in the reader's language, with their links.
    notices_page = (await client.get("/notices")).text
    assert "is planned on 4 May 2026" in notices_page and "Plan the year" in notices_page
    assert f'href="/cycles/{cycle}#meetings"' in notices_page
    # The day's digest: one mail with both meetings; never the portal-only notice.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert await send_notice_digests(later) == 1
    [digest] = await OutboxMessage.select()
    assert digest["kind"] == "notice_digest" and digest["recipient"] == "staff@bosa.demo.portal.be"
    # In Sam's language (Dutch: his language role; he chose none), dates as he writes them.
    assert digest["language"] == "nl" and "gesprek" in digest["body"]
    assert "4 mei 2026" in digest["body"] and "8 jun 2026" in digest["body"]
    assert "Plan the year" not in digest["body"]
    assert await send_notice_digests(later) == 0  # nothing is mailed twice


async def test_the_evaluator_assigned_is_told_and_the_mail_reaches_smtp(team, people):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        bosa = team["orgs"]["BOSA"]
        marc = team["ids"]["marc@bosa.demo.portal.be"]
        await hr_service.assign_evaluator(
            Actor.command_line("hr"), bosa, marc, "first", "lucie@bosa.demo.portal.be",
            dt.date(2026, 5, 1),
        )  # fmt: skip
        assert await told() == {("evaluator_assigned", people["lucie"]): 1}
        sent, failed = await deliver_due(mail_sender(settings_for(controller)), "test")
        assert (sent, failed) == (1, 0)
        [message] = inbox.messages
        assert message["To"] == "lucie@bosa.demo.portal.be"
        text = email.message_from_string(message.as_string()).get_payload(decode=True)
        assert "Marc Lambert" in text.decode() and "premier évaluateur" in text.decode()
    finally:
        controller.stop()


async def test_a_notice_is_marked_read_by_its_person_only(client, team, users, people):
    eva, cycle = team["eva"], team["sam_2026"]
    await dossier_service.add_meeting(
        actor(eva), eva, cycle,
        dossier_service.MeetingInput("feedback", dt.date(2026, 5, 4), ""), CYCLE_DAY,
    )  # fmt: skip
    [notice] = await Notice.select(Notice.id).where(Notice.audience == "person")
    await login(client, users["evaluator_bosa"])
    token = await csrf_token(client, "/notices")
    other = await client.post(f"/notices/{notice['id']}/read", data={"_csrf_token": token})
    assert other.status_code == 404
    await logout(client)
    await login(client, users["staff_bosa"])
    token = await csrf_token(client, "/notices")
    mine = await client.post(f"/notices/{notice['id']}/read", data={"_csrf_token": token})
    assert mine.status_code == 303
    row = await Notice.select(Notice.read_at).where(Notice.id == notice["id"]).first()
    assert row["read_at"] is not None
