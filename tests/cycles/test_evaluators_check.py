"""HR's evaluators check and the list of who is to be evaluated (issue 22): every cycle
ending in the year, whether it is evaluated (the regime's days of performance, absences
counted), the evaluators each lacks today with a link to assign them, the filter and the
CSV/XLSX download; nothing of a dossier's contents."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from cycles.hr import rules as hr_rules
from cycles.tables import EvaluationCycle
from tests.conftest import login
from tests.cycles.test_cycles_dossier import team

__all__ = ["team"]


def test_only_someone_to_be_evaluated_lacks_evaluators():
    assert hr_rules.missing_evaluators(True, []) == ("first", "second")
    assert hr_rules.missing_evaluators(True, ["first", "coplanner"]) == ("second",)
    assert hr_rules.missing_evaluators(True, ["second", "first"]) == ()
    assert hr_rules.missing_evaluators(False, []) == ()


async def test_hr_sees_who_is_to_be_evaluated_and_who_lacks_an_evaluator(client, users, team):
    # Marc was absent most of 2026: 230 working days leave him under the 63 of performance.
    await EvaluationCycle.update({EvaluationCycle.absent_days: 230}).where(
        EvaluationCycle.id == team["marc_2026"]
    )
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    status = (await client.get("/organisations/BOSA/cycles")).text
    assert 'href="/organisations/BOSA/cycles/check"' in status
    page = (await client.get("/organisations/BOSA/cycles/check?year=2026")).text
    assert "Who is to be evaluated for 2026" in page
    sam_row = page.split(f'id="check-{team["sam_2026"]}"')[1].split("</tr>")[0]
    assert "Eva Evaluator" in sam_row and "Lucie Dubois" in sam_row and "missing" not in sam_row
    marc_row = page.split(f'id="check-{team["marc_2026"]}"')[1].split("</tr>")[0]
    assert ">no<" in marc_row and "missing" not in marc_row  # not evaluated: nothing lacks
    # Eva has no evaluator of her own: both missing, each with its link to assign it.
    eva_cycle = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where(
            (EvaluationCycle.staff == team["ids"]["evaluator@bosa.demo.portal.be"])
            & (EvaluationCycle.starts_on == dt.date(2026, 1, 1))
        )
        .first()
    )["id"]
    eva_row = page.split(f'id="check-{eva_cycle}"')[1].split("</tr>")[0]
    assert eva_row.count("missing") == 2
    assert "/organisations/BOSA/cycles/evaluators?q=evaluator%40bosa.demo.portal.be" in eva_row
    # Only the problems: Sam and Marc drop out; Eva and Lucie stay.
    problems = (await client.get("/organisations/BOSA/cycles/check?year=2026&problems=1")).text
    assert f'id="check-{team["sam_2026"]}"' not in problems
    assert f'id="check-{eva_cycle}"' in problems and "Lucie" in problems
    # The download holds the same, one row per cycle.
    answer = await client.get("/organisations/BOSA/cycles/check/export.csv?year=2026")
    assert answer.status_code == 200
    rows = {
        row["email"]: row for row in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))
    }
    assert rows["staff@bosa.demo.portal.be"]["missing"] == ""
    assert rows["evaluator@bosa.demo.portal.be"]["missing"] == "first second"
    assert rows["marc@bosa.demo.portal.be"]["to_be_evaluated"] == "no"
    assert "tom@fin.demo.portal.be" not in rows  # another organisation's staff
    xlsx = await client.get("/organisations/BOSA/cycles/check/export.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["email", "name", "cycle_kind"]
    assert sheet.max_row == len(rows) + 1
