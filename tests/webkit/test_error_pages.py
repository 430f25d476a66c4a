"""The forms in the header of an error page work (issue 18, info): the page of an unrouted
path, and of a refusal answered before a token was chosen (CSRF, the rate limit), carried
an empty CSRF token, so choosing a language there was refused in turn."""

from __future__ import annotations

import re

from core.i18n import LANGUAGE_COOKIE
from core.tables import AuditEntry
from portal.app import create_app
from tests.conftest import csrf_token, login, make_settings, new_client

FIELD = re.compile(
    r'<form method="post" action="/language".*?name="_csrf_token" value="([^"]*)"', re.S
)


async def choose_french_on(client, page) -> None:
    """Submit the language form of `page` (an answer) as a browser would."""
    match = FIELD.search(page.text)
    assert match, page.text
    assert match[1], "the language form carries an empty token"
    answer = await client.post(
        "/language", data={"language": "fr", "next": "/", "_csrf_token": match[1]}
    )
    assert answer.status_code == 303, answer.text
    assert client.cookies[LANGUAGE_COOKIE] == "fr"


async def test_the_language_form_of_an_unknown_page_works(client, users):
    page = await client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "Page not found" in page.text
    await choose_french_on(client, page)


async def test_the_language_form_of_an_unknown_page_works_when_logged_in(client, users):
    await login(client, users["staff_bosa"])
    page = await client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    await choose_french_on(client, page)
    assert (await client.get("/")).status_code == 200  # still logged in
    changed = await AuditEntry.select().where(AuditEntry.action == "language_changed").first()
    assert changed["actor_email"] == users["staff_bosa"].email


async def test_the_forms_of_a_refusal_page_work(client, users):
    """A form posted with a stale token (here: none) is refused; the refusal's own page
    offers forms that work, the log-out form of a logged-in user too."""
    await login(client, users["dgro"])
    client.cookies.delete("csrftoken")
    refused = await client.post("/logout", data={}, headers={"Accept-Language": "en"})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    token = re.search(r'action="/logout".*?name="_csrf_token" value="([^"]*)"', refused.text, re.S)
    assert token and token[1]
    logged_out = await client.post("/logout", data={"_csrf_token": token[1]})
    assert logged_out.status_code == 303 and logged_out.headers["location"] == "/login"


async def test_the_language_form_of_the_too_many_attempts_page_works(users):
    app = create_app(make_settings(LOGIN_ATTEMPTS_PER_MINUTE="1"))
    async with new_client(app) as client:
        token = await csrf_token(client)
        wrong = {"email": users["dgro"].email, "password": "wrong-password", "_csrf_token": token}
        assert (await client.post("/login", data=wrong)).status_code == 400
        page = await client.post("/login", data=wrong, headers={"Accept-Language": "en"})
        assert page.status_code == 429
        await choose_french_on(client, page)
