"""Accessibility (issues 13 and 20): three engines (axe-core, HTML_CodeSniffer, the IBM
Equal Access engine: `tests/browser/engines.py`) in Chromium on every page a role reaches
from its menu and the pages those link to, and on the main htmx states, for every role and
anonymous, in the light and the dark theme (Pico follows `prefers-color-scheme`): no WCAG
2.1 A or AA error. Each page is also laid out at 640 and 320 CSS px wide (200 % and 400 %
zoom of a 1280 px window): it never scrolls sideways (a wide table scrolls in its frame).

The pages are found by walking the links (same site, GET, no downloads, no log out), so a
new page is tested as soon as a menu or a page links to it. The engines are injected into
the page by Playwright; the test's browser context bypasses the portal's CSP for them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from portal.demo import DEMO_USERS
from tests.browser.engines import all_engines, scrolls_sideways
from tests.browser.test_certificate_flow import log_in

pytestmark = pytest.mark.browser

SKIP = re.compile(r"\.(csv|xlsx|pdf|json|yaml)(\?|$)|^/(logout|schema|static|api)")
MAX_PAGES = 45  # per role: the menu and the pages it leads to
REFLOW_WIDTHS = (640, 320)


async def violations(page: Page) -> list[str]:
    """Every engine's WCAG 2.1 A/AA errors on the page as it is now, in the light and the
    dark theme, and where it scrolls sideways at 640 and 320 CSS px; one line each."""
    found = [f"light: {line}" for line in await all_engines(page)]
    await page.emulate_media(color_scheme="dark")
    try:
        found += [f"dark: {line}" for line in await all_engines(page)]
    finally:
        await page.emulate_media(color_scheme="light")
    for width in REFLOW_WIDTHS:
        found += await scrolls_sideways(page, width)
    return found


def report(problems: dict[str, list[str]]) -> str:
    """Per page, each rule once: how often, and its first place."""
    lines = []
    for where, found in problems.items():
        rules: dict[str, list[str]] = {}
        for line in found:
            rule, _, place = (
                line.partition(": ") if line.startswith(("light", "dark")) else (line, "", "")
            )
            head, _, rest = place.partition(": ")
            rules.setdefault(f"{rule}: {head}", []).append(rest)
        for rule, places in rules.items():
            lines.append(f"{where} | {rule} ×{len(places)} | {places[0]}")
    return f"{len(lines)} findings\n" + "\n".join(lines)


async def links(page: Page) -> list[str]:
    hrefs = await page.eval_on_selector_all(
        "a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href or "")
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(path):
            found.append(path)
    return found


async def walk(page: Page, start: list[str]) -> dict[str, list[str]]:
    """Every page reachable from `start` in two steps: its violations."""
    seen: dict[str, list[str]] = {}
    queue = [(path, 0) for path in start]
    while queue and len(seen) < MAX_PAGES:
        path, depth = queue.pop(0)
        key = re.sub(r"\d+", "N", path)  # one page of each shape (every dossier is alike)
        if key in seen:
            continue
        response = await page.goto(path)
        assert response is not None
        if response.status >= 500 or response.status in (401, 403):
            # A page a role is linked to answers; a link it may not follow is a dead end.
            seen[key] = [f"HTTP {response.status}"]
            continue
        seen[key] = await violations(page)
        if depth < 2:
            queue.extend((link, depth + 1) for link in await links(page))
    return seen


@pytest.fixture
async def axe_context(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(
        base_url=live_server,
        locale="en-GB",
        bypass_csp=True,
        color_scheme="light",
        # No colour transitions (Pico honours it): an engine reads the theme's colours at
        # once after the switch, not a frame of the fade between light and dark.
        reduced_motion="reduce",
    )
    yield context
    await context.close()


# One account per set of roles (a second evaluator or a second organisation's PRO Partner
# opens the same pages as the first).
FIRST_OF_EACH_ROLE_SET: dict[str, str] = {}
for _user in DEMO_USERS:
    FIRST_OF_EACH_ROLE_SET.setdefault(_user.roles, _user.email)
ROLES = ["anonymous", *FIRST_OF_EACH_ROLE_SET.values()]


@pytest.mark.parametrize("who", ROLES)
async def test_no_wcag_violation_on_any_page_of_a_role(axe_context: BrowserContext, who: str):
    page = await axe_context.new_page()
    if who == "anonymous":
        found = await walk(page, ["/login", "/accessibility", "/no-such-page"])
    else:
        await log_in(page, next(user for user in DEMO_USERS if user.email == who))
        found = await walk(page, ["/"])
    assert len(found) >= (3 if who == "anonymous" else 5), found.keys()
    print(f"{who}: {len(found)} pages, 3 engines in light and dark, reflow at 640 and 320 px")
    problems = {path: issues for path, issues in found.items() if issues}
    assert problems == {}, report(problems)


async def test_no_wcag_violation_in_the_main_htmx_states(axe_context: BrowserContext):
    """States htmx builds in place: the live competency search, the dashboard with its
    look-ahead loaded, an inline refusal in a dossier, the policy simulation."""
    page = await axe_context.new_page()
    dgro = next(user for user in DEMO_USERS if user.roles == "dgro")
    evaluator = next(user for user in DEMO_USERS if user.email.startswith("evaluator@bosa"))
    problems: dict[str, list[str]] = {}
    await log_in(page, dgro)
    await page.goto("/competencies")
    await page.get_by_role("searchbox").fill("anal")
    await page.wait_for_load_state("networkidle")
    problems["competency search"] = await violations(page)
    await page.goto("/organisations/BOSA")
    await expect(page.locator("#lookahead")).to_contain_text("If nothing changes")
    problems["dashboard with look-ahead"] = await violations(page)
    await page.goto("/policy")
    simulate = page.get_by_role("button", name=re.compile("Simulate", re.I))
    if await simulate.count():
        await simulate.first.click()
        await page.wait_for_load_state("networkidle")
        problems["policy simulation"] = await violations(page)
    await page.get_by_role("button", name="Log out").click()
    await log_in(page, evaluator)
    await page.goto("/team")
    first = page.locator("tbody a").first
    if await first.count():
        await first.click()
        plan = page.locator("form", has=page.get_by_role("button", name="Add the objective"))
        await plan.get_by_label("Kind").select_option(label="development")
        await plan.get_by_label("Title").fill("No competency named")
        await plan.get_by_role("button", name="Add the objective").click()
        await expect(page.locator("#objectives").get_by_role("alert")).to_be_visible()
        problems["dossier with an inline refusal"] = await violations(page)
    problems = {state: issues for state, issues in problems.items() if issues}
    assert problems == {}, report(problems)
