"""Each notice leads to the page it is about (issue 19 #10: every one linked to the
Q-checks), on the page and in its e-mail, the e-mail's link on PUBLIC_URL."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import notices
from core.settings import get_settings
from core.tables import Notice
from tests.conftest import login

CASES = [
    ("qcheck_average_near", "pro_partner", "BOSA", {"average": "81.00", "threshold": "80.00"},
     "/organisations/BOSA/qchecks", "See the Q-checks"),
    ("application_decided", "pro_partner", "BOSA", {"decision": "approved", "reason": ""},
     "/organisations/BOSA/application", "See the application"),
    ("certificate_decided", "pro_partner", "BOSA",
     {"name": "An P", "track": "AZ", "status": "valid", "reason": ""},
     "/organisations/BOSA/staff", "See the staff and certificates"),
    ("staff_move_requested", "dgro", "BOSA", {"count": 1},
     "/admin/staff-moves", "See the staff moves to confirm"),
]  # fmt: skip


TITLES = {
    "qcheck_average_near": "Q-check average",
    "application_decided": "Application for client certification decided",
    "certificate_decided": "Certificate decided",
    "staff_move_requested": "Staff moves to confirm",
}


@pytest.mark.parametrize(("kind", "audience", "code", "params", "href", "words"), CASES)
async def test_a_notice_links_to_what_it_is_about(
    client, users, kind, audience, code, params, href, words
):
    await Notice.insert(
        Notice(created_at=dt.datetime.now(dt.UTC), kind=kind, audience=audience,
               organisation_code=code, params=params)
    )  # fmt: skip
    client.headers["Accept-Language"] = "en"
    await login(client, users["dgro" if audience == "dgro" else "partner_bosa"])
    page = await client.get("/notices")
    assert re.findall(
        r'<a href="([^"]+)">([^<]+)</a>', page.text.split("<ol", 1)[1].split("</ol>", 1)[0]
    ) == [(href, words)]
    subject, body = notices.notice_mail(kind, code, params, "en")
    assert f"{get_settings().public_url}{href}" in body
    # The subject says what it is about, not only the organisation.
    assert subject == f"PRO certification portal: {TITLES[kind]} ({code})"
