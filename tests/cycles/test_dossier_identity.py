"""Issue 18, row 1 (high): an evaluation dossier belongs to the account linked to its staff
record by id, never to whoever holds the record's e-mail. The three reproductions of the
probe through the real pages (own organisation, DG R&O, across organisations), a
property-style walk of register edits by people who are nobody's evaluator, the links an
invitation and an administrator make, and the migration that linked today's accounts."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from accounts.service import load_user
from core.audit import Actor
from core.errors import Refused
from core.identity import CurrentUser
from cycles import queries
from cycles.objectives import service as objective_service
from portal.demo import DEMO_USERS
from tests.conftest import TestUser as Person
from tests.conftest import csrf_token, login

EN = {"accept-language": "en"}
CANARY = "CANARY-objective-7f3a"
PEOPLE = {user.email: Person(user.email, user.password, user.roles, user.organisation)
          for user in DEMO_USERS}  # fmt: skip
PARTNER_BOSA = "partner@bosa.demo.portal.be"
PARTNER_FIN = "partner@fin.demo.portal.be"
DGRO = "dgro@demo.portal.be"
HR_BOSA = "hr@bosa.demo.portal.be"
EVA = "evaluator@bosa.demo.portal.be"
SAM = "staff@bosa.demo.portal.be"


@pytest.fixture
async def demo():
    """The demo (its accounts linked to their records by `portal demo-data`), an objective
    with a canary title in Sam's running dossier, the running cycle of each BOSA record."""
    from accounts.tables import User
    from competencies.loader import seed_models
    from cycles.tables import EvaluationCycle
    from organisations.tables import StaffMember
    from portal.demo import load_demo_data

    await seed_models()
    await load_demo_data()
    today = dt.date.today()
    staff = {row["email"]: row for row in await StaffMember.select()}
    cycle_rows = await EvaluationCycle.select().where(EvaluationCycle.starts_on <= today)
    running: dict[int, int] = {}
    for row in sorted(cycle_rows, key=lambda r: r["starts_on"]):
        running[row["staff"]] = row["id"]
    accounts = {row["email"]: row["id"] for row in await User.select(User.id, User.email)}
    eva = await load_user(accounts[EVA])
    assert eva is not None and eva.staff_id == staff[EVA]["id"]
    sam_cycle = running[staff[SAM]["id"]]
    objective = await objective_service.add_objective(
        Actor(EVA, "evaluator,staff"),
        eva,
        sam_cycle,
        objective_service.ObjectiveInput(kind="performance", title=CANARY),
        today,
    )
    return {
        "staff": staff,
        "running": running,
        "accounts": accounts,
        "sam_cycle": sam_cycle,
        "eva_cycle": running[staff[EVA]["id"]],
        "objective": objective,
    }


async def _post(client, path: str, data: dict[str, str]):
    token = await csrf_token(client, "/")
    return await client.post(path, data={**data, "_csrf_token": token}, headers=EN)


def _record(row: dict, **changes: str) -> dict[str, str]:
    """The staff form as the register's edit row sends it, with `changes`."""
    return {
        "email": row["email"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "language_role": row["language_role"],
        "start_date": row["start_date"].isoformat(),
        "end_date": row["end_date"].isoformat() if row["end_date"] else "",
        **changes,
    }


async def _sees_no_dossier(client, cycle_ids: list[int]) -> None:
    for cycle_id in cycle_ids:
        page = await client.get(f"/cycles/{cycle_id}", headers=EN)
        assert page.status_code == 404, (cycle_id, page.status_code)
        assert CANARY not in page.text
    mine = await client.get("/my/dossier", headers=EN)
    assert mine.status_code == 200 and "There is no evaluation cycle in your name" in mine.text


async def test_a_partner_taking_the_evaluators_email_gains_no_dossier(client, demo):
    """Reproduction 1: BOSA's PRO Partner gives the evaluator's record its own e-mail."""
    eva_record = demo["staff"][EVA]
    await login(client, PEOPLE[PARTNER_BOSA])
    changed = await _post(
        client,
        f"/organisations/BOSA/staff/{eva_record['id']}",
        _record(eva_record, email=PARTNER_BOSA),
    )
    assert changed.status_code == 303  # the register edit itself is the partner's right
    await _sees_no_dossier(client, [demo["eva_cycle"], demo["sam_cycle"]])
    progress = await _post(
        client,
        f"/cycles/{demo['sam_cycle']}/objectives/{demo['objective']}/progress",
        {"percent": "50", "comment": "taken over"},
    )
    assert progress.status_code == 404
    # The evaluator's account still holds the record: Sam's dossier is still Eva's to plan.
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, PEOPLE[EVA])
    page = await client.get(f"/cycles/{demo['sam_cycle']}", headers=EN)
    assert page.status_code == 200 and CANARY in page.text


async def test_dgro_taking_a_staff_members_email_gains_no_dossier(client, demo):
    """Reproduction 2: DG R&O sets Sam's record to its own e-mail and opens /my/dossier."""
    sam_record = demo["staff"][SAM]
    await login(client, PEOPLE[DGRO])
    changed = await _post(
        client, f"/organisations/BOSA/staff/{sam_record['id']}", _record(sam_record, email=DGRO)
    )
    assert changed.status_code == 303
    await _sees_no_dossier(client, [demo["sam_cycle"]])
    # Sam, whose record now carries another address, still has their own dossier.
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, PEOPLE[SAM])
    mine = await client.get("/my/dossier", headers=EN)
    assert mine.status_code == 303 and mine.headers["location"] == f"/cycles/{demo['sam_cycle']}"


async def test_another_organisations_partner_gains_no_dossier(client, demo):
    """Reproduction 3: BOSA's partner gives a BOSA record FIN's partner's e-mail."""
    marc = demo["staff"]["marc.lambert@bosa.demo.portal.be"]
    await login(client, PEOPLE[PARTNER_BOSA])
    changed = await _post(
        client, f"/organisations/BOSA/staff/{marc['id']}", _record(marc, email=PARTNER_FIN)
    )
    assert changed.status_code == 303
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, PEOPLE[PARTNER_FIN])
    await _sees_no_dossier(client, [demo["running"][marc["id"]], demo["sam_cycle"]])


async def test_whatever_register_edits_outsiders_make_they_never_gain_a_dossier(demo):
    """A walk of 150 random register edits by DG R&O and BOSA's PRO Partner: any BOSA
    record given any account's address (or a fresh one), in any order. After each, the
    accounts that evaluate nobody and own no dossier (DG R&O, both partners, HR) stand
    outside every cycle, and their own cycle list is empty; Eva and Sam keep theirs."""
    from organisations.forms import StaffInput
    from organisations.service import update_staff
    from organisations.tables import StaffMember

    rng = random.Random(18)  # fixed: a failure replays
    addresses = [user.email for user in DEMO_USERS] + [
        f"fresh{n}@bosa.demo.portal.be" for n in range(3)
    ]
    bosa = demo["staff"][SAM]["organisation"]
    records = [row for row in demo["staff"].values() if row["organisation"] == bosa]
    outsiders = [DGRO, PARTNER_BOSA, PARTNER_FIN, HR_BOSA]
    today = dt.date.today()
    contexts = [await queries.cycle_context(cycle_id) for cycle_id in demo["running"].values()]
    for step in range(150):
        target = rng.choice(records)
        current = await StaffMember.select().where(StaffMember.id == target["id"]).first()
        writer = Actor(rng.choice([DGRO, PARTNER_BOSA]), "")
        data = StaffInput(
            rng.choice(addresses), current["first_name"], current["last_name"],
            current["language_role"], current["start_date"], current["end_date"],
        )  # fmt: skip
        try:
            await update_staff(writer, bosa, target["id"], data)
        except Refused:  # the address is another record's: refused, and that is fine
            pass
        for email in outsiders:
            user: CurrentUser | None = await load_user(demo["accounts"][email])
            assert user is not None and user.staff_id is None
            assert await queries.cycles_of_staff(user.staff_id) == []
            for cycle in contexts:
                standing = await queries.standing(user, cycle, today)
                assert standing.access not in ("owner", "evaluator"), (step, email, cycle.id)
    eva = await load_user(demo["accounts"][EVA])
    assert eva is not None
    sam_cycle = await queries.cycle_context(demo["sam_cycle"])
    assert (await queries.standing(eva, sam_cycle, today)).plans


async def test_an_accepted_invitation_links_the_record_it_named_by_id(client, demo):
    """HR invites Marc: the invitation names Marc's record; a later change of the record's
    e-mail changes nothing; on acceptance the account is Marc's, dossier included."""
    from accounts.tables import AccountToken, User
    from core.tables import OutboxMessage as OutboxMail

    marc = demo["staff"]["marc.lambert@bosa.demo.portal.be"]
    await login(client, PEOPLE[HR_BOSA])
    invited = await _post(
        client,
        "/admin/users/invite",
        {"email": marc["email"], "full_name": "Marc Lambert", "roles": "staff",
         "preferred_language": "en"},
    )  # fmt: skip
    assert invited.status_code == 303, invited.text
    account = await User.select().where(User.email == marc["email"]).first()
    token_row = await AccountToken.select().where(AccountToken.user == account["id"]).first()
    assert token_row["staff_member"] == marc["id"] and account["staff_member"] is None
    page = await client.get(f"/admin/users/{account['id']}", headers=EN)
    assert "links this account to the staff record of Marc Lambert" in page.text
    # The partner renames the record's address before Marc accepts: the link follows the id.
    from organisations.forms import StaffInput
    from organisations.service import update_staff

    await update_staff(Actor(PARTNER_BOSA, "pro_partner"), marc["organisation"], marc["id"],
                       StaffInput("marc.new@bosa.demo.portal.be", "Marc", "Lambert",
                                  marc["language_role"], marc["start_date"], None))  # fmt: skip
    mail = (await OutboxMail.select().where(OutboxMail.recipient == marc["email"]).first())["body"]
    link = next(word for word in mail.split() if "/invitation/" in word)
    path = link[link.index("/invitation/") :]
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    token = await csrf_token(client, path)
    accepted = await client.post(
        path,
        data={"password": "a fresh passphrase for marc", "password_again":
              "a fresh passphrase for marc", "_csrf_token": token},
    )  # fmt: skip
    assert accepted.status_code in (302, 303), accepted.text
    linked = await User.select(User.staff_member).where(User.id == account["id"]).first()
    assert linked["staff_member"] == marc["id"]


async def test_hr_links_and_unlinks_a_record_but_never_its_own_account(client, demo):
    from accounts.tables import User
    from core.tables import AuditEntry

    await login(client, PEOPLE[HR_BOSA])
    sam_account = demo["accounts"][SAM]
    removed = await _post(client, f"/admin/users/{sam_account}/staff-record/remove", {})
    assert removed.status_code == 303
    assert (await User.select(User.staff_member).where(User.id == sam_account).first())[
        "staff_member"
    ] is None
    # Unlinked, Sam has no dossier at once (the link is read on every request).
    sam = await load_user(sam_account)
    assert sam is not None and await queries.cycles_of_staff(sam.staff_id) == []
    wrong = await _post(
        client, f"/admin/users/{sam_account}/staff-record", {"staff_email": "nobody@bosa.be"}
    )
    assert wrong.status_code == 400
    assert "There is no staff record with the e-mail nobody@bosa.be" in wrong.text
    assert 'value="nobody@bosa.be"' in wrong.text  # what was typed is kept
    linked = await _post(client, f"/admin/users/{sam_account}/staff-record", {"staff_email": SAM})
    assert linked.status_code == 303
    assert (await User.select(User.staff_member).where(User.id == sam_account).first())[
        "staff_member"
    ] == demo["staff"][SAM]["id"]
    actions = {row["action"] for row in await AuditEntry.select(AuditEntry.action)}
    assert {"staff_record_linked", "staff_record_unlinked"} <= actions
    # HR has a record of its own in the register: it cannot link its account to one.
    own = demo["accounts"][HR_BOSA]
    refused = await _post(
        client,
        f"/admin/users/{own}/staff-record",
        {"staff_email": "marc.lambert@bosa.demo.portal.be"},
    )
    assert refused.status_code in (400, 404)
    assert (await User.select(User.staff_member).where(User.id == own).first())[
        "staff_member"
    ] is None


async def test_the_migration_links_todays_accounts_by_email_once_and_reports(demo):
    """The one-time migration: accounts linked by today's e-mail in their organisation; an
    account of another organisation is not; the report names who has no record."""
    import importlib

    from accounts.tables import User
    from core.tables import AuditEntry
    from organisations.tables import Organisation

    await User.update({User.staff_member: None}, force=True)
    fin = (await Organisation.select().where(Organisation.code == "FIN").first())["id"]
    # A staff account of FIN whose address is a BOSA record's: not that record's owner.
    await User.update({User.organisation: fin}).where(User.email == SAM)
    migration = importlib.import_module(
        "accounts.piccolo_migrations.accounts_2026_12_02t07_00_00_000000"
    )
    await migration.link_and_report()
    links = {
        row["email"]: row["staff_member"]
        for row in await User.select(User.email, User.staff_member)
    }
    assert links[EVA] == demo["staff"][EVA]["id"]
    assert links[SAM] is None and links[DGRO] is None
    report = await AuditEntry.select().where(AuditEntry.action == "staff_records_linked").first()
    after = json.loads(report["after"]) if isinstance(report["after"], str) else report["after"]
    assert SAM in after["not_linked"] and EVA in after["linked"]
