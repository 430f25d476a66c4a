"""The Q-check workflow: DG R&O records (form and API) with the checklist, edits with
history, the closed-year guard, the scope of who reads what, and the threshold watch."""

from __future__ import annotations

import datetime as dt

from core import versions
from core.audit import Actor
from core.tables import AuditEntry, Notice
from organisations.tables import Organisation
from portal.imports import ImportScope, import_file
from qchecks import service
from qchecks.tables import ClosedYear, Criterion, QCheck, QCheckCriterion
from tests.conftest import csrf_token, link_staff_records, login
from tests.helpers import EN, load, post

STAFF = """organisation_code,email,first_name,last_name,language_role,start_date,end_date
BOSA,staff@bosa.demo.portal.be,Sam,Staff,NL,2019-03-01,
BOSA,lucie@bosa.be,Lucie,Dubois,FR,2020-01-15,
BOSA,cy@bosa.be,Cy,Claes,NL,2020-01-01,
BOSA,di@bosa.be,Di,Martin,FR,2020-01-01,
FIN,ed@fin.be,Ed,Jacobs,NL,2020-01-01,
"""
CERTIFICATES = """email,track,obtained_on,status,valid_until
staff@bosa.demo.portal.be,AZ,2021-01-01,valid,
lucie@bosa.be,AZ,2021-01-01,valid,
cy@bosa.be,SELTEST,2021-01-01,valid,
di@bosa.be,SELTEST,2021-01-01,valid,
"""
LAST_MONTH = dt.date.today() - dt.timedelta(days=30)


async def base(users) -> None:
    await load("staff", STAFF)
    await load("certificates", CERTIFICATES)
    await link_staff_records()  # the consultant's account holds their staff record


def form(**values: str) -> dict[str, str]:
    fields = {
        "selection_reference": "SEL-1",
        "organisation_code": "BOSA",
        "consultant_email": "staff@bosa.demo.portal.be",
        "language_role": "NL",
        "closed_on": (LAST_MONTH - dt.timedelta(days=10)).isoformat(),
        "checked_on": LAST_MONTH.isoformat(),
        "score": "",
        "comment": "",
    }
    fields.update(values)
    return fields


def all_criteria(score: str) -> dict[str, str]:
    codes = ("PROFILE", "SCREENING", "TESTS", "INTERVIEW", "REPORT", "PROCEDURE")
    return {f"criterion_{code}_score": score for code in codes}


async def test_dgro_records_with_criteria_and_the_partner_and_consultant_read_it(client, users):
    await base(users)
    await login(client, users["dgro"])
    scores = {
        **all_criteria("90"),
        "criterion_INTERVIEW_score": "60",
        "criterion_INTERVIEW_comment": "Questions not linked to the competencies.",
    }
    answer = await post(client, "/qchecks", form(**scores, comment="Good file overall."))
    assert answer.status_code == 303, answer.text
    qcheck = await QCheck.select().first()
    # Weights 20/15/20/25/10/10: (75×90 + 25×60) / 100 = 82.50.
    assert qcheck["score_hundredths"] == 8250
    assert qcheck["checked_by"] == users["dgro"].email
    assert await QCheckCriterion.count() == 6
    assert answer.headers["location"] == f"/qchecks/{qcheck['id']}"
    entry = await AuditEntry.select().where(AuditEntry.action == "qcheck_recorded").first()
    assert entry["record_key"] == "SEL-1"

    page = f"/qchecks/{qcheck['id']}"
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["partner_bosa"])
    html = (await client.get(page, headers=EN)).text
    assert "82.50" in html and "Questions not linked to the competencies." in html
    assert "Good file overall." in html
    listing = await client.get("/organisations/BOSA/qchecks", headers=EN)
    assert "SEL-1" in listing.text

    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["staff_bosa"])  # the consultant of the file
    assert (await client.get(page, headers=EN)).status_code == 200
    assert "SEL-1" in (await client.get("/my/qchecks", headers=EN)).text


async def test_nobody_sees_another_organisations_qcheck(client, users):
    await base(users)
    await service.record_qcheck(
        Actor(email="dgro@demo.portal.be", roles="dgro"),
        (await _input(score="85")),
        dt.date.today(),
    )
    qcheck_id = (await QCheck.select(QCheck.id).first())["id"]
    await login(client, users["partner_fin"])
    assert (await client.get(f"/qchecks/{qcheck_id}", headers=EN)).status_code == 404
    assert (await client.get(f"/api/v1/qchecks/{qcheck_id}", headers=EN)).status_code == 404
    assert (await client.get("/organisations/BOSA/qchecks", headers=EN)).status_code == 403
    assert "SEL-1" not in (await client.get("/organisations/FIN/qchecks", headers=EN)).text
    assert (await client.get("/qchecks", headers=EN)).status_code == 403
    token = await csrf_token(client, "/")
    edit = await client.post(
        f"/qchecks/{qcheck_id}/edit",
        data={**form(score="10"), "revision": "1", "_csrf_token": token},
    )
    assert edit.status_code == 403
    assert (await QCheck.select(QCheck.score_hundredths).first())["score_hundredths"] == 8500


async def _input(**values: str):
    from qchecks.forms import parse_qcheck_form

    result = parse_qcheck_form(form(**values), [], dt.date.today())
    assert result.ok, result.errors
    return result.data


async def test_bad_input_on_the_form_is_explained_and_nothing_is_written(client, users):
    await base(users)
    await login(client, users["dgro"])
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cases = [
        (form(score="83,5.1"), "A score is a percentage"),
        (form(score="100.01"), "from 0 to 100"),
        (form(score=""), "Give the overall score, or score every criterion."),
        (form(score="80", checked_on=tomorrow), "cannot be in the future"),
        (
            form(
                score="80",
                closed_on=LAST_MONTH.isoformat(),
                checked_on=(LAST_MONTH - dt.timedelta(days=1)).isoformat(),
            ),
            "Only a closed file is checked",
        ),
        (form(score="80", consultant_email="ed@fin.be"), "was not on the staff of BOSA"),
        (form(score="80", consultant_email="nobody@bosa.be"), "must be registered staff"),
        (form(**{"criterion_PROFILE_score": "80"}), "Score every criterion, or none of them."),
        (form(score="80", **all_criteria("80")), "Leave the overall score empty"),
    ]
    for data, message in cases:
        answer = await post(client, "/qchecks", data)
        assert answer.status_code == 400, (message, answer.status_code)
        assert message in answer.text, message
    assert await QCheck.count() == 0
    assert await post(client, "/qchecks", form(score="80")) is not None
    duplicate = await post(client, "/qchecks", form(score="70"))
    assert duplicate.status_code == 400
    assert "already has a Q-check" in duplicate.text
    assert await QCheck.count() == 1


async def test_the_page_takes_a_decimal_comma_and_shows_the_readers_numbers(client, users):
    """Issue 19 #10: "83,5" was refused on the page, and NL/FR pages showed "83.50"."""
    await base(users)
    await login(client, users["dgro"])
    assert (await post(client, "/qchecks", form(score="83,5"))).status_code == 303
    qcheck = await QCheck.select().first()
    assert qcheck["score_hundredths"] == 8350
    dutch = await client.get(f"/qchecks/{qcheck['id']}", headers={"Accept-Language": "nl"})
    english = await client.get(f"/qchecks/{qcheck['id']}", headers=EN)
    assert "<strong>83,50 %</strong>" in dutch.text
    assert "<strong>83.50 %</strong>" in english.text


async def test_an_edit_keeps_the_history_and_a_stale_page_is_refused(client, users):
    await base(users)
    await login(client, users["dgro"])
    await post(client, "/qchecks", form(score="75"))
    qcheck = await QCheck.select().first()
    edited = await post(
        client, f"/qchecks/{qcheck['id']}/edit", {**form(score="81.25"), "revision": "1"}
    )
    assert edited.status_code == 303, edited.text
    html = (await client.get(f"/qchecks/{qcheck['id']}", headers=EN)).text
    assert "81.25" in html
    assert "Previous values" in html and "75.00 → 81.25" in html
    stale = await post(
        client, f"/qchecks/{qcheck['id']}/edit", {**form(score="50"), "revision": "1"}
    )
    assert stale.status_code == 409
    assert "was changed by dgro@demo.portal.be" in stale.text
    assert (await QCheck.select(QCheck.score_hundredths).first())["score_hundredths"] == 8125


async def test_a_closed_year_closes_its_qchecks(client, users):
    await base(users)
    await login(client, users["dgro"])
    await post(client, "/qchecks", form(score="75"))
    qcheck = await QCheck.select().first()
    await service.close_year(Actor(email="dgro@demo.portal.be"), LAST_MONTH.year)
    assert await ClosedYear.count() == 1
    edit = await post(
        client, f"/qchecks/{qcheck['id']}/edit", {**form(score="90"), "revision": "1"}
    )
    assert edit.status_code == 400
    assert f"The yearly review of {LAST_MONTH.year} is closed" in edit.text
    delete = await post(client, f"/qchecks/{qcheck['id']}/delete", {"revision": "1"})
    assert delete.status_code == 400
    new = await post(client, "/qchecks", form(selection_reference="SEL-2", score="90"))
    assert new.status_code == 400
    # The import keeps the same guard: neither the old nor a new check may fall in it.
    header = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    data = form()
    row = f"BOSA,{data['consultant_email']},NL,{data['closed_on']},{data['checked_on']},90\n"
    result = await import_file(
        "qchecks", "q.csv", (header + "SEL-1," + row + "SEL-3," + row).encode(), ImportScope()
    )
    year = LAST_MONTH.year
    assert [i.format("q.csv") for i in result.issues] == [
        f"q.csv:2: the yearly review of {year} is closed: its Q-checks cannot change",
        f"q.csv:3: the yearly review of {year} is closed: its Q-checks cannot change",
    ]
    assert await QCheck.count() == 1
    assert (await QCheck.select(QCheck.score_hundredths).first())["score_hundredths"] == 7500


async def test_a_low_qcheck_warns_the_partner_and_dgro_of_a_client_organisation(client, users):
    await base(users)
    await Organisation.update(
        {
            Organisation.client_certified_since: dt.date(2024, 1, 1),
            Organisation.pro_partner_email: "partner@bosa.demo.portal.be",
        }
    ).where(Organisation.code == "BOSA")
    await versions.bump()
    await login(client, users["dgro"])
    await post(client, "/qchecks", form(score="90"))
    assert await Notice.count() == 0  # 90: well above 80
    await post(
        client,
        "/qchecks",
        form(
            selection_reference="SEL-2",
            consultant_email="lucie@bosa.be",
            language_role="FR",
            score="70",
        ),
    )
    # (90 + 70) / 2 = 80.00: met, but less than 2 points above the threshold.
    kinds = {(n["kind"], n["audience"]) for n in await Notice.select()}
    assert kinds == {("qcheck_average_near", "dgro"), ("qcheck_average_near", "pro_partner")}
    await post(client, "/qchecks", form(selection_reference="SEL-3", score="60"))
    assert await Notice.count().where(Notice.kind == "qcheck_average_below") == 2
    dashboard = await client.get("/organisations/BOSA", headers=EN)
    assert "Q-check average under the threshold." in dashboard.text
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["partner_bosa"])
    notices = (await client.get("/notices", headers=EN)).text
    assert "The Q-check average of BOSA (73.33 %) is under the 80.00 %" in notices
    assert "2 unread notices" in notices
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["partner_fin"])
    assert "BOSA" not in (await client.get("/notices", headers=EN)).text


async def test_the_api_records_with_the_same_checks(client, users):
    await base(users)
    await login(client, users["dgro"])
    token = client.cookies["csrftoken"]
    body = {**form(score="83.25"), "criteria": []}
    created = await client.post("/api/v1/qchecks", json=body, headers={"x-csrftoken": token})
    assert created.status_code == 201, created.text
    assert created.json()["score"] == 83.25
    bad = await client.post(
        "/api/v1/qchecks",
        json={**body, "selection_reference": "SEL-2", "score": "83,25"},
        headers={"x-csrftoken": token, **EN},
    )
    assert bad.status_code == 422
    assert "Use a dot for decimals" in bad.json()["errors"]["score"]
    weighted = await client.post(
        "/api/v1/qchecks",
        json={
            **form(selection_reference="SEL-3"),
            "criteria": [
                {"code": c, "score": 70, "comment": "ok"}
                for c in ("PROFILE", "SCREENING", "TESTS", "INTERVIEW", "REPORT", "PROCEDURE")
            ],
        },
        headers={"x-csrftoken": token},
    )
    assert weighted.status_code == 201, weighted.text
    assert weighted.json()["score"] == 70.0 and len(weighted.json()["criteria"]) == 6
    assert await QCheck.count() == 2


async def test_the_checklist_is_versioned(client, users):
    await login(client, users["dgro"])
    today = dt.date.today()
    answer = await post(
        client,
        "/qchecks/criteria",
        {
            "code": "interview",
            "name_nl": "Interview",
            "name_fr": "Entretien",
            "weight": "40",
            "active_from": (today + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert answer.status_code == 303, answer.text
    versions_of = (
        await Criterion.select()
        .where(Criterion.code == "INTERVIEW")
        .order_by(Criterion.active_from)
    )
    assert [v["weight"] for v in versions_of] == [25, 40]
    assert versions_of[0]["active_until"] == today + dt.timedelta(days=9)
    past = await post(
        client,
        "/qchecks/criteria",
        {
            "code": "REPORT",
            "name_nl": "x",
            "name_fr": "y",
            "weight": "5",
            "active_from": "2020-01-01",
        },
    )
    assert past.status_code == 400 and "starts today or later" in past.text


async def test_an_import_that_brings_the_average_down_warns_too(users):
    await base(users)
    await Organisation.update({Organisation.client_certified_since: dt.date(2024, 1, 1)}).where(
        Organisation.code == "BOSA"
    )
    await versions.bump()
    data = form()
    header = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    row = f"BOSA,{data['consultant_email']},NL,{data['closed_on']},{data['checked_on']}"
    good = await import_file("qchecks", "q.csv", f"{header}S-1,{row},95\n".encode(), ImportScope())
    assert good.ok and await Notice.count() == 0
    low = await import_file("qchecks", "q.csv", f"{header}S-2,{row},50\n".encode(), ImportScope())
    assert low.ok
    notices = await Notice.select(Notice.kind, Notice.audience, Notice.organisation_code)
    assert sorted(n["audience"] for n in notices) == ["dgro", "pro_partner"]
    assert {n["kind"] for n in notices} == {"qcheck_average_below"}
    assert {n["organisation_code"] for n in notices} == {"BOSA"}
