"""Pages: language, htmx fragments, error pages, security headers, health and OpenAPI."""

import re

from litestar import get

from accounts.tables import User
from core.tables import AuditEntry
from portal.app import create_app
from tests.conftest import login, make_settings, new_client
from webkit.guards import PUBLIC


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="(\w+)"', text)
    assert match
    return match.group(1)


async def test_accept_language_picks_the_first_page_language(client):
    response = await client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    assert html_lang(response.text) == "fr"
    assert "Se connecter" in response.text
    response = await client.get("/login", headers={"Accept-Language": "nl-BE"})
    assert html_lang(response.text) == "nl"
    assert "Aanmelden" in response.text


async def test_language_switch_is_remembered_in_a_cookie_and_on_the_user(client, users):
    await login(client, users["partner_bosa"])
    response = await client.post(
        "/language",
        data={
            "language": "fr",
            "next": "/organisations/BOSA",
            "_csrf_token": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/organisations/BOSA"
    page = await client.get("/organisations/BOSA", headers={"Accept-Language": "nl"})
    assert html_lang(page.text) == "fr"
    assert "SPF Stratégie et Appui" in page.text
    stored = await User.select(User.preferred_language).where(
        User.email == users["partner_bosa"].email
    )
    assert stored == [{"preferred_language": "fr"}]
    change = await AuditEntry.select().where(AuditEntry.action == "language_changed").first()
    assert change["after"] in ({"preferred_language": "fr"}, '{"preferred_language": "fr"}')


async def test_an_unknown_language_is_refused_without_change(client):
    token = (await client.get("/login")).text.split('name="_csrf_token" value="')[1].split('"')[0]
    response = await client.post("/language", data={"language": "xx", "_csrf_token": token})
    assert response.status_code == 400
    assert "portal_lang" not in client.cookies


async def test_full_page_for_a_normal_request_and_fragment_for_htmx(client, users):
    await login(client, users["dgro"])
    full = await client.get("/audit")
    assert full.status_code == 200
    assert full.text.lstrip().startswith("<!doctype html>")
    assert 'id="results"' in full.text
    # A cache keeps the page and the fragment apart (and the brotli and gzip copies).
    assert "HX-Request" in full.headers["vary"].split(",")

    fragment = await client.get(
        "/audit?action=login", headers={"HX-Request": "true", "Accept-Language": "en"}
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="results"')
    assert "<html" not in fragment.text
    assert "1 entry" in fragment.text
    assert fragment.headers["HX-Push-Url"] == "/audit?action=login&page=1"

    boosted = await client.get("/audit", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


async def test_audit_filters_explain_bad_dates_next_to_the_field(client, users):
    await login(client, users["dgro"])
    response = await client.get("/audit?date_from=2026-02-30", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "2026-02-30 is not a real date." in response.text
    assert 'aria-invalid="true"' in response.text
    response = await client.get("/audit?date_to=30/02/2026", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.text


async def test_audit_pages_work_without_javascript(client, users):
    await login(client, users["dgro"])
    await AuditEntry.insert(
        *[AuditEntry(action="bulk_test", actor_email="x@example.be") for _ in range(120)]
    )
    first = await client.get("/audit?action=bulk_test", headers={"Accept-Language": "en"})
    assert "Page 1 of 3" in first.text
    assert 'href="/audit?action=bulk_test&amp;page=2"' in first.text
    last = await client.get("/audit?action=bulk_test&page=3")
    assert last.text.count(">bulk test</td>") == 20


async def test_security_headers_on_pages_and_errors(client):
    for path in ("/login", "/does-not-exist"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # development: plain http


async def test_pages_carry_no_inline_script(client, users):
    await login(client, users["dgro"])
    for path in ("/", "/audit", "/organisations", "/login"):
        text = (await client.get(path)).text
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) is None, path
        assert " style=" not in text and "onclick" not in text


async def test_error_pages_in_html_and_json(client):
    page = await client.get("/nowhere", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert "Page introuvable" in page.text
    api = await client.get("/api/v1/nowhere")
    assert api.status_code == 404
    assert api.json()["status_code"] == 404
    method = await client.delete("/health", headers={"x-csrftoken": "x"})
    assert method.status_code in (403, 405)


async def test_an_unexpected_error_shows_a_500_page_without_internals():
    @get("/boom", opt=PUBLIC)
    async def boom() -> str:
        raise RuntimeError("secret internal detail")

    app = create_app(make_settings(PORTAL_DEBUG="false"))
    app.register(boom)
    async with new_client(app) as client:
        response = await client.get("/boom")
        assert response.status_code == 500
        assert "secret internal detail" not in response.text
        assert "<h1>" in response.text


async def test_static_assets_come_from_npm_packages(client):
    htmx = await client.get("/static/vendor/htmx/htmx.min.js")
    assert htmx.status_code == 200
    assert 'version:"2.0.' in htmx.text
    pico = await client.get("/static/vendor/pico/pico.min.css")
    assert pico.status_code == 200
    login_page = await client.get("/login")
    assert re.search(
        r'<script src="/static/v/[0-9a-f]{12}/vendor/htmx/htmx.min.js"', login_page.text
    )


async def test_health_checks_the_database(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_describes_the_api_in_development_only(client):
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/me" in paths
    assert not [path for path in paths if not path.startswith("/api/v1/")]

    production = make_settings(
        PORTAL_ENV="production",
        SECRET_KEY="dY2LXbLMWFBwuVzSfn9bX1D8QEIpyksHqHe3LFCYe4fnBqs5",
        ALLOWED_HOSTS="testserver.local",
        PUBLIC_URL="https://testserver.local",
    )
    async with new_client(create_app(production), base_url="https://testserver.local") as prod:
        assert (await prod.get("/schema/openapi.json")).status_code == 404


async def test_the_accessibility_statement_is_public_and_linked_from_every_page(client, users):
    statement = await client.get("/accessibility", headers={"Accept-Language": "fr"})
    assert statement.status_code == 200
    assert "WCAG 2.1" in statement.text and "Médiateur fédéral" in statement.text
    login_page = await client.get("/login")
    assert 'href="/accessibility"' in login_page.text
