"""The review's pages: DG R&O opens, filters, decides (a stale page gets a 409 naming who
decided what), closes, downloads the review and a letter; nobody else may."""

from __future__ import annotations

import asyncio
import io

from pypdf import PdfReader

from certification.review.service import decide, open_review
from core.errors import TransitionRefused
from tests.certification.test_review import DGRO, YEAR, data
from tests.conftest import login
from tests.helpers import EN, post


async def test_dgro_runs_the_review_from_the_pages(client, users):
    await data()
    await login(client, users["dgro"])
    opened = await post(client, "/reviews", {"year": str(YEAR)})
    assert opened.status_code == 303, opened.text
    page = (await client.get(f"/reviews/{YEAR}", headers=EN)).text
    assert page.index('id="entry-AAA"') < page.index('id="entry-BBB"')
    assert "granted, no longer eligible: withdraw?" in page
    flagged = await client.get(
        f"/reviews/{YEAR}?flagged=true&q=BBB", headers={**EN, "HX-Request": "true"}
    )
    assert 'id="entry-BBB"' in flagged.text and 'id="entry-AAA"' not in flagged.text
    again = await post(client, "/reviews", {"year": str(YEAR)})
    assert again.status_code == 400 and "opened already" in again.text

    bad = await post(
        client,
        f"/reviews/{YEAR}/decisions/BBB",
        {"decision": "withdraw", "reason": "x", "revision": "1"},
    )
    assert bad.status_code == 400 and "Confirm or withdraw only where" in bad.text
    for code, decision in (("AAA", "withdraw"), ("BBB", "grant"), ("CCC", "confirm")):
        answer = await post(
            client,
            f"/reviews/{YEAR}/decisions/{code}",
            {"decision": decision, "reason": f"reason {code}", "revision": "1"},
        )
        assert answer.status_code == 303, answer.text
    stale = await post(
        client,
        f"/reviews/{YEAR}/decisions/AAA",
        {"decision": "confirm", "reason": "stale", "revision": "1"},
    )
    assert stale.status_code == 409
    assert "dgro@demo.portal.be decided on AAA meanwhile: withdraw" in stale.text
    export = await client.get(f"/reviews/{YEAR}/review.csv")
    assert "AAA,client,none,withdraw" in export.text.replace("\r", "")
    closed = await post(client, f"/reviews/{YEAR}/close", {"final": "yes"})
    assert closed.status_code == 303
    letter = await client.get(f"/reviews/{YEAR}/letters/BBB")
    assert letter.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(letter.content)).pages[0].extract_text().split())
    assert "Org B" in text and "reason BBB" in text
    assert (await client.get(f"/reviews/{YEAR}/letters/ZZZ")).status_code == 404
    dashboard = (await client.get("/organisations/AAA?as_of=2026-01-01", headers=EN)).text
    assert "History of the granted level" in dashboard
    assert "from 1 Jan 2026: no certification (yearly review, dgro@demo.portal.be)" in dashboard


async def test_only_dgro_reaches_the_review(client, users):
    await data()
    await open_review(DGRO, YEAR)
    await login(client, users["partner_bosa"])
    assert (await client.get(f"/reviews/{YEAR}")).status_code == 403
    assert (await client.get(f"/reviews/{YEAR}/review.csv")).status_code == 403


async def test_two_reviewers_at_once_one_wins_and_nothing_is_lost():
    """Both decide on AAA from a page at revision 1, at the same time."""
    await data()
    await open_review(DGRO, YEAR)
    results = await asyncio.gather(
        decide(DGRO, YEAR, "AAA", "withdraw", "first reviewer", expected_revision=1),
        decide(DGRO, YEAR, "AAA", "confirm", "second reviewer", expected_revision=1),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, TransitionRefused)]
    assert len(refused) == 1 and results.count(None) == 1, results
