"""HR keeps its own organisation's staff records and their functions (issue 19 #5): add,
edit, end, and a change of function with its date, with the import's rules and the audit
log; certificates stay with the PRO Partner and DG R&O; other organisations are out of
reach."""

from __future__ import annotations

import datetime as dt

from core.tables import AuditEntry
from cycles.tables import StaffFunction
from organisations.tables import StaffMember
from tests import factories
from tests.conftest import login
from tests.factories import NEW_STAFF
from tests.helpers import post


async def _hr(client, users):
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])


async def test_hr_adds_edits_and_ends_a_staff_record(client, users):
    await _hr(client, users)
    page = await client.get("/organisations/BOSA/staff")
    assert "Add a staff member" in page.text
    assert "Register a certificate" not in page.text  # the PRO Partner's and DG R&O's
    added = await post(client, "/organisations/BOSA/staff", NEW_STAFF)
    assert added.status_code == 303
    member = (
        await StaffMember.select().where(StaffMember.email == "new.person@bosa.example.be").first()
    )
    assert member is not None
    ended = await post(
        client,
        f"/organisations/BOSA/staff/{member['id']}",
        {**NEW_STAFF, "end_date": "2026-06-30"},
    )
    assert ended.status_code == 303
    row = await StaffMember.select().where(StaffMember.id == member["id"]).first()
    assert row["end_date"] == dt.date(2026, 6, 30)
    actions = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_email).where(
        AuditEntry.table_name == "staff_member"
    )
    assert [(a["action"], a["actor_email"]) for a in actions] == [
        ("staff_added", users["hr_bosa"].email),
        ("staff_updated", users["hr_bosa"].email),
    ]
    refused = await post(
        client,
        f"/organisations/BOSA/staff/{member['id']}/certificates",
        {"track": "AZ", "obtained_on": "2026-01-10"},
    )
    assert refused.status_code == 403
    theirs = await post(client, "/organisations/FIN/staff", {**NEW_STAFF, "email": "x@fin.be"})
    assert theirs.status_code in (403, 404)
    assert not await StaffMember.exists().where(StaffMember.email == "x@fin.be")


async def test_hr_records_a_change_of_function_with_the_imports_rule(client, users):
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be", start=dt.date(2024, 3, 1))
    fin = await factories.staff_member("FIN", "frank@fin.example.be")
    await _hr(client, users)
    page = await client.get(f"/organisations/BOSA/staff/{ann}/functions")
    assert page.status_code == 200 and "No function recorded yet." in page.text
    early = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/functions",
        {"title": "Team lead", "started_on": "2024-02-01"},
    )
    assert early.status_code == 400
    assert "cannot start before the staff member started" in early.text
    assert 'aria-describedby="function-started-on-error"' in early.text
    assert 'value="Team lead"' in early.text and 'value="2024-02-01"' in early.text
    assert await StaffFunction.count() == 0
    saved = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/functions",
        {"title": "Team lead", "started_on": "2025-01-01"},
    )
    assert saved.status_code == 303
    again = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/functions",
        {"title": "Head of unit", "started_on": "2025-01-01"},
    )
    assert again.status_code == 303
    rows = await StaffFunction.select(StaffFunction.title, StaffFunction.started_on)
    assert rows == [{"title": "Head of unit", "started_on": dt.date(2025, 1, 1)}]
    page = await client.get(f"/organisations/BOSA/staff/{ann}/functions")
    assert "Head of unit" in page.text
    audit = await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.action == "staff_function_set"
    )
    assert len(audit) == 2
    # Another organisation's record is not found; a PRO Partner does not set functions.
    assert (await client.get(f"/organisations/BOSA/staff/{fin}/functions")).status_code == 404
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["partner_bosa"])
    partner = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/functions",
        {"title": "X", "started_on": "2025-02-01"},
    )
    assert partner.status_code == 403
