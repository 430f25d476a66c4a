"""The whole path of issue 9: the PRO Partner applies, DG R&O approves, the dashboard
shows client certification; the yearly review of the current year prepares its withdrawal
(it closes from 1 January only, issue 19) and is discarded; the review of the past year
closes after "I understand that closing is final" and the letter downloads as a PDF that
names the organisation and the decision."""

import datetime as dt
import io
import re

import pytest
from playwright.async_api import Page, expect
from pypdf import PdfReader

from tests.browser.test_certificate_flow import DGRO, PARTNER, log_out, menu
from tests.browser.test_qcheck_flow import log_in

pytestmark = pytest.mark.browser


async def test_apply_approve_review_withdraw_and_the_letter(page: Page):
    year = dt.date.today().year
    await log_in(page, PARTNER)
    await (await menu(page)).get_by_role("link", name="Application").click()
    await page.get_by_role("button", name="Apply for client certification").click()
    await expect(page.get_by_role("heading", level=2).first).to_contain_text(
        "submitted, waiting for DG R&O"
    )
    await log_out(page)

    await log_in(page, DGRO)
    await (await menu(page)).get_by_role("link", name="Applications").click()
    application = page.locator("article", has_text="BOSA")
    await application.get_by_label(re.compile("^Reason \\(required")).fill(
        "Visited on site: the conditions are met."
    )
    await application.get_by_role("button", name=re.compile("^Approve")).click()
    # BOSA's is decided; the demo's application of OSTBEL still waits.
    await expect(page.locator("article", has_text="BOSA")).to_have_count(0)
    await expect(page.locator("article", has_text="OSTBEL")).to_have_count(1)
    await log_out(page)

    await log_in(page, PARTNER)
    await page.goto("/organisations/BOSA")
    await expect(page.locator("dd").first).to_contain_text("client certification")
    await log_out(page)

    await log_in(page, DGRO)
    await (await menu(page)).get_by_role("link", name="Yearly review").click()
    await page.get_by_label("Open the review of").fill(str(year + 1))
    await page.get_by_role("button", name="Open the review").click()
    await expect(page.locator("#review-year-error")).to_contain_text(f"{year + 1} has not begun")
    await page.get_by_label("Open the review of").fill(str(year))
    await page.get_by_role("button", name="Open the review").click()
    entry = page.locator("#entry-BOSA")
    await entry.get_by_role("group").get_by_label("Decision").select_option("withdraw")
    await entry.get_by_label("Reason").fill("The Q-check average fell under 80 %.")
    await entry.get_by_role("button", name="Record the decision").click()
    await expect(page.locator("#entry-BOSA")).to_contain_text("The Q-check average fell")
    # The current year closes from 1 January only; the prepared review can be discarded.
    await expect(page.locator("#close-review")).to_contain_text(f"1 Jan {year + 1}")
    await expect(page.get_by_role("button", name=f"Close the review of {year}")).to_have_count(0)
    await page.get_by_label("I understand that the review and its decisions are removed").check()
    await page.get_by_role("button", name=f"Discard the review of {year}").click()
    await expect(page.get_by_text(f"The review of {year} has been discarded")).to_be_visible()

    # The demo data opened the review of the past year: it waits in the list.
    past = year - 1
    await page.get_by_role("link", name=re.compile(f"^{past}")).first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(str(past))
    # Every flagged organisation needs a decision before the review closes.
    pending = f"/reviews/{past}?flagged=true&undecided=true"
    await page.goto(pending)
    while await page.locator("#results article").count() > 0:
        first = page.locator("#results article").first
        await first.get_by_label("Reason").fill("Decided in the browser test.")
        await first.get_by_role("button", name="Record the decision").click()
        await page.goto(pending)
    await page.goto(f"/reviews/{past}")
    mobilit = page.locator("#entry-MOBILIT")
    await mobilit.get_by_role("group").get_by_label("Decision").select_option("confirm")
    await mobilit.get_by_label("Reason").fill("Confirmed in the browser test.")
    await mobilit.get_by_role("button", name="Record the decision").click()
    await page.get_by_label("I understand that closing is final").check()
    await page.get_by_role("button", name=f"Close the review of {past}").click()
    await expect(page.get_by_text(f"The review of {past} is closed").first).to_be_visible()
    letter = page.locator("#entry-MOBILIT").get_by_role("link", name="Letter (PDF)")
    href = await letter.get_attribute("href")
    assert href is not None
    response = await page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(await response.body())).pages
    )
    assert "Mobiliteit" in text and str(past) in text
    assert "bevestigd" in text  # MOBILIT writes NL first: the Dutch letter, "confirmed"
    # The one refused year answered 400 (the form with its message); nothing else.
    assert all(
        "status of 400" in error
        for error in page.console_errors  # type: ignore[attr-defined]
    ), page.console_errors  # type: ignore[attr-defined]
