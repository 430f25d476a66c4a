"""The development outbox viewer (issue 19): in `make run` nothing delivers mail, so a
developer finishes the reset and invitation journeys by reading the outbox as pages.
Production has no such route."""

from __future__ import annotations

import html
import re

from portal.app import create_app
from tests.accounts.test_accounts import forgot
from tests.conftest import make_settings, new_client
from tests.portal.test_allowed_hosts import PRODUCTION


async def test_a_developer_reads_the_reset_mail_and_follows_its_link(client, users):
    client.headers["Accept-Language"] = "en"
    assert "The outbox is empty." in (await client.get("/dev/mail")).text
    staff = users["staff_bosa"]
    await forgot(client, staff.email)
    listing = await client.get("/dev/mail")  # no login: the reader may have no account yet
    assert listing.status_code == 200
    assert staff.email in listing.text
    [link] = re.findall(r'href="(/dev/mail/\d+)"', listing.text)
    mail = await client.get(link)
    assert mail.status_code == 200
    # The link in the body is a link one can follow, and it opens the reset form.
    [reset] = re.findall(r'<a href="([^"]*/password/reset/[^"]+)"', mail.text)
    path = re.sub(r"^https?://[^/]+", "", html.unescape(reset))
    page = await client.get(path)
    assert page.status_code == 200 and 'name="password"' in page.text
    missing = await client.get("/dev/mail/999999")
    assert missing.status_code == 404


async def test_production_has_no_outbox_pages(users):
    app = create_app(make_settings(**PRODUCTION))
    async with new_client(app, "https://portal.example.be") as production:
        for path in ("/dev/mail", "/dev/mail/1"):
            answer = await production.get(path, headers={"Host": "portal.example.be"})
            assert answer.status_code == 404, path
