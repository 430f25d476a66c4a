"""Accounts from the pages: invitations and resets by e-mail with one-time tokens, one's own
password, deactivation, HR limited to its own organisation, no role above one's own, and the
sessions that end when a password, a role or the account changes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accounts.service import save_user
from accounts.tables import AccountToken, User
from core.mail import mail_sender
from core.outbox import deliver_due
from core.settings import get_settings
from core.tables import AuditEntry, OutboxMessage
from organisations.tables import Organisation, ProPartnerTerm, StaffMember
from portal.app import create_app
from tests.certification.test_reminders import settings_for, smtp  # noqa: F401
from tests.conftest import csrf_token, login, make_settings, new_client

LINK = re.compile(r"https?://[^/\s]+(/(?:invitation|password/reset)/(\d+)/([A-Za-z0-9_-]+))")
STRONG = "lantern-orchard-velvet"


@pytest.fixture(autouse=True)
def english(client):
    client.headers["Accept-Language"] = "en"


async def logged_in(app, user):
    client = new_client(app)
    client.headers["Accept-Language"] = "en"
    response = await login(client, user)
    assert response.status_code == 303, response.text
    return client


async def post(client, path, data, page="/"):
    token = await csrf_token(client, page)
    return await client.post(path, data={**data, "_csrf_token": token})


async def user_id(email: str) -> int:
    row = await User.select(User.id).where(User.email == email).first()
    return int(row["id"])


async def last_link(recipient: str) -> tuple[str, int, str]:
    """The path, user id and token of the newest account mail to `recipient`."""
    message = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == recipient)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert message is not None, f"no mail to {recipient}"
    match = LINK.search(message["body"])
    assert match, message["body"]
    return match.group(1), int(match.group(2)), match.group(3)


async def invite(client, **fields):
    data = {"preferred_language": "en", "full_name": "Nina New", **fields}
    return await post(client, "/admin/users/invite", data, "/admin/users/invite")


async def logs_in(app, email: str, password: str) -> bool:
    async with new_client(app) as other:
        token = await csrf_token(other)
        response = await other.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token}
        )
        return response.status_code == 303


# --- invitations -------------------------------------------------------------------------------


async def test_dgro_invites_and_the_invitation_sets_the_password_once(app, client, users):
    dgro = await logged_in(app, users["dgro"])
    response = await invite(
        dgro, email="New.Partner@FIN.be", roles="pro_partner", organisation="FIN"
    )
    assert response.status_code == 303
    row = await User.select().where(User.email == "new.partner@fin.be").first()
    assert (row["roles"], row["password_hash"], row["active"]) == ("pro_partner", "", True)
    # The token is stored hashed: the mailed one is nowhere in the database.
    path, _, token = await last_link("new.partner@fin.be")
    stored = await AccountToken.select().first()
    assert token not in str(stored) and len(stored["token_hash"]) == 64
    assert stored["expires_at"] - stored["created_at"] == dt.timedelta(days=7)
    # Not usable before accepting: an invited account cannot log in.
    assert not await logs_in(app, "new.partner@fin.be", "")

    page = await client.get(path)
    assert page.status_code == 200 and "new.partner@fin.be" in page.text
    weak = await post(
        client, path, {"password": "password12", "password_again": "password12"}, path
    )
    assert weak.status_code == 400
    assert "too common or appears in lists of leaked passwords" in weak.text
    differ = await post(client, path, {"password": STRONG, "password_again": STRONG + "x"}, path)
    assert differ.status_code == 400 and "The two passwords differ" in differ.text
    accepted = await post(client, path, {"password": STRONG, "password_again": STRONG}, path)
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/login")
    assert await logs_in(app, "new.partner@fin.be", STRONG)

    again = await post(
        client,
        path,
        {"password": "another-" + STRONG, "password_again": "another-" + STRONG},
        "/login",
    )
    assert again.status_code == 400 and "used already" in again.text
    assert await logs_in(app, "new.partner@fin.be", STRONG)
    actions = [
        r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    ]
    assert "user_invited" in actions and "invitation_accepted" in actions
    await dgro.aclose()


async def test_an_expired_invitation_is_refused(app, client, users):
    dgro = await logged_in(app, users["dgro"])
    await invite(dgro, email="late@bosa.be", roles="staff", organisation="BOSA")
    path, _, _ = await last_link("late@bosa.be")
    await AccountToken.update(
        {AccountToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(AccountToken.purpose == "invitation")
    page = await client.get(path)
    assert page.status_code == 400 and "This link has expired" in page.text
    response = await post(client, path, {"password": STRONG, "password_again": STRONG}, "/login")
    assert response.status_code == 400
    assert (await User.select(User.password_hash).where(User.email == "late@bosa.be").first())[
        "password_hash"
    ] == ""
    # Sent again: the new link works, the old one stays dead.
    uid = await user_id("late@bosa.be")
    resent = await post(dgro, f"/admin/users/{uid}/invitation", {}, f"/admin/users/{uid}")
    assert resent.status_code == 303
    new_path, _, _ = await last_link("late@bosa.be")
    assert new_path != path
    ok = await post(client, new_path, {"password": STRONG, "password_again": STRONG}, "/login")
    assert ok.status_code == 303
    await dgro.aclose()


async def test_an_invitation_link_is_no_reset_link_and_a_made_up_token_is_refused(client, users):
    hr = users["hr_bosa"]
    uid = await user_id(hr.email)
    response = await client.get(f"/password/reset/{uid}/{'A' * 43}")
    assert response.status_code == 400 and "This link is not valid" in response.text


async def test_inviting_an_address_that_has_an_account_is_refused(app, users):
    dgro = await logged_in(app, users["dgro"])
    response = await invite(
        dgro, email=users["staff_bosa"].email, roles="staff", organisation="BOSA"
    )
    assert response.status_code == 400 and "already has an account" in response.text
    assert await OutboxMessage.count() == 0
    await dgro.aclose()


# --- password resets ---------------------------------------------------------------------------


async def forgot(client, email: str):
    return await post(client, "/password/forgot", {"email": email}, "/password/forgot")


async def test_forgot_password_answers_the_same_for_an_unknown_address(client, users):
    known = await forgot(client, users["staff_bosa"].email)
    page_after_known = (await client.get("/login")).text
    unknown = await forgot(client, "nobody@nowhere.be")
    page_after_unknown = (await client.get("/login")).text
    assert (known.status_code, known.headers["location"]) == (303, "/login")
    assert (unknown.status_code, unknown.headers["location"]) == (303, "/login")
    message = "If an active account uses this address"
    assert message in page_after_known and message in page_after_unknown
    assert [r["recipient"] for r in await OutboxMessage.select(OutboxMessage.recipient)] == [
        users["staff_bosa"].email
    ]
    outcomes = await AuditEntry.select(AuditEntry.record_key, AuditEntry.outcome).where(
        AuditEntry.action == "password_reset_requested"
    )
    assert {(r["record_key"], r["outcome"]) for r in outcomes} == {
        (users["staff_bosa"].email, "ok"),
        ("nobody@nowhere.be", "failed"),
    }


async def test_a_reset_sets_a_new_password_once_and_ends_every_session(app, client, users):
    staff = users["staff_bosa"]
    session = await logged_in(app, staff)
    await forgot(client, staff.email)
    path, _, _ = await last_link(staff.email)
    token_row = await AccountToken.select().where(AccountToken.purpose == "reset").first()
    assert token_row["expires_at"] - token_row["created_at"] == dt.timedelta(hours=1)
    same = await post(client, path, {"password": staff.email, "password_again": staff.email}, path)
    assert same.status_code == 400 and "may not be your e-mail address" in same.text
    done = await post(client, path, {"password": STRONG, "password_again": STRONG}, path)
    assert done.status_code == 303
    assert await logs_in(app, staff.email, STRONG)
    assert not await logs_in(app, staff.email, staff.password)
    # The session opened before the reset has ended.
    assert (await session.get("/")).status_code == 303
    reused = await post(
        client, path, {"password": "x" + STRONG, "password_again": "x" + STRONG}, "/login"
    )
    assert reused.status_code == 400 and "used already" in reused.text
    assert await logs_in(app, staff.email, STRONG)
    await session.aclose()


async def test_an_expired_reset_is_refused(client, users):
    staff = users["staff_bosa"]
    await forgot(client, staff.email)
    path, _, _ = await last_link(staff.email)
    await AccountToken.update(
        {AccountToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(AccountToken.purpose == "reset")
    response = await post(client, path, {"password": STRONG, "password_again": STRONG}, "/login")
    assert response.status_code == 400 and "This link has expired" in response.text


async def test_a_reset_token_does_not_work_for_another_user(app, client, users):
    staff, hr = users["staff_bosa"], users["hr_bosa"]
    await forgot(client, staff.email)
    _, staff_id, token = await last_link(staff.email)
    hr_id = await user_id(hr.email)
    path = f"/password/reset/{hr_id}/{token}"
    assert (await client.get(path)).status_code == 400
    response = await post(client, path, {"password": STRONG, "password_again": STRONG}, "/login")
    assert response.status_code == 400 and "This link is not valid" in response.text
    assert await logs_in(app, hr.email, hr.password)
    assert await logs_in(app, staff.email, staff.password)
    # ... and still works for its own user.
    own = f"/password/reset/{staff_id}/{token}"
    assert (
        await post(client, own, {"password": STRONG, "password_again": STRONG}, own)
    ).status_code == 303


async def test_forgot_password_is_rate_limited_like_login(users):
    app = create_app(make_settings(LOGIN_ATTEMPTS_PER_MINUTE="3"))
    async with new_client(app) as client:
        token = await csrf_token(client, "/password/forgot")
        statuses = [
            (
                await client.post(
                    "/password/forgot", data={"email": f"a{i}@b.be", "_csrf_token": token}
                )
            ).status_code
            for i in range(4)
        ]
    assert statuses == [303, 303, 303, 429]


# --- one's own password --------------------------------------------------------------------------


async def test_changing_ones_password_ends_the_other_sessions_only(app, users):
    hr = users["hr_bosa"]
    here = await logged_in(app, hr)
    elsewhere = await logged_in(app, hr)
    wrong = await post(
        here,
        "/account/password",
        {"current_password": "not-it", "password": STRONG, "password_again": STRONG},
        "/account",
    )
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    weak = await post(
        here,
        "/account/password",
        {"current_password": hr.password, "password": "1234567890", "password_again": "1234567890"},
        "/account",
    )
    assert weak.status_code == 400 and "too common" in weak.text
    changed = await post(
        here,
        "/account/password",
        {"current_password": hr.password, "password": STRONG, "password_again": STRONG},
        "/account",
    )
    assert changed.status_code == 303
    assert (await here.get("/account")).status_code == 200
    assert (await elsewhere.get("/")).status_code == 303  # back to the login page
    assert await logs_in(app, hr.email, STRONG)
    assert not await logs_in(app, hr.email, hr.password)
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.action == "password_changed")
        .order_by(AuditEntry.id, ascending=False)
        .first()
    )
    assert (entry["record_key"], entry["outcome"]) == (hr.email, "ok")
    await here.aclose()
    await elsewhere.aclose()


async def test_the_account_page_keeps_the_preferred_language(app, users):
    staff = await logged_in(app, users["staff_bosa"])
    response = await post(staff, "/language", {"language": "fr", "next": "/account"}, "/account")
    assert response.headers["location"] == "/account"
    row = (
        await User.select(User.preferred_language)
        .where(User.email == users["staff_bosa"].email)
        .first()
    )
    assert row["preferred_language"] == "fr"
    assert "Mon compte" in (await staff.get("/account")).text
    await staff.aclose()


async def test_create_user_resetting_a_password_ends_the_users_sessions(app, users):
    staff = users["staff_bosa"]
    session = await logged_in(app, staff)
    await save_user(staff.email, "Sam Staff", ["staff"], "BOSA", STRONG, command="create-user")
    assert (await session.get("/")).status_code == 303
    await session.aclose()


# --- deactivation, roles, scope ------------------------------------------------------------------


async def test_deactivation_ends_the_sessions_and_refuses_login(app, users):
    staff = users["staff_bosa"]
    session = await logged_in(app, staff)
    dgro = await logged_in(app, users["dgro"])
    uid = await user_id(staff.email)
    response = await post(dgro, f"/admin/users/{uid}/deactivate", {}, f"/admin/users/{uid}")
    assert response.status_code == 303
    assert (await session.get("/")).status_code == 303
    assert not await logs_in(app, staff.email, staff.password)
    # Deactivated, "forgot your password" sends nothing.
    await forgot(session, staff.email)
    assert await OutboxMessage.count() == 0
    await post(dgro, f"/admin/users/{uid}/reactivate", {}, f"/admin/users/{uid}")
    assert await logs_in(app, staff.email, staff.password)
    actions = {r["action"] for r in await AuditEntry.select(AuditEntry.action)}
    assert {"user_deactivated", "user_reactivated"} <= actions
    await session.aclose()
    await dgro.aclose()


async def test_a_role_change_ends_the_users_sessions(app, users):
    evaluator = users["evaluator_bosa"]
    session = await logged_in(app, evaluator)
    hr = await logged_in(app, users["hr_bosa"])
    uid = await user_id(evaluator.email)
    response = await post(
        hr,
        f"/admin/users/{uid}",
        {"full_name": "Eva Evaluator", "roles": "staff", "preferred_language": "nl"},
        f"/admin/users/{uid}",
    )
    assert response.status_code == 303
    row = await User.select(User.roles, User.organisation).where(User.id == uid).first()
    assert row["roles"] == "staff"
    assert (await session.get("/")).status_code == 303
    await session.aclose()
    await hr.aclose()


async def test_hr_sees_and_manages_only_its_own_organisations_accounts(app, users):
    hr = await logged_in(app, users["hr_bosa"])
    listing = await hr.get("/admin/users")
    assert listing.status_code == 200
    for name in ("hr_bosa", "evaluator_bosa", "staff_bosa"):
        assert users[name].email in listing.text
    for name in ("partner_bosa", "partner_fin", "dgro"):
        assert users[name].email not in listing.text
    fin_partner = await user_id(users["partner_fin"].email)
    bosa_partner = await user_id(users["partner_bosa"].email)
    for uid in (fin_partner, bosa_partner):
        assert (await hr.get(f"/admin/users/{uid}")).status_code == 404
        refused = await post(hr, f"/admin/users/{uid}/deactivate", {}, "/admin/users")
        assert refused.status_code == 404
        edited = await post(
            hr,
            f"/admin/users/{uid}",
            {"full_name": "Taken Over", "roles": "staff", "preferred_language": "nl"},
            "/admin/users",
        )
        assert edited.status_code == 404
    rows = await User.select(User.full_name, User.active).where(
        User.id.is_in([fin_partner, bosa_partner])
    )
    assert all(r["active"] and r["full_name"] != "Taken Over" for r in rows)
    # HR's invitation lands in its own organisation, whatever the form says.
    await invite(hr, email="colleague@bosa.be", roles="evaluator", organisation="FIN")
    row = (
        await User.select(User.organisation.code.as_alias("code"))
        .where(User.email == "colleague@bosa.be")
        .first()
    )
    assert row["code"] == "BOSA"
    # Staff and PRO Partners manage no accounts; neither organisations, nor HR.
    staff = await logged_in(app, users["staff_bosa"])
    assert (await staff.get("/admin/users")).status_code == 403
    assert (await hr.get("/admin/organisations")).status_code == 403
    await hr.aclose()
    await staff.aclose()


async def test_nobody_grants_a_role_above_their_own(app, users):
    hr = await logged_in(app, users["hr_bosa"])
    for role in ("dgro", "pro_partner"):
        response = await invite(hr, email=f"{role}@bosa.be", roles=role)
        assert response.status_code == 400
        assert "You cannot grant a role you do not hold yourself." in response.text
        assert not await User.exists().where(User.email == f"{role}@bosa.be")
    uid = await user_id(users["staff_bosa"].email)
    response = await post(
        hr,
        f"/admin/users/{uid}",
        {"full_name": "Sam Staff", "roles": ["staff", "pro_partner"], "preferred_language": "nl"},
        f"/admin/users/{uid}",
    )
    assert response.status_code == 400
    assert (await User.select(User.roles).where(User.id == uid).first())["roles"] == "staff"
    # Nobody changes their own roles from the users page.
    dgro = await logged_in(app, users["dgro"])
    own = await user_id(users["dgro"].email)
    response = await post(
        dgro,
        f"/admin/users/{own}",
        {
            "full_name": "Dirk Dgro",
            "roles": "staff",
            "organisation": "BOSA",
            "preferred_language": "nl",
        },
        f"/admin/users/{own}",
    )
    assert response.status_code == 400
    assert (await User.select(User.roles).where(User.id == own).first())["roles"] == "dgro"
    await hr.aclose()
    await dgro.aclose()


async def test_the_users_list_filters_and_pages(app, users):
    dgro = await logged_in(app, users["dgro"])
    response = await dgro.get("/admin/users?organisation=BOSA&role=staff")
    assert response.status_code == 200
    assert (
        users["staff_bosa"].email in response.text
        and users["evaluator_bosa"].email in response.text
    )
    assert users["partner_fin"].email not in response.text
    bad = await dgro.get("/admin/users?role=king")
    assert bad.status_code == 400 and "Choose a role from the list." in bad.text
    await dgro.aclose()


# --- organisations ---------------------------------------------------------------------------------


async def test_dgro_adds_and_edits_an_organisation(app, users):
    dgro = await logged_in(app, users["dgro"])
    new = "/admin/organisations/new"
    bad = await post(dgro, new, {"code": "x", "name_nl": "", "name_fr": "F"}, new)
    assert bad.status_code == 400
    assert (
        "The code is 2 to 20 capital letters" in bad.text and "Give the name in Dutch." in bad.text
    )
    created = await post(
        dgro,
        new,
        {
            "code": "justice",
            "name_nl": "FOD Justitie",
            "name_fr": "SPF Justice",
            "language_roles": ["NL", "FR"],
            "pro_partner_email": "partner@just.be",
        },
        new,
    )
    assert (created.status_code, created.headers["location"]) == (
        303,
        "/admin/organisations/JUSTICE",
    )
    again = await post(
        dgro, new, {"code": "JUSTICE", "name_nl": "a", "name_fr": "b", "language_roles": "NL"}, new
    )
    assert again.status_code == 400 and "exists already" in again.text
    edit = "/admin/organisations/JUSTICE"
    saved = await post(
        dgro,
        edit,
        {
            "name_nl": "FOD Justitie (nieuw)",
            "name_fr": "SPF Justice",
            "language_roles": ["FR", "NL", "DE"],
            "pro_partner_email": "other@just.be",
        },
        edit,
    )
    assert saved.status_code == 303
    row = await Organisation.select().where(Organisation.code == "JUSTICE").first()
    assert (row["name_nl"], row["language_roles"], row["pro_partner_email"]) == (
        "FOD Justitie (nieuw)",
        "NL|FR|DE",
        "other@just.be",
    )
    terms = await ProPartnerTerm.select(ProPartnerTerm.email, ProPartnerTerm.ended_on).order_by(
        ProPartnerTerm.id
    )
    assert [(t["email"], t["ended_on"] is None) for t in terms] == [
        ("partner@just.be", False),
        ("other@just.be", True),
    ]
    listing = await dgro.get("/admin/organisations?q=justitie")
    assert "JUSTICE" in listing.text and "BOSA" not in listing.text
    actions = {r["action"] for r in await AuditEntry.select(AuditEntry.action)}
    assert {"organisation_added", "organisation_changed"} <= actions
    await dgro.aclose()


async def test_a_language_role_held_by_staff_cannot_be_taken_away(app, users):
    bosa = await Organisation.select(Organisation.id).where(Organisation.code == "BOSA").first()
    await StaffMember.insert(
        StaffMember(
            organisation=bosa["id"],
            email="fr@bosa.be",
            first_name="Fr",
            last_name="Staff",
            language_role="FR",
            start_date=dt.date(2020, 1, 1),
        )
    )
    dgro = await logged_in(app, users["dgro"])
    edit = "/admin/organisations/BOSA"
    response = await post(
        dgro, edit, {"name_nl": "BOSA", "name_fr": "BOSA", "language_roles": "NL"}, edit
    )
    assert response.status_code == 400 and "still have the language role FR" in response.text
    row = (
        await Organisation.select(Organisation.language_roles)
        .where(Organisation.code == "BOSA")
        .first()
    )
    assert row["language_roles"] == "NL|FR"
    await dgro.aclose()


async def test_the_invitation_is_mailed_in_the_invitees_language(app, users, smtp):  # noqa: F811
    controller, inbox = smtp
    dgro = await logged_in(app, users["dgro"])
    await invite(
        dgro,
        email="marie@fin.be",
        full_name="Marie Dupont",
        roles="pro_partner",
        organisation="FIN",
        preferred_language="fr",
    )
    assert await deliver_due(mail_sender(settings_for(controller)), "worker-1") == (1, 0)
    [message] = inbox.messages
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "marie@fin.be"
    assert message["Subject"] == "Votre compte sur le portail de certification PRO"
    assert "Bonjour Marie Dupont," in body and "valable 7 jours" in body
    path, _, _ = await last_link("marie@fin.be")
    assert f"{get_settings().public_url}{path}" in body  # PUBLIC_URL, never the Host
    await dgro.aclose()


async def test_the_invite_form_says_every_mistake_in_one_round(app, users):
    """Issue 19 #10: DG R&O *and* an organisation was accepted, the organisation was checked
    only after the other fields, and DG R&O was told to "ask DG R&O"."""
    dgro = await logged_in(app, users["dgro"])
    both = await invite(dgro, email="new@x.be", full_name="", roles="dgro", organisation="BOSA")
    assert both.status_code == 400
    assert "Give the full name." in both.text
    assert "A DG R&amp;O account belongs to no organisation" in both.text
    none = await invite(dgro, email="new@x.be", full_name="New One", roles="staff", organisation="")
    assert (
        none.status_code == 400 and "Every role but DG R&amp;O needs an organisation." in none.text
    )
    taken = await invite(
        dgro, email=users["staff_bosa"].email, full_name="Sam", roles="staff", organisation="BOSA"
    )
    assert "find it in the list of users" in taken.text and "ask DG R&amp;O" not in taken.text
    assert await OutboxMessage.count() == 0
    await dgro.aclose()
