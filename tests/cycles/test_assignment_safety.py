"""Issue 18, rows 2 and 8: HR never makes itself an evaluator or co-planner (that opens the
dossier); another HR officer can, and an assignment can be ended at once, today; and
assignments made at the same moment cannot both run (a unique index on running rows)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from accounts.service import hash_password
from core.audit import Actor
from core.errors import Refused
from tests.conftest import TestUser as Person
from tests.conftest import csrf_token, link_staff_records, login

EN = {"accept-language": "en"}
HR = "hr@bosa.demo.portal.be"
HR2 = "helene.hr@bosa.demo.portal.be"
SAM = "staff@bosa.demo.portal.be"


@pytest.fixture
async def bosa():
    """The demo, with a staff record for each of two BOSA HR officers, linked to their
    accounts (as an HR officer's own record is); Sam's running cycle."""
    from accounts.tables import User
    from competencies.loader import seed_models
    from cycles.tables import EvaluationCycle
    from organisations.forms import StaffInput
    from organisations.service import add_staff
    from organisations.tables import Organisation, StaffMember
    from portal.demo import load_demo_data

    await seed_models()
    await load_demo_data()
    organisation = (await Organisation.select().where(Organisation.code == "BOSA").first())["id"]
    cli = Actor.command_line("test")
    for email, first in ((HR, "Hugo"), (HR2, "Hélène")):
        await add_staff(
            cli, organisation, StaffInput(email, first, "Hr", "NL", dt.date(2020, 1, 1), None)
        )
    await User.insert(
        User(email=HR2, full_name="Hélène Hr", password_hash=hash_password("hr2-password-2026"),
             roles="hr", organisation=organisation)
    )  # fmt: skip
    await link_staff_records()
    staff = {row["email"]: row["id"] for row in await StaffMember.select()}
    today = dt.date.today()
    cycle = await (
        EvaluationCycle.select(EvaluationCycle.id)
        .where((EvaluationCycle.staff == staff[SAM]) & (EvaluationCycle.starts_on <= today))
        .order_by(EvaluationCycle.starts_on, ascending=False)
        .first()
    )
    return {"organisation": organisation, "staff": staff, "sam_cycle": cycle["id"]}


async def _post(client, path: str, data: dict[str, str]):
    token = await csrf_token(client, "/")
    return await client.post(path, data={**data, "_csrf_token": token}, headers=EN)


async def _running(staff_id: int, role: str) -> list[dict]:
    from cycles.tables import EvaluatorAssignment

    today = dt.date.today()
    return await EvaluatorAssignment.select().where(
        (EvaluatorAssignment.staff == staff_id)
        & (EvaluatorAssignment.role == role)
        & (EvaluatorAssignment.from_on <= today)
        & (EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today))
    )


async def test_hr_cannot_make_itself_co_planner_and_reads_no_dossier(client, bosa):
    hugo = Person(HR, "demo-hr-2026", "hr", "BOSA")
    await login(client, hugo)
    sam = bosa["staff"][SAM]
    refused = await _post(
        client,
        f"/organisations/BOSA/cycles/evaluators/{sam}",
        {"role": "coplanner", "evaluator": HR, "from_on": dt.date.today().isoformat()},
    )
    assert refused.status_code == 400
    assert "You cannot make yourself an evaluator or co-planner" in refused.text
    assert await _running(sam, "coplanner") == []
    assert (await client.get(f"/cycles/{bosa['sam_cycle']}", headers=EN)).status_code == 404


async def test_another_hr_officer_assigns_and_ends_it_today(client, bosa, app):
    from tests.conftest import new_client

    sam = bosa["staff"][SAM]
    helene = Person(HR2, "hr2-password-2026", "hr", "BOSA")
    await login(client, helene)
    today = dt.date.today().isoformat()
    assigned = await _post(
        client,
        f"/organisations/BOSA/cycles/evaluators/{sam}",
        {"role": "coplanner", "evaluator": HR, "from_on": today},
    )
    assert assigned.status_code == 303, assigned.text
    async with new_client(app) as hugo_client:
        await login(hugo_client, Person(HR, "demo-hr-2026", "hr", "BOSA"))
        assert (await hugo_client.get(f"/cycles/{bosa['sam_cycle']}")).status_code == 200
        # The same day, Hélène takes it back: at once, no access left today.
        ended = await _post(
            client,
            f"/organisations/BOSA/cycles/evaluators/{sam}/end",
            {"role": "coplanner", "now": "1"},
        )
        assert ended.status_code == 303, ended.text
        assert await _running(sam, "coplanner") == []
        assert (await hugo_client.get(f"/cycles/{bosa['sam_cycle']}")).status_code == 404


async def test_a_running_assignment_ended_now_stops_today(bosa):
    """An assignment that started earlier, ended now: its last day was yesterday."""
    from cycles.hr.service import end_assignment

    sam = bosa["staff"][SAM]
    [first] = await _running(sam, "first")
    assert first["from_on"] < dt.date.today()
    await end_assignment(
        Actor("hr@bosa.demo.portal.be", "hr"), bosa["organisation"], sam, "first",
        dt.date.today() - dt.timedelta(days=1),
    )  # fmt: skip
    assert await _running(sam, "first") == []


async def test_simultaneous_assignments_never_both_run(bosa):
    """Four identical assignments at once, then two HR officers giving two different
    co-planners at once: one running row each time, the others refused in words."""
    from cycles.hr.service import assign_evaluator

    sam = bosa["staff"][SAM]
    today = dt.date.today()
    marc = "marc.lambert@bosa.demo.portal.be"

    async def assign(evaluator: str, who: str) -> str:
        try:
            return await assign_evaluator(
                Actor(who, "hr"), bosa["organisation"], sam, "coplanner", evaluator, today
            )
        except Refused as refused:
            return refused.message

    answers = await asyncio.gather(*[assign(marc, HR) for _ in range(4)])
    assert len(await _running(sam, "coplanner")) == 1, answers
    answers = await asyncio.gather(
        assign("lucie.dubois@bosa.demo.portal.be", HR), assign(marc, HR2)
    )
    running = await _running(sam, "coplanner")
    assert len(running) == 1, answers
