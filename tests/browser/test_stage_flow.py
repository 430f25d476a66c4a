"""HR follows a trainee's stage (SPEC 3.1, issue 21) in real Chromium: from the cycle
status to the stage of Tine Claes (the demo's trainee, since 1 September 2026), an
extension of two months that moves the stage's end, then the appointment, after which
the stage takes no further decision and the statute reads statutory."""

import re

import pytest
from playwright.async_api import expect

from portal.demo import DEMO_USERS
from tests.browser.test_certificate_flow import log_in

pytestmark = pytest.mark.browser

HR = next(u for u in DEMO_USERS if u.email.startswith("hr@bosa"))


async def test_hr_extends_then_appoints_a_trainee(page):
    await log_in(page, HR)
    await page.goto("/organisations/BOSA/cycles")
    await page.get_by_role("link", name=re.compile("stage until 31 Aug 2027")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Stage: Tine Claes")
    stage = page.get_by_role("region", name="The stage", exact=True)
    await expect(stage).to_contain_text("31 Aug 2027")
    form = page.locator("form", has=page.get_by_role("button", name="Record the decision"))
    await form.get_by_label("Decision").select_option("extended")
    await form.get_by_label(re.compile("Extension in months")).fill("2")
    await form.get_by_label(re.compile("Decided on")).fill("2027-08-20")
    await form.get_by_label("Note (optional)").fill("Final mention: to improve")
    await form.get_by_role("button", name="Record the decision").click()
    await expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text(
        "The decision on the stage has been recorded."
    )
    await expect(stage).to_contain_text("31 Oct 2027")
    await expect(stage).to_contain_text("2 months")
    decisions = page.get_by_role("region", name="Decisions on the stage")
    await expect(decisions).to_contain_text("Final mention: to improve")
    await form.get_by_label("Decision").select_option("appointed")
    await form.get_by_label(re.compile("Decided on")).fill("2027-10-25")
    await form.get_by_role("button", name="Record the decision").click()
    await expect(decisions).to_contain_text("appointed (statutory from the day after the stage)")
    await expect(page.locator("select[name=decision]")).to_have_count(0)
    await expect(stage).to_contain_text("statutory")
    assert page.console_errors == []
