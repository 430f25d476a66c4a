"""The HR side of evaluation cycles, as HR, DG R&O and others use it: the organisation's
regime (compare-and-set, readable refusals), evaluators with history, absence per cycle,
the status page that shows status and never contents, its exports, and the bulk
creation of cycles. Tries that must fail are part of each test."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from core.audit import Actor
from core.tables import AuditEntry
from cycles.tables import (
    EvaluationCycle,
    EvaluationRegime,
    EvaluatorAssignment,
)
from organisations.tables import Organisation, StaffMember
from tests import factories
from tests.conftest import TestUser as PortalUser
from tests.conftest import csrf_token, login

EN = {"Accept-Language": "en"}


def english_day(day: dt.date | str) -> str:
    """A date as an English reader sees it on the pages."""
    from core.i18n import current_language, format_day, set_language

    before = current_language()
    set_language("en")
    try:
        return format_day(dt.date.fromisoformat(day) if isinstance(day, str) else day)
    finally:
        set_language(before)


TODAY = dt.date.today()
D2018 = dt.date(2018, 1, 1)
D2020 = dt.date(2020, 1, 1)
SECRETS = ("SECRET-REPORT-TEXT", "SECRET-OBJECTIVE-TITLE", "SECRET-EVALUATION-TEXT")


async def _user(email: str, roles: str, organisation: str | None) -> PortalUser:
    from accounts.service import hash_password
    from accounts.tables import User

    password = "test-password-2026"
    organisation_id = None
    if organisation:
        row = (
            await Organisation.select(Organisation.id)
            .where(Organisation.code == organisation)
            .first()
        )
        organisation_id = row["id"]
    await User.insert(
        User(
            email=email,
            full_name=email.split("@")[0],
            password_hash=hash_password(password),
            roles=roles,
            organisation=organisation_id,
        )
    )
    return PortalUser(email, password, roles, organisation)


async def _as(client, user: PortalUser, page: str) -> str:
    """Log in as `user` (after logging out whoever was in) and return a form token."""
    if "csrftoken" in client.cookies:
        await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, user)
    return await csrf_token(client, page)


def _regime_form(token: str, revision: int, **changes: str) -> dict[str, str]:
    form = {
        "_csrf_token": token,
        "revision": str(revision),
        "preset": "federal",
        "self_deadline": "03-15",
        "first_deadline": "03-15",
        "second_deadline": "03-31",
        "closes_on": "06-30",
        "rating_scale": "federal",
        "min_days_between_meetings": "20",
        "absence_days_for_functioning": "70",
        "functioning_after_regime_change": "on",
        "reminder_days": "7",
        "min_performance_days": "63",
        "stage_months": "12",
        "early_months": "6",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


# --- Regime -------------------------------------------------------------------------------


async def test_hr_and_dgro_edit_the_regime_with_compare_and_set(client, users):
    page = await client.get("/organisations/BOSA/regime")
    assert page.status_code in (302, 303, 401)  # not logged in
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/regime")
    shown = await client.get("/organisations/BOSA/regime", headers=EN)
    assert "the federal default applies" in shown.text
    assert 'value="03-15"' in shown.text
    # A preset fills the form; nothing is saved.
    ploeg = await client.get("/organisations/BOSA/regime?preset=ploeg", headers=EN)
    assert 'value="ploeg" selected' in ploeg.text
    assert await EvaluationRegime.count() == 0

    saved = await client.post(
        "/organisations/BOSA/regime",
        data=_regime_form(
            token,
            0,
            preset="ploeg",
            rating_scale="ploeg",
            second_deadline="04-15",
            min_days_between_meetings="15",
            absence_days_for_functioning="0",
            functioning_after_regime_change=None,  # type: ignore[arg-type]
        ),
        headers=EN,
    )
    assert saved.status_code == 303, saved.text
    row = await EvaluationRegime.select().first()
    assert row["organisation"] == await factories.organisation_id("BOSA")
    assert (row["preset"], row["rating_scale"], row["second_deadline"]) == (
        "ploeg",
        "ploeg",
        "04-15",
    )
    assert row["min_days_between_meetings"] == 15
    assert row["functioning_after_regime_change"] is False
    assert (row["revision"], row["updated_by"]) == (1, users["hr_bosa"].email)
    again = await client.get("/organisations/BOSA/regime", headers=EN)
    assert "Revision 1, last saved by hr@bosa.demo.portal.be" in again.text
    assert 'value="04-15"' in again.text

    # DG R&O edits on revision 1; HR's page, still at revision 1, is then stale.
    dgro_token = await _as(client, users["dgro"], "/organisations/BOSA/regime")
    by_dgro = await client.post(
        "/organisations/BOSA/regime",
        data=_regime_form(dgro_token, 1, reminder_days="10"),
        headers=EN,
    )
    assert by_dgro.status_code == 303, by_dgro.text
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/regime")
    stale = await client.post(
        "/organisations/BOSA/regime",
        data=_regime_form(token, 1, reminder_days="12"),
        headers=EN,
    )
    assert stale.status_code == 409
    assert "dgro@demo.portal.be changed this regime meanwhile (now revision 2)" in stale.text
    row = await EvaluationRegime.select().first()
    assert (row["revision"], row["reminder_days"], row["updated_by"]) == (
        2,
        10,
        "dgro@demo.portal.be",
    )
    audits = await AuditEntry.select(AuditEntry.actor_email).where(
        AuditEntry.action == "regime_saved"
    )
    assert [a["actor_email"] for a in audits] == [users["hr_bosa"].email, "dgro@demo.portal.be"]


async def test_bad_regime_values_are_refused_with_messages_and_nothing_saved(client, users):
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/regime")
    answer = await client.post(
        "/organisations/BOSA/regime",
        data=_regime_form(
            token,
            0,
            self_deadline="02-30",
            first_deadline="03-20",
            second_deadline="03-10",
            reminder_days="many",
            min_performance_days="400",
            rating_scale="stars",
        ),
        headers=EN,
    )
    assert answer.status_code == 400
    text = answer.text
    assert "Give a day of the year as MM-DD" in text
    assert "Give a whole number (0 or more)." in text
    assert "Give a whole number from 0 to 366." in text
    assert "Choose a rating scale from the list." in text
    assert 'value="02-30"' in text  # what the person typed is shown again
    assert 'aria-invalid="true"' in text
    closing = await client.post(
        "/organisations/BOSA/regime",
        data=_regime_form(token, 0, closes_on="03-01"),
        headers=EN,
    )
    assert closing.status_code == 400
    assert "cannot close before the last evaluation deadline" in closing.text
    order = await client.post(
        "/organisations/BOSA/regime",
        data=_regime_form(token, 0, first_deadline="03-20", second_deadline="03-10"),
        headers=EN,
    )
    assert order.status_code == 400
    assert "deadline cannot come before the first evaluator" in order.text
    assert await EvaluationRegime.count() == 0


async def test_another_organisations_hr_and_other_roles_cannot_touch_the_regime(client, users):
    hr_fin = await _user("hr@fin.test.be", "hr", "FIN")
    token = await _as(client, hr_fin, "/organisations/FIN/regime")
    assert (await client.get("/organisations/FIN/regime")).status_code == 200
    assert (await client.get("/organisations/BOSA/regime")).status_code == 403
    refused = await client.post("/organisations/BOSA/regime", data=_regime_form(token, 0))
    assert refused.status_code == 403
    staff_token = await _as(client, users["staff_bosa"], "/")
    assert (await client.get("/organisations/BOSA/regime")).status_code == 403
    refused = await client.post("/organisations/BOSA/regime", data=_regime_form(staff_token, 0))
    assert refused.status_code == 403
    assert await EvaluationRegime.count() == 0


# --- Evaluators ---------------------------------------------------------------------------


async def test_hr_assigns_evaluators_with_history_and_refusals(client, users):
    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=D2020
    )
    await factories.staff_member("BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=D2018)
    await factories.staff_member("BOSA", "bert@bosa.be", first="Bert", last="Beta", start=D2018)
    await factories.staff_member(
        "BOSA",
        "gone@bosa.be",
        first="Gus",
        last="Gone",
        start=dt.date(2015, 1, 1),
        end=dt.date(2021, 12, 31),
    )
    await factories.staff_member("FIN", "fin@fin.be", first="Fons", last="Fin", start=D2018)
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/cycles/evaluators")
    url = f"/organisations/BOSA/cycles/evaluators/{member}"
    earlier = (TODAY - dt.timedelta(days=30)).isoformat()

    first = await client.post(
        url,
        data={
            "role": "first",
            "evaluator": "Anna@BOSA.be",
            "from_on": earlier,
            "_csrf_token": token,
        },
    )
    assert first.status_code == 303, first.text
    second = await client.post(
        url, data={"role": "second", "evaluator": "bert@bosa.be", "_csrf_token": token}
    )
    assert second.status_code == 303
    # A new first evaluator from today ends Anna's assignment yesterday.
    change = await client.post(
        url, data={"role": "first", "evaluator": "bert@bosa.be", "_csrf_token": token}
    )
    assert change.status_code == 303
    rows = await EvaluatorAssignment.select(
        EvaluatorAssignment.role,
        EvaluatorAssignment.evaluator.email.as_alias("email"),
        EvaluatorAssignment.from_on,
        EvaluatorAssignment.until_on,
    ).order_by(EvaluatorAssignment.id)
    assert [(r["role"], r["email"], r["from_on"], r["until_on"]) for r in rows] == [
        ("first", "anna@bosa.be", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1)),
        ("second", "bert@bosa.be", TODAY, None),
        ("first", "bert@bosa.be", TODAY, None),
    ]
    # The same day again: the running one is replaced, not ended.
    replaced = await client.post(
        url, data={"role": "second", "evaluator": "anna@bosa.be", "_csrf_token": token}
    )
    assert replaced.status_code == 303
    seconds = await EvaluatorAssignment.select(
        EvaluatorAssignment.evaluator.email.as_alias("email")
    ).where(EvaluatorAssignment.role == "second")
    assert [r["email"] for r in seconds] == ["anna@bosa.be"]

    page = await client.get("/organisations/BOSA/cycles/evaluators", headers=EN)
    assert page.status_code == 200
    row = page.text.split(f'id="staff-{member}"')[1].split("</tr>")[0]
    assert "Earlier assignments" in row
    assert (
        f"Anna Alpha ({english_day(earlier)} – {english_day(TODAY - dt.timedelta(days=1))})" in row
    )
    assert 'list="evaluator-candidates"' in page.text
    assert '<option value="gone@bosa.be">' not in page.text  # not active: not offered
    searched = await client.get(
        "/organisations/BOSA/cycles/evaluators?q=alph", headers={**EN, "HX-Request": "true"}
    )
    assert "anna@bosa.be" in searched.text and f'id="staff-{member}"' not in searched.text
    assert "1 staff member" in searched.text

    for evaluator, message in (
        ("member@bosa.be", "cannot evaluate themself"),
        ("fin@fin.be", "is not a staff member of this organisation"),
        ("gone@bosa.be", "is not active on"),
        ("nobody@bosa.be", "is not a staff member of this organisation"),
    ):
        refused = await client.post(
            url,
            data={"role": "coplanner", "evaluator": evaluator, "_csrf_token": token},
            headers=EN,
        )
        assert refused.status_code == 400, evaluator
        assert message in refused.text
    before_running = await client.post(
        url,
        data={
            "role": "first",
            "evaluator": "anna@bosa.be",
            "from_on": (TODAY - dt.timedelta(days=5)).isoformat(),
            "_csrf_token": token,
        },
        headers=EN,
    )
    assert before_running.status_code == 400
    bad_role = await client.post(
        url, data={"role": "boss", "evaluator": "anna@bosa.be", "_csrf_token": token}
    )
    assert bad_role.status_code == 400
    bad_date = await client.post(
        url,
        data={
            "role": "first",
            "evaluator": "anna@bosa.be",
            "from_on": "2026-02-30",
            "_csrf_token": token,
        },
        headers=EN,
    )
    assert bad_date.status_code == 400 and "is not a real date" in bad_date.text
    assert await EvaluatorAssignment.count().where(EvaluatorAssignment.role == "coplanner") == 0

    ended = await client.post(
        f"{url}/end",
        data={"role": "second", "until_on": TODAY.isoformat(), "_csrf_token": token},
    )
    assert ended.status_code == 303
    second_row = (
        await EvaluatorAssignment.select().where(EvaluatorAssignment.role == "second").first()
    )
    assert second_row["until_on"] == TODAY
    overlapping = await client.post(
        url,
        data={"role": "second", "evaluator": "bert@bosa.be", "_csrf_token": token},
        headers=EN,
    )
    assert overlapping.status_code == 400
    assert f"An earlier assignment of this role runs to {english_day(TODAY)}" in overlapping.text
    nothing = await client.post(
        f"{url}/end", data={"role": "coplanner", "_csrf_token": token}, headers=EN
    )
    assert nothing.status_code == 400
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action).where(
            AuditEntry.table_name == "evaluator_assignment"
        )
    ]
    assert actions.count("evaluator_assigned") == 4
    assert actions.count("evaluator_assignment_ended") == 1

    fin_staff = (
        await StaffMember.select(StaffMember.id).where(StaffMember.email == "fin@fin.be").first()
    )
    foreign = await client.post(
        f"/organisations/BOSA/cycles/evaluators/{fin_staff['id']}",
        data={"role": "first", "evaluator": "anna@bosa.be", "_csrf_token": token},
    )
    assert foreign.status_code == 404


# --- The status page ------------------------------------------------------------------------


async def _dossier(member: int, evaluator: int) -> int:
    """A running cycle with a signed planning report, an objective and an evaluation, all
    holding texts HR must never see."""
    year = TODAY.year
    cycle = await factories.cycle(
        member, dt.date(year, 1, 1), dt.date(year, 12, 31), function="Analyst", absent_days=80
    )
    now = dt.datetime.now(dt.UTC)
    await factories.meeting(
        cycle,
        "planning",
        dt.date(year, 1, 1),
        report=SECRETS[0],
        state="signed",
        staff_signed_by="member@bosa.be",
        staff_signed_at=now,
        evaluator_signed_by="anna@bosa.be",
        evaluator_signed_at=now,
    )
    await factories.objectives(
        [
            dict(cycle_id=cycle, kind="development", title=SECRETS[1]),
            dict(cycle_id=cycle, kind="performance", title="Another objective"),
        ]
    )
    await factories.evaluation(
        cycle, "self", SECRETS[2], submitted_by="member@bosa.be", submitted_at=now
    )
    await factories.evaluator(member, evaluator, "first", D2020)
    return cycle


async def test_the_status_page_shows_status_and_never_contents(client, users):
    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=D2020
    )
    anna = await factories.staff_member(
        "BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=D2018
    )
    await factories.staff_member(
        "BOSA", "loner@bosa.be", first="Lou", last="Loner", start=dt.date(2019, 1, 1)
    )
    cycle = await _dossier(member, anna)
    await _as(client, users["hr_bosa"], "/organisations/BOSA/cycles")
    page = await client.get("/organisations/BOSA/cycles", headers=EN)
    assert page.status_code == 200
    for secret in SECRETS:
        assert secret not in page.text
    assert "Another objective" not in page.text
    row = page.text.split(f'id="status-{member}"')[1].split("</tr>")[0]
    assert (
        f"{english_day(dt.date(TODAY.year, 1, 1))} – {english_day(dt.date(TODAY.year, 12, 31))}"
        in row
    )
    assert "Analyst" in row and "Anna Alpha" in row
    assert "<li>Objectives: 2</li>" in row  # two objectives, counted
    assert "<li>Planning report signed: yes</li>" in row  # signed by both
    assert "required, not held" in row  # absent 80 days > 70: functioning meeting
    assert "Team of Anna Alpha" in page.text and "No first evaluator" in page.text
    assert 'role="img"' in page.text and "<title" in page.text
    assert 'id="progress-table"' in page.text

    # Filter by team, without JavaScript (a plain GET) and as an htmx fragment.
    team = await client.get(f"/organisations/BOSA/cycles?team={anna}", headers=EN)
    assert "Mia Member" in team.text and "Lou Loner" not in team.text
    fragment = await client.get(
        "/organisations/BOSA/cycles?team=none", headers={**EN, "HX-Request": "true"}
    )
    assert fragment.text.lstrip().startswith('<div id="results"')
    assert "Lou Loner" in fragment.text and "Mia Member" not in fragment.text
    assert (await client.get("/organisations/BOSA/cycles?team=x;drop")).status_code == 400
    assert (await client.get("/organisations/BOSA/cycles?year=1800")).status_code == 400

    exported = await client.get("/organisations/BOSA/cycles/status.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    mine = next(r for r in table if r["email"] == "member@bosa.be")
    assert (mine["objectives"], mine["planning_signed"], mine["functioning_meeting_missing"]) == (
        "2",
        "yes",
        "yes",
    )
    assert mine["first_evaluator"] == "Anna Alpha" and mine["cycle_start"] == f"{TODAY.year}-01-01"
    assert {r["email"] for r in table} == {"member@bosa.be", "loner@bosa.be", "anna@bosa.be"}
    for secret in SECRETS:
        assert secret not in exported.text
    workbook = await client.get("/organisations/BOSA/cycles/status.xlsx?late=true")
    assert workbook.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.content)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["team", "email", "name"]

    # HR records the absence; a bad value is refused next to the field.
    token = await csrf_token(client, f"/organisations/BOSA/cycles/{cycle}/absence")
    saved = await client.post(
        f"/organisations/BOSA/cycles/{cycle}/absence",
        data={"absent_days": "10", "work_regime_changed_on": "", "_csrf_token": token},
    )
    assert saved.status_code == 303
    after = await client.get("/organisations/BOSA/cycles", headers=EN)
    assert (
        "required, not held" not in after.text.split(f'id="status-{member}"')[1].split("</tr>")[0]
    )
    for data, message in (
        ({"absent_days": "ten"}, "Give a whole number of days"),
        ({"absent_days": "400"}, "from 0 to"),
        (
            {"absent_days": "1", "work_regime_changed_on": "2001-01-01"},
            "must fall within the cycle",
        ),
        ({"absent_days": "1", "work_regime_changed_on": "2026-13-01"}, "is not a real date"),
    ):
        refused = await client.post(
            f"/organisations/BOSA/cycles/{cycle}/absence",
            data={**data, "_csrf_token": token},
            headers=EN,
        )
        assert refused.status_code == 400 and message in refused.text, data
    stored = await EvaluationCycle.select().where(EvaluationCycle.id == cycle).first()
    assert (stored["absent_days"], stored["work_regime_changed_on"]) == (10, None)
    assert await AuditEntry.count().where(AuditEntry.action == "cycle_absence_recorded") == 1


async def test_only_the_organisations_hr_reaches_the_status(client, users):
    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=D2020
    )
    anna = await factories.staff_member(
        "BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=D2018
    )
    cycle = await _dossier(member, anna)
    pages = (
        "/organisations/BOSA/cycles",
        "/organisations/BOSA/cycles/status.csv",
        "/organisations/BOSA/cycles/evaluators",
        f"/organisations/BOSA/cycles/{cycle}/absence",
    )
    dgro_hr = await _user("dgro-hr@bosa.test.be", "dgro,hr", "BOSA")
    hr_fin = await _user("hr@fin.test.be", "hr", "FIN")
    for who in (users["dgro"], users["evaluator_bosa"], users["staff_bosa"], hr_fin):
        token = await _as(client, who if isinstance(who, PortalUser) else users[who], "/")
        for path in pages:
            assert (await client.get(path)).status_code == 403, (who.email, path)
        generate = await client.post(
            "/organisations/BOSA/cycles/generate",
            data={"through": TODAY.isoformat(), "_csrf_token": token},
        )
        assert generate.status_code == 403
        absence = await client.post(
            f"/organisations/BOSA/cycles/{cycle}/absence",
            data={"absent_days": "1", "_csrf_token": token},
        )
        assert absence.status_code == 403
    # DG R&O who is also HR of BOSA sees BOSA's status, not FIN's.
    await _as(client, dgro_hr, "/")
    assert (await client.get("/organisations/BOSA/cycles")).status_code == 200
    assert (await client.get("/organisations/FIN/cycles")).status_code == 403
    stored = await EvaluationCycle.select().where(EvaluationCycle.id == cycle).first()
    assert stored["absent_days"] == 80 and await EvaluationCycle.count() == 1


async def test_the_generate_button_creates_cycles_once(client, users):
    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=dt.date(2024, 3, 1)
    )
    anna = await factories.staff_member(
        "BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=dt.date(2025, 9, 1)
    )
    await factories.staff_member("FIN", "fin@fin.be", first="Fons", last="Fin", start=D2018)
    await factories.evaluator(member, anna, "first", D2020)
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/cycles")
    through = dt.date(TODAY.year, 12, 31).isoformat()
    # Anna's team first: only Mia's cycles.
    team = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": through, "team": str(anna), "_csrf_token": token},
    )
    assert team.status_code == 303
    emails = {
        row["email"]
        for row in await EvaluationCycle.select(EvaluationCycle.staff.email.as_alias("email"))
    }
    assert emails == {"member@bosa.be"}
    assert (
        await client.post(
            "/organisations/BOSA/cycles/generate",
            data={"through": through, "team": "x1", "_csrf_token": token},
        )
    ).status_code == 400
    first = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": through, "_csrf_token": token},
    )
    assert first.status_code == 303
    cycles = await EvaluationCycle.select(
        EvaluationCycle.staff.email.as_alias("email"), EvaluationCycle.starts_on
    )
    assert {row["email"] for row in cycles} == {"member@bosa.be", "anna@bosa.be"}
    # 2024-03-01 to 2024-12-31, then every year through this one.
    assert sum(1 for row in cycles if row["email"] == "member@bosa.be") == TODAY.year - 2023
    count = len(cycles)
    again = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": through, "_csrf_token": token},
        headers=EN,
    )
    assert again.status_code == 303
    assert await EvaluationCycle.count() == count
    page = await client.get("/organisations/BOSA/cycles", headers=EN)
    assert f"Cycles through {english_day(through)}: 0 created, 0 changed, 0 removed." in page.text
    too_far = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": (TODAY + dt.timedelta(days=800)).isoformat(), "_csrf_token": token},
        headers=EN,
    )
    assert too_far.status_code == 400 and "at the latest" in too_far.text
    bad = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": "soon", "_csrf_token": token},
        headers=EN,
    )
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
    assert await EvaluationCycle.count() == count


# --- Task status, on a fixed day (the status query with its own `today`) -----------------


async def test_task_status_late_filter_and_progress_on_fixed_days(users):
    from cycles.hr import queries
    from cycles.hr import rules as hr_rules

    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=D2020
    )
    short = await factories.staff_member(
        "BOSA", "short@bosa.be", first="Sid", last="Short", start=dt.date(2025, 12, 1)
    )
    anna = await factories.staff_member(
        "BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=D2018
    )
    [first_cycle, *_] = await factories.cycles(
        [
            dict(staff_id=member, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)),
            dict(staff_id=member, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)),
            dict(staff_id=short, starts_on=dt.date(2025, 12, 1), ends_on=dt.date(2026, 12, 31)),
        ]
    )
    await factories.evaluation(
        first_cycle,
        "first",
        "",
        submitted_by="anna@bosa.be",
        submitted_at=dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC),
    )
    from cycles.tables import EvaluatorAssignment

    # Anna is Mia's second evaluator: her evaluation is due (Sid has none: not required).
    await EvaluatorAssignment.insert(
        EvaluatorAssignment(staff=member, role="second", evaluator=anna, from_on=D2020)
    )
    organisation = await factories.organisation_id("BOSA")
    found = await queries.organisation_cycles(organisation, dt.date(2026, 3, 20), 2026)
    rows = {row.email: row for row in found.rows}
    member_row = rows["member@bosa.be"]
    # In March 2026 the 2025 cycle is evaluated while the 2026 cycle runs.
    assert (member_row.starts_on, member_row.evaluated_ends_on) == (
        dt.date(2026, 1, 1),
        dt.date(2025, 12, 31),
    )
    from core.errors import Refused
    from core.i18n import current_language, set_language
    from cycles.hr import service
    from cycles.queries import regime_for

    before = current_language()
    set_language("en")
    try:
        with pytest.raises(Refused, match="This cycle is closed"):
            await service.record_absence(
                Actor.command_line("test"),
                organisation,
                first_cycle,
                5,
                None,
                dt.date(2026, 7, 1),
                await regime_for(organisation),
            )
    finally:
        set_language(before)
    assert [(t.kind, t.status) for t in member_row.tasks] == [
        ("self", "late"),
        ("first", "done"),
        ("second", "due"),
    ]
    # Sid started 1 December 2025: the first cycle runs to the end of 2026; nothing open.
    assert [t.status for t in rows["short@bosa.be"].tasks] == ["not_open"] * 2 + ["not_required"]
    late = queries.filtered(found.rows, queries.StatusFilter(late=True))
    assert [row.email for row in late] == ["member@bosa.be"]
    on_april = await queries.organisation_cycles(organisation, dt.date(2026, 4, 2), 2026)
    april = {row.email: row for row in on_april.rows}["member@bosa.be"]
    assert [t.status for t in april.tasks] == ["late", "done", "late"]
    after_close = await queries.organisation_cycles(organisation, dt.date(2026, 7, 1), 2026)
    july = {row.email: row for row in after_close.rows}["member@bosa.be"]
    assert july.evaluated_ends_on == dt.date(2026, 12, 31)  # the 2025 cycle has closed
    assert [t.status for t in july.tasks] == ["not_open"] * 3
    assert {row.email for row in found.rows} == {
        "member@bosa.be",
        "short@bosa.be",
        "anna@bosa.be",
    }
    assert anna  # Anna has no cycle: listed, with none
    assert rows["anna@bosa.be"].cycle_id is None

    months = hr_rules.year_progress(2026, found.progress, dt.date(2026, 3, 20))
    assert [m.month for m in months] == [1, 2, 3]
    # The 2025 cycle's evaluations (opened December 2025) are due in 2026, one of two
    # evaluators has submitted: not done.
    assert (months[2].evaluations_due, months[2].evaluations_done) == (1, 0)
    # Running in 2026: Mia's 2026 cycle and Sid's first one (the 2025 cycle ended before).
    assert months[2].cycles == 2 and months[2].planning_signed == 0


async def test_the_service_refuses_an_evaluator_of_another_organisation_directly(users):
    from core.errors import Refused
    from cycles.hr import service

    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=D2020
    )
    await factories.staff_member("FIN", "fin@fin.be", first="Fons", last="Fin", start=D2018)
    with pytest.raises(Refused):
        await service.assign_evaluator(
            Actor.command_line("test"),
            await factories.organisation_id("BOSA"),
            member,
            "first",
            "fin@fin.be",
            TODAY,
        )
    assert await EvaluatorAssignment.count() == 0


async def test_the_status_reads_a_fixed_number_of_queries_whatever_the_size(users, queries):
    from cycles.hr import queries as hr_queries

    organisation = await factories.organisation_id("BOSA")
    anna = await factories.staff_member(
        "BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=D2018
    )

    async def count_for(number: int) -> int:
        for index in range(number):
            member = await factories.staff_member(
                "BOSA", f"m{number}-{index}@bosa.be", first="M", last=str(index), start=D2020
            )
            await _dossier(member, anna)
        queries.clear()
        found = await hr_queries.organisation_cycles(organisation, TODAY)
        assert len(found.rows) > number
        return len(queries)

    assert await count_for(2) == await count_for(12) <= 9


async def test_hr_creates_one_persons_cycles(client, users):
    member = await factories.staff_member(
        "BOSA", "member@bosa.be", first="Mia", last="Member", start=dt.date(2024, 3, 1)
    )
    await factories.staff_member(
        "BOSA", "anna@bosa.be", first="Anna", last="Alpha", start=dt.date(2025, 9, 1)
    )
    fin = await factories.staff_member("FIN", "fin@fin.be", first="Fons", last="Fin", start=D2018)
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/cycles")
    page = await client.get("/organisations/BOSA/cycles")
    assert f'name="staff" value="{member}"' in page.text  # the button on Mia's row
    through = dt.date(TODAY.year, 12, 31).isoformat()
    one = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": through, "staff": str(member), "_csrf_token": token},
    )
    assert one.status_code == 303
    emails = {
        row["email"]
        for row in await EvaluationCycle.select(EvaluationCycle.staff.email.as_alias("email"))
    }
    assert emails == {"member@bosa.be"}
    # Another organisation's staff member: refused, nothing created.
    other = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"through": through, "staff": str(fin), "_csrf_token": token},
    )
    assert other.status_code == 400
    assert await EvaluationCycle.count().where(EvaluationCycle.staff == fin) == 0


async def test_an_organisation_that_does_not_use_the_cycles_gets_none_and_no_reminder(
    client, users
):
    """Issue 22: HR turns the cycles off in the regime; `generate` then creates none for
    BOSA (FIN's still come), HR's own button is refused with the reason, the cycles made
    before stay, the reminders skip them and the pages say so; on again, they come."""
    from cycles.reminders import send_cycle_reminders
    from cycles.service import generate

    bosa = await factories.staff_member("BOSA", "bo@bosa.be", first="Bo", start=D2020)
    fin = await factories.staff_member("FIN", "fi@fin.be", first="Fi", start=D2020)
    await generate(Actor.command_line("test"), dt.date(2025, 12, 31))
    before = await EvaluationCycle.count().where(EvaluationCycle.staff == bosa)
    assert before > 0
    token = await _as(client, users["hr_bosa"], "/organisations/BOSA/regime")
    saved = await client.post(
        "/organisations/BOSA/regime", data=_regime_form(token, 0, cycles_off="on")
    )
    assert saved.status_code == 303
    await generate(Actor.command_line("test"), dt.date(2026, 12, 31))
    assert await EvaluationCycle.count().where(EvaluationCycle.staff == bosa) == before
    assert await EvaluationCycle.exists().where(
        (EvaluationCycle.staff == fin) & (EvaluationCycle.starts_on == dt.date(2026, 1, 1))
    )
    status = await client.get("/organisations/BOSA/cycles", headers=EN)
    assert "does not use the evaluation cycles of the portal" in status.text
    token = await csrf_token(client, "/organisations/BOSA/cycles")
    refused = await client.post(
        "/organisations/BOSA/cycles/generate",
        data={"_csrf_token": token, "through": "2026-12-31"},
        headers=EN,
    )
    assert refused.status_code == 400
    assert "turn them on in the evaluation regime first" in refused.text
    # No reminder for BOSA's cycles, whatever is due (the 2025 cycle's first deadline).
    await send_cycle_reminders(dt.date(2026, 3, 8), lambda message: None)
    from core.tables import OutboxMessage

    reminded = {row["recipient"] for row in await OutboxMessage.select(OutboxMessage.recipient)}
    assert "fi@fin.be" in reminded and "bo@bosa.be" not in reminded
    # On again: the cycles come.
    token = await csrf_token(client, "/organisations/BOSA/regime")
    again = await client.post("/organisations/BOSA/regime", data=_regime_form(token, 1))
    assert again.status_code == 303
    await generate(Actor.command_line("test"), dt.date(2026, 12, 31))
    assert await EvaluationCycle.count().where(EvaluationCycle.staff == bosa) > before
