"""A trainee's stage from planning through three functioning meetings to appointment
(SPEC 3.1, 3.2) in real Chromium.

The setup is what an operator and HR do: `portal import staff` (statute `trainee`, a start
about thirteen months ago, so that the whole stage lies in the past and every meeting
can be held and signed today), `portal import functions`, `portal create-user` for the
trainee's account, `portal cycles generate` through the first day of the stage (the
stage as one probation cycle, nothing after it yet), and HR makes Eva the first evaluator
on the evaluators page. Then Eva plans the stage (the planning meeting within the first
month, a performance and two development objectives), holds the three functioning meetings
on the days the dossier proposes and the final (balance) meeting at the stage's end, each
with a mention, writes the final report; Noor signs every report and the final report
for receipt, and reads a signed meeting report's PDF (in her language, Dutch). HR records
the appointment: the stage takes no further decision, the statute reads statutory and
the annual cycle after the stage appears.

The trainee is this test's own (her own e-mail): no other test sees her, and she depends
on no other test's state.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.async_api import Locator, Page, expect
from pypdf import PdfReader

from portal.demo import DEMO_USERS
from tests.browser.test_certificate_flow import log_in, log_out, menu
from tests.browser.test_cycle_flow import english_day

pytestmark = pytest.mark.browser

EVA = next(u for u in DEMO_USERS if u.email.startswith("evaluator@bosa"))
HR = next(u for u in DEMO_USERS if u.email.startswith("hr@bosa"))
NOOR = SimpleNamespace(
    email="noor.vermeulen.stage@bosa.demo.portal.be",
    name="Noor Vermeulen",
    password="lantern-quarry-velvet-58",
)
FUNCTION = "Junior selection consultant"
ONE_DAY = dt.timedelta(days=1)
PERFORMANCE = "Run the Dutch-language selections of the Brussels office"
DEVELOPMENT = ("Analyse a selection file on my own", "Plan a selection from start to end")
PLANNING_REPORT = "We agreed on Noor's objectives for the stage."
FUNCTIONING = (
    ("First functioning meeting: a good start in the team.", "meets_expectations"),
    ("Second functioning meeting: the analyses are thorough.", "exceptional"),
    ("Third functioning meeting: plans selections on her own.", "meets_expectations"),
)
FINAL_REPORT = "Final evaluation of the stage: Noor meets the expectations of the function."
FINAL_EVALUATION = "The stage is successful: we propose the appointment."
MENTION_LABELS = {
    "exceptional": "exceptional",
    "meets_expectations": "meets expectations",
    "to_improve": "to improve",
    "insufficient": "insufficient",
}


def portal(env: dict[str, str], *args: str) -> str:
    """One `portal` command, as an operator runs it; its output."""
    result = subprocess.run(
        [sys.executable, "-m", "portal", *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def stage_start(today: dt.date) -> dt.date:
    """About thirteen months ago: a year and three weeks, so that the stage ended some
    three weeks ago and its final report (due 30 days after the end) is not late yet."""
    start = dt.date(today.year - 1, today.month, min(today.day, 28)) - dt.timedelta(days=21)
    return start.replace(day=min(start.day, 28))


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def dutch(label: str, *args) -> str:
    """What `cycles.labels.<label>` writes in Dutch (the PDFs speak the staff member's
    language)."""
    from core.i18n import in_language
    from cycles import labels

    with in_language("nl"):
        return getattr(labels, label)(*args)


def set_up_the_trainee(env: dict[str, str], folder: Path, start: dt.date) -> None:
    staff = folder / "trainee.csv"
    staff.write_text(
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date,"
        f"statute\nBOSA,{NOOR.email},Noor,Vermeulen,NL,{start.isoformat()},,trainee\n",
        encoding="utf-8",
    )
    portal(env, "import", "staff", str(staff))
    functions = folder / "functions.csv"
    functions.write_text(
        f"email,function,started_on\n{NOOR.email},{FUNCTION},{start.isoformat()}\n",
        encoding="utf-8",
    )
    portal(env, "import", "functions", str(functions))
    portal(env, "create-user", NOOR.email, "--name", NOOR.name, "--role", "staff",
           "--organisation", "BOSA", "--password", NOOR.password)  # fmt: skip
    portal(env, "cycles", "generate", "--through", start.isoformat(), "--organisation", "BOSA")


def cycles_of_noor(env: dict[str, str]) -> list[dict]:
    rows = json.loads(portal(env, "cycles", "list", "--organisation", "BOSA", "--format", "json"))
    return [row for row in rows if row["email"] == NOOR.email]


def meeting(page: Page, kind: str, day: dt.date) -> Locator:
    """The meeting's article in the dossier, by its header ("functioning meeting · 2 Mar
    2026 · …")."""
    name = re.compile(f"^{re.escape(kind)} · {re.escape(english_day(day))}")
    return page.locator("#meetings").get_by_role("article", name=name)


async def add_meeting(page: Page, label: str, day: dt.date, report: str) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Add the meeting"))
    await form.get_by_label("Meeting").select_option(label=label)
    await form.get_by_label("Date (YYYY-MM-DD)").fill(day.isoformat())
    await form.get_by_label("Report").fill(report)
    await form.get_by_role("button", name="Add the meeting").click()
    await expect(meeting(page, label, day)).to_contain_text(report)


async def sign(page: Page, label: str, day: dt.date, state: str) -> None:
    article = meeting(page, label, day)
    await article.get_by_label("I have read the report and sign it").check()
    await article.get_by_role("button", name=f"Sign the {label} report").click()
    await expect(meeting(page, label, day)).to_contain_text(state)


async def add_objective(page: Page, kind: str, title: str, competency: str = "") -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Add the objective"))
    await form.get_by_label("Kind").select_option(label=kind)
    await form.get_by_label("Title").fill(title)
    await form.get_by_label("Specific: what exactly?").fill(f"{title}, by the end of the stage.")
    if competency:
        await form.get_by_label("Competency (development objectives)").select_option(
            label=competency
        )
    await form.get_by_role("button", name="Add the objective").click()
    objective = page.locator("#objectives").get_by_role("article", name=title, exact=True)
    await expect(objective).to_contain_text(f"{kind} · running")


async def hold_with_mention(page: Page, label: str, day: dt.date, report: str, mention: str):
    """The evaluator adds the meeting, gives its report's mention and signs it."""
    await add_meeting(page, label, day, report)
    article = meeting(page, label, day)
    await expect(article).to_contain_text("Mention: no mention yet")
    await article.get_by_label("Mention").select_option(mention)
    await article.get_by_role("button", name="Save the report").click()
    await expect(meeting(page, label, day)).to_contain_text(f"Mention: {MENTION_LABELS[mention]}")
    await sign(page, label, day, "signed by the evaluator, waiting for the staff member")


async def test_a_stage_from_planning_through_three_functioning_meetings_to_appointment(
    page: Page, portal_env: dict[str, str], tmp_path: Path
):
    today = dt.date.today()
    start = stage_start(today)
    end = start.replace(year=start.year + 1) - ONE_DAY  # a stage of one year (SPEC 3.1)
    planning_by = start.replace(month=start.month % 12 + 1, year=start.year + start.month // 12)
    planning_by -= ONE_DAY
    planning_on = weekday_on_or_after(start + dt.timedelta(days=7))
    final_on = weekday_on_or_before(end)
    after = end + ONE_DAY
    annual_end = dt.date(after.year if after.month <= 6 else after.year + 1, 12, 31)

    set_up_the_trainee(portal_env, tmp_path, start)
    # The stage as one probation cycle, with the function held on its first day.
    assert cycles_of_noor(portal_env) == [
        {"email": NOOR.email, "organisation": "BOSA", "function": FUNCTION,
         "start": start.isoformat(), "end": end.isoformat(), "kind": "probation"}
    ]  # fmt: skip

    # HR makes Eva Noor's first evaluator from the stage's first day.
    await log_in(page, HR)
    await page.goto("/organisations/BOSA/cycles/evaluators")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluators")
    await page.get_by_label("Search a staff member (name or e-mail)").fill(NOOR.email)
    await page.get_by_role("button", name="Search", exact=True).click()
    assign = page.get_by_role("form", name=f"Assign ({NOOR.name})")
    await assign.get_by_label(re.compile("^Role")).select_option("first")
    await assign.get_by_label(re.compile("^Evaluator's e-mail")).fill(EVA.email)
    await assign.get_by_label(re.compile("^From")).fill(start.isoformat())
    await assign.get_by_role("button", name=re.compile("^Assign")).click()
    await expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text(
        f"has been assigned from {english_day(start)}"
    )
    await expect(page.locator("tr", has_text=NOOR.email)).to_contain_text("Eva Evaluator")
    await log_out(page)

    # Eva opens the stage's dossier from My team.
    await log_in(page, EVA)
    await (await menu(page)).get_by_role("link", name="My team").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=NOOR.name))
    await expect(row).to_contain_text(f"{english_day(start)} – {english_day(end)}")
    await page.get_by_role("rowheader", name=NOOR.name).get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Evaluation dossier of {NOOR.name}"
    )
    dossier = re.sub(r"^https?://[^/]+", "", page.url)
    cycle_id = int(dossier.rsplit("/", 1)[-1])
    main = page.get_by_role("main")
    await expect(main).to_contain_text(
        f"Cycle from {english_day(start)} to {english_day(end)} · Function: {FUNCTION}"
    )
    stage = page.get_by_role("region", name="The stage", exact=True)
    await expect(stage).to_contain_text(f"The stage planning meeting by {english_day(planning_by)}")
    await expect(stage).to_contain_text(
        f"The final evaluation at the end of the stage ({english_day(end)})"
    )
    # The three proposed days, read as the evaluator reads them: spread over the stage.
    proposed = re.search(r"proposed days: (.+?)\.", await stage.inner_text())
    assert proposed is not None
    by_name = {english_day(start + dt.timedelta(days=n)): start + dt.timedelta(days=n)
               for n in range((end - start).days + 1)}  # fmt: skip
    days = [by_name[name] for name in proposed.group(1).split(", ")]
    quarter = (end - start) / 4
    assert len(days) == 3 and all(
        start + quarter * n <= day < start + quarter * n + dt.timedelta(days=5)
        for n, day in enumerate(days, start=1)
    ), days

    # The stage planning meeting within the first month, with its objectives.
    await add_meeting(page, "planning meeting", planning_on, PLANNING_REPORT)
    await add_objective(page, "performance", PERFORMANCE)
    await add_objective(page, "development", DEVELOPMENT[0], "Analysing")
    # One development objective is not enough for a stage: the signature is refused, in view.
    planning = meeting(page, "planning meeting", planning_on)
    await planning.get_by_label("I have read the report and sign it").check()
    await planning.get_by_role("button", name="Sign the planning meeting report").click()
    await expect(page.locator("#meetings").get_by_role("alert")).to_contain_text(
        "at least 2 development objectives"
    )
    await add_objective(page, "development", DEVELOPMENT[1], "Structuring")
    await expect(page.get_by_role("heading", name="Objectives (3/10)")).to_be_visible()
    await sign(page, "planning meeting", planning_on,
               "signed by the evaluator, waiting for the staff member")  # fmt: skip
    await expect(meeting(page, "planning meeting", planning_on)).to_contain_text(
        f"Evaluator: signed on {english_day(today)} by {EVA.email}"
    )
    await log_out(page)

    # Noor reads her objectives and signs the planning report.
    await log_in(page, NOOR)
    await (await menu(page)).get_by_role("link", name="My dossier").click()
    await expect(page).to_have_url(re.compile(f"{re.escape(dossier)}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Evaluation dossier of {NOOR.name}"
    )
    for title in (PERFORMANCE, *DEVELOPMENT):
        await expect(page.locator("#objectives")).to_contain_text(title)
    await sign(page, "planning meeting", planning_on, "signed by both: read-only")
    await expect(meeting(page, "planning meeting", planning_on)).to_contain_text(
        f"Staff member: signed on {english_day(today)}"
    )
    await log_out(page)

    # Eva holds the three functioning meetings on the proposed days and the final
    # evaluation at the stage's end, each with its mention, and writes the final report.
    await log_in(page, EVA)
    await page.goto(dossier)
    # A meeting of the stage is signed once its report gives the mention.
    await add_meeting(page, "functioning meeting", days[0], FUNCTIONING[0][0])
    first = meeting(page, "functioning meeting", days[0])
    await first.get_by_label("I have read the report and sign it").check()
    await first.get_by_role("button", name="Sign the functioning meeting report").click()
    await expect(page.locator("#meetings").get_by_role("alert")).to_contain_text(
        "signed once its report gives the mention"
    )
    await first.get_by_label("Mention").select_option(FUNCTIONING[0][1])
    await first.get_by_role("button", name="Save the report").click()
    await sign(page, "functioning meeting", days[0],
               "signed by the evaluator, waiting for the staff member")  # fmt: skip
    for day, (report, mention) in zip(days[1:], FUNCTIONING[1:], strict=True):
        await hold_with_mention(page, "functioning meeting", day, report, mention)
    await hold_with_mention(page, "balance meeting", final_on, FINAL_REPORT, "meets_expectations")
    # The final report, due 30 calendar days after the stage's end.
    first_task = page.locator("#task-first")
    await expect(first_task).to_contain_text(
        f"deadline {english_day(end + dt.timedelta(days=30))} · to do"
    )
    await first_task.get_by_label("Evaluation", exact=True).fill(FINAL_EVALUATION)
    await first_task.get_by_label(re.compile("I submit this evaluation as final")).check()
    await first_task.get_by_role("button", name="Submit the evaluation").click()
    await expect(page.locator("#report")).to_contain_text("it is final and cannot change")
    await expect(page.locator("#task-first")).to_contain_text(FINAL_EVALUATION)
    await log_out(page)

    # Noor signs the four reports and the final report for receipt.
    await log_in(page, NOOR)
    await page.goto(dossier)
    for day in days:
        await sign(page, "functioning meeting", day, "signed by both: read-only")
    await sign(page, "balance meeting", final_on, "signed by both: read-only")
    for day, (_, mention) in zip(days, FUNCTIONING, strict=True):
        article = meeting(page, "functioning meeting", day)
        await expect(article).to_contain_text(f"Mention: {MENTION_LABELS[mention]}")
        await expect(article).to_contain_text(f"by {EVA.email}")
    await expect(
        page.locator("#meetings").get_by_role("button", name=re.compile("^Sign"))
    ).to_have_count(0)
    final_report = page.locator("#report")
    await final_report.get_by_label("I have read the report and sign it for receipt").check()
    await final_report.get_by_role("button", name="Sign for receipt").click()
    await expect(page.locator("#report")).to_contain_text(
        f"Signed for receipt on {english_day(today)}"
    )

    # The signed report of the final evaluation as PDF, in Noor's language (Dutch).
    link = meeting(page, "balance meeting", final_on).get_by_role(
        "link", name="The balance meeting report as PDF"
    )
    href = await link.get_attribute("href")
    assert href and re.fullmatch(f"{dossier}/meetings/[0-9]+/report.pdf", href), href
    pdf = await page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(await pdf.body())).pages)
    text = re.sub(r"\s+", " ", text)
    assert NOOR.name in text and FINAL_REPORT in text, text
    assert dutch("mention_label", "meets_expectations") in text, text
    assert dutch("format_day", final_on) in text, text
    assert EVA.email in text and NOOR.email in text, text  # both signatures
    assert FUNCTIONING[0][0] not in text  # that one meeting's report only
    await log_out(page)

    # HR records the appointment on the stage's page.
    await log_in(page, HR)
    await (await menu(page)).get_by_role("link", name="Evaluation cycles").click()
    status = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(NOOR.name)))
    await expect(status).to_contain_text("trainee (on stage)")
    await status.get_by_role("link", name=f"stage until {english_day(end)}").click()
    await expect(page).to_have_url(re.compile(f"/organisations/BOSA/stages/{cycle_id}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Stage: {NOOR.name}")
    stage = page.get_by_role("region", name="The stage", exact=True)
    await expect(stage).to_contain_text(english_day(end))
    form = page.locator("form", has=page.get_by_role("button", name="Record the decision"))
    await form.get_by_label("Decision").select_option("appointed")
    await form.get_by_label(re.compile("Decided on")).fill(today.isoformat())
    await form.get_by_label("Note (optional)").fill("Final mention: meets expectations")
    await form.get_by_role("button", name="Record the decision").click()
    await expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text(
        "The decision on the stage has been recorded."
    )
    decisions = page.get_by_role("region", name="Decisions on the stage")
    await expect(decisions).to_contain_text(
        f"{english_day(today)}: appointed (statutory from the day after the stage)"
    )
    await expect(decisions).to_contain_text(f"recorded by {HR.email}")
    await expect(page.locator("select[name=decision]")).to_have_count(0)
    await expect(stage).to_contain_text("statutory")
    await expect(stage).not_to_contain_text("trainee (on stage)")

    # The annual cycle after the stage: from the day after it, by the first-cycle rule.
    await page.get_by_role("link", name="Back to the cycle status").click()
    status = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(NOOR.name)))
    await expect(status).to_contain_text("Statute: statutory")
    await expect(status).to_contain_text(f"{english_day(after)} – {english_day(annual_end)}")
    cycles = [(c["kind"], c["start"], c["end"]) for c in cycles_of_noor(portal_env)]
    assert cycles[:2] == [
        ("probation", start.isoformat(), end.isoformat()),
        ("annual", after.isoformat(), annual_end.isoformat()),
    ]
    assert all(kind == "annual" for kind, _, _ in cycles[2:])
    # The two refused signatures answered 400 (their messages shown in place); nothing else.
    assert all("400" in error for error in page.console_errors), page.console_errors  # type: ignore[attr-defined]
