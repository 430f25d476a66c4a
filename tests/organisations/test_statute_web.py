"""The statute on the staff forms (SPEC 3.1, issue 21): HR and the PRO Partner record it
when they add or edit a staff member, the register and HR's status page show it, an edit
that leaves it out keeps it, an unknown one is refused at its field with what was typed
kept, and the audit log has the change."""

from __future__ import annotations

import json

from core.tables import AuditEntry
from organisations.tables import StaffMember
from tests.conftest import login
from tests.factories import NEW_STAFF
from tests.helpers import post

EMAIL = "new.person@bosa.example.be"


async def statute_of(email: str) -> str:
    row = await StaffMember.select(StaffMember.statute).where(StaffMember.email == email).first()
    assert row is not None
    return row["statute"]


async def test_hr_records_a_trainee_then_a_mandate_and_the_pages_say_so(client, users):
    client.headers["Accept-Language"] = "en"
    await login(client, users["hr_bosa"])
    form = (await client.get("/organisations/BOSA/staff")).text
    assert 'name="statute"' in form and "trainee (on stage)" in form
    added = await post(client, "/organisations/BOSA/staff", {**NEW_STAFF, "statute": "trainee"})
    assert added.status_code == 303
    assert await statute_of(EMAIL) == "trainee"
    member = await StaffMember.select(StaffMember.id).where(StaffMember.email == EMAIL).first()
    edit = f"/organisations/BOSA/staff/{member['id']}"
    # An unknown statute: refused at its field, nothing saved, the typed name kept.
    refused = await post(client, edit, {**NEW_STAFF, "first_name": "Nora", "statute": "intern"})
    assert refused.status_code == 400
    assert "Choose one of the statutes in the list." in refused.text
    assert 'value="Nora"' in refused.text
    assert await statute_of(EMAIL) == "trainee"
    # An edit without the field (an older form) keeps it.
    assert (await post(client, edit, NEW_STAFF)).status_code == 303
    assert await statute_of(EMAIL) == "trainee"
    register = (await client.get("/organisations/BOSA/staff?q=nina")).text
    assert "trainee (on stage)" in register
    generated = await post(client, "/organisations/BOSA/cycles/generate", {"through": "2027-12-31"})
    assert generated.status_code == 303
    status = (await client.get("/organisations/BOSA/cycles")).text
    assert "stage until" in status
    assert (await post(client, edit, {**NEW_STAFF, "statute": "mandate"})).status_code == 303
    assert await statute_of(EMAIL) == "mandate"
    changes = (
        await AuditEntry.select(AuditEntry.after)
        .where((AuditEntry.action == "staff_updated") & (AuditEntry.record_key == EMAIL))
        .order_by(AuditEntry.id)
    )
    statutes = [json.loads(c["after"]) if isinstance(c["after"], str) else c["after"]
                for c in changes]  # fmt: skip
    assert [after.get("statute") for after in statutes] == [None, "mandate"]


async def test_a_partner_adds_a_contractual_staff_member(client, users):
    client.headers["Accept-Language"] = "en"
    await login(client, users["partner_bosa"])
    added = await post(client, "/organisations/BOSA/staff", {**NEW_STAFF, "statute": "contractual"})
    assert added.status_code == 303
    assert await statute_of(EMAIL) == "contractual"
    # Without the field, a new staff member is statutory.
    other = {**NEW_STAFF, "email": "second@bosa.example.be", "start_date": "2026-02-01"}
    assert (await post(client, "/organisations/BOSA/staff", other)).status_code == 303
    assert await statute_of("second@bosa.example.be") == "statutory"
