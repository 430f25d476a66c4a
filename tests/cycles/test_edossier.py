"""The e-dossier (SPEC 3.2) through the real pages: a closed cycle's final report and
signed meeting reports kept for the staff member and downloaded as PDF in their
language; HR reads a closed dossier only on a motivated request that is granted (at once
for a negative evaluation the dossier holds, otherwise by the organisation's legal
reviewer), for 30 days and its own account only; every grant, refusal and reading is in
the audit log."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from core.audit import Outcome
from core.tables import AuditEntry, OutboxMessage
from cycles import rules
from cycles.dossier import service as dossier_service
from cycles.tables import DossierRequest, EvaluationCycle
from tests import conftest
from tests.conftest import csrf_token, login
from tests.cycles.test_cycles_dossier import actor, team
from tests.helpers import logout

__all__ = ["team"]  # the dossier's fixture: Sam, evaluated first by Eva, second by Lucie

REQUESTS = "/organisations/BOSA/dossier-requests"
EVALUATION = "Below what the function asks in 2025: two selections unfinished."


@pytest.fixture
async def closed(team) -> int:
    """Sam's 2025 cycle (closed on 30 June 2026), evaluated insufficient by both."""
    sam = team["sam"].staff_id
    cycle = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where((EvaluationCycle.staff == sam) & (EvaluationCycle.starts_on == dt.date(2025, 1, 1)))
        .first()
    )["id"]
    day = dt.date(2026, 2, 16)
    eva, lucie = team["eva"], team["lucie"]
    await dossier_service.submit_evaluation(
        actor(eva), eva, cycle, "first", EVALUATION, "insufficient", day
    )
    await dossier_service.submit_evaluation(
        actor(lucie), lucie, cycle, "second", "Agreed.", "", day
    )
    return cycle


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def _ask(client, cycle: int, motive: str, reason: str = "The staff member appeals."):
    token = await csrf_token(client, REQUESTS)
    return await client.post(
        REQUESTS, data={"cycle": str(cycle), "motive": motive, "reason": reason,
                        "_csrf_token": token},
    )  # fmt: skip


async def _audit(action: str, outcome: Outcome = Outcome.OK) -> list[dict]:
    return await AuditEntry.select().where(
        (AuditEntry.action == action) & (AuditEntry.outcome == str(outcome))
    )


def test_a_grant_runs_30_days_and_a_motive_must_be_borne_out():
    granted_on = dt.date(2026, 12, 1)
    until = granted_on + dt.timedelta(days=rules.GRANT_DAYS)
    assert rules.grant_open("granted", until, dt.date(2026, 12, 31))
    assert not rules.grant_open("granted", until, dt.date(2027, 1, 1))
    assert not rules.grant_open("pending", None, granted_on)
    assert rules.granted_at_once("negative_evaluation", has_negative=True, has_plan=False)
    assert not rules.granted_at_once("other", has_negative=True, has_plan=True)
    assert rules.motive_problem("improvement_plan", True, False) == "no_plan"
    assert rules.motive_problem("negative_evaluation", False, True) == "no_negative"
    assert rules.motive_problem("curiosity", True, True) == "unknown"
    assert rules.motive_problem("other", False, False) is None


async def test_the_staff_member_keeps_the_closed_cycle_and_downloads_it(
    client, users, team, closed
):
    client.headers["Accept-Language"] = "en"
    await login(client, users["staff_bosa"])
    page = (await client.get("/my/e-dossier")).text
    assert f"/cycles/{closed}/report.pdf" in page and f"/cycles/{closed}/dossier.pdf" in page
    today = dt.date.today()
    running = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where(
            (EvaluationCycle.staff == team["sam"].staff_id)
            & (EvaluationCycle.starts_on <= today)
            & (EvaluationCycle.ends_on >= today)
        )
        .first()
    )["id"]
    assert f"/cycles/{running}/dossier.pdf" not in page  # the running cycle is not kept yet
    answer = await client.get(f"/cycles/{closed}/dossier.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert "attachment" in answer.headers["content-disposition"]
    text = pdf_text(answer.content)
    assert "Sam Staff" in text and "two selections unfinished" in text
    # In the staff member's language (Sam's language role is NL), whatever the reader's.
    assert "Evaluatiedossier van Sam Staff" in text and "Evaluation dossier" not in text
    report = await client.get(f"/cycles/{closed}/report.pdf")
    assert report.status_code == 200 and "two selections unfinished" in pdf_text(report.content)


async def test_no_pdf_of_a_report_that_is_not_final(client, users, team):
    client.headers["Accept-Language"] = "en"
    await login(client, users["staff_bosa"])
    answer = await client.get(f"/cycles/{team['sam_2026']}/report.pdf")
    assert answer.status_code == 404 and "not final" in answer.text


async def test_a_negative_evaluation_is_granted_at_once_and_each_reading_audited(
    client, users, closed
):
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    form = (await client.get(REQUESTS)).text
    assert f'value="{closed}"' in form  # the closed cycle is offered
    answer = await _ask(client, closed, "negative_evaluation")
    assert answer.status_code == 303
    [request] = await DossierRequest.select()
    assert request["state"] == "granted"
    assert request["valid_until"] == dt.date.today() + dt.timedelta(days=30)
    assert len(await _audit("dossier_request_granted")) == 1
    read = await client.get(f"{REQUESTS}/{request['id']}")
    assert read.status_code == 200 and EVALUATION in read.text
    pdf = await client.get(f"{REQUESTS}/{request['id']}/dossier.pdf")
    assert pdf.status_code == 200 and "two selections unfinished" in pdf_text(pdf.content)
    readings = await _audit("dossier_read")
    assert sorted(str(row["after"]).count("pdf") for row in readings) == [0, 1]
    # The grant is the requesting account's: the legal reviewer does not read through it.
    await logout(client)
    await login(client, users["legal_bosa"])
    assert (await client.get(f"{REQUESTS}/{request['id']}")).status_code == 404
    assert len(await _audit("dossier_read", Outcome.DENIED)) == 1


async def test_a_motive_the_dossier_does_not_bear_out_is_refused_at_its_field(
    client, users, closed
):
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    reason = "A plan was discussed, I believe."
    answer = await _ask(client, closed, "improvement_plan", reason)
    assert answer.status_code == 400
    assert "holds no improvement plan" in answer.text and reason in answer.text
    unmotivated = await _ask(client, closed, "other", "  ")
    assert unmotivated.status_code == 400 and "a request is motivated" in unmotivated.text
    assert await DossierRequest.count() == 0


async def test_another_motive_waits_for_the_legal_reviewer_who_decides_it(client, users, closed):
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    answer = await _ask(client, closed, "other", "A complaint about a selection in 2025.")
    assert answer.status_code == 303
    [request] = await DossierRequest.select()
    assert request["state"] == "pending"
    [mail] = await OutboxMessage.select().where(OutboxMessage.kind == "dossier_request")
    assert mail["recipient"] == users["legal_bosa"].email
    assert "complaint" not in mail["body"]  # the reason stays in the portal
    # Pending: nothing to read, and the try is audited.
    assert (await client.get(f"{REQUESTS}/{request['id']}")).status_code == 404
    assert len(await _audit("dossier_read", Outcome.DENIED)) == 1
    # A second request for the same dossier while one waits is refused.
    again = await _ask(client, closed, "other", "Again.")
    assert again.status_code == 400 and "waiting already" in again.text
    await logout(client)

    await login(client, users["legal_bosa"])
    page = (await client.get(REQUESTS)).text
    assert "A complaint about a selection in 2025." in page
    token = await csrf_token(client, REQUESTS)
    decide = f"{REQUESTS}/{request['id']}/decide"
    unreasoned = await client.post(
        decide, data={"decision": "grant", "note": "", "revision": "1", "_csrf_token": token}
    )
    assert unreasoned.status_code == 400 and "necessity and proportionality" in unreasoned.text
    note = "Necessary for the complaint; only this cycle."
    granted = await client.post(
        decide, data={"decision": "grant", "note": note, "revision": "1", "_csrf_token": token}
    )
    assert granted.status_code == 303
    # Decided once: a second decision on the old page is refused and audited.
    twice = await client.post(
        decide, data={"decision": "refuse", "note": note, "revision": "1", "_csrf_token": token}
    )
    assert twice.status_code == 409
    assert len(await _audit("dossier_request_refuse", Outcome.DENIED)) == 1
    await logout(client)

    await login(client, users["hr_bosa"])
    read = await client.get(f"{REQUESTS}/{request['id']}")
    assert read.status_code == 200 and EVALUATION in read.text
    row = await DossierRequest.select().where(DossierRequest.id == request["id"]).first()
    assert (row["state"], row["decision_note"]) == ("granted", note)


async def test_the_legal_reviewer_refuses_and_hr_reads_nothing(client, users, closed):
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    await _ask(client, closed, "other", "For the yearly statistics.")
    [request] = await DossierRequest.select()
    await logout(client)
    await login(client, users["legal_bosa"])
    token = await csrf_token(client, REQUESTS)
    refused = await client.post(
        f"{REQUESTS}/{request['id']}/decide",
        data={"decision": "refuse", "note": "Not necessary: statistics need no dossier.",
              "revision": "1", "_csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 303
    assert len(await _audit("dossier_request_refused")) == 1
    await logout(client)
    await login(client, users["hr_bosa"])
    assert (await client.get(f"{REQUESTS}/{request['id']}")).status_code == 404
    assert "Not necessary" in (await client.get(REQUESTS)).text  # HR sees why


@pytest.fixture
async def hr_fin(users) -> conftest.TestUser:
    """An HR account of another organisation (FIN)."""
    from accounts.service import hash_password
    from accounts.tables import User
    from organisations.tables import Organisation

    fin = await Organisation.select(Organisation.id).where(Organisation.code == "FIN").first()
    await User.insert(
        User(email="hr@fin.demo.portal.be", full_name="Hanne Hr", roles="hr",
             password_hash=hash_password("fin-hr-2026"), organisation=fin["id"])
    )  # fmt: skip
    return conftest.TestUser("hr@fin.demo.portal.be", "fin-hr-2026", "hr", "FIN")


@pytest.mark.parametrize("who", ["dgro", "hr_fin", "staff_bosa", "evaluator_bosa"])
async def test_only_hr_and_the_legal_reviewer_of_the_organisation_see_its_requests(
    client, users, hr_fin, closed, who
):
    client.headers["Accept-Language"] = "en"
    await login(client, hr_fin if who == "hr_fin" else users[who])
    answer = await client.get(REQUESTS)
    assert answer.status_code == 403
    assert 'name="motive"' not in answer.text and str(closed) not in re.findall(
        r'value="(\d+)"', answer.text
    )


async def test_hr_of_another_organisation_cannot_ask_for_this_dossier(client, hr_fin, closed):
    client.headers["Accept-Language"] = "en"
    await login(client, hr_fin)
    token = await csrf_token(client, "/organisations/FIN/dossier-requests")
    answer = await client.post(
        "/organisations/FIN/dossier-requests",
        data={"cycle": str(closed), "motive": "negative_evaluation", "reason": "Curious.",
              "_csrf_token": token},
    )  # fmt: skip
    assert answer.status_code == 400 and "closed cycle of your organisation" in answer.text
    assert await DossierRequest.count() == 0
