"""The whole account path in real Chromium with a real SMTP server: DG R&O invites a PRO
Partner, the invitation arrives by e-mail, the partner chooses a password from its link,
logs in, changes the password, and the session opened before the change is gone."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from portal.demo import DEMO_USERS
from tests.browser.conftest import send_mail
from tests.browser.test_certificate_flow import menu

pytestmark = pytest.mark.browser

DGRO = next(u for u in DEMO_USERS if u.roles == "dgro")
PARTNER = "new.partner@ostbel.example.be"
FIRST = "harbour-lantern-sixty"
SECOND = "quiet-meadow-copper-9"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/invitation/\d+/[A-Za-z0-9_-]+")


async def log_in(page, email: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()


async def test_invite_a_partner_who_sets_and_changes_the_password(
    page, browser: Browser, live_server: str, portal_env, mailbox
):
    # DG R&O invites the PRO Partner of OSTBEL from the users page.
    await log_in(page, DGRO.email, DGRO.password)
    await (await menu(page)).get_by_role("link", name="Users", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    await page.get_by_role("link", name="Invite a user").click()
    await page.get_by_label("E-mail address").fill(PARTNER)
    await page.get_by_label("Full name").fill("Nora Nieuw")
    await page.get_by_label("PRO Partner").check()
    await page.get_by_label("Organisation").select_option("OSTBEL")
    await page.get_by_label("Language of the portal and its e-mails").select_option("en")
    await page.get_by_role("button", name="Send the invitation").click()
    await expect(page.get_by_role("status")).to_contain_text(f"The invitation to {PARTNER}")
    await expect(page.get_by_role("row", name=re.compile(PARTNER))).to_contain_text(
        "invited, no password yet"
    )
    await page.get_by_role("button", name="Log out").click()

    # The invitation arrives on the SMTP server.
    assert "1 message(s) sent" in send_mail(portal_env)
    [mail] = [m for m in mailbox.messages if m["To"] == PARTNER]
    body = mail.get_payload(decode=True).decode()
    assert "Nora Nieuw" in body and "valid for 7 days" in body
    link = LINK.search(body).group(0)

    # The partner chooses a password; a leaked one is refused with the reason.
    partner = await browser.new_context(base_url=live_server, locale="en-GB")
    tab = await partner.new_page()
    await tab.goto(link)
    await expect(tab.get_by_role("heading", level=1)).to_have_text("Choose your password")
    await tab.get_by_label("New password", exact=True).fill("password123")
    await tab.get_by_label("New password again").fill("password123")
    await tab.get_by_role("button", name="Save the password").click()
    await expect(tab.locator("#token-password-error")).to_contain_text("leaked passwords")
    # (the field's label now carries its error too)
    await tab.locator("#token-password").fill(FIRST)
    await tab.locator("#token-password-again").fill(FIRST)
    await tab.get_by_role("button", name="Save the password").click()
    await expect(tab).to_have_url(f"{live_server}/login")
    await expect(tab.get_by_role("status")).to_contain_text("Your password is set")

    # The partner logs in on another computer first: the session that must end later.
    other = await browser.new_context(base_url=live_server, locale="en-GB")
    old = await other.new_page()
    await log_in(old, PARTNER, FIRST)
    await expect(old.get_by_role("heading", level=1)).to_have_text("Welcome, Nora Nieuw")

    # ... then here, and changes the password on My account.
    await log_in(tab, PARTNER, FIRST)
    await expect(tab.get_by_role("heading", level=1)).to_have_text("Welcome, Nora Nieuw")
    await tab.get_by_role("link", name="My account").click()
    await tab.get_by_label("Current password").fill(FIRST)
    await tab.get_by_label("New password", exact=True).fill(SECOND)
    await tab.get_by_label("New password again").fill(SECOND)
    await tab.get_by_role("button", name="Change the password").click()
    await expect(tab.get_by_role("status")).to_contain_text("logged out everywhere else")
    await tab.reload()
    await expect(tab.get_by_role("heading", level=1)).to_have_text("My account")

    # The old session is gone: the other computer is sent to the login page.
    await old.goto("/")
    await expect(old).to_have_url(re.compile(r"/login\?next="))
    await log_in(old, PARTNER, FIRST)
    await expect(old.get_by_role("alert")).to_contain_text("wrong")
    await log_in(old, PARTNER, SECOND)
    await expect(old.get_by_role("heading", level=1)).to_have_text("Welcome, Nora Nieuw")
    assert page.console_errors == []
    await partner.close()
    await other.close()
