"""An annual insufficient through the written procedure (SPEC 3.2, issue 21) in real
Chromium: Eva could not meet Sam, so she sends him the draft stating an insufficient; Sam
reads it with the term's end date and adds his remarks; Eva signs it as it was sent,
Lucie (the second evaluator) signs hers, and the report is final: Sam signs it for
receipt, its PDF holds the draft and his remarks (read with pypdf), an early cycle
starts the next day, Eva writes its improvement plan and Sam reads it; Sam was mailed
the draft's term and the final report, HR the final insufficient, none of them a word of
the report.

The demo data makes Eva Sam's first and Lucie his second evaluator. An annual cycle
takes evaluations from its last month (December) to its closing day (30 June): outside
that window no cycle of Sam's has an evaluation to write, and the test says so. This
file runs after the others of the suite (their state is the demo's): it ends Sam's
annual cycle early.
"""

import datetime as dt
import io
import re

import pytest
from playwright.async_api import Page, expect
from pypdf import PdfReader

from portal.demo import DEMO_USERS
from tests.browser.conftest import send_mail
from tests.browser.test_certificate_flow import log_in, log_out, menu
from tests.browser.test_cycle_flow import english_day

pytestmark = pytest.mark.browser

EVA = next(u for u in DEMO_USERS if u.email.startswith("evaluator@bosa"))
LUCIE = next(u for u in DEMO_USERS if u.email.startswith("lucie.dubois@bosa"))
SAM = next(u for u in DEMO_USERS if u.email.startswith("staff@bosa"))
HR = next(u for u in DEMO_USERS if u.email.startswith("hr@bosa"))
DRAFT = "No evaluation meeting was possible. Three of five selections were late."
REMARKS = "Two of the three were late because the jury was not available."


def evaluated_year(today: dt.date) -> int | None:
    """The year of the annual cycle whose evaluations are open today, if any."""
    if today.month == 12:
        return today.year
    if today.month <= 6:
        return today.year - 1
    return None


async def open_cycle(page: Page, year: int) -> str:
    """From My team (an evaluator) or My dossier (Sam), the dossier of Sam's cycle of
    `year`; its path."""
    nav = page.get_by_role("navigation", name="Cycles of this staff member")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    name = f"{english_day(start)} – {english_day(end)}"
    link = nav.get_by_role("link", name=name, exact=True)
    if await link.count():
        await link.click()
    await expect(nav.locator("[aria-current=page]")).to_contain_text(english_day(start))
    return re.sub(r"^https?://[^/]+", "", page.url)


async def evaluator_opens_sam(page: Page, who, year: int) -> str:
    await log_in(page, who)
    await (await menu(page)).get_by_role("link", name="My team").click()
    await page.get_by_role("rowheader", name="Sam Staff").get_by_role("link").click()
    return await open_cycle(page, year)


def mails_to(mailbox) -> dict[str, int]:
    return {
        who.email: sum(1 for m in mailbox.messages if m["To"] == who.email) for who in (SAM, HR)
    }


async def test_an_insufficient_through_the_written_procedure_to_an_early_cycle(
    page: Page, portal_env, mailbox
):
    today = dt.date.today()
    year = evaluated_year(today)
    if year is None:
        pytest.skip("July to November: no annual cycle takes evaluations (SPEC 3)")
    send_mail(portal_env)  # what earlier tests left in the outbox
    before = mails_to(mailbox)
    end = english_day(today + dt.timedelta(days=15))

    # Eva sends the draft: a first evaluation stating an insufficient.
    path = await evaluator_opens_sam(page, EVA, year)
    first = page.locator("#task-first")
    await first.get_by_label("Evaluation", exact=True).fill(DRAFT)
    await first.get_by_label("Rating").select_option("insufficient")
    await first.get_by_role("button", name=re.compile("Send the draft")).click()
    await expect(page.locator("#task-first")).to_contain_text(f"remarks until {end}")
    await expect(page.locator("#task-first")).to_contain_text(
        "You sign it after the staff member's remarks"
    )
    await log_out(page)

    # Sam reads it with the term's end and adds his remarks.
    await log_in(page, SAM)
    await (await menu(page)).get_by_role("link", name="My dossier").click()
    assert await open_cycle(page, year) == path
    first = page.locator("#task-first")
    await expect(first).to_contain_text(DRAFT)
    await first.get_by_label(f"Your remarks on the draft (until {end})").fill(REMARKS)
    await first.get_by_role("button", name="Save my remarks").click()
    await expect(page.locator("#task-first")).to_contain_text(REMARKS)
    await log_out(page)

    # Eva signs it as it was sent; Lucie signs hers: the report is final.
    await log_in(page, EVA)
    await page.goto(path)
    first = page.locator("#task-first")
    await first.get_by_label(re.compile("I submit this evaluation as final")).check()
    await first.get_by_role("button", name="Sign the evaluation").click()
    await expect(page.locator("#task-first")).to_contain_text("Submitted on")
    await log_out(page)
    await log_in(page, LUCIE)
    await page.goto(path)
    second = page.locator("#task-second")
    await second.get_by_label("Evaluation", exact=True).fill("I agree with the first evaluator.")
    await second.get_by_label(re.compile("I submit this evaluation as final")).check()
    await second.get_by_role("button", name="Submit the evaluation").click()
    await expect(page.locator("#report")).to_contain_text("it is final and cannot change")
    await log_out(page)

    # Sam signs for receipt; the report's PDF holds the draft and his remarks.
    await log_in(page, SAM)
    await page.goto(path)
    report = page.locator("#report")
    await report.get_by_label("I have read the report and sign it for receipt").check()
    await report.get_by_role("button", name="Sign for receipt").click()
    await expect(page.locator("#report")).to_contain_text("Signed for receipt on")
    pdf = await page.request.get(f"{path}/report.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(await pdf.body())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Sam Staff" in text and DRAFT in text and REMARKS in text
    await log_out(page)

    # The early cycle starts the next day; Eva writes its improvement plan.
    tomorrow = today + dt.timedelta(days=1)
    await log_in(page, EVA)
    await page.goto(path)
    nav = page.get_by_role("navigation", name="Cycles of this staff member")
    await expect(nav).to_contain_text(english_day(tomorrow))
    await nav.get_by_role("link", name=re.compile(f"^{re.escape(english_day(tomorrow))} –")).click()
    plan = page.locator("form[action$='/improvement-plan']")
    await plan.get_by_label("Actions").fill("Plan each selection with the jury in advance.")
    await plan.get_by_label(re.compile("Follow-up on")).fill(
        (tomorrow + dt.timedelta(days=60)).isoformat()
    )
    await plan.get_by_role("button", name="Save the plan").click()
    await expect(page.get_by_role("main")).to_contain_text(
        "Plan each selection with the jury in advance."
    )
    early = re.sub(r"^https?://[^/]+", "", page.url)
    await log_out(page)
    await log_in(page, SAM)
    await page.goto(early)
    await expect(page.get_by_role("main")).to_contain_text(
        "Plan each selection with the jury in advance."
    )
    await log_out(page)

    # The mails: Sam's draft and final report, HR's final insufficient; nothing of the report.
    send_mail(portal_env)
    after = mails_to(mailbox)
    assert (after[SAM.email] - before[SAM.email], after[HR.email] - before[HR.email]) == (2, 1)
    bodies = [m.get_payload(decode=True).decode() for m in mailbox.messages]
    assert not any(DRAFT in body or REMARKS in body for body in bodies)
    assert page.console_errors == []
