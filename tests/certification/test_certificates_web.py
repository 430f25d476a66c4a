"""The staff and certificate register over HTTP: staff pages, registration, the queue and
DG R&O's decisions, with role and organisation checks on every write."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from certification.certificates import service
from certification.eligibility import eligibility_for_all
from certification.tables import Certificate, Track
from core.tables import AuditEntry
from organisations.tables import StaffMember
from tests import factories
from tests.conftest import login, shown
from tests.factories import LAST_YEAR, NEW_STAFF, TODAY
from tests.helpers import post


@pytest.fixture
async def english(client):
    client.headers["Accept-Language"] = "en"
    return client


async def audit_actions(action: str) -> list[dict]:
    return await AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id)


def as_dict(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


async def certificate(certificate_id: int) -> dict:
    return await Certificate.select().where(Certificate.id == certificate_id).first()


async def staff_count() -> int:
    return await StaffMember.count()


async def certificate_count() -> int:
    return await Certificate.count()


# --- reading the register ------------------------------------------------------------------


async def test_partner_sees_own_staff_and_certificates_not_fin(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await factories.certificate(
        ann, "AZ", status="valid", valid_until=TODAY + dt.timedelta(days=90)
    )
    await factories.certificate(ann, "SELTEST", status="pending")
    await factories.staff_member("FIN", "frank@fin.example.be", first="Frank", last="Financiën")
    await login(client, users["partner_bosa"])
    page = await client.get("/organisations/BOSA/staff")
    assert page.status_code == 200
    assert "ann@bosa.example.be" in page.text
    assert "frank@fin.example.be" not in page.text
    # status as words, with the dates
    assert "pending verification" in page.text
    assert re.search(r"AZ</strong>,\s*obtained on " + shown(LAST_YEAR), page.text)
    assert f"valid until {shown(TODAY + dt.timedelta(days=90))}" in page.text
    # the partner edits and registers, but does not decide
    assert f"/organisations/BOSA/staff/{ann}/edit" in page.text
    assert f"/organisations/BOSA/staff/{ann}/certificates" in page.text
    assert "/verify" not in page.text
    refused = await client.get("/organisations/FIN/staff")
    assert refused.status_code == 403
    assert "frank@fin.example.be" not in refused.text


async def test_who_may_see_a_staff_register(english, users):
    client = english
    await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["hr_bosa"])
    page = await client.get("/organisations/BOSA/staff")
    assert page.status_code == 200
    assert "ann@bosa.example.be" in page.text
    # HR keeps the staff records (issue 19 #5), not the certificates.
    assert "/edit" in page.text and "Add a staff member" in page.text
    assert "Register a certificate" not in page.text
    for name in ("evaluator_bosa", "staff_bosa"):
        await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
        await login(client, users[name])
        assert (await client.get("/organisations/BOSA/staff")).status_code == 403
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["dgro"])
    assert (await client.get("/organisations/FIN/staff")).status_code == 200
    assert (await client.get("/organisations/NOPE/staff")).status_code == 404


async def test_filters_and_htmx_fragment(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be", first="Ann", last="Peeters")
    bob = await factories.staff_member(
        "BOSA", "bob@bosa.example.be", first="Bob", last="Dupont", role="FR"
    )
    await factories.staff_member(
        "BOSA", "old@bosa.example.be", first="Olga", last="Oud", end=TODAY - dt.timedelta(days=1)
    )
    await factories.certificate(ann, "AZ", status="valid")
    await factories.certificate(bob, "SELTEST", status="pending")
    await login(client, users["partner_bosa"])

    full = await client.get("/organisations/BOSA/staff")
    assert full.text.lstrip().startswith("<!doctype html>")
    assert "HX-Request" in full.headers["vary"].split(",")
    assert "3 staff members" in full.text

    def emails(text: str) -> set[str]:
        return set(re.findall(r"<td[^>]*>([a-z]+@bosa\.example\.be)</td>", text))

    checks = {
        "q=dupont": {"bob@bosa.example.be"},
        "q=ANN%40bosa": {"ann@bosa.example.be"},
        "language_role=FR": {"bob@bosa.example.be"},
        "track=AZ": {"ann@bosa.example.be"},
        "status=pending": {"bob@bosa.example.be"},
        "track=SELTEST&status=valid": set(),
        "active=yes": {"ann@bosa.example.be", "bob@bosa.example.be"},
        "active=all": {"ann@bosa.example.be", "bob@bosa.example.be", "old@bosa.example.be"},
    }
    for query, expected in checks.items():
        response = await client.get(
            f"/organisations/BOSA/staff?{query}", headers={"HX-Request": "true"}
        )
        assert response.status_code == 200, query
        assert response.text.lstrip().startswith('<section id="results"'), query
        assert "<html" not in response.text
        assert emails(response.text) == expected, query
    fragment = await client.get(
        "/organisations/BOSA/staff?language_role=FR", headers={"HX-Request": "true"}
    )
    assert fragment.headers["HX-Push-Url"] == "/organisations/BOSA/staff?language_role=FR&page=1"
    assert "1 staff member" in fragment.text

    bad = await client.get("/organisations/BOSA/staff?language_role=DE&status=lost")
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.text
    assert "Choose a language role from the list." in bad.text


async def test_staff_pages_of_fifty(english, users):
    client = english
    await factories.staff_members(
        dict(code="BOSA", email=f"p{i:02d}@bosa.example.be", first="P", last=f"Person {i:02d}")
        for i in range(55)
    )
    await login(client, users["partner_bosa"])
    first = await client.get("/organisations/BOSA/staff")
    assert first.text.count('<tr id="staff-') == 50
    assert "Page 1 of 2" in first.text
    assert 'href="/organisations/BOSA/staff?page=2"' in first.text
    second = await client.get("/organisations/BOSA/staff?page=2", headers={"HX-Request": "true"})
    assert second.text.count('<tr id="staff-') == 5
    assert "p54@bosa.example.be" in second.text
    # past the last page (however far): the last page
    for number in ("9", "100000000000000000000"):
        beyond = await client.get(f"/organisations/BOSA/staff?page={number}")
        assert beyond.status_code == 200
        assert "Page 2 of 2" in beyond.text
        assert beyond.text.count('<tr id="staff-') == 5
    assert (await client.get("/organisations/BOSA/staff?page=two")).status_code == 400


# --- adding and editing staff --------------------------------------------------------------


async def test_partner_adds_a_staff_member(english, users):
    client = english
    await login(client, users["partner_bosa"])
    response = await post(client, "/organisations/BOSA/staff", NEW_STAFF)
    assert response.status_code == 303
    row = (
        await StaffMember.select().where(StaffMember.email == "new.person@bosa.example.be").first()
    )
    assert row is not None
    assert row["language_role"] == "FR"
    assert row["start_date"] == dt.date(2026, 1, 5)
    assert row["end_date"] is None
    assert response.headers["location"] == f"/organisations/BOSA/staff#staff-{row['id']}"
    [entry] = await audit_actions("staff_added")
    assert entry["actor_email"] == users["partner_bosa"].email
    assert as_dict(entry["after"])["email"] == "new.person@bosa.example.be"
    page = await client.get("/organisations/BOSA/staff")
    assert "Nina Nieuw has been added to the staff." in page.text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_date": "2026-02-30"}, "start-date", "2026-02-30 is not a real date."),
        ({"start_date": "05/01/2026"}, "start-date", "Give the date as YYYY-MM-DD"),
        ({"end_date": "2025-12-31"}, "end-date", "The end date comes before the start date."),
        ({"language_role": "DE"}, "language-role", "language roles: NL, FR."),
        ({"email": "not-an-email"}, "email", "not-an-email is not an e-mail address."),
        ({"first_name": " "}, "first-name", "Give the first name."),
    ],
)
async def test_bad_staff_input_is_refused_next_to_the_field(english, users, change, field, message):
    client = english
    await login(client, users["partner_bosa"])
    response = await post(client, "/organisations/BOSA/staff", {**NEW_STAFF, **change})
    assert response.status_code == 400
    assert message in response.text
    assert f'aria-describedby="add-{field}-error"' in response.text
    assert 'value="Nieuw"' in response.text  # the user's input is kept
    assert await staff_count() == 0
    assert await audit_actions("staff_added") == []


async def test_an_email_of_this_organisation_is_refused_and_dgro_is_told_whose(english, users):
    """A PRO Partner's address held elsewhere is a move request
    (tests/organisations/test_staff_moves.py); one of its own organisation is refused, and DG R&O, who may know,
    is told that another organisation has it."""
    client = english
    await factories.staff_member("FIN", "frank@fin.example.be")
    await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["partner_bosa"])
    same = await post(
        client, "/organisations/BOSA/staff", {**NEW_STAFF, "email": "ann@bosa.example.be"}
    )
    assert same.status_code == 400
    assert "already has this e-mail address" in same.text
    assert 'value="Nieuw"' in same.text  # what was typed is kept
    assert await staff_count() == 2
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["dgro"])
    theirs = await post(
        client, "/organisations/BOSA/staff", {**NEW_STAFF, "email": "FRANK@fin.example.be"}
    )
    assert theirs.status_code == 400
    assert "already registered for another organisation" in theirs.text
    assert await staff_count() == 2
    assert await audit_actions("staff_added") == []


async def test_edit_row_for_htmx_and_a_page_without_javascript(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["partner_bosa"])
    row = await client.get(
        f"/organisations/BOSA/staff/{ann}/edit?next=/organisations/BOSA/staff%3Fq%3Dann",
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="staff-{ann}"')
    assert 'value="ann@bosa.example.be"' in row.text
    assert 'name="next" value="/organisations/BOSA/staff?q=ann"' in row.text
    page = await client.get(f"/organisations/BOSA/staff/{ann}/edit")
    assert page.text.lstrip().startswith("<!doctype html>")
    assert f'action="/organisations/BOSA/staff/{ann}"' in page.text
    assert 'name="_csrf_token"' in page.text

    saved = await post(
        client,
        f"/organisations/BOSA/staff/{ann}",
        {
            "email": "ann@bosa.example.be",
            "first_name": "Ann",
            "last_name": "Peeters-Janssens",
            "language_role": "FR",
            "start_date": LAST_YEAR.isoformat(),
            "end_date": TODAY.isoformat(),
            "next": "/organisations/BOSA/staff?q=ann",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/organisations/BOSA/staff?q=ann"
    stored = await StaffMember.select().where(StaffMember.id == ann).first()
    assert stored["last_name"] == "Peeters-Janssens"
    assert stored["language_role"] == "FR"
    assert stored["end_date"] == TODAY
    [entry] = await audit_actions("staff_updated")
    assert as_dict(entry["before"])["last_name"] == "Peeters"
    assert as_dict(entry["after"])["last_name"] == "Peeters-Janssens"

    bad = await post(
        client,
        f"/organisations/BOSA/staff/{ann}",
        {**NEW_STAFF, "email": "ann@bosa.example.be", "end_date": "2020-01-01"},
    )
    assert bad.status_code == 400
    assert "The end date comes before the start date." in bad.text
    assert (await StaffMember.select().where(StaffMember.id == ann).first())["end_date"] == TODAY


async def test_a_staff_id_of_another_organisation_is_not_found(english, users):
    client = english
    fin = await factories.staff_member("FIN", "frank@fin.example.be", first="Frank")
    await login(client, users["partner_bosa"])
    assert (await client.get(f"/organisations/BOSA/staff/{fin}/edit")).status_code == 404
    response = await post(
        client, f"/organisations/BOSA/staff/{fin}", {**NEW_STAFF, "email": "frank@fin.example.be"}
    )
    assert response.status_code == 404
    assert (await post(client, f"/organisations/FIN/staff/{fin}", NEW_STAFF)).status_code == 403
    assert (await post(client, "/organisations/FIN/staff", NEW_STAFF)).status_code == 403
    stored = await StaffMember.select().where(StaffMember.id == fin).first()
    assert stored["first_name"] == "Frank"
    assert await staff_count() == 1
    assert await audit_actions("staff_updated") == []


async def test_hr_may_not_register_certificates(english, users):
    """HR keeps staff records (tests/organisations/test_hr_staff.py), not certificates."""
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["hr_bosa"])
    refused = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/certificates",
        {"track": "AZ", "obtained_on": "2026-01-10"},
    )
    assert refused.status_code == 403
    assert await Certificate.count() == 0


# --- registering certificates ---------------------------------------------------------------


async def test_partner_registers_a_pending_certificate(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["partner_bosa"])
    response = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/certificates",
        {"track": "AZ", "obtained_on": TODAY.isoformat(), "valid_until": "", "next": "//evil.test"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/organisations/BOSA/staff"
    [row] = await Certificate.select()
    assert row["status"] == "pending"
    assert row["registered_by"] == users["partner_bosa"].email
    assert row["decided_by"] is None
    [entry] = await audit_actions("certificate_registered")
    assert entry["record_key"] == str(row["id"])
    assert as_dict(entry["after"])["status"] == "pending"
    page = await client.get("/organisations/BOSA/staff")
    assert "DG R&amp;O will verify it" in page.text
    assert "pending verification" in page.text

    again = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/certificates",
        {"track": "AZ", "obtained_on": TODAY.isoformat()},
    )
    assert again.status_code == 400
    assert f"already has a AZ certificate obtained on {shown(TODAY)}" in again.text
    assert await certificate_count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"track": "AZ", "obtained_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "future"),
        ({"track": "NOPE", "obtained_on": "2025-01-01"}, "Choose one of the active tracks"),
        ({"track": "AZ", "obtained_on": ""}, "Give the date the certificate was obtained."),
        (
            {"track": "AZ", "obtained_on": "2025-01-01", "valid_until": "2024-12-31"},
            "cannot run out before it was obtained",
        ),
    ],
)
async def test_bad_certificate_input_is_refused(english, users, data, message):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["partner_bosa"])
    response = await post(client, f"/organisations/BOSA/staff/{ann}/certificates", data)
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert await certificate_count() == 0


async def test_an_inactive_track_cannot_be_registered(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await Track.update({Track.active: False}).where(Track.code == "INTERVIEW")
    await login(client, users["partner_bosa"])
    response = await post(
        client,
        f"/organisations/BOSA/staff/{ann}/certificates",
        {"track": "INTERVIEW", "obtained_on": "2025-01-01"},
    )
    assert response.status_code == 400
    assert await certificate_count() == 0


async def test_partner_cannot_register_for_another_organisation(english, users):
    client = english
    fin = await factories.staff_member("FIN", "frank@fin.example.be")
    await login(client, users["partner_bosa"])
    data = {"track": "AZ", "obtained_on": "2025-01-01"}
    assert (
        await post(client, f"/organisations/FIN/staff/{fin}/certificates", data)
    ).status_code == 403
    assert (
        await post(client, f"/organisations/BOSA/staff/{fin}/certificates", data)
    ).status_code == 404
    assert await certificate_count() == 0
    assert await audit_actions("certificate_registered") == []


async def test_dgro_registers_a_valid_certificate(english, users):
    client = english
    frank = await factories.staff_member("FIN", "frank@fin.example.be")
    await login(client, users["dgro"])
    response = await post(
        client,
        f"/organisations/FIN/staff/{frank}/certificates",
        {"track": "SELTEST", "obtained_on": "2025-06-30", "valid_until": "2027-06-30"},
    )
    assert response.status_code == 303
    [row] = await Certificate.select()
    assert row["status"] == "valid"
    assert row["valid_until"] == dt.date(2027, 6, 30)
    assert row["registered_by"] == users["dgro"].email
    assert row["decided_by"] == users["dgro"].email
    assert row["decided_at"] is not None


# --- DG R&O: the queue and decisions ------------------------------------------------------


async def test_queue_lists_pending_certificates_oldest_first(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be", first="Ann")
    frank = await factories.staff_member("FIN", "frank@fin.example.be", first="Frank")
    first = await factories.certificate(frank, "AZ", registered_by="partner@fin.demo.portal.be")
    second = await factories.certificate(ann, "SELTEST")
    await factories.certificate(ann, "AZ", status="valid")
    await login(client, users["dgro"])
    page = await client.get("/certificates/queue")
    assert page.status_code == 200
    assert "2 pending certificates" in page.text
    assert page.text.index(f'id="certificate-{first}"') < page.text.index(
        f'id="certificate-{second}"'
    )
    assert "partner@fin.demo.portal.be" in page.text
    assert f'action="/certificates/{first}/verify"' in page.text
    fragment = await client.get(
        "/certificates/queue?organisation=BOSA", headers={"HX-Request": "true"}
    )
    assert fragment.text.lstrip().startswith('<section id="results"')
    assert f'id="certificate-{second}"' in fragment.text
    assert f'id="certificate-{first}"' not in fragment.text
    assert fragment.headers["HX-Push-Url"] == "/certificates/queue?organisation=BOSA&page=1"
    assert (await client.get("/certificates/queue?organisation=NOPE")).status_code == 400
    odd = await client.get(
        "/certificates/queue?organisation=A%26B%0D%0AX&page=100000000000000000000",
        headers={"HX-Request": "true"},
    )
    assert odd.status_code == 400
    assert "Choose an organisation from the list." in odd.text
    beyond = await client.get("/certificates/queue?page=100000000000000000000")
    assert beyond.status_code == 200
    assert "Page 1 of 1" in beyond.text

    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["partner_bosa"])
    assert (await client.get("/certificates/queue")).status_code == 403


async def test_verify_makes_the_organisation_individually_certified(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await login(client, users["partner_bosa"])
    await post(
        client,
        f"/organisations/BOSA/staff/{ann}/certificates",
        {"track": "AZ", "obtained_on": LAST_YEAR.isoformat()},
    )
    [pending] = await Certificate.select()
    [before] = await eligibility_for_all(TODAY, "BOSA")
    assert str(before.eligibility.eligible_level) == "none"
    # the partner may not verify its own registration
    shown = {"status": "pending"}
    assert (await post(client, f"/certificates/{pending['id']}/verify", shown)).status_code == 403
    assert (await certificate(pending["id"]))["status"] == "pending"

    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await login(client, users["dgro"])
    response = await post(
        client, f"/certificates/{pending['id']}/verify", {**shown, "next": "https://evil.test/x"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/certificates/queue"
    stored = await certificate(pending["id"])
    assert stored["status"] == "valid"
    assert stored["decided_by"] == users["dgro"].email
    assert stored["decided_at"] is not None
    [after] = await eligibility_for_all(TODAY, "BOSA")
    assert str(after.eligibility.eligible_level) == "individual"
    [entry] = await audit_actions("certificate_verified")
    assert as_dict(entry["before"])["status"] == "pending"
    assert as_dict(entry["after"])["status"] == "valid"
    queue = await client.get("/certificates/queue")
    assert "is now valid" in queue.text
    assert "0 pending certificates" in queue.text


async def test_reject_needs_a_reason(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    pending = await factories.certificate(ann, "AZ")
    await login(client, users["dgro"])
    response = await post(
        client, f"/certificates/{pending}/reject", {"reason": "  ", "status": "pending"}
    )
    assert response.status_code == 400
    assert "Give the reason for rejecting this certificate." in response.text
    assert 'aria-describedby="decision-reason-error"' in response.text
    assert 'name="status" value="pending"' in response.text  # the form keeps what was shown
    assert (await certificate(pending))["status"] == "pending"
    assert await audit_actions("certificate_rejected") == []

    done = await post(
        client,
        f"/certificates/{pending}/reject",
        {
            "reason": "No attendance list",
            "next": "/organisations/BOSA/staff?q=ann",
            "status": "pending",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/organisations/BOSA/staff?q=ann"
    stored = await certificate(pending)
    assert stored["status"] == "revoked"
    assert stored["status_reason"] == "No attendance list"
    [entry] = await audit_actions("certificate_rejected")
    assert as_dict(entry["after"])["status_reason"] == "No attendance list"
    # The register says "rejected" (a certificate that was never valid), with the reason;
    # the export keeps SPEC 2.1's stored status.
    register = await client.get("/organisations/BOSA/staff?q=ann")
    assert (
        '<span class="certificate-status status-revoked">rejected by DG R&amp;O</span>'
        in register.text
    )
    assert "No attendance list" in register.text
    export = await client.get("/organisations/BOSA/certificates.csv")
    assert ",revoked," in export.text and "rejected" not in export.text


async def test_suspend_reinstate_and_revoke(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    valid = await factories.certificate(ann, "AZ", status="valid")
    await login(client, users["dgro"])
    page = await client.get("/organisations/BOSA/staff")
    assert f'action="/certificates/{valid}/suspend"' in page.text
    assert f'action="/certificates/{valid}/revoke"' in page.text
    assert f'action="/certificates/{valid}/verify"' not in page.text

    assert 'name="status" value="valid"' in page.text
    shown = {"status": "valid"}
    assert (await post(client, f"/certificates/{valid}/suspend", shown)).status_code == 400
    assert (
        await post(
            client, f"/certificates/{valid}/suspend", {**shown, "reason": "Complaint under review"}
        )
    ).status_code == 303
    assert (await certificate(valid))["status"] == "suspended"
    page = await client.get("/organisations/BOSA/staff")
    assert "suspended" in page.text and "Complaint under review" in page.text
    assert f'action="/certificates/{valid}/reinstate"' in page.text

    shown = {"status": "suspended"}
    assert (await post(client, f"/certificates/{valid}/reinstate", shown)).status_code == 303
    stored = await certificate(valid)
    assert stored["status"] == "valid"
    assert stored["status_reason"] == ""
    assert (
        await post(client, f"/certificates/{valid}/revoke", {"reason": "Fraud", "status": "valid"})
    ).status_code == 303
    assert (await certificate(valid))["status"] == "revoked"
    register = await client.get("/organisations/BOSA/staff")
    assert '<span class="certificate-status status-revoked">revoked</span>' in register.text
    actions = [e["action"] for e in await AuditEntry.select().order_by(AuditEntry.id)]
    assert [a for a in actions if a.startswith("certificate_")] == [
        "certificate_suspended",
        "certificate_reinstated",
        "certificate_revoked",
    ]


async def test_an_impossible_transition_is_409_and_names_the_status(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    valid = await factories.certificate(ann, "AZ", status="valid")
    pending = await factories.certificate(ann, "SELTEST")
    await login(client, users["dgro"])
    response = await post(client, f"/certificates/{valid}/verify", {"status": "valid"})
    assert response.status_code == 409
    assert "This certificate is valid: only a pending certificate can be verified." in response.text
    response = await post(client, f"/certificates/{pending}/reinstate", {"status": "pending"})
    assert response.status_code == 409
    assert "pending verification" in response.text
    response = await post(
        client, f"/certificates/{pending}/revoke", {"reason": "x", "status": "pending"}
    )
    assert response.status_code == 409
    assert (await certificate(valid))["status"] == "valid"
    assert (await certificate(pending))["status"] == "pending"
    assert (
        await post(client, "/certificates/999999/verify", {"status": "pending"})
    ).status_code == 404


async def test_posts_without_csrf_token_are_refused(english, users):
    client = english
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    pending = await factories.certificate(ann, "AZ")
    await login(client, users["dgro"])
    assert (await client.post(f"/certificates/{pending}/verify")).status_code == 403
    assert (
        await client.post(
            f"/organisations/BOSA/staff/{ann}/certificates",
            data={"track": "SELTEST", "obtained_on": "2025-01-01"},
        )
    ).status_code == 403
    assert (await client.post("/organisations/BOSA/staff", data=NEW_STAFF)).status_code == 403
    assert (await certificate(pending))["status"] == "pending"
    assert await certificate_count() == 1
    assert await staff_count() == 1


async def test_hr_finds_the_exports_on_the_staff_register(client, users):
    await login(client, users["hr_bosa"])
    page = await client.get("/organisations/BOSA/staff")
    assert page.status_code == 200
    for href in ("staff.csv", "staff.xlsx", "certificates.csv", "certificates.xlsx"):
        assert f'href="/organisations/BOSA/{href}"' in page.text
        assert (await client.get(f"/organisations/BOSA/{href}")).status_code == 200


async def test_an_unknown_decision_is_not_found(client, users):
    await login(client, users["dgro"])
    response = await client.post(
        "/certificates/1/approve", data={"_csrf_token": client.cookies["csrftoken"]}
    )
    assert response.status_code == 404


async def test_a_decision_from_a_stale_page_is_409_naming_who_changed_what(english, users, app):
    """B suspends; A's revoke from a page that still showed the certificate valid must not
    apply (it used to, overwriting B's reason)."""
    from tests.conftest import new_client

    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    valid = await factories.certificate(ann, "AZ", status="valid")
    async with new_client(app) as other:
        await login(english, users["dgro"])
        await login(other, users["dgro"])
        page = await english.get("/organisations/BOSA/staff")  # A sees it valid
        assert f'action="/certificates/{valid}/revoke"' in page.text
        assert 'name="status" value="valid"' in page.text
        suspended = await post(
            other, f"/certificates/{valid}/suspend", {"status": "valid", "reason": "Complaint"}
        )
        assert suspended.status_code == 303
        stale = await post(
            english, f"/certificates/{valid}/revoke", {"status": "valid", "reason": "Fraud"}
        )
    assert stale.status_code == 409
    text = html.unescape(stale.text)
    assert (
        f"{users['dgro'].email} made it suspended (was valid; reason: “Complaint”). "
        "Your decision was not saved" in text
    )
    stored = await certificate(valid)
    assert (stored["status"], stored["status_reason"]) == ("suspended", "Complaint")
    assert await audit_actions("certificate_revoked") == []
    # A form that does not say what it was made on is refused, nothing written.
    assert (
        await post(english, f"/certificates/{valid}/revoke", {"reason": "x"})
    ).status_code == 400
    assert (await certificate(valid))["status"] == "suspended"


async def test_the_service_decides_only_on_the_status_shown(users):
    from core.audit import Actor
    from core.errors import ChangedMeanwhile

    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    pending = await factories.certificate(ann, "AZ")
    dgro = Actor(email="dgro@x.be", roles="dgro")
    await service.decide(dgro, pending, "verify", "", "b@x.be", shown_status="pending")
    with pytest.raises(ChangedMeanwhile) as changed:
        await service.decide(dgro, pending, "reject", "late", "a@x.be", shown_status="pending")
    assert (changed.value.current, changed.value.changed_by) == ("valid", "b@x.be")
    assert (await certificate(pending))["status"] == "valid"
