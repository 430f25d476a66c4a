"""A PRO Partner registers a person whose e-mail another organisation's record holds
(issue 18, row 10): the answer is the one a new address gets, the row waits as a move
request, DG R&O confirms (the record moves, its history kept) or declines, the partner may
withdraw it; every step is audited and scoped."""

from __future__ import annotations

import datetime as dt
import json
import re

from core.tables import AuditEntry, Notice
from organisations.tables import Organisation, StaffAssignment, StaffMember, StaffMoveRequest
from tests import factories
from tests.conftest import login
from tests.factories import NEW_STAFF
from tests.helpers import post

FIN_START = dt.date(2021, 3, 1)


async def _partner(client, users):
    client.headers["Accept-Language"] = "en"
    await login(client, users["partner_bosa"])


def _params(notice: dict) -> dict:
    params = notice["params"]
    return json.loads(params) if isinstance(params, str) else params


def _status_and_target(response) -> tuple[int, str]:
    return response.status_code, re.sub(r"#.*", "", response.headers.get("location", ""))


async def test_a_partner_gets_the_same_answer_for_an_address_held_elsewhere(client, users):
    frank = await factories.staff_member(
        "FIN", "frank@fin.example.be", first="Frank", start=FIN_START
    )
    await _partner(client, users)
    unknown = await post(
        client, "/organisations/BOSA/staff", {**NEW_STAFF, "email": "nobody@bosa.example.be"}
    )
    unknown_page = await client.get("/organisations/BOSA/staff?q=zzz")
    held = await post(
        client, "/organisations/BOSA/staff", {**NEW_STAFF, "email": "FRANK@fin.example.be"}
    )
    held_page = await client.get("/organisations/BOSA/staff?q=zzz")
    # The same status, target page and message: nothing says the address exists.
    assert (
        _status_and_target(held)
        == _status_and_target(unknown)
        == (
            303,
            "/organisations/BOSA/staff",
        )
    )
    assert "Nina Nieuw has been added to the staff." in unknown_page.text
    assert "Nina Nieuw has been added to the staff." in held_page.text
    assert "FIN" not in held_page.text.replace("FIN's", "")
    # FIN's record is untouched; the registration waits for DG R&O with what was typed.
    record = await StaffMember.select().where(StaffMember.id == frank).first()
    fin = await Organisation.select().where(Organisation.code == "FIN").first()
    assert (record["organisation"], record["first_name"]) == (fin["id"], "Frank")
    [move] = await StaffMoveRequest.select().where(StaffMoveRequest.staff == frank)
    assert (move["state"], move["first_name"], move["language_role"]) == ("pending", "Nina", "FR")
    assert move["start_date"] == dt.date(2026, 1, 5)
    page = await client.get("/organisations/BOSA/staff")
    assert "Registrations waiting for DG R&O" in page.text
    assert "frank@fin.example.be" in page.text
    # Registering again renews the one request (no second one).
    again = await post(
        client,
        "/organisations/BOSA/staff",
        {**NEW_STAFF, "email": "frank@fin.example.be", "first_name": "Franky"},
    )
    assert again.status_code == 303
    rows = await StaffMoveRequest.select().where(StaffMoveRequest.staff == frank)
    assert [(r["first_name"], r["state"]) for r in rows] == [("Franky", "pending")]
    # DG R&O is told, and the request is audited.
    notices = await Notice.select().where(Notice.kind == "staff_move_requested")
    assert {(n["audience"], n["organisation_code"]) for n in notices} == {("dgro", "BOSA")}
    audit = await AuditEntry.select().where(AuditEntry.action == "staff_move_requested")
    assert [(a["actor_email"], a["record_key"]) for a in audit] == [
        (users["partner_bosa"].email, "frank@fin.example.be")
    ] * 2


async def test_dgro_confirms_the_move_and_the_record_keeps_its_history(client, users):
    frank = await factories.staff_member(
        "FIN", "frank@fin.example.be", first="Frank", start=FIN_START
    )
    await _partner(client, users)
    await post(client, "/organisations/BOSA/staff", {**NEW_STAFF, "email": "frank@fin.example.be"})
    [move] = await StaffMoveRequest.select().where(StaffMoveRequest.staff == frank)
    # Neither the partner nor another organisation's partner decides.
    assert (await client.get("/admin/staff-moves")).status_code == 403
    refused = await post(client, f"/admin/staff-moves/{move['id']}", {"decision": "confirm"})
    assert refused.status_code == 403
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["dgro"])
    listing = await client.get("/admin/staff-moves")
    assert listing.status_code == 200
    assert "frank@fin.example.be" in listing.text and "FIN" in listing.text
    unclear = await post(client, f"/admin/staff-moves/{move['id']}", {})
    assert unclear.status_code == 400 and "confirm or to decline" in unclear.text
    confirmed = await post(client, f"/admin/staff-moves/{move['id']}", {"decision": "confirm"})
    assert confirmed.status_code == 303
    bosa = await Organisation.select().where(Organisation.code == "BOSA").first()
    fin = await Organisation.select().where(Organisation.code == "FIN").first()
    record = await StaffMember.select().where(StaffMember.id == frank).first()
    assert (record["organisation"], record["first_name"], record["language_role"]) == (
        bosa["id"],
        "Nina",
        "FR",
    )
    assert record["start_date"] == dt.date(2026, 1, 5)
    [earlier] = await StaffAssignment.select().where(StaffAssignment.staff == frank)
    assert (earlier["organisation"], earlier["start_date"], earlier["end_date"]) == (
        fin["id"],
        FIN_START,
        dt.date(2026, 1, 4),
    )
    decided = await StaffMoveRequest.select().where(StaffMoveRequest.id == move["id"]).first()
    assert (decided["state"], decided["decided_by"]) == ("confirmed", users["dgro"].email)
    assert "No move waits for a decision." in (await client.get("/admin/staff-moves")).text
    # A decided request cannot be decided again.
    twice = await post(client, f"/admin/staff-moves/{move['id']}", {"decision": "decline"})
    assert twice.status_code == 409
    assert "This was changed meanwhile" in twice.text  # the list again, as it stands now
    assert "No move waits for a decision." in twice.text
    told = await Notice.select().where(Notice.kind == "staff_move_decided")
    assert [(n["audience"], n["organisation_code"], _params(n)) for n in told] == [
        ("pro_partner", "BOSA", {"name": "Nina Nieuw", "state": "confirmed"})
    ]
    actions = [a["action"] for a in await AuditEntry.select().order_by(AuditEntry.id)]
    assert "staff_move_confirmed" in actions


async def test_dgro_declines_and_the_partner_withdraws(client, users):
    frank = await factories.staff_member(
        "FIN", "frank@fin.example.be", first="Frank", start=FIN_START
    )
    gert = await factories.staff_member("FIN", "gert@fin.example.be", first="Gert", start=FIN_START)
    await _partner(client, users)
    for email in ("frank@fin.example.be", "gert@fin.example.be"):
        await post(client, "/organisations/BOSA/staff", {**NEW_STAFF, "email": email})
    [frank_move] = await StaffMoveRequest.select().where(StaffMoveRequest.staff == frank)
    [gert_move] = await StaffMoveRequest.select().where(StaffMoveRequest.staff == gert)
    withdrawn = await post(client, f"/organisations/BOSA/staff/moves/{gert_move['id']}/withdraw")
    assert withdrawn.status_code == 303
    # Withdrawn twice (a second tab): 409 with the staff register as it stands, the
    # message above the registrations still waiting, not the bare error page.
    twice = await post(client, f"/organisations/BOSA/staff/moves/{gert_move['id']}/withdraw")
    assert twice.status_code == 409
    assert "This was changed meanwhile" in twice.text and 'id="error-page"' not in twice.text
    assert f'id="move-{frank_move["id"]}"' in twice.text
    assert f'id="move-{gert_move["id"]}"' not in twice.text
    # Another organisation's partner cannot withdraw BOSA's request.
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["partner_fin"])
    theirs = await post(client, f"/organisations/FIN/staff/moves/{frank_move['id']}/withdraw")
    assert theirs.status_code == 404
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["dgro"])
    declined = await post(client, f"/admin/staff-moves/{frank_move['id']}", {"decision": "decline"})
    assert declined.status_code == 303
    states = {
        r["staff"]: r["state"]
        for r in await StaffMoveRequest.select(StaffMoveRequest.staff, StaffMoveRequest.state)
    }
    assert states == {frank: "declined", gert: "withdrawn"}
    fin = await Organisation.select().where(Organisation.code == "FIN").first()
    records = await StaffMember.select().where(StaffMember.id.is_in([frank, gert]))
    assert {(r["organisation"], r["first_name"]) for r in records} == {
        (fin["id"], "Frank"),
        (fin["id"], "Gert"),
    }
    assert await StaffAssignment.count() == 0


async def test_a_partners_edit_does_not_say_which_organisation_has_an_address(client, users):
    await factories.staff_member("FIN", "frank@fin.example.be")
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await _partner(client, users)
    response = await post(
        client, f"/organisations/BOSA/staff/{ann}", {**NEW_STAFF, "email": "frank@fin.example.be"}
    )
    assert response.status_code == 400
    assert "Another staff record has this e-mail address" in response.text
    assert "another organisation" not in response.text
    assert 'value="Nieuw"' in response.text
