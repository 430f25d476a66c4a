"""Errors stay in view, and the overview summarises what is missing (issue 12)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

EN = {"Accept-Language": "en"}
NL = {"Accept-Language": "nl"}
HTMX = {**EN, "HX-Request": "true"}
ORGANISATIONS = """code,name_nl,name_fr,language_roles,pro_partner_email
BOSA,FOD BOSA,SPF BOSA,NL|FR,partner@bosa.demo.portal.be
"""

DATE_PAGES = (
    "/organisations",
    "/organisations/BOSA",
    "/organisations/BOSA/qchecks/analytics",
    "/qchecks/ranking",
)


async def _bosa() -> None:
    from portal.imports import ImportScope, import_file

    result = await import_file("organisations", "o.csv", ORGANISATIONS.encode(), ImportScope())
    assert result.ok, result.issues


@pytest.mark.parametrize("path", DATE_PAGES)
async def test_a_bad_as_of_is_a_form_error_on_the_page_not_a_dead_end(client, users, path):
    await _bosa()
    await login(client, users["dgro"])
    response = await client.get(f"{path}?as_of=2026-02-30", headers=EN)
    assert response.status_code == 400
    html = response.text
    # The page itself, with its navigation, not the error page.
    assert '<nav aria-label="Main navigation">' in html
    assert "<h1>" in html and "Bad request" not in html
    # The date field shows what was typed, marked invalid, with the message next to it.
    field = re.search(r'<input id="date-as-of" name="as_of"[^>]*>', html, re.S)
    assert field, "no date field"
    assert 'value="2026-02-30"' in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert 'id="date-as-of-error"' in html
    assert "Give the date as YYYY-MM-DD, e.g. 2026-03-15." in html


async def test_the_message_is_in_the_readers_language(client, users):
    await _bosa()
    await login(client, users["dgro"])
    response = await client.get("/organisations/BOSA?as_of=31/12/2026", headers=NL)
    assert response.status_code == 400
    assert "Geef de datum in als JJJJ-MM-DD" in response.text
    assert 'placeholder="JJJJ-MM-DD"' in response.text


async def test_htmx_gets_the_error_inside_the_fragment_it_swaps(client, users):
    await _bosa()
    await login(client, users["dgro"])
    response = await client.get("/organisations/BOSA?as_of=tomorrow", headers=HTMX)
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<div id="dashboard"')
    assert 'role="alert"' in response.text
    assert "Give the date as YYYY-MM-DD" in response.text
    overview = await client.get("/organisations?as_of=tomorrow", headers=HTMX)
    assert overview.status_code == 400
    assert overview.text.lstrip().startswith('<section id="results"')
    assert "Give the date as YYYY-MM-DD" in overview.text


async def test_a_good_as_of_still_answers_200_and_the_api_still_refuses_a_bad_one(client, users):
    await _bosa()
    await login(client, users["dgro"])
    assert (await client.get("/organisations/BOSA?as_of=2026-01-31", headers=EN)).status_code == 200
    api = await client.get("/api/v1/organisations/BOSA/eligibility?as_of=2026-02-30")
    assert api.status_code == 400


async def test_the_overview_names_the_first_gap_and_counts_the_rest(client, users):
    await _bosa()
    await login(client, users["dgro"])
    html = (await client.get("/organisations", headers=EN)).text
    row = re.search(r'<tr id="organisation-BOSA">(.*?)</tr>', html, re.S)
    assert row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    missing = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells[-1])).strip()
    dashboard = (await client.get("/organisations/BOSA", headers=EN)).text
    gaps = re.findall(
        r'<td data-label="Met" class="unmet">.*?</td>\s*<td[^>]*>.*?</td>\s*<td[^>]*>.*?</td>'
        r"\s*<td[^>]*>(.*?)</td>",
        dashboard,
        re.S,
    )
    assert len(gaps) > 2  # an organisation without staff misses several conditions
    assert missing.startswith(gaps[0].strip())
    assert f"+{len(gaps) - 1} more" in missing
    assert 'href="/organisations/BOSA?as_of=' in cells[-1]
    # Only the first gap is spelled out in the overview; the dashboard lists them all.
    for gap in gaps[1:]:
        assert gap.strip() not in missing
