"""An evaluator plans a development objective linked to a certification track, both sign
the planning report, the staff member reads it in the dossier; once a valid certificate
of the linked track is registered (the PRO Partner registers it, DG R&O verifies it),
the dossier shows the objective achieved.

The demo data makes Eva (evaluator@bosa) Sam's first evaluator and generates the cycles
through today; the planning meeting and the certificate are dated today, inside Sam's
running cycle whatever the date the suite runs on.
"""

import datetime as dt
import re

import pytest
from playwright.async_api import Page, expect

from portal.demo import DEMO_USERS
from tests.browser.test_certificate_flow import log_in, log_out, menu
from tests.browser.test_screens import screenshot

pytestmark = pytest.mark.browser

EVALUATOR = next(u for u in DEMO_USERS if u.email.startswith("evaluator@bosa"))
STAFF = next(u for u in DEMO_USERS if u.email.startswith("staff@bosa"))
PARTNER = next(u for u in DEMO_USERS if u.email.startswith("partner@bosa"))
DGRO = next(u for u in DEMO_USERS if u.roles == "dgro")
HR = next(u for u in DEMO_USERS if u.email.startswith("hr@bosa"))
TITLE = "Run assessment centres on my own"


def english_day(day: dt.date) -> str:
    from core.i18n import current_language, format_day, set_language

    before = current_language()
    set_language("en")
    try:
        return format_day(day)
    finally:
        set_language(before)


async def test_plan_sign_and_achieve_through_a_certificate(page: Page):
    today = dt.date.today().isoformat()
    await log_in(page, EVALUATOR)
    await (await menu(page)).get_by_role("link", name="My team").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await screenshot(page, "evaluator-team-wide")
    await page.get_by_role("rowheader", name="Sam Staff").get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Staff")

    meeting_form = page.locator("form", has=page.get_by_role("button", name="Add the meeting"))
    await meeting_form.get_by_label("Meeting").select_option(label="planning meeting")
    await meeting_form.get_by_label("Date (YYYY-MM-DD)").fill(today)
    await meeting_form.get_by_label("Report").fill("We agreed on Sam's development this year.")
    await meeting_form.get_by_role("button", name="Add the meeting").click()
    meetings = page.locator("#meetings")
    await expect(meetings).to_contain_text("We agreed on Sam's development this year.")

    # Signing is a second step: the box is asked for first (the browser keeps the form).
    sign = meetings.get_by_role("button", name="Sign the planning meeting report")
    await sign.click()
    await expect(meetings.get_by_role("alert")).to_have_count(0)
    # Signing before a development objective exists is refused, in view.
    await meetings.get_by_label("I have read the report and sign it").check()
    await sign.click()
    await expect(meetings.get_by_role("alert")).to_contain_text("development objective")

    plan = page.locator("form", has=page.get_by_role("button", name="Add the objective"))
    await plan.get_by_label("Kind").select_option(label="development")
    await plan.get_by_label("Title").fill(TITLE)
    await plan.get_by_label("Specific: what exactly?").fill("Lead three assessment centres.")
    await plan.get_by_label("Competency (development objectives)").select_option(label="Analysing")
    await plan.get_by_label("Certification track (optional)").select_option(
        label="ASSESS · Assessment techniques"
    )
    await plan.get_by_role("button", name="Add the objective").click()
    objectives = page.locator("#objectives")
    await expect(objectives).to_contain_text(TITLE)
    await expect(objectives).to_contain_text("running")

    await page.locator("#meetings").get_by_label("I have read the report and sign it").check()
    await (
        page.locator("#meetings")
        .get_by_role("button", name="Sign the planning meeting report")
        .click()
    )
    await expect(page.locator("#meetings")).to_contain_text(
        "signed by the evaluator, waiting for the staff member"
    )
    await screenshot(page, "evaluator-dossier-wide", at=page.locator("#objectives"))
    await log_out(page)

    await log_in(page, STAFF)
    await (await menu(page)).get_by_role("link", name="My dossier").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Staff")
    await expect(page.locator("#objectives")).to_contain_text(TITLE)
    await page.get_by_label("Your remarks (before you sign)").fill("Agreed.")
    await page.get_by_role("button", name="Save my remarks").click()
    await expect(page.locator("#meetings")).to_contain_text("Agreed.")
    await page.locator("#meetings").get_by_label("I have read the report and sign it").check()
    await (
        page.locator("#meetings")
        .get_by_role("button", name="Sign the planning meeting report")
        .click()
    )
    await expect(page.locator("#meetings")).to_contain_text("signed by both: read-only")
    await expect(page.locator("#meetings").get_by_role("button")).to_have_count(1)  # add only
    await screenshot(page, "staff-dossier-wide")
    await log_out(page)

    # A valid certificate of the linked track, obtained today: registered and verified.
    await log_in(page, PARTNER)
    await (await menu(page)).get_by_role("link", name="Staff and certificates").click()
    row = page.locator("tr", has_text="staff@bosa.demo.portal.be")
    await row.locator("summary", has_text="Register a certificate").click()
    await row.get_by_label("Track").select_option("ASSESS")
    await row.get_by_label("Obtained on").fill(today)
    await row.get_by_role("button", name="Register the certificate").click()
    await expect(page.locator("tr", has_text="staff@bosa.demo.portal.be")).to_contain_text(
        "pending"
    )
    await log_out(page)
    await log_in(page, DGRO)
    await (await menu(page)).get_by_role("link", name="Verification queue").click()
    shown = english_day(dt.date.today())  # the queue shows dates as the reader writes them
    queued = page.locator("tr", has_text="staff@bosa.demo.portal.be").filter(has_text=shown)
    await queued.get_by_role("button", name=re.compile("^Verify")).click()
    await expect(page.locator("tr", has_text=shown)).to_have_count(0)
    await log_out(page)

    await log_in(page, STAFF)
    await page.goto("/my/dossier")
    objective = page.locator("article.objective", has_text=TITLE)
    await expect(objective).to_contain_text("achieved")
    await expect(objective).to_contain_text("a valid ASSESS certificate obtained on")
    await log_out(page)

    # HR follows the status of the cycles, never their contents.
    await log_in(page, HR)
    await (await menu(page)).get_by_role("link", name="Evaluation cycles").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation cycles")
    await expect(page.locator("main")).to_contain_text("Sam Staff")
    await expect(page.locator("main")).not_to_contain_text(TITLE)
    await screenshot(page, "hr-cycles-wide")
    # The one refused signature answered 400 (its message shown in place); nothing else.
    assert all(
        "400" in error
        for error in page.console_errors  # type: ignore[attr-defined]
    ), page.console_errors  # type: ignore[attr-defined]
