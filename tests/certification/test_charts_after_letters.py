"""Charts stay SVG after a review letter (issue 19, item 3): WeasyPrint, imported for the
letters, rewrites ElementTree's global namespace registry; the chart pages must not
depend on it (they showed `<ns0:svg …>` as running text until a restart)."""

from __future__ import annotations

import re

from certification.review.letters import render_letter
from qchecks import charts
from tests.conftest import login
from tests.qchecks.test_qcheck_analytics import DAY, EN, dataset


async def test_a_chart_page_after_a_letter_has_unprefixed_svg(client, users):
    await dataset()
    pdf = render_letter(  # the real WeasyPrint
        {
            "code": "BOSA",
            "name_nl": "FOD BOSA",
            "name_fr": "SPF BOSA",
            "language_roles": "NL",
            "pro_partner_email": None,
        },
        {
            "organisation": "BOSA",
            "granted_level": "client",
            "eligible_level": "client",
            "flag": None,
            "decision": "confirm",
            "reason": "all conditions met",
            "conditions": [],
        },
        2025,
    )
    assert pdf.startswith(b"%PDF")
    # Charts drawn before the letter are kept: draw them again, after it.
    charts._trend.cache_clear()
    charts._distribution.cache_clear()
    await login(client, users["partner_bosa"])
    page = await client.get(f"/organisations/BOSA/qchecks/analytics?as_of={DAY}", headers=EN)
    assert page.status_code == 200, page.text
    assert "ns0:" not in page.text
    for chart_id in ("qcheck-trend", "qcheck-distribution"):
        found = re.search(
            rf'<svg xmlns="http://www.w3.org/2000/svg"[^>]*id="{chart_id}"', page.text
        )
        assert found, chart_id
    assert '<title id="qcheck-trend-title">' in page.text and "</svg>" in page.text
