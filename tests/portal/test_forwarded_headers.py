"""X-Forwarded-For is believed only from the proxies in FORWARDED_ALLOW_IPS (issue 13 #7):
uvicorn believed it from 127.0.0.1 by default, so anything on the machine (or a proxy that
passes the header on) could change its address at will, past the login rate limit and
into the audit log. Tested against a real `portal run`."""

from __future__ import annotations

import re

import httpx

from core.tables import AuditEntry
from tests.portal.live_server import portal_run

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def failed_logins(base_url: str, email: str, tries: int) -> list[int]:
    """Wrong passwords from 127.0.0.1, each claiming another address."""
    statuses = []
    with httpx.Client(base_url=base_url) as browser:
        for number in range(tries):
            match = TOKEN.search(browser.get("/login").text)
            assert match
            answer = browser.post(
                "/login",
                data={"email": email, "password": "wrong-password", "_csrf_token": match[1]},
                headers={"X-Forwarded-For": f"203.0.113.{number + 1}"},
            )
            statuses.append(answer.status_code)
    return statuses


async def login_addresses() -> list[str | None]:
    rows = await AuditEntry.select(AuditEntry.ip_address).where(AuditEntry.action == "login")
    return [row["ip_address"] for row in rows]


async def test_by_default_a_forwarded_address_is_not_believed(users):
    with portal_run(LOGIN_ATTEMPTS_PER_MINUTE="3") as base_url:
        statuses = failed_logins(base_url, users["dgro"].email, 5)
    assert statuses == [400, 400, 400, 429, 429]  # the rate limit holds
    assert await login_addresses() == ["127.0.0.1"] * 3  # the real peer, not 203.0.113.x


async def test_a_configured_proxys_forwarded_address_is_the_clients(users):
    proxies = "10.0.0.0/8, 127.0.0.1"
    with portal_run(LOGIN_ATTEMPTS_PER_MINUTE="3", FORWARDED_ALLOW_IPS=proxies) as base_url:
        statuses = failed_logins(base_url, users["dgro"].email, 4)
    assert statuses == [400, 400, 400, 400]  # four clients behind the proxy, one try each
    assert sorted(await login_addresses()) == [f"203.0.113.{n}" for n in (1, 2, 3, 4)]
