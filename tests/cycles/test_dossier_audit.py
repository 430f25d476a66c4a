"""The audit trail of a dossier says that something changed, never what the dossier says
(issue 18, row 6: DG R&O read every objective's title at `/audit?action=objective_added`
and the rating of each evaluation). Every dossier write is made through the real pages
with a canary in each text; no audit row holds one."""

from __future__ import annotations

import json

from core.tables import AuditEntry
from cycles.tables import CycleMeeting, CycleObjective
from tests.conftest import csrf_token, login
from tests.cycles.test_cycles_dossier import competency_id, team

__all__ = ["team"]  # the dossier's fixture: Sam, evaluated first by Eva

CANARY = "Canary-7f3a"


async def _revision(table, row_id: int) -> str:
    row = await table.select(table.revision).where(table.id == row_id).first()
    return str(row["revision"])


async def _post(client, path: str, token: str, **data: str) -> None:
    answer = await client.post(path, data={**data, "_csrf_token": token})
    assert answer.status_code == 303, (path, answer.status_code, answer.text[:500])


async def _evaluator_writes(client, cycle: int) -> tuple[int, int]:
    """Eva: a planning meeting with its report, an objective added, edited, progressed
    and closed with a note, and her evaluation with a rating."""
    token = await csrf_token(client, f"/cycles/{cycle}")
    base = f"/cycles/{cycle}"
    await _post(
        client,
        f"{base}/meetings",
        token,
        kind="planning",
        held_on="2026-02-02",
        report=f"{CANARY} meeting report",
    )
    meeting = (await CycleMeeting.select(CycleMeeting.id).first())["id"]
    await _post(
        client,
        f"{base}/meetings/{meeting}/report",
        token,
        report=f"{CANARY} edited report",
        revision=await _revision(CycleMeeting, meeting),
    )
    objective_form = {
        "kind": "development",
        "specific": f"{CANARY} specific",
        "measurable": f"{CANARY} measurable",
        "achievable": f"{CANARY} achievable",
        "relevant": f"{CANARY} relevant",
        "competency": str(await competency_id()),
    }
    await _post(client, f"{base}/objectives", token, title=f"{CANARY} title", **objective_form)
    objective = (await CycleObjective.select(CycleObjective.id).first())["id"]
    path = f"{base}/objectives/{objective}"
    for action, fields in (
        ("edit", {"title": f"{CANARY} new title", **objective_form}),
        ("progress", {"percent": "40", "comment": f"{CANARY} progress comment"}),
        ("close", {"note": f"{CANARY} closing note"}),
    ):
        revision = await _revision(CycleObjective, objective)
        await _post(client, f"{path}/{action}", token, revision=revision, **fields)
    await _post(
        client,
        f"{base}/evaluations/first",
        token,
        text=f"{CANARY} first evaluation",
        rating="insufficient",
        final="yes",
    )
    return meeting, objective


async def test_no_dossier_content_reaches_the_audit_log(client, users, team):
    cycle = team["sam_2026"]
    await login(client, users["evaluator_bosa"])
    meeting, _objective = await _evaluator_writes(client, cycle)
    client.cookies.clear()
    await login(client, users["staff_bosa"])
    token = await csrf_token(client, f"/cycles/{cycle}")
    await _post(
        client,
        f"/cycles/{cycle}/meetings/{meeting}/remarks",
        token,
        remarks=f"{CANARY} staff remarks",
        revision=await _revision(CycleMeeting, meeting),
    )
    await _post(
        client, f"/cycles/{cycle}/evaluations/self", token, text=f"{CANARY} self", final="yes"
    )

    rows = await AuditEntry.select().order_by(AuditEntry.id)
    actions = {row["action"] for row in rows}
    # Each write was recorded ...
    assert {
        "meeting_added",
        "report_edit",
        "report_remark",
        "objective_added",
        "objective_edit",
        "objective_progress",
        "objective_close",
        "evaluation_submitted",
    } <= actions, actions
    # ... as that it happened: no text of the dossier, and no rating.
    for row in rows:
        written = json.dumps({key: row[key] for key in ("record_key", "before", "after", "detail")})
        assert CANARY not in written, row
    evaluations = [row for row in rows if row["action"] == "evaluation_submitted"]
    assert len(evaluations) == 2
    assert all("insufficient" not in json.dumps(row["after"]) for row in evaluations)
    # What DG R&O reads at /audit: the entries, without the content.
    client.cookies.clear()
    await login(client, users["dgro"])
    for action in ("objective_added", "objective_edit", "evaluation_submitted"):
        page = await client.get(f"/audit?action={action}")
        assert page.status_code == 200 and action in page.text
        assert CANARY not in page.text and "insufficient" not in page.text
