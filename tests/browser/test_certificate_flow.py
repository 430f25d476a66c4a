"""A PRO Partner registers a certificate, DG R&O verifies it, the dashboard shows the new level.

The demo data leaves BOSA one certified staff member and one FR SELTEST consultant short
of client certification; Sam Staff's ASSESS certificate waits in the queue.
"""

import re

import pytest
from playwright.async_api import Page, expect

from portal.demo import DEMO_USERS

pytestmark = pytest.mark.browser

PARTNER = next(u for u in DEMO_USERS if u.email.startswith("partner@bosa"))
DGRO = next(u for u in DEMO_USERS if u.roles == "dgro")


async def log_in(page: Page, user) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


async def log_out(page: Page) -> None:
    await page.get_by_role("button", name="Log out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def menu(page: Page):
    """The main navigation with its menu of pages open (details/summary)."""
    nav = page.get_by_role("navigation", name="Main navigation")
    details = nav.locator("details.site-menu")
    if await details.get_attribute("open") is None:
        await details.locator("summary").click()
    return nav


def condition(page: Page, code: str):
    return page.locator(f"#condition-{code.replace(':', '-')}")


async def test_register_verify_and_see_the_new_level(page: Page):
    await log_in(page, PARTNER)
    await page.goto("/organisations/BOSA")
    await expect(condition(page, "seltest_per_language:FR")).to_contain_text(
        "1 more FR SELTEST-certified consultant"
    )
    await expect(page.locator("dd").nth(1)).to_contain_text("individual certification")

    await (await menu(page)).get_by_role("link", name="Staff and certificates").click()
    row = page.locator("tr", has_text="lucie.dubois@bosa.demo.portal.be")
    await row.locator("summary", has_text="Register a certificate").click()
    await row.get_by_label("Track").select_option("SELTEST")
    await row.get_by_label("Obtained on").fill("2025-06-30")
    await row.get_by_role("button", name="Register the certificate").click()
    await expect(page.locator("tr", has_text="lucie.dubois@bosa.demo.portal.be")).to_contain_text(
        "pending"
    )
    # Pending certificates do not count yet.
    await page.goto("/organisations/BOSA")
    await expect(condition(page, "seltest_per_language:FR")).to_contain_text("not met")
    await log_out(page)

    await log_in(page, DGRO)
    await (await menu(page)).get_by_role("link", name="Verification queue").click()
    for email in ("lucie.dubois@bosa.demo.portal.be", "staff@bosa.demo.portal.be"):
        queued = page.locator("tr", has_text=email)
        await queued.get_by_role("button", name=re.compile("^Verify")).click()
        await expect(page.locator("tr", has_text=email)).to_have_count(0)

    await page.goto("/organisations/BOSA")
    await expect(condition(page, "seltest_per_language:FR")).to_contain_text("met")
    await expect(condition(page, "certified_staff")).to_contain_text("met")
    await expect(page.locator("dd").nth(1)).to_contain_text("client certification")
    # htmx loads the look-ahead into its section: the link stands in for it until then.
    look_ahead = page.locator("#lookahead")
    await expect(look_ahead).to_contain_text("If nothing changes")
    await expect(look_ahead.get_by_role("link")).to_have_count(0)
    assert page.console_errors == []  # type: ignore[attr-defined]
