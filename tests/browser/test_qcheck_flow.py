"""DG R&O records a Q-check with its criteria; the PRO Partner of the organisation reads it
with the comments, and the dashboard's Q-check average changes with it (the consultant,
Eva Evaluator, is AZ-certified in BOSA, so her Q-checks count)."""

import datetime as dt
import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.test_certificate_flow import DGRO, PARTNER, condition, log_out, menu

pytestmark = pytest.mark.browser

CRITERIA = ("PROFILE", "SCREENING", "TESTS", "INTERVIEW", "REPORT", "PROCEDURE")


async def log_in(page: Page, user) -> None:
    """Log in, then read in English (an earlier test leaves a user's language on Dutch)."""
    await page.goto("/login")
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Log in").click()
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_contain_text(re.compile("Welcome|Welkom|Bienvenue"))
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


async def average(page: Page) -> str:
    await page.goto("/organisations/BOSA")
    cells = condition(page, "qcheck_average").locator("td")
    return (await cells.nth(1).inner_text()).strip()


async def quarter_count(page: Page, day: dt.date) -> int:
    """The trend table's count of Q-checks for the quarter of `day` (0 when absent)."""
    await page.goto("/organisations/BOSA/qchecks/analytics")
    label = f"{day.year} Q{(day.month - 1) // 3 + 1}"
    row = page.locator("#table-quarters tr", has=page.locator("th", has_text=label))
    if await row.count() == 0:
        return 0
    return int((await row.locator("td").first.inner_text()).strip())


async def test_record_a_qcheck_and_the_partner_reads_it(page: Page):
    checked_on = dt.date.today() - dt.timedelta(days=2)
    await log_in(page, PARTNER)
    before = await average(page)
    quarter_before = await quarter_count(page, checked_on)
    await log_out(page)

    await log_in(page, DGRO)
    await (await menu(page)).get_by_role("link", name="Q-checks").click()
    await page.get_by_role("link", name="Record a Q-check").click()
    today = dt.date.today()
    await page.get_by_label("Reference", exact=True).fill("BR-BROWSER-1")
    await page.locator("#qcheck-organisation-code").select_option("BOSA")
    await page.locator("#qcheck-language-role").select_option("NL")
    await page.get_by_label("Consultant (e-mail)").fill("evaluator@bosa.demo.portal.be")
    await page.get_by_label("Closed on").fill((today - dt.timedelta(days=20)).isoformat())
    await page.get_by_label("Checked on").fill(checked_on.isoformat())
    for code in CRITERIA:
        await page.locator(f"#score-{code}").fill("40")
    await page.get_by_label(re.compile("Comment on Interview")).fill(
        "The interview guide was not used."
    )
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Q-check of BR-BROWSER-1")
    await expect(page.locator("dd", has_text="40.00 %")).to_be_visible()
    await log_out(page)

    await log_in(page, PARTNER)
    await (await menu(page)).get_by_role("link", name="Q-checks").click()
    await page.get_by_role("link", name="BR-BROWSER-1").click()
    await expect(page.get_by_role("table")).to_contain_text("The interview guide was not used.")
    after = await average(page)
    assert after != before, (before, after)
    assert await quarter_count(page, checked_on) == quarter_before + 1
    # The trend is drawn as an SVG image that says what it shows.
    await expect(page.locator("svg[role=img] title").first).to_contain_text("quarter")
    assert page.console_errors == []  # type: ignore[attr-defined]
