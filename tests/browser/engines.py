"""Three accessibility engines and a reflow check, run in the Chromium page as it is now
(issue 20). All three come from the npm registry and are injected by Playwright (the
tests' browser context bypasses the portal's CSP for them):

- axe-core, WCAG 2.1 A and AA rules;
- HTML_CodeSniffer 2.5.1, the WCAG2AA standard, its errors (not its warnings and notices,
  which ask a person to look);
- the IBM Equal Access engine (accessibility-checker-engine), the WCAG 2.1 rule set, its
  violations (not its "potential" ones and recommendations, which ask a person to look).

Each returns one line per finding: rule, then where (a CSS selector or an XPath).
Where an engine is wrong about the portal, the rule is skipped for that element in
`NOT_AN_ERROR` below, with the reason: one place."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
HTMLCS = NODE_MODULES / "html_codesniffer" / "build" / "HTMLCS.js"
IBM = NODE_MODULES / "accessibility-checker-engine" / "ace.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# (engine, rule, where) -> why that finding is not an error of the portal's.
NOT_AN_ERROR: dict[tuple[str, str, str], str] = {
    ("htmlcs", "Principle1.Guideline1_3.1_3_1.H43.IncorrectAttr", "td in table#status-table"): (
        "HR's status table groups its rows by team (a <tbody> each, its <th scope=rowgroup>); "
        "each cell's `headers` names its column, its own team and its person, as the HTML "
        "table model assigns them. HTML_CodeSniffer 2.5.1 also expects the header of every "
        "later team's <tbody>, which does not apply to the cell."
    ),
}


async def _inject(page: Page, script: Path, probe: str) -> None:
    if not await page.evaluate(f"typeof window.{probe} !== 'undefined'"):
        await page.add_script_tag(path=str(script))


async def axe(page: Page) -> list[str]:
    await _inject(page, AXE, "axe")
    found = await page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.flatMap(v => v.nodes.slice(0, 3).map(n => [v.id, n.target.join(' ')]))",
        AXE_TAGS,
    )
    return _lines("axe", found)


async def htmlcs(page: Page) -> list[str]:
    await _inject(page, HTMLCS, "HTMLCS")
    found = await page.evaluate(
        """() => new Promise(resolve => HTMLCS.process('WCAG2AA', document, () => resolve(
             HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR).map(m => {
               const e = m.element;
               const where = e && e.nodeType === 1
                 ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className && typeof e.className === 'string'
                      ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                 : 'document';
               const table = e && e.closest && e.closest('table[id]');
               return [m.code.replace('WCAG2AA.', ''),
                       where + (table && table !== e ? ' in table#' + table.id : '')];
             }))))"""
    )
    return _lines("htmlcs", found)


async def ibm(page: Page) -> list[str]:
    await _inject(page, IBM, "ace")
    found = await page.evaluate(
        """async () => {
             const report = await new ace.Checker().check(document, ['WCAG_2_1']);
             return report.results
               .filter(r => r.value[0] === 'VIOLATION' && r.value[1] === 'FAIL')
               .map(r => [r.ruleId, r.path.dom]);
           }"""
    )
    return _lines("ibm", found)


def _lines(engine: str, found: list[list[str]]) -> list[str]:
    return sorted(
        {
            f"{engine} {rule}: {where}"
            for rule, where in found
            if (engine, rule, where) not in NOT_AN_ERROR
        }
    )


async def all_engines(page: Page) -> list[str]:
    """The three engines' findings, with every `<details>` of the page open: what a closed
    one holds is checked as the reader finds it on opening it (closed, it is hidden)."""
    opened = await page.evaluate(
        "() => [...document.querySelectorAll('details:not([open])')]"
        ".map(d => { d.open = true; d.dataset.openedByTest = ''; }).length"
    )
    try:
        return [*await axe(page), *await htmlcs(page), *await ibm(page)]
    finally:
        if opened:
            await page.evaluate(
                "() => document.querySelectorAll('details[data-opened-by-test]')"
                ".forEach(d => { d.open = false; delete d.dataset.openedByTest; })"
            )


async def scrolls_sideways(page: Page, width: int) -> list[str]:
    """At `width` CSS px (320: 400 % zoom of 1280; 640: 200 %), the page itself may not
    scroll sideways (WCAG 1.4.10); a table may scroll inside its own frame. The answer
    names the widest elements that stick out, for the message."""
    size = page.viewport_size or {"width": 1280, "height": 900}
    await page.set_viewport_size({"width": width, "height": size["height"]})
    try:
        return await page.evaluate(
            """(width) => {
                 const doc = document.documentElement;
                 if (doc.scrollWidth <= doc.clientWidth + 1) return [];
                 const out = [];
                 for (const e of document.body.querySelectorAll('*')) {
                   const r = e.getBoundingClientRect();
                   if (r.right > doc.clientWidth + 1 && r.width > 0) {
                     const inFrame = e.closest('.overflow-auto, pre');
                     if (!inFrame) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                       + (typeof e.className === 'string' && e.className
                          ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                       + ` (${Math.round(r.right - doc.clientWidth)} px)`);
                   }
                 }
                 return [`reflow at ${width} px: page ${doc.scrollWidth} px wide`,
                         ...out.slice(0, 4)];
               }""",
            width,
        )
    finally:
        await page.set_viewport_size(size)
