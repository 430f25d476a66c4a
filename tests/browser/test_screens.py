"""Screens at 1280 × 800 and 390 × 844 (issue 12): every action column is in view (the
wide tables fit, or stack under 1100 px), the header's menu opens without JavaScript and
holds "Log out" and the language switch on a phone. The screenshots the role guides in
docs/ show are taken here, so they stay current (docs/screenshots/*.png)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from portal.demo import DEMO_USERS

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"wide": (1280, 800), "phone": (390, 844)}
USERS = {
    "dgro": next(u for u in DEMO_USERS if u.roles == "dgro"),
    "pro_partner": next(u for u in DEMO_USERS if u.email.startswith("partner@bosa")),
    "hr": next(u for u in DEMO_USERS if u.email.startswith("hr@bosa")),
    "evaluator": next(u for u in DEMO_USERS if u.email.startswith("evaluator@bosa")),
    "staff": next(u for u in DEMO_USERS if u.email.startswith("staff@bosa")),
}


async def _page(browser: Browser, base_url: str, size: tuple[int, int], javascript=True):
    context = await browser.new_context(
        base_url=base_url,
        locale="en-GB",
        viewport={"width": size[0], "height": size[1]},
        java_script_enabled=javascript,
    )
    return await context.new_page()


@pytest.fixture(params=list(VIEWPORTS))
async def sized(request, browser: Browser, live_server: str) -> AsyncIterator[tuple[Page, str]]:
    page = await _page(browser, live_server, VIEWPORTS[request.param])
    yield page, request.param
    await page.context.close()


async def log_in(page: Page, role: str) -> None:
    user = USERS[role]
    await page.goto("/login")
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


async def no_sideways_scrolling(page: Page) -> None:
    """Neither the page nor a table's scrolling frame hides anything to the side."""
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow} px"
    # A table of figures may scroll inside its own frame, if the keyboard reaches the
    # frame (a named region with tabindex 0) and it holds nothing to act on: a table with
    # links, buttons or fields stacks its rows instead.
    hidden = await page.evaluate(
        """Array.from(document.querySelectorAll('.overflow-auto'))
        .filter(e => e.scrollWidth - e.clientWidth > 1)
        .filter(e => !(e.getAttribute('role') === 'region' && e.tabIndex === 0
                       && e.hasAttribute('aria-labelledby')
                       && !e.querySelector('a, button, input, select, textarea')))
        .map(e => (e.querySelector('table') || e).id + ': ' + (e.scrollWidth - e.clientWidth))"""
    )
    assert hidden == [], f"a table on {page.url} hides px to the side: {hidden}"


async def assert_in_view(page: Page, locator, what: str) -> None:
    await locator.scroll_into_view_if_needed()
    await expect(locator).to_be_visible()
    box = await locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None, what
    assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1, (
        f"{what} on {page.url} is outside the window: x={box['x']:.0f}, "
        f"width={box['width']:.0f}, window {width}"
    )


async def action_column_in_view(page: Page, table: str, minimum_rows: int = 1) -> None:
    """The last cell of each row (the action column) and every button in it is in view."""
    rows = page.locator(f"{table} tbody tr")
    count = await rows.count()
    assert count >= minimum_rows, f"{table} on {page.url} has {count} rows"
    for index in range(min(count, 8)):
        last = rows.nth(index).locator(":scope > td, :scope > th").last
        await assert_in_view(page, last, f"the last cell of row {index + 1} of {table}")
        buttons = last.get_by_role("button")
        for number in range(await buttons.count()):
            await assert_in_view(page, buttons.nth(number), f"a button in row {index + 1}")
    await no_sideways_scrolling(page)


async def screenshot(page: Page, name: str, at=None) -> None:
    """The top of the page as a reader arriving on it sees it, or the part from `at` on
    (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if at is None:
        await page.evaluate("window.scrollTo(0, 0)")
    else:
        await at.evaluate("element => element.scrollIntoView()")
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


async def test_dgro_tables_keep_their_action_column_in_view(sized):
    page, size = sized
    await log_in(page, "dgro")

    await page.goto("/certificates/queue")
    await action_column_in_view(page, "table.queue")
    verify = page.locator("table.queue tbody tr").first.get_by_role("button", name="Verify")
    reject = page.locator("table.queue tbody tr").first.get_by_role("button", name="Reject")
    await assert_in_view(page, verify, "Verify")
    await assert_in_view(page, reject, "Reject")
    await screenshot(page, f"dgro-queue-{size}")

    await page.goto("/organisations/BOSA/staff")
    await action_column_in_view(page, "table.staff-register", minimum_rows=3)

    await page.goto("/audit")
    await action_column_in_view(page, "table.stack-wide", minimum_rows=3)
    if size == "wide":
        await screenshot(page, "dgro-audit-wide")

    await page.goto("/organisations")
    await action_column_in_view(page, "table.stack", minimum_rows=3)
    if size == "wide":
        await screenshot(page, "dgro-overview-wide")

    await page.goto("/policy")
    await action_column_in_view(page, "#policy-history")
    # A stricter draft: every client-certified organisation drops; htmx shows the changes.
    await page.get_by_label("Minimum Q-check average (%)").fill("99")
    await page.get_by_role("button", name="Simulate over all organisations").click()
    await expect(page.locator("#simulation-changes")).to_be_visible()
    await action_column_in_view(page, "#simulation-changes")
    if size == "wide":
        await screenshot(page, "dgro-policy-simulation-wide", at=page.locator("#simulation"))


async def test_policy_simulation_errors_show_where_the_results_go(sized):
    page, _size = sized
    await log_in(page, "dgro")
    await page.goto("/policy")
    # The browser lets 2026-02-30 through (it has the form of a date); the server does not.
    await page.get_by_label("Simulate on (optional)").fill("2026-02-30")
    await page.get_by_role("button", name="Simulate over all organisations").click()
    errors = page.locator("#simulation-errors")
    await expect(errors).to_contain_text("Simulate on (optional)")
    await expect(errors).to_contain_text("Give the date as YYYY-MM-DD")
    await assert_in_view(page, errors, "the simulation's errors")


async def test_the_header_menu_works_without_javascript(browser: Browser, live_server: str):
    for size_name, size in VIEWPORTS.items():
        page = await _page(browser, live_server, size, javascript=False)
        await log_in(page, "dgro")
        nav = page.locator("header nav")  # its name is translated when the language changes
        log_out = nav.get_by_role("button", name="Log out")
        await expect(nav.get_by_role("link", name="Verification queue")).to_be_hidden()
        if size_name == "phone":
            # Name, "Log out" and the language switch wait in the closed menu.
            await expect(log_out).to_be_hidden()
        await nav.locator("summary", has_text="Menu").click()
        await assert_in_view(page, nav.get_by_role("link", name="Verification queue"), "a page")
        if size_name == "phone":
            await screenshot(page, "menu-phone")
        else:
            # On a wide screen the name, "Log out" and the languages stay in the bar.
            await nav.locator("summary", has_text="Menu").click()
            await expect(nav.get_by_role("link", name="Verification queue")).to_be_hidden()
        await assert_in_view(page, log_out, "Log out")
        francais = nav.get_by_role("button", name="Français")
        await assert_in_view(page, francais, "the language switch")
        await no_sideways_scrolling(page)
        await francais.click()
        await expect(page.locator("html")).to_have_attribute("lang", "fr")
        if size_name == "phone":
            await nav.locator("summary").click()
        await nav.get_by_role("button", name="English").click()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        if size_name == "phone":
            await nav.locator("summary").click()
        await nav.get_by_role("button", name="Log out").click()
        await expect(page).to_have_url(f"{live_server}/login")
        await page.context.close()


ROLE_PAGES = {
    "pro_partner": [
        ("dashboard", "/organisations/BOSA"),
        ("staff", "/organisations/BOSA/staff"),
        ("import", "/organisations/BOSA/import"),
    ],
    "hr": [("home", "/"), ("functions", "/organisations/BOSA/functions")],
    "evaluator": [("home", "/"), ("competencies", "/competencies")],
    "staff": [("home", "/"), ("qchecks", "/my/qchecks")],
    "dgro": [("home", "/")],
}


# The route matrix's name of each role here.
MATRIX_ROLE = {
    "dgro": "dgro", "pro_partner": "partner", "hr": "hr", "evaluator": "evaluator",
    "staff": "staff",
}  # fmt: skip
# Pages of the route matrix the crawl does not look for among links, and why (for every
# role, or for the roles named).
NOT_LINKED = {
    "/dev/mail": "the development outbox: the README and the invitation journey name it",
    "/dev/mail/{mail_id}": "the development outbox",
    "/password/forgot": "linked from the log-in page, for those who are not logged in",
    "/organisations/{code}/look-ahead": "a fragment the dashboard loads into itself",
    **{
        (role, path): "for an account with a staff record; the demo's of this role has none"
        for role in ("dgro", "pro_partner", "hr")
        for path in ("/my/dossier", "/my/qchecks", "/my/e-dossier")
    },
}


def pages_of(role: str) -> list[str]:
    """The HTML pages (GET, not a download, the API or the schema) the route matrix lets
    the role open, except those of NOT_LINKED."""
    from tests.portal.test_route_matrix import EXPECTED

    identity = MATRIX_ROLE[role]
    paths = [row.removeprefix("GET ") for row, who in EXPECTED.items() if row.startswith("GET ")
             and identity in who]  # fmt: skip
    return [
        path
        for path in paths
        if not NOT_A_PAGE.search(path) and path not in NOT_LINKED
        and (role, path) not in NOT_LINKED
    ]  # fmt: skip


def _route_of(kind: str) -> str:
    """The matrix's path of a kind of page (/cycles/{id} is /cycles/{cycle_id}, /reviews/2025
    is /reviews/{year}); a fixed path first (/qchecks/new before /qchecks/{qcheck_id})."""
    from tests.portal.test_route_matrix import EXPECTED

    paths = sorted(
        (row.removeprefix("GET ") for row in EXPECTED if row.startswith("GET ")),
        key=lambda path: path.count("{"),
    )
    for path in paths:
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", path), kind):
            return path
    return kind


@pytest.mark.parametrize("role", list(ROLE_PAGES))
async def test_every_page_a_role_reaches_reads_at_both_widths(browser: Browser, live_server, role):
    problems: list[str] = []
    for size_name, size in VIEWPORTS.items():
        page = await _page(browser, live_server, size)
        await log_in(page, role)
        visited = await crawl(page, live_server, role, size_name, problems)
        kinds = {_kind_of_page(link.split("?")[0]) for link in visited}
        reached = {_route_of(kind) for kind in kinds}
        missed = sorted(set(pages_of(role)) - reached)
        assert not missed, f"{role} reaches no link to these pages of theirs: {missed}"
        if size_name == "wide":
            for name, path in ROLE_PAGES[role]:
                await page.goto(path)
                await screenshot(page, f"{role}-{name}-wide")
        await page.context.close()
    assert not problems, "\n".join(problems)


# Pages a crawl does not open: downloads, letters (PDF), the log-out, the API and schema.
NOT_A_PAGE = re.compile(r"(\.csv|\.xlsx|\.pdf)$|^/(logout|static|schema|api|language)\b|/letters/")
MAX_PAGES_PER_ROLE = 90


def _kind_of_page(path: str) -> str:
    """One page of each kind: /cycles/12 and /cycles/13 are the same screen, so are the
    dashboards of BOSA and FIN."""
    path = re.sub(r"/\d+(?=/|$)", "/{id}", path)
    path = re.sub(r"/\d{4}-\d{2}-\d{2}(?=/|$)", "/{date}", path)
    return re.sub(r"/[A-Z][A-Z0-9_-]+(?=/|$)", "/{code}", path)


async def _links(page: Page, base_url: str) -> list[str]:
    hrefs = await page.evaluate(
        "Array.from(document.querySelectorAll('a[href]:not([download])')).map(a => a.href)"
    )
    found = []
    for href in hrefs:
        if not href.startswith(base_url + "/"):
            continue
        link = href.removeprefix(base_url).split("#")[0]
        if link and not NOT_A_PAGE.search(link.split("?")[0]):
            found.append(link)
    return found


async def crawl(
    page: Page, base_url: str, role: str, size_name: str, problems: list[str]
) -> list[str]:
    """Every kind of page the role reaches by following links from its home page: each
    answers 200 and neither the page nor a table's frame scrolls sideways."""
    queue, kinds, visited = ["/"], set(), []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        link = queue.pop(0)
        kind = _kind_of_page(link.split("?")[0])
        if kind in kinds:
            continue
        kinds.add(kind)
        response = await page.goto(link)
        assert response is not None and response.status == 200, (
            f"{role} at {size_name}: {link} answered {response and response.status}"
        )
        if page.url.startswith(f"{base_url}/login"):
            continue  # a link the role may not follow is not a page it reaches
        visited.append(link)
        try:
            await no_sideways_scrolling(page)
            for table in await page.locator("table.stack, table.stack-wide").all():
                rows = table.locator("tbody tr")
                if await rows.count():
                    last = rows.first.locator(":scope > td, :scope > th").last
                    await assert_in_view(page, last, f"the last column on {link}")
        except AssertionError as problem:
            problem_line = f"{size_name}: {str(problem).splitlines()[0]}"
            if problem_line not in problems:
                problems.append(problem_line)
        queue.extend(await _links(page, base_url))
    return visited
