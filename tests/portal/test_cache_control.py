"""What a logged-in user is shown is never kept by the browser or a proxy (issue 18 #11,
ASVS 5.0 V14.3.2): every answer to a request with a session carries `Cache-Control:
no-store`, pages, htmx fragments, JSON and downloads alike; the static files keep their
caching, and so do the pages of a visitor who is not logged in."""

from __future__ import annotations

import pytest

from portal.app import create_app
from tests.conftest import login, make_settings, new_client

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "dY2LXbLMWFBwuVzSfn9bX1D8QEIpyksHqHe3LFCYe4fnBqs5",
    "ALLOWED_HOSTS": "testserver.local",
    "PUBLIC_URL": "https://testserver.local",
}
LOGGED_IN = (
    ("/", {}),
    ("/audit", {"HX-Request": "true"}),  # the results fragment
    ("/audit?page=abc", {}),  # a refusal page
    ("/organisations/BOSA/staff.csv", {}),  # a download
    ("/api/v1/me", {}),
)
STATIC = ("/static/app.css", "/static/vendor/htmx/htmx.min.js", "/static/vendor/pico/pico.min.css")


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_every_answer_to_a_logged_in_user_is_no_store(users, environment):
    settings = make_settings(**(PRODUCTION if environment == "production" else {}))
    base_url = (
        "https://testserver.local" if environment == "production" else "http://testserver.local"
    )
    async with new_client(create_app(settings), base_url=base_url) as client:
        anonymous = await client.get("/login")
        assert "no-store" not in anonymous.headers.get("cache-control", "")
        answer = await login(client, users["dgro"])
        assert answer.headers["cache-control"] == "no-store"  # the redirect after login
        for path, headers in LOGGED_IN:
            answer = await client.get(path, headers=headers)
            assert answer.status_code < 500, (path, answer.status_code)
            assert answer.headers.get("cache-control") == "no-store", (path, answer.headers)
        for path in STATIC:
            answer = await client.get(path)
            assert answer.status_code == 200, path
            assert "no-store" not in answer.headers.get("cache-control", ""), path
