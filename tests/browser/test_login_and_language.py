"""A person logs in, switches language and reads the translated pages, in real Chromium."""

import pytest
from playwright.async_api import expect

from portal.demo import DEMO_USERS

pytestmark = pytest.mark.browser

PARTNER = next(u for u in DEMO_USERS if u.email.startswith("partner@bosa"))


async def test_log_in_switch_language_and_see_translated_pages(page):
    await page.goto("/")
    await expect(page).to_have_url("/login?next=%2F")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.get_by_label("E-mail address").fill(PARTNER.email)
    await page.get_by_label("Password").fill(PARTNER.password)
    await page.get_by_role("button", name="Log in").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {PARTNER.full_name}")

    await page.get_by_role("button", name="Français").click()
    await expect(page.locator("html")).to_have_attribute("lang", "fr")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bienvenue, {PARTNER.full_name}"
    )

    await page.get_by_role("navigation").locator("summary", has_text="Menu").click()
    await page.get_by_role("link", name="Mon organisation").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("SPF Stratégie et Appui")

    await page.get_by_role("button", name="Nederlands").click()
    await expect(page.locator("html")).to_have_attribute("lang", "nl")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(
        "FOD Beleid en Ondersteuning"
    )
    assert page.console_errors == []


async def test_wrong_password_is_explained_on_the_page(page):
    await page.goto("/login")
    await page.get_by_label("E-mail address").fill(PARTNER.email)
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_contain_text("wrong")
    await expect(page.get_by_label("E-mail address")).to_have_value(PARTNER.email)


async def test_escape_closes_the_menu_and_returns_to_it(page):
    await page.goto("/login")
    await page.get_by_label("E-mail address").fill(PARTNER.email)
    await page.get_by_label("Password").fill(PARTNER.password)
    await page.get_by_role("button", name="Log in").click()
    menu = page.locator("details.site-menu")
    home = menu.locator("a[href='/']")  # whatever language the first test left the account in
    await menu.locator("summary").click()
    await expect(menu).to_have_attribute("open", "")
    await home.focus()
    await page.keyboard.press("Escape")
    await expect(menu).not_to_have_attribute("open", "")
    await expect(menu.locator("summary")).to_be_focused()
    # After a boosted navigation (htmx swaps the body) it still closes.
    await menu.locator("summary").click()
    await home.click()
    await menu.locator("summary").click()
    await page.keyboard.press("Escape")
    await expect(menu).not_to_have_attribute("open", "")
    assert page.console_errors == []
