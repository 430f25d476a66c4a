"""ALLOWED_HOSTS names hosts, not ports (issue 18, info): `Host: 127.0.0.1:8251` was refused
with 400 (`/health` too) though 127.0.0.1 was allowed, because the whole header, port
included, was compared. Every other name is still refused."""

from __future__ import annotations

import pytest

from portal.app import create_app
from tests.conftest import make_settings, new_client

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "dY2LXbLMWFBwuVzSfn9bX1D8QEIpyksHqHe3LFCYe4fnBqs5",
    "ALLOWED_HOSTS": "portal.example.be, 127.0.0.1, ::1, *.intra.example.be",
    "PUBLIC_URL": "https://portal.example.be",
}


@pytest.fixture
async def production():
    async with new_client(
        create_app(make_settings(**PRODUCTION)), "https://portal.example.be"
    ) as c:
        yield c


@pytest.mark.parametrize(
    "host",
    [
        "portal.example.be",
        "portal.example.be:8443",
        "PORTAL.example.be:443",
        "127.0.0.1:8251",
        "127.0.0.1",
        "[::1]:8000",
        "[::1]",
        "node2.intra.example.be:8000",
    ],
)
async def test_an_allowed_host_is_served_on_any_port(production, users, host):
    for path in ("/health", "/login"):
        answer = await production.get(path, headers={"Host": host})
        assert answer.status_code == 200, (host, path, answer.text)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8443",
        "portal.example.be.evil.example",
        "example.be",
        "intra.example.be",  # only the names under it
        "[::2]:8000",
        "portal.example.be:http",  # a port that is no number
        "[::1",
        ":8443",
    ],
)
async def test_any_other_host_is_refused(production, host):
    answer = await production.get("/health", headers={"Host": host})
    assert answer.status_code == 400, (host, answer.status_code)
    assert answer.json() == {"message": "invalid host header"}
